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
from ragtune.evidence.human_scores import HumanEvidence, HumanScore
from ragtune.evidence.summary import ArmSummary, FreshnessRow
from ragtune.scoring.metrics import MetricScores
from ragtune.stats.paired import Interval, PairwiseComparison


def arm(
    name: str, estimate: float, *, p95: float = 1.0, validity: float | None = None
) -> ArmSummary:
    interval = Interval(estimate, estimate - 0.1, min(estimate + 0.1, 1.0), 0.95, "wilson")
    return ArmSummary(
        name, "done", None, n=N, metric="contains", quality=interval,
        latency_p50=p95 / 2, latency_p95=p95, validity=validity,
    )  # fmt: skip


N = 600  # items per hand-made arm: the first round(estimate x N) are right, the rest wrong


def scores(arms: list[ArmSummary], n: int = N) -> dict[str, dict[str, float]]:
    """Per-item outcomes nested like the estimates: an arm 0.01 below another on 600 items
    differs on 6 items, which shows it within a 0.05 margin."""
    return {
        a.arm: {f"i{j}": float(j < round(a.quality.estimate * n)) for j in range(n)}  # type: ignore[union-attr]
        for a in arms
    }


def facts(arms: list[ArmSummary], task: str = "qa", **kw: Any) -> Facts:
    """`costs`: arm -> $/month (default $26); `tco`: arm -> TCO over 12 months, when the choice
    is made on it; `items`: per-item outcomes per arm (default 600)."""
    costs = kw.pop("costs", {})
    tco = kw.pop("tco", None)
    items = kw.pop("items", N)
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
        scores=scores(arms, items),
        tco=None if tco is None else tco.__getitem__,
        horizon_months=None if tco is None else 12,
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
    # prompt $26 flat; rag $0.002 a request: equal at 13,000, rag cheaper below it
    costs = {"prompt": lambda v: 26.0, "rag": lambda v: 0.002 * v}
    f = replace(
        facts([chosen, other]),
        breakeven=lambda a, b: 13_000.0,
        cost_at=lambda a, v: costs[a](v),
    )
    verdict = Verdict(f.volume, "contains", 0.05, equivalent=["prompt", "rag"])
    add_flips(verdict, chosen, chosen, [chosen, other], f)
    assert [(x["kind"], x["to"], x["at"]) for x in verdict.flips] == [("volume", "rag", 13_000.0)]
    assert verdict.flips[0]["text"].startswith("Below about 13,000 requests/month, rag costs less")


def test_caveats_alone_name_a_small_sample_and_the_stand_in_model() -> None:
    small = replace(arm("prompt", 0.8), n=40)
    verdict = Verdict(1_000, "contains", 0.05)
    add_caveats(verdict, [small], facts([small]))
    assert any(c.startswith("Small sample: 40 test queries") for c in verdict.caveats)
    assert any("small local stand-in model" in c for c in verdict.caveats)


def comparison(a: str, b: str, effect: float, p_holm: float, n: int = 600) -> PairwiseComparison:
    return PairwiseComparison(a, b, n, 0.5, 0.5, effect, -0.1, 0.1, p_holm, p_holm, "tango")


def test_rules_alone_check_the_articles_predictions() -> None:
    arms = [arm("prompt", 0.70), arm("finetune", 0.75)]
    # finetune - prompt = +0.05, Holm p 0.001: significant in the claimed direction
    shown = replace(
        facts(arms, task="classify"), comparisons=[comparison("finetune", "prompt", 0.05, 0.001)]
    )
    [claim] = expectations(shown)
    assert (claim["holds"], claim["result"]) == (True, "holds")
    assert claim["evidence"] == "finetune 0.75 vs prompt 0.70 (p_holm 0.001, n=600)"
    # no paired test of the two arms: the point estimates alone never say "holds"
    [claim] = expectations(facts(arms, task="classify"))
    assert (claim["holds"], claim["result"]) == (None, "not shown")


