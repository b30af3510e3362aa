"""Request latency: a batched run reports what one request waits, not its batch's wall time.

A scripted backend whose batches take BASE + PER x rows seconds (sleeping, like a device busy
for that long) answers 32 items in batches of 16: each batch waits 0.05 + 0.1 x 16 = 1.65 s,
while one request alone waits 0.05 + 0.1 = 0.15 s. The run's p50 (the number in the table, the
report and the latency-budget rule) must be the batch-1 time within its noise, not 1.65 s. The
noise allowed, half the batch-1 time, covers sleep overshoot and the runner's own cache and store
writes on a loaded 2-core machine (seen: up to 30 ms an item).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ragtune.backends.base import Latency, Request, Response, Usage
from ragtune.backends.cache import CachedBackend, ResponseCache
from ragtune.data import Example
from ragtune.evidence.evidence import _latency
from ragtune.running.latency import DERIVED, MEASURED, REQUEST_SAMPLE, with_request_latency
from ragtune.running.prefixes import record_calls
from ragtune.running.runner import run_arm
from ragtune.store.records import Item, Measurement
from ragtune.store.records import Prediction as Stored
from ragtune.store.runstore import RunStore
from ragtune.strategies import Resources, TaskSpec

BASE, PER = 0.05, 0.1
LABELS = ("yes", "no")


class Sleepy:
    """Answers every request 'yes' after sleeping BASE + PER x (batch rows)."""

    name, model = "local:sleepy", "sleepy"

    def __init__(self) -> None:
        self.batches: list[int] = []

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        started = time.perf_counter()
        time.sleep(BASE + PER * len(requests))
        wall = time.perf_counter() - started
        self.batches.append(len(requests))
        return [
            Response("yes", "label", Usage(10, 0, 0, 1), Latency(wall), self.name, self.model,
                     label_probs=(("yes", 0.9), ("no", 0.1)))
            for _ in requests
        ]  # fmt: skip

    def close(self) -> None:
        pass


@pytest.fixture
def items() -> list[Example]:
    return [Example(f"q{i}", f"is {i} even?", "yes", "test") for i in range(32)]


def run_prompt_arm(
    tmp_path: Path, items: list[Example], backend: Sleepy, latency_sample: int = REQUEST_SAMPLE
) -> tuple[RunStore, str]:
    store = RunStore.open(tmp_path / "runs.db")
    run = store.create_run({"task": "classify"}, seed=0, workload="test")
    store.add_items(run.id, [Item(e.id, "test", e.input, {"answer": e.target}) for e in items])
    store.add_arm(run.id, "prompt")
    cached = CachedBackend(backend, ResponseCache(tmp_path / "cache.sqlite"))
    resources = Resources(TaskSpec("classify", LABELS), cheap=cached, strong=cached)
    record_calls(resources)
    run_arm(store, run.id, "prompt", {}, resources, items, repeats=1, latency_sample=latency_sample)
    return store, run.id


def test_batched_p50_is_the_batch_1_time_not_the_batch_wall_time(
    tmp_path: Path, items: list[Example]
) -> None:
    backend = Sleepy()
    store, run_id = run_prompt_arm(tmp_path, items, backend)
    # 2 batches of 16, then REQUEST_SAMPLE items one at a time (the model is warm: no warm-up)
    assert backend.batches == [16, 16] + [1] * REQUEST_SAMPLE
    predictions = store.predictions(run_id, "prompt")
    walls = [p.extra["batch_latency_s"] for p in predictions]
    assert min(walls) >= BASE + PER * 16  # each answer's own latency: its batch's wall time
    # what Evidence (and so the table, the report and the latency-budget rule) reads per item
    latencies = [_latency(p) for p in predictions]
    p50, p95 = statistics.median(latencies), float(np.percentile(latencies, 95))
    alone = BASE + PER  # 0.15 s
    # within the noise of the batch-1 time, an order of magnitude below the batch's wall time
    assert abs(p50 - alone) < 0.5 * alone
    assert p95 < (BASE + PER * 16) / 4
    bases = [p.extra["latency_basis"] for p in predictions]
    assert bases.count(MEASURED) == REQUEST_SAMPLE and bases.count(DERIVED) == 32 - REQUEST_SAMPLE
    # pricing still sees the batch's share: at least 1.65 s / 16 = 0.103 s each (plus the
    # runner's own cache and store writes)
    shares = [p.wall_share_s for p in predictions]
    assert statistics.median(shares) >= 0.95 * (BASE + PER * 16) / 16
    info = store.get_arm(run_id, "prompt").params["info"]["request_latency"]
    assert info["timed_items"] == REQUEST_SAMPLE


def test_the_workload_sets_how_many_items_are_timed(tmp_path: Path, items: list[Example]) -> None:
    """`latency_sample: 2`: two batch-1 calls after the batches, two measured latencies, and the
    arm's record says so (the report's latency note reads it)."""
    backend = Sleepy()
    store, run_id = run_prompt_arm(tmp_path, items, backend, latency_sample=2)
    assert backend.batches == [16, 16, 1, 1]
    bases = [p.extra["latency_basis"] for p in store.predictions(run_id, "prompt")]
    assert bases.count(MEASURED) == 2 and bases.count(DERIVED) == 30
    assert store.get_arm(run_id, "prompt").params["info"]["request_latency"]["timed_items"] == 2


def test_timing_bypasses_the_response_cache(tmp_path: Path, items: list[Example]) -> None:
    """A second run is answered from the cache, but the batch-1 timing still computes."""
    run_prompt_arm(tmp_path, items, Sleepy())
    backend = Sleepy()
    store, run_id = run_prompt_arm(tmp_path, items, backend)
    # the batches were cache hits; one warm-up call, then the timed items
    assert backend.batches == [1] * (1 + REQUEST_SAMPLE)
    p50 = statistics.median(_latency(p) for p in store.predictions(run_id, "prompt"))
    assert p50 == pytest.approx(BASE + PER, rel=0.5)


def stored(item: str, share: float, calls: bool = True, repeat: int = 0) -> Stored:
    call = (Measurement("answer", "m", 10, 0, 0, 1, 1.6),) if calls else ()
    return Stored("r", "arm", item, repeat, "x", (), None,
                  {"latency_s": 1.6, "wall_share_s": share}, call)  # fmt: skip


def test_derived_latency_is_share_times_the_median_ratio() -> None:
    """Timed: a 0.5 s at share 0.1 (ratio 5), b 0.9 s at share 0.1 (ratio 9), c 0.7 s at 0.1
    (ratio 7): median ratio 7. Untimed d with share 0.2 -> 0.2 x 7 = 1.4 s; d's repeat 1 too.
    A call-free item (a memory hit) e: its own group has no timing, so the other group's ratio
    applies: 0.01 x 7 = 0.07 s."""
    predictions = [stored("a", 0.1), stored("b", 0.1), stored("c", 0.1), stored("d", 0.2),
                   stored("d", 0.2, repeat=1), stored("e", 0.01, calls=False)]  # fmt: skip
    out, timing = with_request_latency(predictions, {"a": 0.5, "b": 0.9, "c": 0.7})
    latency = {(p.item_id, p.repeat): p.latency_s for p in out}
    assert timing.ratio_calls == pytest.approx(7.0) and timing.ratio_local is None
    assert latency[("a", 0)] == 0.5 and latency[("c", 0)] == 0.7
    assert latency[("d", 0)] == pytest.approx(1.4) and latency[("d", 1)] == pytest.approx(1.4)
    assert latency[("e", 0)] == pytest.approx(0.07)
    assert all(p.extra["batch_latency_s"] == 1.6 for p in out)
