"""Strategies ("arms"), registered by stable name: `create_arm("rag", resources, params)`.

Each arm is a small module; this registry is the only place that knows them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ragtune.errors import RagtuneError, suggest
from ragtune.strategies.base import Arm, ArmUnavailable, Prediction, Resources, TaskSpec
from ragtune.strategies.chat import ChatArm
from ragtune.strategies.classifier import ClassifierArm
from ragtune.strategies.fewshot import FewShotArm
from ragtune.strategies.long_context import LongContextArm
from ragtune.strategies.memory import MemoryArm
from ragtune.strategies.rag import FinetuneArm, FinetuneRagArm, RagArm
from ragtune.strategies.router import RouterArm

ARMS: dict[str, Callable[[Resources, dict[str, Any]], Arm]] = {
    "prompt": ChatArm,
    "fewshot": FewShotArm,
    "long_context": LongContextArm,
    "rag": RagArm,
    "finetune": FinetuneArm,
    "finetune_rag": FinetuneRagArm,
    "memory": MemoryArm,
    "classifier": ClassifierArm,
    "router": lambda resources, params: RouterArm(resources, params, create_arm),
}


def create_arm(name: str, resources: Resources, params: dict[str, Any] | None = None) -> Arm:
    """The arm registered as `name`; `ArmUnavailable` when it cannot run with these resources."""
    if name not in ARMS:
        raise RagtuneError(
            f"unknown arm {name!r}", hint=f"{suggest(name, list(ARMS))}; arms: {', '.join(ARMS)}"
        )
    return ARMS[name](resources, dict(params or {}))


__all__ = ["ARMS", "Arm", "ArmUnavailable", "Prediction", "Resources", "TaskSpec", "create_arm"]