def test_p_holm_one_is_not_shown_and_a_reversed_difference_does_not_hold() -> None:
    # The case: finetune 0.53 vs prompt 0.50, p_holm 1 -> "not shown" with its p, not
    # "holds" from the point estimates.
    arms = [arm("prompt", 0.50), arm("finetune", 0.53)]
    f = replace(
        facts(arms, task="classify"), comparisons=[comparison("prompt", "finetune", -0.03, 1.0)]
    )
    [claim] = expectations(f)
    assert (claim["holds"], claim["result"]) == (None, "not shown")
    assert claim["evidence"] == "finetune 0.53 vs prompt 0.50 (p_holm 1, n=600)"
    verdict = decide(f)
    assert any("does not show it" in c and "p_holm 1" in c for c in verdict.caveats)
    # prompt 0.60 vs finetune 0.50, stored as (prompt - finetune) = +0.10, p_holm 0.002: the
    # difference is significant against the claim -> "does not hold"
    arms = [arm("prompt", 0.60), arm("finetune", 0.50)]
    f = replace(
        facts(arms, task="classify"), comparisons=[comparison("prompt", "finetune", 0.10, 0.002)]
    )
    [claim] = expectations(f)
    assert (claim["holds"], claim["result"]) == (False, "does not hold")


# --- issue 28: every sentence follows from a number shown next to it ------------------------


def every_text(verdict: Verdict) -> str:
    return " ".join(
        [verdict.headline]
        + [r["text"] for r in verdict.reasons]
        + [x["text"] for x in verdict.flips]
        + verdict.caveats
    )


def test_the_quality_flip_sits_at_the_interval_bound_not_the_point_gap() -> None:
    # 400 items: rag 0.80 (320 right), prompt 0.79 (the same items but 4). One comparison, so
    # the interval is Tango's at 95%: (b, c) = (0, 4) of 400 gives [-0.0254, -0.0004] (a Wald
    # interval would say -0.01 +- 1.96 * sqrt(4) / 400 = [-0.0198, -0.0002]; Tango's is wider on
    # the far side). prompt is a candidate because -0.0254 > -0.05; at a margin of 0.0254 or
    # less it is not. The flip is that bound floored to 3 decimals, 0.025 (0.03 at 2), not the
    # point gap 0.01 the old sentence used.
    arms = [arm("rag", 0.80), arm("prompt", 0.79)]
    f = facts(arms, costs={"rag": 40.0, "prompt": 26.0}, items=400)
    verdict = decide(f)
    assert verdict.recommended == "prompt"
    stand = next(s for s in verdict.standings if s.arm == "prompt")
    assert stand.ci_low is not None and abs(stand.ci_low - -0.0254) < 5e-4
    [flip] = [x for x in verdict.flips if x["kind"] == "quality"]
    assert (flip["to"], flip["at"], flip["unit"]) == ("rag", 0.025, "margin")
    assert flip["text"].startswith("With a margin of 0.025 or less, prompt is no longer shown")
    assert "$14.00 more" in flip["text"]  # rag $40 - prompt $26 a month, no TCO given
    assert "margin of 0.01" not in flip["text"] and "below 0.0" not in flip["text"]


def test_no_margin_flip_when_the_chosen_arm_is_shown_at_least_as_good() -> None:
    # prompt right on every item rag gets right and 6 more (0.81 vs 0.80 on 600): its lower
    # bound is above 0, so no margin >= 0 drops it ("a margin below 0.00" is never printed).
    arms = [arm("prompt", 0.81), arm("rag", 0.80)]
    verdict = decide(facts(arms, costs={"rag": 40.0}))
    assert verdict.recommended == "prompt"
    assert not [x for x in verdict.flips if x["kind"] == "quality"]


def test_cost_reasons_name_the_tco_the_choice_was_made_on() -> None:
    # prompt $100/month, no upfront: TCO 12 x 100 = $1,200. finetune $50/month plus $1,000 of
    # training and labelling: TCO 12 x 50 + 1,000 = $1,600. Equal quality (0.80 each), so
    # prompt is chosen on TCO although it costs more per month; the reason says TCO and shows
    # the monthly figures beside it, and no sentence prints a negative saving.
    arms = [arm("finetune", 0.80), arm("prompt", 0.80)]
    tco = {"prompt": 1_200.0, "finetune": 1_600.0}
    verdict = decide(facts(arms, costs={"prompt": 100.0, "finetune": 50.0}, tco=tco))
    assert verdict.recommended == "prompt"
    reason = next(r["text"] for r in verdict.reasons if r["text"].startswith("Cheapest"))
    assert reason == (
        "Cheapest of the arms of equal quality, TCO over 12 months from 100,000 "
        "requests/month: prompt TCO $1,200.00 ($100.00/month) vs finetune TCO $1,600.00 "
        "($50.00/month)."
    )
    assert "$-" not in every_text(verdict)


