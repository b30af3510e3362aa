"""What every arm shares: the prediction record, the resources arms draw on, and batching.

An arm turns examples into `Prediction`s. It gets everything it needs through `Resources`
(backends, train/validation examples, the retrieval index, the knowledge base text, a tuned
backend), built once per run by the runner, so arms stay small and never load models themselves.
An arm that cannot run with the resources given raises `ArmUnavailable` with the reason; the
run reports it as "not available" rather than failing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ragtune.backends import Backend, BackendError, Request, Response, Usage
from ragtune.data import Example
from ragtune.errors import RagtuneError


class ArmUnavailable(RagtuneError):
    """This arm cannot run here (missing knowledge base, no tuned model, context too small)."""


class ArmFailed(ArmUnavailable):
    """The arm could not run because something it needed failed (a hosted fine-tuning job)."""


@dataclass(frozen=True)
class Call:
    """One model call behind a prediction, kept apart so each is priced at its own model."""

    stage: str  # "answer" | "escalation"
    backend: str
    model: str
    usage: Usage
    latency_s: float
    ttft_s: float | None = None
    cached: bool = False  # served from the response cache
    # The recorder's notes on the response (see `Response.prefix`), kept with the call.
    prefix: str | None = None
    prefix_share: float = 0.0
    batch: int | None = None
    load_s: float = 0.0

    @classmethod
    def of(cls, response: Response, stage: str = "answer") -> Call:
        return cls(
            stage,
            response.backend,
            response.model,
            response.usage,
            response.latency.total_s,
            response.latency.ttft_s,
            response.cached,
            response.prefix,
            response.prefix_share,
            response.batch,
            response.load_s,
        )


@dataclass(frozen=True)
class Prediction:
    """One arm's answer to one example, with the calls it took (none for a memory hit)."""

    item_id: str
    text: str  # raw output (or the stored memory)
    answer: Any  # what the metrics score
    calls: tuple[Call, ...] = ()
    latency_s: float = 0.0  # wall time the user waited, all calls and lookups included
    confidence: float | None = None
    citations: tuple[str, ...] = ()  # document ids the answer rests on
    escalated: bool = False  # router: answered by the strong backend
    error: str | None = None

    @property
    def usage(self) -> Usage:
        return sum((c.usage for c in self.calls), Usage())


@dataclass(frozen=True)
class TaskSpec:
    task: str  # qa | classify | extract | generate
    labels: tuple[str, ...] | None = None
    json_schema: dict[str, Any] | None = None


@dataclass
class Resources:
    """Everything arms may use; the runner fills what the workload asks for."""

    task: TaskSpec
    cheap: Backend
    strong: Backend
    train: Sequence[Example] = ()
    validation: Sequence[Example] = ()
    index: Any | None = None  # ragtune.retrieval Index
    knowledge_text: str | None = None  # the whole knowledge base, for long_context
    knowledge_tokens: int | None = None
    tuned: Backend | None = None  # the fine-tuned model behind the finetune arms
    # A learning curve's tuned models by training size, behind the `finetune@<size>` arms.
    tuned_at: dict[int, Backend] = field(default_factory=dict)
    embed: Callable[[Sequence[str]], Any] | None = None  # texts -> unit vectors (numpy)
    seed: int = 0
    extras: dict[str, Any] = field(default_factory=dict)
    # Builds a backend an arm names in full (`backend: anthropic:claude-haiku-4-5`); each name
    # is built once per run and shared by the arms that name it.
    make_backend: Callable[[str], Backend] | None = None
    named: dict[str, Backend] = field(default_factory=dict)

    def backend(self, name: str) -> Backend:
        """The backend an arm's `backend:` setting names: cheap, strong or a backend name."""
        if name == "cheap":
            return self.cheap
        if name == "strong":
            return self.strong
        if name not in self.named:
            if self.make_backend is None:
                raise ArmUnavailable(f"no way to build backend {name!r} in this run")
            self.named[name] = self.make_backend(name)
        return self.named[name]


class Arm(Protocol):
    """A strategy, registered under a stable `name`."""

    name: str
    backend: Backend

    def build(self, items: Sequence[Example]) -> list[Request]:
        """One request per item."""
        ...

    def predict(self, items: Sequence[Example]) -> list[Prediction]: ...


ParseFn = Callable[[Example, Response], Prediction]


def call_batch(
    backend: Backend, items: Sequence[Example], requests: Sequence[Request], parse: ParseFn
) -> list[Prediction]:
    """Send a batch; a failed batch becomes one error prediction per item, never lost items.

    A backend error on the batch is retried item by item so one bad item does not take the
    others down; what still fails is recorded with its message.
    """
    try:
        responses = backend.generate(list(requests))
        return [parse(item, response) for item, response in zip(items, responses, strict=True)]
    except BackendError:
        if len(items) == 1:
            raise
    out = []
    for item, request in zip(items, requests, strict=True):
        start = time.perf_counter()
        try:
            out.append(parse(item, backend.generate([request])[0]))
        except BackendError as err:
            out.append(
                Prediction(item.id, "", None, latency_s=time.perf_counter() - start, error=str(err))
            )
    return out


def from_response(
    item: Example,
    response: Response,
    answer: Any,
    citations: tuple[str, ...] = (),
    escalated: bool = False,
) -> Prediction:
    return Prediction(
        item_id=item.id,
        text=response.text,
        answer=answer,
        calls=(Call.of(response),),
        latency_s=response.latency.total_s,
        confidence=response.confidence,
        citations=citations,
        escalated=escalated,
    )
