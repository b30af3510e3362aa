"""Retries for HTTP backends: exponential backoff with full jitter, honouring Retry-After.

A call is retried on 408, 409, 429 and 5xx answers, timeouts, dropped connections and malformed
response bodies; any other 4xx (bad request, bad key, unknown model) fails at once, since trying
again cannot help. The wait before try n+1 is the server's Retry-After (or retry-after-ms) when
it sends one, else a uniform draw from [0, min(max_delay, base_delay * 2**(n-1))] ("full jitter",
which spreads a burst of clients out better than a fixed backoff). After the last try the error
names backend, model and status, with any secret scrubbed from the text.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from ragtune.backends.base import BackendError

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # 1 try + 4 retries: rides out a minute-long rate limit at most
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    max_retry_after_s: float = 60.0  # a longer Retry-After is treated as "give up"

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed try `attempt` (1-based) when the server says nothing."""
        return rng.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class Failure:
    """One failed try, classified. `status` is None for network-level failures."""

    reason: str
    status: int | None = None
    retryable: bool = False
    retry_after_s: float | None = None


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    if (ms := lowered.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret (API key) replaced by '***'."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class Retrier:
    """Runs a call with retries. `classify` turns an exception into a `Failure`, or returns None
    for exceptions that are bugs and should propagate unchanged."""

    def __init__(
        self,
        *,
        backend: str,
        model: str,
        classify: Callable[[BaseException], Failure | None],
        policy: RetryPolicy | None = None,
        secrets: Iterable[str | None] = (),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        seed: int | None = None,
    ) -> None:
        self.backend, self.model = backend, model
        self.classify = classify
        self.policy = policy or RetryPolicy()
        self.secrets = tuple(s for s in secrets if s)
        self.sleep = sleep
        self.rng = random.Random(seed)
        self.waits: list[float] = []  # every wait taken, for tests and logs

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call()
            except Exception as exc:
                failure = self.classify(exc)
                if failure is None:
                    raise
                reason = scrub(failure.reason, self.secrets)
                last = attempt >= self.policy.max_attempts
                too_long = (
                    failure.retry_after_s is not None
                    and failure.retry_after_s > self.policy.max_retry_after_s
                )
                if not failure.retryable or last or too_long:
                    hint = None
                    if failure.status in (401, 403):
                        hint = "check the API key in the environment (it is never printed)"
                    elif too_long:
                        hint = f"the server asked to wait {failure.retry_after_s:.0f} s; try later"
                    raise BackendError(
                        self.backend,
                        self.model,
                        reason,
                        status=failure.status,
                        attempts=attempt,
                        hint=hint,
                    ) from None
                wait = failure.retry_after_s
                if wait is None:
                    wait = self.policy.backoff(attempt, self.rng)
                self.waits.append(wait)
                log.warning(
                    "%s (model %s): try %d/%d failed (%s%s); retrying in %.2f s",
                    self.backend,
                    self.model,
                    attempt,
                    self.policy.max_attempts,
                    f"HTTP {failure.status}: " if failure.status else "",
                    reason,
                    wait,
                )
                await self.sleep(wait)
