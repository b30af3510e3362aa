"""The shape most arms share: build one chat request per item, send in batches, keep usage.

Subclasses say which backend answers, what goes in the system prompt, which messages come before
the question (few-shot turns, retrieved sources) and how many of them form a cacheable prefix.
The `prompt` arm is this class as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ragtune.backends import Backend, Message, Request, Response
from ragtune.data import Example
from ragtune.strategies.base import Prediction, Resources, call_batch, from_response
from ragtune.strategies.prompts import answer_text, instructions
from ragtune.strategies.registry import register_arm
from ragtune.strategies.settings import ArmSettings, ChatSettings, Declared, Traits

MAX_TOKENS = {"qa": 32, "classify": 8, "extract": 160, "generate": 160}
BATCH = 16  # requests per backend call: the local backend batches them on the device


@register_arm
class ChatArm(Declared):
    """Instructions as a cacheable system prompt, then the item as the user turn."""

    name: ClassVar[str] = "prompt"
    settings: ClassVar[type[ArmSettings]] = ChatSettings
    traits: ClassVar[Traits] = Traits(projectable=True)

    def __init__(self, resources: Resources, settings: ArmSettings) -> None:
        self.resources = resources
        self.task = resources.task
        self.config = settings
        self.backend: Backend = self.pick_backend()
        limit = getattr(settings, "max_tokens", None)
        self.max_tokens = int(limit or MAX_TOKENS[self.task.task])

    def pick_backend(self) -> Backend:
        assert isinstance(self.config, ChatSettings)
        return self.resources.backend(self.config.backend)

    def system(self) -> str:
        given = getattr(self.config, "instructions", None)
        return instructions(self.task, given)

    def prefix(self, item: Example) -> tuple[Message, ...]:
        """Turns before the question; the cacheable part when `cache_prefix` covers them."""
        return ()

    def cache_prefix(self) -> int | None:
        return 0  # the system prompt is stable across items

    def user_turn(self, item: Example) -> str:
        return item.input

    def build(self, items: Sequence[Example]) -> list[Request]:
        labels = self.task.labels if self.task.task == "classify" else None
        schema = self.task.json_schema if self.task.task == "extract" else None
        requests = []
        for item in items:
            prefix = self.prefix(item)
            cached = self.cache_prefix()
            requests.append(
                Request(
                    messages=(*prefix, Message("user", self.user_turn(item))),
                    system=self.system(),
                    max_tokens=self.max_tokens,
                    labels=labels,
                    json_schema=schema,
                    cache_prefix=None if cached is None else min(cached, len(prefix)),
                    seed=self.resources.seed,
                )
            )
        return requests

    def parse(self, item: Example, response: Response) -> Prediction:
        return from_response(
            item, response, answer_text(self.task, response.text), self.citations(item, response)
        )

    def citations(self, item: Example, response: Response) -> tuple[str, ...]:
        return ()

    def predict(self, items: Sequence[Example]) -> list[Prediction]:
        out: list[Prediction] = []
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            out += call_batch(self.backend, chunk, self.build(chunk), self.parse)
        return out
