"""How the runner turns a batch of arm predictions into store records: machine-time shares
(a response-cache hit is priced at what computing it cost) and the per-call notes. No model."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ragtune.backends.base import Usage
from ragtune.evidence.evidence import evaluate
from ragtune.evidence.rundata import load_run
from ragtune.evidence.summary import summarise
from ragtune.running.runner import stored_batch
from ragtune.strategies.base import Call, Prediction


def _prediction(item: str, cached: bool, latency: float) -> Prediction:
    call = Call("answer", "local:m", "m", Usage(input_tokens=100, output_tokens=5), latency,
                cached=cached)  # fmt: skip
    return Prediction(item, "text", "text", (call,), latency_s=latency)


def test_cached_predictions_keep_their_original_machine_time() -> None:
    """Two fresh answers took 2.0 s now; two came from the cache, recorded when a batch of 4
    took 6.0 s: each costs 6.0 / 4 = 1.5 s of machine time, not ~0."""
    batch = [
        _prediction("a", False, 2.0),
        _prediction("b", True, 6.0),
        _prediction("c", False, 2.0),
        _prediction("d", True, 6.0),
    ]
    records = stored_batch("run", "prompt", 0, batch, 2.0)
    shares = {r.item_id: r.wall_share_s for r in records}
    assert shares == pytest.approx({"a": 1.0, "b": 1.5, "c": 1.0, "d": 1.5})
    assert [r.from_cache for r in records] == [False, True, False, True]


def test_cached_share_uses_the_batch_size_the_call_went_out_in() -> None:
    from ragtune.backends.base import Latency, Response
    from ragtune.strategies.base import Prediction as ArmPrediction

    usage = Usage(input_tokens=100, output_tokens=5)
    response = Response("text", "stop", usage, Latency(6.0), "local:m", "m", cached=True,
                        prefix="p", prefix_share=0.4, batch=8)  # fmt: skip
    prediction = ArmPrediction("a", "text", "text", (Call.of(response),), latency_s=6.0)
    [record] = stored_batch("run", "prompt", 0, [prediction], 0.001)
    assert record.wall_share_s == pytest.approx(6.0 / 8)
    [call] = record.measurements
    assert (call.prefix, call.prefix_share, call.batch) == ("p", 0.4, 8)


def test_all_cached_run_is_priced_like_the_fresh_one(
    store: Any, make_run: Any, pricing: Any
) -> None:
    """The same wall share gives the same machine time and self-hosted $/1k, cached or not.

    3 s of machine time a query: one hetzner-cx42 ($26/month, at most half busy) serves
    720 x 3600 / 3 x 0.5 = 432,000 queries a month, so at the default 100,000 requests/month the
    arm costs the one machine: $26 / 100,000 x 1,000 = $0.26 per 1k."""
    fresh = stored_batch("x", "prompt", 0, [_prediction("q0", False, 3.0)], 3.0)
    cached = stored_batch("x", "prompt", 0, [_prediction("q0", True, 3.0)], 0.0)
    assert fresh[0].wall_share_s == cached[0].wall_share_s == 3.0
    for records in (fresh, cached):
        run_id = make_run(store, {"prompt": ["2016"]}, golds=("2016",))
        store.record_predictions([replace(r, run_id=run_id) for r in records])
        [arm] = summarise(store, run_id, pricing).arms
        assert arm.cost_per_1k == pytest.approx(26.0 / 100_000 * 1000)
        [measured] = evaluate(load_run(store, run_id), pricing).arms
        assert measured.machine_s.tolist() == [3.0]
