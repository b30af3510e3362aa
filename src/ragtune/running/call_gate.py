"""The cluster-wide limit on API requests: a gate every Ray worker's API calls pass.

`CallGate` runs as one Ray async actor and grants request slots, so at most `api_concurrency`
requests are in flight across the whole cluster, the limit one process applies on its own;
`GatedBackend` wraps a worker's API backend so its batches go out in pieces of however many
slots the gate grants. Neither imports Ray: the executor makes the gate an actor
(`ray_executor.py`), and tests drive both in one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from ragtune.backends import Backend, Request, Response
from ragtune.errors import RagtuneError


class CallGate:
    """At most `limit` API requests in flight across every worker (a Ray async actor).

    `acquire(n, holder)` waits for a free slot and grants up to `n` slots; the caller sends that
    many requests and then `release`s them. A worker that dies holding slots never releases
    them, so the driver `forget`s its holder (else the gate would stay full and the run hang).
    A forgotten holder is never granted a slot again: a dead worker's `acquire` may still be
    waiting in the gate, and granting it slots later would leak them (the hang of a run whose
    worker was killed while waiting for a slot). `peak` is the most ever in flight.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise RagtuneError(f"api concurrency must be at least 1 (given: {limit})")
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self.held: dict[str, int] = {}  # holder -> slots it holds now
        self.gone: set[str] = set()  # forgotten holders (dead workers)
        self._changed: asyncio.Condition | None = None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # created inside the actor's event loop
            self._changed = asyncio.Condition()
        return self._changed

    async def acquire(self, wanted: int, holder: str = "") -> int:
        changed = self._condition()
        async with changed:
            await changed.wait_for(lambda: self.in_flight < self.limit or holder in self.gone)
            if holder in self.gone:
                return 0
            granted = min(max(1, wanted), self.limit - self.in_flight)
            self.in_flight += granted
            self.held[holder] = self.held.get(holder, 0) + granted
            self.peak = max(self.peak, self.in_flight)
            return granted

    async def release(self, count: int, holder: str = "") -> None:
        changed = self._condition()
        async with changed:
            count = min(count, self.held.get(holder, 0))
            self.in_flight -= count
            self.held[holder] = self.held.get(holder, 0) - count
            changed.notify_all()

    async def forget(self, holder: str) -> int:
        """Free every slot `holder` (a dead worker) still holds; how many there were."""
        changed = self._condition()
        async with changed:
            self.gone.add(holder)
            held = self.held.pop(holder, 0)
            self.in_flight -= held
            changed.notify_all()
        return held

    async def stats(self) -> dict[str, int]:
        return {"limit": self.limit, "in_flight": self.in_flight, "peak": self.peak}


class GatedBackend:
    """A backend whose batches go out in pieces of however many slots the gate grants."""

    def __init__(
        self, inner: Backend, acquire: Callable[[int], int], release: Callable[[int], None]
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self._acquire = acquire
        self._release = release

    def __getattr__(self, name: str) -> Any:  # context_window, params, tokenizer, ...
        return getattr(self.inner, name)

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        out: list[Response] = []
        while len(out) < len(requests):
            granted = self._acquire(len(requests) - len(out))
            if granted < 1:  # the gate forgot this worker: the driver counts it as lost
                raise RagtuneError("this Ray worker was given up on by the driver's API gate")
            try:
                out += self.inner.generate(requests[len(out) : len(out) + granted])
            finally:
                self._release(granted)
        return out

    def close(self) -> None:
        self.inner.close()
