"""The backend interface: chat requests in, responses with exact usage and latency out.

Every arm calls a model through `Backend.generate(requests)`, a batch of `Request`s answered by
as many `Response`s in the same order. A response carries the text, why generation stopped,
`Usage` (the four token counts the cost engine prices), `Latency`, and when the backend can tell,
a confidence signal. Records are frozen dataclasses that turn into plain dicts and back
(`to_dict` / `from_dict`), which is how the response cache and the run store keep them.

Deliberately not here: how a backend is chosen by name (`registry.py`), retries (`retry.py`),
the response cache (`cache.py`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from ragtune.errors import RagtuneError

Role = Literal["user", "assistant"]
FinishReason = Literal["stop", "length", "label"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class Request:
    """One chat call.

    `cache_prefix` marks the stable prefix a provider may cache: None for no caching, 0 for the
    system prompt alone, n for the system prompt plus the first n messages (few-shot examples, a
    long context). `labels` constrains the answer to one of a fixed set (classification);
    `json_schema` asks for JSON matching a schema where the backend supports it.
    """

    messages: tuple[Message, ...]
    system: str = ""
    max_tokens: int = 256
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    json_schema: Mapping[str, Any] | None = None
    labels: tuple[str, ...] | None = None
    cache_prefix: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.messages:
            raise RagtuneError("a request needs at least one message")
        if self.max_tokens < 1:
            raise RagtuneError(f"max_tokens must be at least 1 (given: {self.max_tokens})")
        if self.cache_prefix is not None and not 0 <= self.cache_prefix <= len(self.messages):
            raise RagtuneError(
                f"cache_prefix must be between 0 and the number of messages "
                f"({len(self.messages)}) (given: {self.cache_prefix})"
            )
        if self.labels is not None and len(self.labels) < 2:
            raise RagtuneError("labels needs at least two choices")

    @classmethod
    def ask(cls, prompt: str, **fields: Any) -> Request:
        """A single-turn request: `Request.ask("What is 2+2?", max_tokens=8)`."""
        return cls(messages=(Message("user", prompt),), **fields)

    def chat_messages(self) -> list[dict[str, str]]:
        """OpenAI-style message dicts, system first when there is one."""
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + [{"role": m.role, "content": m.content} for m in self.messages]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Request:
        fields = dict(data)
        fields["messages"] = tuple(Message(**m) for m in fields["messages"])
        for key in ("stop", "labels"):
            if fields.get(key) is not None:
                fields[key] = tuple(fields[key])
        return cls(**fields)


@dataclass(frozen=True)
class Usage:
    """Tokens of one call, split the way providers price them.

    `input_tokens` is the uncached input only; `cache_write_tokens` were written to a prompt cache
    (Anthropic charges a premium), `cache_read_tokens` were served from it (at a discount). Their
    sum is the whole prompt. `output_tokens` counts every generated token, end-of-turn included.
    """

    input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0

    @property
    def prompt_tokens(self) -> int:
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.output_tokens + other.output_tokens,
        )


@dataclass(frozen=True)
class Latency:
    """Seconds for one call. `ttft_s` is known when the backend streams or decodes locally.

    For a batch, every response carries the batch's wall time: that is what each caller waited.
    """

    total_s: float
    ttft_s: float | None = None

    def output_tokens_per_s(self, output_tokens: int) -> float:
        """Decode speed: tokens after the first over the time after the first, when known."""
        if self.ttft_s is not None and output_tokens > 1 and self.total_s > self.ttft_s:
            return (output_tokens - 1) / (self.total_s - self.ttft_s)
        return output_tokens / self.total_s if self.total_s > 0 else 0.0


@dataclass(frozen=True)
class Response:
    """One answer. `label_probs` is set for label-constrained requests, in the labels' order."""

    text: str
    finish_reason: FinishReason
    usage: Usage
    latency: Latency
    backend: str
    model: str
    mean_logprob: float | None = None
    label_probs: tuple[tuple[str, float], ...] | None = None
    cached: bool = False  # served from the response cache
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)  # provider extras
    # Set by an evidence run's call recorder (`running/prefixes.py`) and carried into the
    # stored measurement, so pricing never matches a note back to its call by value: the
    # request's cacheable prefix (fingerprint, share of the prompt's characters), how many
    # requests went out together, and one-off model loading inside this call (first response of
    # the batch only), which is not serving time.
    prefix: str | None = None
    prefix_share: float = 0.0
    batch: int | None = None
    load_s: float = 0.0

    @property
    def output_tokens_per_s(self) -> float:
        return self.latency.output_tokens_per_s(self.usage.output_tokens)

    @property
    def confidence(self) -> float | None:
        """A number in [0, 1]: the chosen label's probability, else the geometric-mean token
        probability exp(mean log-probability); None when the backend gives neither."""
        if self.label_probs:
            return dict(self.label_probs).get(self.text, max(p for _, p in self.label_probs))
        if self.mean_logprob is not None:
            return math.exp(self.mean_logprob)
        return None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["raw"] = dict(self.raw)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Response:
        fields = dict(data)
        fields["usage"] = Usage(**fields["usage"])
        fields["latency"] = Latency(**fields["latency"])
        if fields.get("label_probs") is not None:
            fields["label_probs"] = tuple((str(k), float(v)) for k, v in fields["label_probs"])
        return cls(**fields)


@runtime_checkable
class Backend(Protocol):
    """Anything that answers a batch of chat requests.

    `name` is the stable string used in configs, the store and reports (`local:smollm2-135m`).
    `generate` returns one response per request, in order, or raises `BackendError`; it never
    returns an empty answer in place of an error.
    """

    name: str
    model: str

    def generate(self, requests: Sequence[Request]) -> list[Response]: ...

    def close(self) -> None: ...


class BackendError(RagtuneError):
    """A call failed for good. The message names the backend, the model and the status."""

    exit_code = 3

    def __init__(
        self,
        backend: str,
        model: str,
        reason: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        hint: str | None = None,
    ) -> None:
        self.backend, self.model, self.status, self.attempts = backend, model, status, attempts
        status_text = f"HTTP {status}" if status is not None else "no HTTP status"
        tries = f" after {attempts} tries" if attempts > 1 else ""
        super().__init__(
            f"{backend} (model {model}) failed{tries}: {status_text}: {reason}", hint=hint
        )