def test_a_pending_cheaper_arm_is_cheaper_on_tco_and_never_saves_a_negative_amount() -> None:
    # 100 items: finetune 0.82 (best), prompt 0.79: 3 best-only items, interval about
    # [-0.08, +0.01], undetermined. prompt's TCO $1,200 < finetune's $1,600, but per month it
    # costs $100 vs $50: the old headline said "saves $-50.00/month".
    arms = [arm("finetune", 0.82), arm("prompt", 0.79)]
    tco = {"prompt": 1_200.0, "finetune": 1_600.0}
    f = facts(arms, costs={"prompt": 100.0, "finetune": 50.0}, tco=tco, items=100)
    verdict = decide(f)
    assert not verdict.decided and verdict.pending is not None
    assert verdict.pending.tco_saving == 400.0 and verdict.pending.monthly_saving == -50.0
    assert (
        "prompt costs less (TCO over 12 months from 100,000 requests/month: prompt TCO "
        "$1,200.00 ($100.00/month) vs finetune TCO $1,600.00 ($50.00/month))" in verdict.headline
    )
    assert "$-" not in every_text(verdict) and "saves" not in verdict.headline


def test_items_needed_at_the_observed_difference_and_at_zero_with_the_selection_stated() -> None:
    # 100 items: finetune 0.82 (best), prompt 0.79, 3 best-only items. At the observed -0.03 the
    # per-item sd is sqrt((3 - 100 x 0.03^2) / 99) = 0.1714 and n = (2.8016 x 0.1714 /
    # 0.02)^2 = 576.6 -> 577; at 0 the sd is sqrt(3 / 100) = 0.1732 and n = (2.8016 x 0.1732 /
    # 0.05)^2 = 94.2, but no interval decides below n > 3.8415 x 0.95 / 0.05 = 72.99 -> 73,
    # and 95 > 73: 95 in all.
    arms = [arm("finetune", 0.82), arm("prompt", 0.79)]
    verdict = decide(facts(arms, costs={"prompt": 20.0, "finetune": 50.0}, items=100))
    assert verdict.pending is not None
    p = verdict.pending
    assert (p.items_needed, p.more_items) == (577, 477)
    assert (p.items_needed_at_zero, p.more_items_at_zero) == (95, 0)
    assert "80% power at the observed difference -0.030" in verdict.headline
    assert "if the arms are in fact equal (the planning value" in verdict.headline
    assert "picked as best on these same items" in verdict.headline
    assert "more likely show it" not in verdict.headline
    # the report says the best was chosen on the same items, and how many comparisons were made
    assert verdict.selection.startswith("finetune was chosen as the best arm on these same")
    assert verdict.correction.startswith("Bonferroni over the 1 comparison(s) made")


def test_more_items_would_show_it_worse_only_when_the_interval_says_so() -> None:
    # 100 items, best 0.90. prompt 0.83: 7 best-only items, observed -0.07 (past -0.05), Tango
    # interval about [-0.14, -0.03]: its upper bound is below 0, so it says prompt is worse
    # and "more items would more likely show it more than the margin worse" is printed.
    worse = [arm("finetune", 0.90), arm("prompt", 0.83)]
    verdict = decide(facts(worse, costs={"prompt": 20.0, "finetune": 50.0}, items=100))
    stand = next(s for s in verdict.standings if s.arm == "prompt")
    assert stand.status == "undetermined" and stand.ci_high is not None and stand.ci_high < 0
    assert "more likely show it more than the margin worse" in verdict.headline
    # 30 items, prompt 0.83 vs 0.90: 2 best-only items, observed -0.067 (past -0.05) but the
    # interval, about [-0.21, +0.06], contains 0: it does not say so. The planning value at 0
    # is given instead: sd sqrt(2 / 30) = 0.258, n = (2.8016 x 0.258 / 0.05)^2 = 209.3 -> 210.
    small = [arm("finetune", 0.90), arm("prompt", 0.83)]
    verdict = decide(facts(small, costs={"prompt": 20.0, "finetune": 50.0}, items=30))
    stand = next(s for s in verdict.standings if s.arm == "prompt")
    assert stand.items_needed is None and stand.ci_high is not None and stand.ci_high > 0
    assert "more likely show it" not in every_text(verdict)
    assert verdict.pending is not None and verdict.pending.items_needed_at_zero == 210
    assert "but its interval does not show it worse; about 180 more (210 in all)" in (
        verdict.headline
    )


