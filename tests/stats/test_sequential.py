"""The sequential rule: its promise at -margin under looking, its decisions elsewhere, and
`sequential_compare` on hand-made scores.

A small grid of `benchmarks/bench_sequential.py` (the full grid, 2,000 runs per cell, is in
BENCHMARKS.md). At a true difference of exactly -margin the sequential rule may ever declare
"equivalent" at most 2.5% of the time: with 400 runs the count is at most Binomial(400, 0.025),
mean 10, and P(X >= 19) = 0.6%, so more than 18 fails. The naive rule (the fixed-n interval
re-checked after every round) is run on the same draws and declares it far more often (about
20% in the full grid).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ragtune.errors import RagtuneError
from ragtune.stats.confseq import difference_cs
from ragtune.stats.sequential import sequential_compare


def _bench() -> ModuleType:
    path = Path(__file__).parents[2] / "benchmarks" / "bench_sequential.py"
    spec = importlib.util.spec_from_file_location("bench_sequential", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_sequential"] = module
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


@pytest.mark.parametrize("kind", ["correlated", "independent"])
def test_at_minus_margin_looking_every_round_keeps_the_promise(kind: str) -> None:
    runs = 400
    outcome = BENCH.simulate(kind, -BENCH.MARGIN, runs, seed=29, max_items=4000)
    assert outcome["sequential"].equivalent * runs <= 18, outcome
    # the naive rule on the same draws breaks it several times over
    assert outcome["naive"].equivalent >= 0.10, outcome
    assert outcome["naive"].equivalent > 3 * outcome["sequential"].equivalent


@pytest.mark.parametrize(
    ("kind", "delta", "right"),
    [
        ("correlated", -0.15, "inferior"),
        ("correlated", 0.0, "equivalent"),
        ("independent", -0.15, "inferior"),
        ("independent", 0.05, "equivalent"),
    ],
)
def test_away_from_the_margin_the_right_decision_is_reached(
    kind: str, delta: float, right: str
) -> None:
    # >= 95% in the full grid; 200 runs here, so 90% leaves room for simulation error
    outcome = BENCH.simulate(kind, delta, 200, seed=29)["sequential"]
    assert getattr(outcome, right) >= 0.90, outcome


def test_fixed_n_sizes_by_hand() -> None:
    # independent arms at 0.80 each, truth 0: P(arm only) = P(best only) = 0.16, sd = sqrt(0.32)
    # = 0.5657; n = ((1.95996 + 0.84162) x 0.5657 / 0.05)^2 = 1,004.7 -> 1,005
    assert BENCH.fixed_n("independent", 0.0) == 1005
    # correlated at truth 0: disagree on 10%, sd = sqrt(0.1): (2.80158 x 0.31623 / 0.05)^2
    # = 313.95 -> 314
    assert BENCH.fixed_n("correlated", 0.0) == 314
    assert BENCH.fixed_n("correlated", -0.05) is None


def _scores(pattern: list[float]) -> dict[str, float]:
    return {f"q{i}": v for i, v in enumerate(pattern)}


def test_compare_reads_the_difference_sequence_at_each_look() -> None:
    order = [f"q{i}" for i in range(400)]
    best = _scores([1.0] * 400)
    cheap = _scores([1.0] * 400)  # always ties with the best: equivalent once n is large
    poor = _scores([1.0, 0.0] * 200)  # 0.5 worse: inferior quickly
    looks = [100, 200, 300, 400]
    rows = {
        r.arm: r
        for r in sequential_compare(
            {"best": best, "cheap": cheap, "poor": poor}, order, looks, "best", 0.05
        )
    }
    cheap_row = rows["cheap"]
    assert cheap_row.family == 2 and cheap_row.confidence == pytest.approx(0.975)
    # the interval at each look is the difference CS at alpha / 2, intersected over looks
    expected = difference_cs([0.0] * 400, 0.025, looks)
    assert [(n, lo, hi) for n, lo, hi in cheap_row.intervals] == [
        (n, pytest.approx(lo), pytest.approx(hi))
        for n, (lo, hi) in zip(looks, expected, strict=True)
    ]
    assert cheap_row.status == ("equivalent" if expected[-1][0] > -0.05 else "undetermined")
    assert rows["poor"].status == "inferior" and rows["poor"].decided_at == 100
    assert rows["poor"].effect == pytest.approx(-0.5)


def test_an_arm_that_stopped_keeps_its_last_interval() -> None:
    order = [f"q{i}" for i in range(200)]
    best = _scores([1.0] * 200)
    poor = {k: v for k, v in _scores([0.0] * 200).items() if int(k[1:]) < 100}  # 100 answered
    (row,) = sequential_compare({"best": best, "poor": poor}, order, [100, 200], "best", 0.05)
    assert row.n == 100 and [i[0] for i in row.intervals] == [100]


def test_scores_outside_zero_one_are_refused_with_the_arm_named() -> None:
    with pytest.raises(RagtuneError, match="'odd'"):
        sequential_compare({"best": {"q0": 1.0}, "odd": {"q0": 3.0}}, ["q0"], [1], "best", 0.05)
