"""Request latency: what one request waits, not what a batch of 16 waited together.

Arms answer in batches (the local backend decodes 16 rows at once), so each answer's own latency
is its batch's wall time: 16 messages answered in 100 s each show 100 s, which no production
request would see. The batch's wall time stays what self-hosted serving is priced on (each item's
`wall_share_s`); latency is measured apart, after the arm has answered:

1. a seeded sample of the workload's `latency_sample` items (default 6) is answered again one at
   a time (batch size 1) with the response cache bypassed (after one warm-up call when every
   answer came from the cache, so the model may not be loaded yet), and timed: their *measured*
   latency;
2. every other item's latency is *derived*: its wall share times the sample's median ratio of
   batch-1 seconds to wall share. The ratio is taken separately for items that called a model
   and items that did not (a memory hit, an embedding classifier), whose costs differ.

The stored prediction's `latency_s` becomes this request latency, labelled by
`extra["latency_basis"]` ("batch-1 timing" or "derived from wall share x ratio"); the batch's
wall time moves to `extra["batch_latency_s"]`. Readers (Evidence's latency array, hence the
summary's p50/p95, the report's latency column, the latency-budget rule) read `latency_s` and so
see request latency.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from ragtune.config import REQUEST_SAMPLE
from ragtune.data import Example
from ragtune.store import Prediction as StoredPrediction
from ragtune.store import RunStore

MEASURED = "batch-1 timing"
DERIVED = "derived from wall share x ratio"


@dataclass(frozen=True)
class RequestTiming:
    """The timed sample of one arm and the ratios derived from it."""

    measured: dict[str, float]  # item id -> seconds at batch size 1
    ratio_calls: float | None  # median batch-1 seconds / wall share, items that called a model
    ratio_local: float | None  # the same for items answered without a model call

    def to_json(self) -> dict[str, Any]:
        return {
            "timed_items": len(self.measured),
            "ratio_calls": self.ratio_calls,
            "ratio_local": self.ratio_local,
            "basis": f"{len(self.measured)} items timed at batch size 1; the rest derived"
            if self.measured
            else "not timed: each latency is its batch's wall time",
        }


def pick_sample(items: Sequence[Example], seed: int, arm: str, k: int = REQUEST_SAMPLE) -> list:
    """A seeded sample of up to k items (the same for a re-run of the same workload)."""
    rng = random.Random(f"{seed}:{arm}:request-latency")
    return rng.sample(list(items), min(k, len(items)))


def time_one_by_one(arm: Any, items: Sequence[Example], *, warm_up: bool) -> dict[str, float]:
    """Seconds each item takes answered alone, response cache bypassed."""
    if not items:
        return {}
    resources = getattr(arm, "resources", None)
    with _uncached(resources):
        if warm_up:
            arm.predict([items[0]])  # loads a model the response cache kept unloaded
        out = {}
        for item in items:
            started = time.perf_counter()
            arm.predict([item])
            out[item.id] = time.perf_counter() - started
    log = resources.extras.get("call_log") if resources is not None else None
    if log is not None:
        log.clear()  # timing calls are not the run's calls
    return out


def with_request_latency(
    predictions: Sequence[StoredPrediction], measured: dict[str, float]
) -> tuple[list[StoredPrediction], RequestTiming]:
    """The predictions with `latency_s` set to request latency (see the module docstring)."""
    ratios: dict[bool, list[float]] = {True: [], False: []}
    for p in predictions:
        share = float(p.wall_share_s or 0.0)
        if p.repeat == 0 and p.item_id in measured and p.error is None and share > 0:
            ratios[bool(p.measurements)].append(measured[p.item_id] / share)
    ratio = {k: statistics.median(v) if v else None for k, v in ratios.items()}
    out = []
    for p in predictions:
        if p.error is not None:
            out.append(p)
            continue
        batch = p.extra.get("batch_latency_s", p.latency_s)
        share = float(p.wall_share_s or 0.0)
        r = ratio[bool(p.measurements)] or ratio[not p.measurements]
        if p.repeat == 0 and p.item_id in measured:
            latency, basis = measured[p.item_id], MEASURED
        elif r is not None and share > 0:
            latency, basis = share * r, DERIVED
        else:  # nothing timed to derive from: keep what the arm measured
            latency, basis = float(batch or 0.0), "as answered"
        extra = {**p.extra, "batch_latency_s": batch, "latency_basis": basis}
        out.append(replace(p, latency_s=latency, extra=extra))
    return out, RequestTiming(measured, ratio[True], ratio[False])


def measure_request_latency(
    store: RunStore,
    run_id: str,
    name: str,
    arm: Any,
    items: Sequence[Example],
    *,
    seed: int = 0,
    sample: int = REQUEST_SAMPLE,
) -> RequestTiming:
    """Time a sample of the arm's items at batch size 1 and store every item's request latency.

    A recorded-answers arm calls nothing: its latency is what its answers file recorded.
    """
    if getattr(getattr(arm, "traits", None), "recorded", False):
        return RequestTiming({}, None, None)
    ids = {e.id for e in items}
    stored = [p for p in store.predictions(run_id, name) if p.item_id in ids]
    answered = {p.item_id for p in stored if p.error is None and p.repeat == 0}
    chosen = pick_sample([e for e in items if e.id in answered], seed, name, sample)
    cached = all(p.from_cache for p in stored if p.error is None)
    measured = time_one_by_one(arm, chosen, warm_up=cached) if sample > 0 else {}
    updated, timing = with_request_latency(stored, measured)
    store.record_predictions(updated)
    return timing


@contextmanager
def _uncached(resources: Any) -> Iterator[None]:
    """Every response cache and batch result behind the resources' backends bypassed for the
    duration: a wrapper with a `bypass` switch (`CachedBackend`, `BatchedBackend`) passes
    every call straight through."""
    found = []
    named = getattr(resources, "named", None) or {}
    tops = [getattr(resources, attr, None) for attr in ("cheap", "strong", "tuned")]
    for backend in [*tops, *named.values()]:  # named: `backend: anthropic:...` arms
        while backend is not None:
            if getattr(backend, "bypass", None) is False:
                backend.bypass = True
                found.append(backend)
            backend = getattr(backend, "inner", None)
    try:
        yield
    finally:
        for backend in found:
            backend.bypass = False