def test_a_flip_to_an_arm_a_constraint_rules_out_is_not_printed() -> None:
    # prompt (an API arm) is best at 0.81 and $100/month; finetune (local) 0.80 at $26 is
    # shown within 0.05 and chosen. Data must stay local, so neither the margin flip (to
    # prompt) nor the volume flip (prompt cheaper above 1M requests/month) may name prompt.
    arms = [arm("prompt", 0.81), arm("finetune", 0.80)]
    f = replace(
        facts(arms, advice={"data_must_stay_local": True}, costs={"prompt": 100.0}),
        api_arms=frozenset({"prompt"}),
        breakeven=lambda a, b: 1_000_000.0,
        cost_at=lambda a, v: 0.0 if a == "prompt" else 26.0,
    )
    verdict = decide(f)
    assert verdict.recommended == "finetune"
    assert verdict.flips == []
    # without the constraint both flips name it
    free = replace(f, advice={}, api_arms=frozenset())
    assert {x["to"] for x in decide(free).flips} == {"prompt"}


def test_the_local_fallback_is_not_also_left_out_for_lower_quality() -> None:
    # prompt (API) 0.90; the only local arm, finetune, 0.60 on 600 items is shown more than
    # 0.05 worse (inferior) but is what 'data must stay local' leaves: it is recommended with
    # its gap as a caveat, and never also listed as "left out for lower quality".
    arms = [arm("prompt", 0.90), arm("finetune", 0.60)]
    f = replace(facts(arms, advice={"data_must_stay_local": True}), api_arms=frozenset({"prompt"}))
    verdict = decide(f)
    assert verdict.recommended == "finetune"
    assert any("best arm that keeps the data local" in r["text"] for r in verdict.reasons)
    assert not any("Left out for lower quality" in r["text"] for r in verdict.reasons)
    assert any("gives up 0.30 contains" in c for c in verdict.caveats)
    # an undetermined fallback (0.86 vs 0.90 on 100 items) is not "not recommended" either
    arms = [arm("prompt", 0.90), arm("finetune", 0.86)]
    f = replace(
        facts(arms, advice={"data_must_stay_local": True}, items=100),
        api_arms=frozenset({"prompt"}),
    )
    verdict = decide(f)
    assert verdict.recommended == "finetune"
    assert not any("so not recommended: finetune" in r["text"] for r in verdict.reasons)


def test_the_correction_names_the_comparisons_actually_made() -> None:
    # three finished arms, but memory has no per-item scores: 1 comparison made, not k - 1 = 2
    arms = [arm("prompt", 0.80), arm("rag", 0.80), arm("memory", 0.80)]
    f = facts(arms)
    f = replace(f, scores={k: v for k, v in f.scores.items() if k != "memory"})
    verdict = decide(f)
    assert [s.status for s in verdict.standings if s.arm == "memory"] == ["not compared"]
    assert verdict.correction.startswith("Bonferroni over the 1 comparison(s) made")


def test_in_human_mode_the_accuracy_claim_is_read_from_the_automatic_metric() -> None:
    # Accuracy: finetune 0.75 vs prompt 0.70, Holm p 0.001 -> the claim holds. People rated
    # every arm the other way round (prompt 0.9, finetune 0.5, their paired test p 0.001), and
    # their scores decide the verdict; the claim is about accuracy, so it still holds.
    arms = [arm("prompt", 0.70), arm("finetune", 0.75)]
    ids = tuple(f"i{j}" for j in range(20))

    def rated(name: str, share: float) -> HumanScore:
        per_item = tuple(float(j < share * 20) for j in range(20))
        scores = MetricScores("human", share, per_item, binary=True)
        interval = Interval(share, share - 0.2, min(share + 0.1, 1.0), 0.95, "wilson")
        return HumanScore(name, ids, scores, interval, reviewers=1, ratings=20)

    people = HumanEvidence(
        reviewers=("ann",),
        ratings=40,
        scale=("wrong", "right"),
        scores=(rated("prompt", 0.9), rated("finetune", 0.5)),
        comparisons=(comparison("finetune", "prompt", -0.4, 0.001, n=20),),
    )
    f = replace(
        facts(arms, task="classify"),
        comparisons=[comparison("finetune", "prompt", 0.05, 0.001)],
        human=people,
    )
    verdict = decide(f)
    assert verdict.metric == "human"  # people's ratings decide the verdict
    [claim] = verdict.expectations
    assert (claim["holds"], claim["result"]) == (True, "holds")
    assert claim["evidence"] == "finetune 0.75 vs prompt 0.70 (p_holm 0.001, n=600)"
