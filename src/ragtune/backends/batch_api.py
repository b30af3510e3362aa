"""The providers' batch APIs through the official SDKs: submit, poll, read results by custom id.

OpenAI's Batch API takes a JSONL file of chat-completion requests (`client.files.create`,
purpose "batch"), runs it as a batch (`client.batches.create`, completion window 24h), and leaves
the answers in an output file and the failures in an error file (`client.files.content`), each
line carrying the request's `custom_id`. Anthropic's Message Batches take the requests inline
(`client.messages.batches.create`) and stream one result per request (`...batches.results`):
succeeded, errored, expired or canceled. Both answer with the same models at the catalog's batch
prices, which is why a batch result's `Response.model` is the model name plus `BATCH_SUFFIX`:
the price catalog reads that name as the model's batch price (`cost/catalog.py`), so every
reader prices a batched call without knowing it was one.

A request's body is exactly what the interactive backend would send (`_params`), and a result
becomes a `Response` through the interactive backend's own parser, so batch and interactive
answers differ in price and latency only. A batch result's latency is 0 with the batch id in
`raw`: the batch's turnaround is not a request's latency (`running/batch.py` says so).

Deliberately not here: which requests to batch, the run store's record of a batch, polling
cadence and retries of failed requests (`running/batch.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ragtune.backends.base import Backend, Latency, Request, Response
from ragtune.backends.http_base import DEFAULT_TIMEOUT_S, MalformedResponse

BATCH_SUFFIX = " (batch)"  # "claude-haiku-4-5 (batch)": the model at its batch price
ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
CONTROL_RETRIES = 3  # the SDK's own retries for the idempotent control calls (poll, download)
# A batch create is never re-sent by the SDK: a create that timed out may have been made, and a
# blind retry would buy every request twice. It fails instead; --resume then looks for it.

Outcome = Literal["succeeded", "errored", "expired", "cancelled"]


@dataclass(frozen=True)
class BatchState:
    """A batch as one poll saw it; `status` is the provider's own word."""

    id: str
    status: str
    ended: bool  # no request of it will change any more
    succeeded: int = 0
    errored: int = 0
    expired: int = 0
    cancelled: int = 0
    processing: int = 0
    reason: str | None = None  # why the provider failed the whole batch (OpenAI's `errors`)

    def describe(self) -> str:
        return (
            f"{self.status}: {self.succeeded} succeeded, {self.errored} errored, "
            f"{self.expired} expired, {self.cancelled} cancelled, {self.processing} processing"
        )


@dataclass(frozen=True)
class BatchResult:
    """One request's fate in a batch: its response, or why there is none."""

    custom_id: str
    outcome: Outcome
    response: Response | None = None
    error: str | None = None


class BatchClient(Protocol):
    """One provider's batch API for one backend (its model, base URL and key)."""

    provider: str

    def submit(self, entries: Sequence[tuple[str, Request]], label: str) -> str: ...

    def find(self, label: str) -> str | None:
        """The id of a batch already created under `label` (a submit the run never stored)."""
        ...

    def poll(self, batch_id: str) -> BatchState: ...

    def results(self, batch_id: str, requests: Mapping[str, Request]) -> list[BatchResult]: ...


def api_backend(backend: Any) -> Any:
    """The HTTP backend under a backend's wrappers (response cache, call recorder, batching)."""
    while hasattr(backend, "inner"):
        backend = backend.inner
    return backend


def batch_client(backend: Backend) -> BatchClient | None:
    """The batch API behind `backend`, or None when it has none (local models, servers other
    than api.openai.com such as vLLM or a llama.cpp server)."""
    api = api_backend(backend)
    sdk = getattr(api, "sdk", None)
    if sdk == "anthropic":
        return AnthropicBatches(api)
    if sdk == "openai" and getattr(api, "_official", False):
        return OpenAIBatches(api)
    return None


def batchable(name: str) -> bool:
    """Whether a backend name has a provider batch API (`openai:` and `anthropic:` names)."""
    return name.split(":", 1)[0] in ("openai", "anthropic")


