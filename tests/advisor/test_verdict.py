"""Decision rules on hand-made evidence: constraints, freshness, the format-failure signal; then
each room of the verdict (constraints, pending, flips, caveats, rules) called alone."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ragtune.advisor.standing import Standing
from ragtune.advisor.verdict import Facts, Verdict, decide, expectations
from ragtune.advisor.verdict.caveats import add_caveats
from ragtune.advisor.verdict.constraints import constrain
from ragtune.advisor.verdict.flips import add_flips
from ragtune.advisor.verdict.pending import not_decided
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


# --- each room of the verdict alone -----------------------------------------------------------


def test_constraints_alone_keep_the_data_local() -> None:
    arms = [arm("prompt", 0.80), arm("finetune", 0.81)]
    f = replace(facts(arms, advice={"data_must_stay_local": True}), api_arms=frozenset({"prompt"}))
    verdict = Verdict(f.volume, "contains", 0.05)
    kept, undetermined = constrain(arms, [arms[0]], arms, arms[1], f, verdict)
    assert [a.arm for a in kept] == ["finetune"] and undetermined == []
    assert "rules out prompt" in verdict.reasons[0]["text"]


def test_pending_alone_says_what_would_settle_a_cheaper_undetermined_arm() -> None:
    chosen, cheap = arm("finetune", 0.81), arm("prompt", 0.78)
    f = facts([chosen, cheap], costs={"finetune": 50.0, "prompt": 20.0})
    verdict = Verdict(f.volume, "contains", 0.05)
    verdict.standings = [
        Standing("finetune", "best", n=40),
        Standing("prompt", "undetermined", 40, -0.03, -0.09, 0.03, 0.95, items_needed=300,
                 more_items=260),
    ]  # fmt: skip
    not_decided(verdict, chosen, chosen, cheap, f)
    assert not verdict.decided and verdict.pending is not None
    assert verdict.pending.more_items == 260 and verdict.pending.monthly_saving == 30.0
    assert verdict.headline.startswith("Not decided yet: run finetune for now")


def test_flips_alone_name_the_volume_where_an_equal_arm_costs_the_same() -> None:
    chosen, other = arm("prompt", 0.80), arm("rag", 0.80)
    f = replace(facts([chosen, other]), breakeven=lambda a, b: 12_000.0)
    verdict = Verdict(f.volume, "contains", 0.05, equivalent=["prompt", "rag"])
    add_flips(verdict, chosen, chosen, [chosen, other], f)
    assert [(x["kind"], x["to"], x["at"]) for x in verdict.flips] == [("volume", "rag", 12_000.0)]


def test_caveats_alone_name_a_small_sample_and_the_stand_in_model() -> None:
    small = replace(arm("prompt", 0.8), n=40)
    verdict = Verdict(1_000, "contains", 0.05)
    add_caveats(verdict, [small], facts([small]))
    assert any(c.startswith("Small sample: 40 test queries") for c in verdict.caveats)
    assert any("small local stand-in model" in c for c in verdict.caveats)


def test_rules_alone_check_the_articles_predictions() -> None:
    arms = [arm("prompt", 0.70), arm("finetune", 0.75)]
    [claim] = expectations(facts(arms, task="classify"))
    assert claim["holds"] is True and claim["evidence"] == "finetune 0.75 vs prompt 0.70"
