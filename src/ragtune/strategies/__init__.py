"""Strategies ("arms"), registered by stable name: `create_arm("rag", resources, settings)`.

Each arm is a small module whose class registers itself (`registry.register_arm`) with its
settings model and traits. Importing this package imports every module in it, so adding an arm
is adding its module: nothing else to edit.
"""

from __future__ import annotations

import importlib
import pkgutil

from ragtune.strategies.base import Arm, ArmFailed, ArmUnavailable, Prediction, Resources, TaskSpec
from ragtune.strategies.chat import BATCH
from ragtune.strategies.prompts import TUNED_SYSTEM, target_text
from ragtune.strategies.rag import (
    HOSTED_PROVIDERS,
    FinetuneSettings,
    HostedFinetune,
    HostedServing,
)
from ragtune.strategies.recorded import RecordedSettings, load_answers
from ragtune.strategies.registry import (
    ARMS,
    arm_class,
    arm_names,
    create_arm,
    kind_of,
    parse_settings,
    register_arm,
    requirements,
    settings_for,
    traits_of,
)
from ragtune.strategies.settings import (
    ArmSettings,
    ChatSettings,
    Traits,
    curve_arm,
    split_curve_arm,
)

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")  # each arm module registers its arm

__all__ = [
    "ARMS",
    "BATCH",
    "HOSTED_PROVIDERS",
    "TUNED_SYSTEM",
    "Arm",
    "ArmFailed",
    "ArmSettings",
    "ArmUnavailable",
    "ChatSettings",
    "FinetuneSettings",
    "HostedFinetune",
    "HostedServing",
    "Prediction",
    "RecordedSettings",
    "Resources",
    "TaskSpec",
    "Traits",
    "arm_class",
    "arm_names",
    "create_arm",
    "curve_arm",
    "kind_of",
    "load_answers",
    "parse_settings",
    "register_arm",
    "requirements",
    "settings_for",
    "split_curve_arm",
    "target_text",
    "traits_of",
]
