"""Retry-After parsing, backoff bounds and secret scrubbing."""

from __future__ import annotations

import asyncio
import email.utils
import random

import pytest

from ragtune.backends.base import BackendError
from ragtune.backends.retry import Failure, Retrier, RetryPolicy, parse_retry_after, scrub


def test_retry_after_in_seconds_milliseconds_and_http_dates() -> None:
    assert parse_retry_after({"Retry-After": "7"}) == 7.0
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    now = 1_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None and parse_retry_after(None) is None


def test_full_jitter_backoff_stays_under_a_growing_cap() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=5.0)
    rng = random.Random(0)
    for attempt, cap in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        waits = [policy.backoff(attempt, rng) for _ in range(200)]
        assert min(waits) >= 0 and max(waits) <= cap
        assert max(waits) > cap / 2  # jitter spreads over the range, not a fixed delay


def test_scrub_removes_every_secret() -> None:
    assert scrub("key sk-abc123 and sk-abc123", ["sk-abc123"]) == "key *** and ***"
    assert scrub("nothing", [None, ""]) == "nothing"


def test_retrier_gives_up_on_non_retryable_and_propagates_bugs() -> None:
    calls = []

    async def failing() -> None:
        calls.append(1)
        raise KeyError("boom")

    def classify(exc: BaseException) -> Failure | None:
        return Failure("bad request", status=400) if isinstance(exc, KeyError) else None

    retrier = Retrier(backend="b", model="m", classify=classify)
    with pytest.raises(BackendError) as err:
        asyncio.run(retrier.run(failing))
    assert err.value.attempts == 1 and len(calls) == 1

    async def buggy() -> None:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        asyncio.run(Retrier(backend="b", model="m", classify=lambda e: None).run(buggy))
