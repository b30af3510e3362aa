"""`memory`: recall stored question -> answer memories (the training split) by similarity.

A question close enough to a stored one (cosine >= `threshold`) gets the stored answer directly,
with no model call and no tokens: the cheapest possible arm when questions repeat. Other
questions go to the cheap backend with the `m` nearest memories as worked examples, so memory
also covers paraphrases it has not seen verbatim.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ragtune.backends.base import Message
from ragtune.data import Example
from ragtune.strategies.base import ArmUnavailable, Prediction, Resources
from ragtune.strategies.chat import ChatArm
from ragtune.strategies.prompts import answer_text, target_text


class MemoryArm(ChatArm):
    name = "memory"

    def __init__(self, resources: Resources, params: dict[str, Any]) -> None:
        super().__init__(resources, params)
        if not resources.train:
            raise ArmUnavailable("memory needs stored answers and the train split is empty")
        if resources.embed is None:
            raise ArmUnavailable("memory needs an embedding model to recall by similarity")
        self.embed = resources.embed
        self.threshold = float(params.get("threshold", 0.9))
        self.m = int(params.get("m", 3))
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
