"""`memory`: recall stored question -> answer memories (the training split) by similarity.

A question close enough to a stored one (cosine >= `threshold`) gets the stored answer directly,
with no model call and no tokens: the cheapest possible arm when questions repeat. Other
questions go to the cheap backend with the `m` nearest memories as worked examples, so memory
also covers paraphrases it has not seen verbatim.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from pydantic import Field

from ragtune.backends import Message
from ragtune.data import Example
from ragtune.strategies.base import ArmUnavailable, Prediction, Resources
from ragtune.strategies.chat import ChatArm
from ragtune.strategies.prompts import answer_text, target_text
from ragtune.strategies.registry import register_arm
from ragtune.strategies.settings import ArmSettings, ChatSettings, Traits


class MemorySettings(ChatSettings):
    threshold: float = Field(0.9, ge=0, le=1)
    """Cosine similarity at which a stored answer is returned as is (1: exact repeats only)."""
    m: int = Field(3, ge=0, le=32)
    """Nearest memories shown to the model otherwise."""


@register_arm
class MemoryArm(ChatArm):
    name: ClassVar[str] = "memory"
    settings: ClassVar[type[ArmSettings]] = MemorySettings
    traits: ClassVar[Traits] = Traits(needs_train=True, needs_embed=True, projectable=True)
    # Which items call the model, and with which remembered examples, is decided by recall at
    # answer time: nothing can be sent ahead as a provider batch (`running/batch.py`).
    batchable: ClassVar[bool] = False

    def __init__(self, resources: Resources, settings: MemorySettings) -> None:
        super().__init__(resources, settings)
        if not resources.train:
            raise ArmUnavailable("memory needs stored answers and the train split is empty")
        if resources.embed is None:
            raise ArmUnavailable("memory needs an embedding model to recall by similarity")
        self.embed = resources.embed
        self.threshold = settings.threshold
        self.m = settings.m
        self.memories = list(resources.train)
        self.vectors = np.asarray(self.embed([e.input for e in self.memories]))
        self._nearest: dict[str, np.ndarray] = {}

    def prefix(self, item: Example) -> tuple[Message, ...]:
        turns: list[Message] = []
        for i in self._nearest[item.id][: self.m]:
            memory = self.memories[i]
            turns += [
                Message("user", memory.input),
                Message("assistant", target_text(memory.target)),
            ]
        return tuple(turns)

    def cache_prefix(self) -> int | None:
        return None  # the recalled memories differ per question

    def predict(self, items: Sequence[Example]) -> list[Prediction]:
        start = time.perf_counter()
        similarity = np.asarray(self.embed([e.input for e in items])) @ self.vectors.T
        recall_s = (time.perf_counter() - start) / max(len(items), 1)
        direct: dict[str, Prediction] = {}
        for item, row in zip(items, similarity, strict=True):
            order = np.argsort(-row)
            self._nearest[item.id] = order
            best = int(order[0])
            if row[best] >= self.threshold:
                text = target_text(self.memories[best].target)
                answer = answer_text(self.task, text)
                confidence = float(row[best])
                direct[item.id] = Prediction(
                    item.id, text, answer, latency_s=recall_s, confidence=confidence
                )
        asked = super().predict([i for i in items if i.id not in direct])
        answered = {p.item_id: p for p in asked} | direct
        return [answered[item.id] for item in items]
