"""What the two HTTP backends share: keys, concurrency, retries, error classification.

`HttpBackend.generate` runs every request of the batch concurrently (at most `concurrency` in
flight) on a fresh event loop, each through the `Retrier`; subclasses only say how to build a
client and make one call. Both official SDKs (openai, anthropic) are built on httpx with the same
exception classes by name, so one classifier serves both. The SDKs' own retries are switched off
so that every retry is ours: counted, logged and bounded by one policy.

API keys come from the constructor or the environment only. They are handed to the SDK client
and otherwise kept out of everything: no log line, error message or stored record contains them
(errors pass through `scrub` in case a server echoes a key back).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from ragtune.backends.base import Request, Response
from ragtune.backends.retry import (
    RETRYABLE_STATUS,
    Failure,
    Retrier,
    RetryPolicy,
    parse_retry_after,
)
from ragtune.errors import RagtuneError

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_CONCURRENCY = 8  # a typical tier-1 rate limit tolerates 8 parallel calls
DEFAULT_TIMEOUT_S = 60.0


class MalformedResponse(Exception):
    """The server answered 200 but the body is unusable (no choices, no usage, bad JSON)."""


def api_key_from_env(variable: str, backend: str, *, required: bool) -> str | None:
    key = os.environ.get(variable) or None
    if key is None and required:
        raise RagtuneError(
            f"{backend} needs an API key and the environment variable {variable} is not set",
            hint=f"export {variable}=... (ragtune never prints or stores it)",
        )
    return key


def classify(exc: BaseException) -> Failure | None:
    """A retry verdict for an SDK or httpx exception; None for anything else (a bug).

    Matched by class name: the SDKs run on httpx or httpx2, whose exception classes share names.
    """
    names = {cls.__name__ for cls in type(exc).__mro__}
    status = getattr(exc, "status_code", None)
    if "APIStatusError" in names and isinstance(status, int):
        response = getattr(exc, "response", None)
        headers = dict(response.headers) if response is not None else {}
        return Failure(
            reason=_status_reason(exc),
            status=status,
            retryable=status in RETRYABLE_STATUS or status >= 500,
            retry_after_s=parse_retry_after(headers),
        )
    if names & {"APITimeoutError", "TimeoutException", "TimeoutError"}:
        return Failure(reason="request timed out", retryable=True)
    if names & {"APIConnectionError", "TransportError", "ConnectionError"}:
        cause = exc.__cause__ or exc
        return Failure(reason=f"connection failed ({type(cause).__name__})", retryable=True)
    if "APIResponseValidationError" in names or isinstance(
        exc, MalformedResponse | json.JSONDecodeError
    ):
        detail = str(exc) if isinstance(exc, MalformedResponse) else type(exc).__name__
        return Failure(reason=f"malformed response ({detail})", retryable=True)
    return None


def _status_reason(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
    return str(getattr(exc, "message", exc))[:300]


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, also when a loop is already running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(make()))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def match_label(text: str, labels: Sequence[str] | None) -> str:
    """The label `text` names (case and surrounding punctuation ignored), else `text`."""
    if not labels:
        return text
    cleaned = text.strip().strip(".!\"'`").strip().lower()
    for label in labels:
        if cleaned == label.lower():
            return label
    return text


class HttpBackend:
    """Base of the HTTP backends: subclasses set `name`, `model` and implement two methods."""

    name: str
    model: str
    sdk: str  # the SDK's import name: "openai" or "anthropic"

    def __init__(
        self,
        *,
        api_key: str | None,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        stream: bool = True,
        transport: Any = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if concurrency < 1:
            raise RagtuneError(f"concurrency must be at least 1 (given: {concurrency})")
        self._api_key = api_key
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.stream = stream
        self.transport = transport  # an httpx transport, e.g. a MockTransport replaying recordings
        self.retrier_args: dict[str, Any] = {"policy": policy, "sleep": sleep}
        self.last_attempts: list[int] = []  # tries each request of the last batch took

    def __repr__(self) -> str:  # never shows the key
        return f"{type(self).__name__}(name={self.name!r})"

    @property
    def params(self) -> dict[str, Any]:
        """What besides the request changes an answer (part of the response-cache key)."""
        return {}

    def _client(self) -> Any:
        raise NotImplementedError

    def _http_client(self) -> Any:
        """The SDK's default httpx client on `transport`, or None for the SDK's own."""
        if self.transport is None:
            return None
        return importlib.import_module(self.sdk).DefaultAsyncHttpxClient(transport=self.transport)

    async def _call(self, client: Any, request: Request) -> Response:
        raise NotImplementedError

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        return run_sync(lambda: self.agenerate(requests))

    async def agenerate(self, requests: Sequence[Request]) -> list[Response]:
        retrier = Retrier(
            backend=self.name,
            model=self.model,
            classify=classify,
            secrets=[self._api_key],
            **self.retrier_args,
        )
        semaphore = asyncio.Semaphore(self.concurrency)
        attempts = [0] * len(requests)

        async def one(i: int, request: Request) -> Response:
            async with semaphore:

                async def attempt() -> Response:
                    attempts[i] += 1
                    return await self._call(client, request)

                return await retrier.run(attempt)

        async with self._client() as client:
            try:
                return list(await asyncio.gather(*(one(i, r) for i, r in enumerate(requests))))
            finally:
                self.last_attempts = attempts

    def close(self) -> None:
        pass


class Clock:
    """Wall time of one call and of its first streamed token."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first: float | None = None

    def mark_first(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.started

    def total(self) -> float:
        return time.perf_counter() - self.started
