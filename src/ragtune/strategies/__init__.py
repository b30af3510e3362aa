"""Strategies ("arms"), registered by stable name: `create_arm("rag", resources, settings)`.

Each arm is a small module whose class registers itself (`registry.register_arm`) with its
settings model and traits. Importing this package imports every module in it, so adding an arm
is adding its module: nothing else to edit.
"""

from __future__ import annotations

import importlib
import pkgutil

from ragtune.strategies.base import Arm, ArmUnavailable, Prediction, Resources, TaskSpec
from ragtune.strategies.registry import (
    ARMS,
    arm_class,
    arm_names,
    create_arm,
    kind_of,
    parse_settings,
    register_arm,
    requirements,
    traits_of,
)
from ragtune.strategies.settings import ArmSettings, ChatSettings, Traits

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")  # each arm module registers its arm

__all__ = [
    "ARMS",
    "Arm",
    "ArmSettings",
    "ArmUnavailable",
    "ChatSettings",
    "Prediction",
    "Resources",
    "TaskSpec",
    "Traits",
    "arm_class",
    "arm_names",
    "create_arm",
    "kind_of",
    "parse_settings",
    "register_arm",
    "requirements",
    "traits_of",
]
