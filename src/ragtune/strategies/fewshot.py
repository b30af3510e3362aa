"""`fewshot`: k worked examples from the training split before the question.

Fixed examples (the default) form a stable, cacheable prefix; `retrieved: true` picks the k
nearest training examples per question by embedding similarity, which helps more but cannot be
cached because the prefix changes with every question.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from ragtune.backends import Message
from ragtune.data import Example
from ragtune.strategies.base import ArmUnavailable, Resources
from ragtune.strategies.chat import ChatArm
from ragtune.strategies.prompts import target_text
from ragtune.strategies.registry import register_arm
from ragtune.strategies.settings import ArmSettings, ChatSettings, Traits


class FewShotSettings(ChatSettings):
    k: int = Field(4, ge=1, le=64)
    """Worked examples before the question."""
    retrieved: bool = False
    """The k nearest training examples per question (not cacheable)"""


@register_arm
class FewShotArm(ChatArm):
    name: ClassVar[str] = "fewshot"
    settings: ClassVar[type[ArmSettings]] = FewShotSettings
    traits: ClassVar[Traits] = Traits(needs_train=True, projectable=True)

    @classmethod
    def requirements(cls, settings: Any) -> Traits:
        return cls.traits | Traits(needs_embed=bool(settings.retrieved))

    def __init__(self, resources: Resources, settings: FewShotSettings) -> None:
        super().__init__(resources, settings)
        if not resources.train:
            raise ArmUnavailable("fewshot needs training examples and the train split is empty")
        self.k = min(settings.k, len(resources.train))
        self.retrieved = settings.retrieved
        self.fixed = self._fixed_shots()
        self._vectors: Any = None
        if self.retrieved:
            if resources.embed is None:
                raise ArmUnavailable("fewshot with retrieved examples needs an embedding model")
            self._vectors = resources.embed([e.input for e in resources.train])

    def _fixed_shots(self) -> list[Example]:
        """k examples chosen with the run's seed; for classification, spread over labels."""
        pool = list(self.resources.train)
        rng = random.Random(self.resources.seed)
        rng.shuffle(pool)
        if self.task.task != "classify":
            return pool[: self.k]
        chosen: list[Example] = []
        seen: set[str] = set()
        for example in pool:  # one per label first, then fill
            if str(example.target) not in seen:
                chosen.append(example)
                seen.add(str(example.target))
        chosen += [e for e in pool if e not in chosen]
        return chosen[: self.k]

    def shots(self, item: Example) -> list[Example]:
        if not self.retrieved:
            return self.fixed
        query = np.asarray(self.resources.embed([item.input]))[0]  # type: ignore[misc]
        order = np.argsort(-(np.asarray(self._vectors) @ query))
        train = self.resources.train
        return [train[i] for i in order if train[i].id != item.id][: self.k]

    def prefix(self, item: Example) -> tuple[Message, ...]:
        turns: list[Message] = []
        for shot in self.shots(item):
            turns += [Message("user", shot.input), Message("assistant", target_text(shot.target))]
        return tuple(turns)

    def cache_prefix(self) -> int | None:
        return None if self.retrieved else 2 * self.k
