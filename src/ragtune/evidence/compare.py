"""Two runs side by side (`ragtune runs compare A B`): the same arms, before and after a change.

For each arm present in both runs: the primary metric with its 95% interval in each, the
difference (run A minus run B) with its interval and p-value, and dollars per 1k queries and
latency in each. Items are paired by id when both runs hold the same item (same input and gold
answer) by `stats.paired_test`, the rule the verdict uses (Tango's score interval for a 0/1
metric, the bounded bootstrap-t otherwise). Runs over different items (another data file,
another split seed) are compared unpaired (two-sample bootstrap), and the row says so. Both
runs are read as Evidence (`evaluate`), so the per-item scores compared are the ones every
other reader sees, and nothing needs to have been summarised or written first.
Deliberately not here: scoring and pricing (`evidence.py`, `summary.py`), printing (the CLI).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ragtune.errors import RagtuneError
from ragtune.evidence.evidence import Evidence
from ragtune.evidence.rundata import RunData
from ragtune.evidence.summary import ArmSummary, summary_of
from ragtune.stats import (
    Interval,
    paired_test,
    unpaired_bootstrap,
)


@dataclass(frozen=True)
class ArmDelta:
    """One arm in both runs; `effect` = run A minus run B on `metric`."""

    arm: str
    metric: str
    quality_a: Interval | None
    quality_b: Interval | None
    paired: bool  # False: the runs share no item, the test is unpaired
    n: int  # items compared (shared items when paired)
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    cost_per_1k_a: float | None
    cost_per_1k_b: float | None
    projected_per_1k_a: float | None
    projected_per_1k_b: float | None
    latency_p50_a: float | None
    latency_p50_b: float | None
    latency_p95_a: float | None
    latency_p95_b: float | None


@dataclass(frozen=True)
class RunComparison:
    run_a: str
    run_b: str
    task: str
    arms: tuple[ArmDelta, ...]
    only_a: tuple[str, ...]  # arms done in run A only
    only_b: tuple[str, ...]


def compare_runs(ev_a: Evidence, ev_b: Evidence, *, seed: int = 0) -> RunComparison:
    """Compare the done arms that both runs share; errors for different tasks or no arm."""
    a, b = summary_of(ev_a), summary_of(ev_b)
    if a.task != b.task:
        raise RagtuneError(
            f"runs {a.run_id} and {b.run_id} have different tasks ({a.task} and {b.task}), "
            "so their metrics do not compare",
            hint="compare runs of the same workload task (`ragtune runs list` shows them)",
        )
    done_a = {r.arm: r for r in a.arms if r.status == "done"}
    done_b = {r.arm: r for r in b.arms if r.status == "done"}
    shared = [arm for arm in done_a if arm in done_b]
    if not shared:
        raise RagtuneError(
            f"runs {a.run_id} and {b.run_id} share no finished arm "
            f"(run A: {', '.join(done_a) or 'none'}; run B: {', '.join(done_b) or 'none'})",
            hint="run the same arm in both, e.g. ragtune run workload.yaml --arms rag",
        )
    same = matching_items(ev_a.run, ev_b.run)
    rows = []
    for index, arm in enumerate(shared):
        x, y = done_a[arm], done_b[arm]
        scores_a = per_item(ev_a, arm)
        scores_b = per_item(ev_b, arm)
        rows.append(_delta(arm, x, y, scores_a, scores_b, same, seed * 1_000_003 + index))
    return RunComparison(
        a.run_id,
        b.run_id,
        a.task,
        tuple(rows),
        tuple(arm for arm in done_a if arm not in done_b),
        tuple(arm for arm in done_b if arm not in done_a),
    )


def matching_items(run_a: RunData, run_b: RunData) -> set[str]:
    """Test item ids held by both runs with the same input and gold answer."""

    def keyed(run: RunData) -> dict[str, str]:
        return {
            i.id: json.dumps([i.input, i.gold], sort_keys=True, default=str)
            for i in run.items
            if i.split == "test"
        }

    left, right = keyed(run_a), keyed(run_b)
    return {i for i, v in left.items() if right.get(i) == v}


def per_item(evidence: Evidence, arm: str) -> dict[str, float]:
    """The arm's primary metric per item (scored items only)."""
    a = evidence.arm(arm)
    return {
        i: float(v) for i, v in zip(a.item_ids, a.primary.per_item, strict=True) if v is not None
    }


def _delta(
    arm: str,
    x: ArmSummary,
    y: ArmSummary,
    scores_a: Mapping[str, float],
    scores_b: Mapping[str, float],
    same: set[str],
    seed: int,
) -> ArmDelta:
    common = sorted(same & scores_a.keys() & scores_b.keys())
    binary = all(v in (0.0, 1.0) for v in [*scores_a.values(), *scores_b.values()])
    result: Any = None
    paired = bool(common)
    if x.metric != y.metric:
        test = "none (different metrics)"
    elif paired:
        result = paired_test(
            [scores_a[i] for i in common], [scores_b[i] for i in common], binary=binary, seed=seed
        )
        test = result.test
    elif scores_a and scores_b:
        result = unpaired_bootstrap(list(scores_a.values()), list(scores_b.values()), seed=seed)
        test = result.test
    else:
        test = "none (no scored items)"
    return ArmDelta(
        arm=arm,
        metric=x.metric,
        quality_a=x.quality,
        quality_b=y.quality,
        paired=paired,
        n=len(common) if paired else (result.n if result else 0),
        effect=result.effect if result else None,
        ci_low=result.interval.low if result else None,
        ci_high=result.interval.high if result else None,
        p_value=result.p_value if result else None,
        test=test,
        cost_per_1k_a=x.cost_per_1k,
        cost_per_1k_b=y.cost_per_1k,
        projected_per_1k_a=x.projected_per_1k,
        projected_per_1k_b=y.projected_per_1k,
        latency_p50_a=x.latency_p50,
        latency_p50_b=y.latency_p50,
        latency_p95_a=x.latency_p95,
        latency_p95_b=y.latency_p95,
    )