class OpenAIBatches:
    provider = "openai"

    def __init__(self, backend: Any) -> None:
        from openai import OpenAI

        self.backend = backend
        self.client = OpenAI(
            api_key=backend._api_key or "not-needed",
            base_url=backend.base_url,
            max_retries=CONTROL_RETRIES,
            timeout=DEFAULT_TIMEOUT_S,
        )

    def submit(self, entries: Sequence[tuple[str, Request]], label: str) -> str:
        lines = [
            json.dumps(
                {
                    "custom_id": cid,
                    "method": "POST",
                    "url": ENDPOINT,
                    "body": self.backend._params(r),
                }
            )
            for cid, r in entries
        ]
        upload = self.client.files.create(
            file=("ragtune-batch.jsonl", "\n".join(lines).encode(), "application/jsonl"),
            purpose="batch",
        )
        batch = self.client.with_options(max_retries=0).batches.create(
            input_file_id=upload.id,
            endpoint=ENDPOINT,
            completion_window="24h",
            metadata={"ragtune": label[:512]},
        )
        return str(batch.id)

    def find(self, label: str) -> str | None:
        """The newest page of the account's batches (`batches.list`, newest first) searched for
        the `ragtune` metadata label `submit` set: a run killed, or a create timed out, after
        the provider made the batch but before its id was stored finds it on --resume."""
        for b in self.client.batches.list(limit=100).data:
            if (b.metadata or {}).get("ragtune") == label[:512] and b.status != "failed":
                return str(b.id)
        return None

    def poll(self, batch_id: str) -> BatchState:
        b = self.client.batches.retrieve(batch_id)
        counts = b.request_counts
        total = counts.total if counts else 0
        done, failed = (counts.completed, counts.failed) if counts else (0, 0)
        ended = b.status in ("completed", "expired", "cancelled", "failed")
        rest = max(0, total - done - failed)
        return BatchState(
            b.id,
            b.status,
            ended,
            succeeded=done,
            errored=failed,
            expired=rest if b.status == "expired" else 0,
            cancelled=rest if b.status == "cancelled" else 0,
            processing=0 if ended else rest,
            reason=_batch_errors(b) if b.status == "failed" else None,
        )

    def results(self, batch_id: str, requests: Mapping[str, Request]) -> list[BatchResult]:
        from openai.types.chat import ChatCompletion

        b = self.client.batches.retrieve(batch_id)
        out: dict[str, BatchResult] = {}
        for file_id in (b.output_file_id, b.error_file_id):
            for line in self._lines(file_id):
                cid = str(line.get("custom_id"))
                if cid not in requests:
                    continue
                out[cid] = self._result(cid, line, requests[cid], batch_id, ChatCompletion)
        left: Outcome = "cancelled" if b.status in ("cancelled", "cancelling") else "expired"
        reason = _batch_errors(b) if b.status == "failed" else None
        for cid in requests:
            if cid not in out:  # never answered: the batch failed, expired or was cancelled
                outcome: Outcome = "errored" if reason else left
                out[cid] = BatchResult(cid, outcome, error=reason or f"batch {b.status}")
        return list(out.values())

    def _lines(self, file_id: str | None) -> Iterator[dict[str, Any]]:
        if not file_id:
            return
        text = self.client.files.content(file_id).text
        for line in text.splitlines():
            if line.strip():
                yield json.loads(line)

    def _result(
        self, cid: str, line: Mapping[str, Any], request: Request, batch_id: str, model_type: Any
    ) -> BatchResult:
        error = line.get("error")
        response = line.get("response") or {}
        if error:  # e.g. {"code": "batch_expired", "message": ...}
            outcome: Outcome = "expired" if error.get("code") == "batch_expired" else "errored"
            return BatchResult(cid, outcome, error=str(error.get("message") or error))
        body = response.get("body") or {}
        status = int(response.get("status_code") or 0)
        if status != 200:
            message = (body.get("error") or {}).get("message") or f"HTTP {status}"
            return BatchResult(cid, "errored", error=f"HTTP {status}: {message}")
        try:
            completion = model_type.model_validate(body)
            answer = _batched(completion_of(completion, request, self.backend), batch_id, response)
        except (MalformedResponse, ValueError) as err:
            return BatchResult(cid, "errored", error=f"malformed result ({err})")
        return BatchResult(cid, "succeeded", answer)


def completion_of(completion: Any, request: Request, backend: Any) -> Response:
    from ragtune.backends.openai_api import completion_response

    return completion_response(completion, request, backend.name, backend.model, Latency(0.0))


def _batch_errors(batch: Any) -> str:
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    text = "; ".join(str(e.message) for e in errors if getattr(e, "message", None))
    return f"the batch failed: {text or 'no reason given'}"


class AnthropicBatches:
    provider = "anthropic"

    def __init__(self, backend: Any) -> None:
        from anthropic import Anthropic

        self.backend = backend
        self.client = Anthropic(
            api_key=backend._api_key,
            base_url=backend.base_url,
            max_retries=CONTROL_RETRIES,
            timeout=DEFAULT_TIMEOUT_S,
        )

    def find(self, label: str) -> str | None:
        """Always None: Message Batches carry no metadata to hold a label, so a batch created
        but never stored (a kill or timeout mid-create) is not found and is submitted again."""
        return None

    def submit(self, entries: Sequence[tuple[str, Request]], label: str) -> str:
        batch = self.client.with_options(max_retries=0).messages.batches.create(
            requests=[{"custom_id": cid, "params": self.backend._params(r)} for cid, r in entries]
        )
        return str(batch.id)

    def poll(self, batch_id: str) -> BatchState:
        b = self.client.messages.batches.retrieve(batch_id)
        c = b.request_counts
        status: str = b.processing_status
        if status == "ended" and b.cancel_initiated_at is not None:
            status = "cancelled"
        return BatchState(
            b.id,
            status,
            b.processing_status == "ended",
            succeeded=c.succeeded,
            errored=c.errored,
            expired=c.expired,
            cancelled=c.canceled,
            processing=c.processing,
        )

    def results(self, batch_id: str, requests: Mapping[str, Request]) -> list[BatchResult]:
        from ragtune.backends.anthropic_api import message_response

        out = []
        for line in self.client.messages.batches.results(batch_id):
            cid, result = line.custom_id, line.result
            if cid not in requests:
                continue
            if result.type == "succeeded":
                try:
                    response = message_response(
                        result.message,
                        requests[cid],
                        self.backend.name,
                        self.backend.model,
                        Latency(0.0),
                    )
                except MalformedResponse as err:
                    out.append(BatchResult(cid, "errored", error=f"malformed result ({err})"))
                    continue
                out.append(BatchResult(cid, "succeeded", _batched(response, batch_id, {})))
            elif result.type == "errored":
                inner = getattr(result.error, "error", None)
                out.append(BatchResult(cid, "errored", error=str(getattr(inner, "message", inner))))
            else:
                kind: Outcome = "expired" if result.type == "expired" else "cancelled"
                out.append(BatchResult(cid, kind, error=f"request {result.type}"))
        return out


def _batched(response: Response, batch_id: str, extra: Mapping[str, Any]) -> Response:
    """The response priced at the batch rate, with the batch it came from."""
    from dataclasses import replace

    raw = {**response.raw, "batch_id": batch_id}
    if extra.get("request_id"):
        raw["request_id"] = extra["request_id"]
    return replace(response, model=response.model + BATCH_SUFFIX, raw=raw)
