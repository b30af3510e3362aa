"""Decision rules on hand-made evidence: constraints, freshness, the format-failure signal."""

from __future__ import annotations

from typing import Any

from ragtune.advisor.verdict import Facts, decide
from ragtune.evidence.summary import ArmSummary, FreshnessRow
from ragtune.stats.paired import Interval


def arm(
    name: str, estimate: float, *, p95: float = 1.0, validity: float | None = None
) -> ArmSummary:
    interval = Interval(estimate, estimate - 0.1, min(estimate + 0.1, 1.0), 0.95, "wilson")
    return ArmSummary(
        name, "done", None, n=N, metric="contains", quality=interval,
        latency_p50=p95 / 2, latency_p95=p95, validity=validity,
    )  # fmt: skip


N = 600  # items per hand-made arm: the first round(estimate x N) are right, the rest wrong


def scores(arms: list[ArmSummary]) -> dict[str, dict[str, float]]:
    """Per-item outcomes nested like the estimates: an arm 0.01 below another on 600 items
    differs on 6 items, which shows it within a 0.05 margin."""
    return {
        a.arm: {f"i{j}": float(j < round(a.quality.estimate * N)) for j in range(N)}  # type: ignore[union-attr]
        for a in arms
    }


def facts(arms: list[ArmSummary], task: str = "qa", **kw: Any) -> Facts:
    costs = kw.pop("costs", {})
    return Facts(
        task=task,
        volume=100_000,
        arms=arms,
        comparisons=[],
        freshness=kw.pop("freshness", []),
        training=[],
        advice=kw.pop("advice", {}),
        train_examples=190,
        labels=None,
        monthly=lambda a: costs.get(a, 26.0),
        cost_at=lambda a, v: costs.get(a, 26.0),
        breakeven=lambda a, b: None,
        projection=lambda a: None,
        local_only_backends=True,
        scores=scores(arms),
    )


def test_citations_needed_picks_a_retrieval_arm_among_equals():
    arms = [arm("prompt", 0.80), arm("rag", 0.79), arm("finetune", 0.81)]
    verdict = decide(facts(arms, advice={"needs_citations": True}, costs={"rag": 40.0}))
    assert verdict.recommended == "rag"
    assert any("answers need citations" in r["text"] for r in verdict.reasons)


def test_a_constraint_no_equal_arm_meets_is_relaxed_with_a_caveat():
    arms = [arm("prompt", 0.80, p95=3.0), arm("finetune", 0.81, p95=2.5)]
    verdict = decide(facts(arms, advice={"latency_budget_s": 0.5}))
    assert verdict.recommended in {"prompt", "finetune"}
    assert any("p95 request latency within 0.5 s" in c for c in verdict.caveats)


def test_rag_beating_a_stale_tuned_model_on_changed_facts_is_reported():
    stale = Interval(0.10, 0.03, 0.30, 0.95, "wilson")
    fresh = Interval(0.70, 0.48, 0.86, 0.95, "wilson")
    rows = [
        FreshnessRow("finetune", "v2", 20, Interval(0.6, 0.4, 0.8, 0.95, "wilson"), stale),
        FreshnessRow("rag", "v2", 20, Interval(0.7, 0.5, 0.85, 0.95, "wilson"), fresh),
    ]
    verdict = decide(facts([arm("rag", 0.7), arm("finetune", 0.72)], freshness=rows))
    [claim] = verdict.expectations
    assert claim["holds"] is True
    assert "rag 0.70 vs finetune 0.10" in claim["evidence"]
    assert any("not retrained" in r["text"] for r in verdict.reasons)
    assert any("knowledge_changes_per_month" in c for c in verdict.caveats)


def test_format_failures_above_five_percent_are_named_for_extraction():
    arms = [arm("prompt", 0.3, validity=0.62), arm("finetune", 0.7, validity=0.98)]
    verdict = decide(facts(arms, task="extract"))
    assert verdict.recommended == "finetune"
    signal = next(r for r in verdict.reasons if r["basis"] == "rule")
    assert "38%" in signal["text"] and "above the 5%" in signal["text"]
    assert verdict.expectations[0]["holds"] is True
