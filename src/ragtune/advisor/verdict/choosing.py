"""Choosing: the best arm, the candidates shown to be as good, and the cheapest of them.

`decide(facts)` is the verdict's one entry point. Quality first, then cost: the candidates are
the best arm on the primary metric and every arm *shown* to be at most `margin` worse
(`standing.py`); the stated constraints narrow them (`constraints.py`); the cheapest candidate
over the horizon is recommended. A cheaper arm that is undetermined makes the verdict "not
decided yet" (`pending.py`); then the article rules (`rules.py`), what would flip the answer
(`flips.py`) and the caveats (`caveats.py`) are added.
"""

from __future__ import annotations

from collections.abc import Mapping

from ragtune.advisor.human_facts import human_facts, human_notes
from ragtune.advisor.judge_human import ppi_standings
from ragtune.advisor.sequential import method_text, sequential_reason, sequential_standings
from ragtune.advisor.standing import comparisons_made, correction, selection_note, standings
from ragtune.advisor.verdict.caveats import add_caveats, error_caveats
from ragtune.advisor.verdict.constraints import constrain
from ragtune.advisor.verdict.facts import Facts, Verdict, cost_basis, cost_key, cost_text, money
from ragtune.advisor.verdict.flips import add_flips
from ragtune.advisor.verdict.lifecycle import lifecycle_caveats, lifecycle_reasons
from ragtune.advisor.verdict.pending import not_decided
from ragtune.advisor.verdict.rules import expectations, rule_reasons
from ragtune.evidence import HUMAN, MAX_ERROR_SHARE, ArmSummary
from ragtune.stats import MIN_DISAGREEMENTS


def decide(facts: Facts) -> Verdict:
    measured = facts  # the automatic metric: what the articles' predictions are checked on
    facts = human_facts(facts)  # people's scores replace the metric when they rated every arm
    finished = [a for a in facts.arms if a.status == "done" and a.quality is not None]
    margin = float(facts.advice.get("margin", 0.05))
    metric = finished[0].metric if finished else ""
    verdict = Verdict(facts.volume, metric, margin)
    human_notes(verdict, facts)
    error_caveats(verdict, finished)
    done = [a for a in finished if a.eligible]
    if not done:
        verdict.headline = "No arm finished, so there is nothing to recommend yet."
        if finished:
            verdict.headline = (
                f"No arm failed on at most {MAX_ERROR_SHARE:.0%} of its items, so there is "
                "nothing to recommend yet."
            )
        verdict.caveats.append("Every arm failed or was unavailable; see the arm table.")
        return verdict
    for a in finished:
        if not a.eligible:
            verdict.reason(
                f"{a.arm} is not eligible: it failed on {a.errors} of {a.n} test queries "
                f"({a.error_share:.0%}), more than the {MAX_ERROR_SHARE:.0%} an arm may fail "
                "and still be recommended.",
                "measured",
            )
    best = max(done, key=lambda a: a.quality.estimate if a.quality else 0.0)
    stood = standings(_item_scores(facts, metric), [a.arm for a in done], best.arm, margin)
    if facts.sequential is not None and metric != HUMAN:  # it stopped on its data: anytime CIs
        stood = sequential_standings(stood, facts.sequential)
        verdict.reason(sequential_reason(facts.sequential), "measured")
    if metric == HUMAN and facts.human is not None and facts.human.judge_items:
        stood = ppi_standings(stood, facts.human, margin)  # people's scores, judge-sharpened
    verdict.standings = stood
    verdict.correction = (
        method_text(facts.sequential)
        if facts.sequential is not None and metric != HUMAN
        else correction(comparisons_made(stood))
    )
    if any(s.test == "ppi" for s in stood):
        verdict.correction += (
            "; intervals are prediction-powered (PPI++): people's paired differences on the "
            "rated items of uniformly drawn reviews, the judge's on every judged item (used "
            f"where at least {MIN_DISAGREEMENTS} rated items differ from the judge and as "
            "many differ between the arms for people, the correction's variance floored for "
            "small counts)"
        )
    verdict.selection = selection_note(best.arm, comparisons_made(stood))
    status = {s.arm: s.status for s in stood}
    candidates = [a for a in done if status[a.arm] in ("best", "equivalent")]
    undetermined = [a for a in done if status[a.arm] == "undetermined"]
    verdict.equivalent = [a.arm for a in candidates]
    verdict.undetermined = [a.arm for a in undetermined]
    candidates, undetermined = constrain(candidates, undetermined, done, best, facts, verdict)
    chosen = min(candidates, key=lambda a: cost_key(a, facts))
    verdict.recommended = chosen.arm
    q = chosen.quality
    assert q is not None
    verdict.headline = (
        f"Run {chosen.arm}: {metric} {q.estimate:.2f} [{q.low:.2f}, {q.high:.2f}] on "
        f"{chosen.n} test queries, {money(chosen, facts)} at "
        f"{facts.volume:,.0f} requests/month."
    )
    cost = cost_key(chosen, facts)[:2]
    cheaper = [a for a in undetermined if cost_key(a, facts)[:2] < cost]  # costs less, strictly
    if cheaper:
        not_decided(verdict, chosen, best, min(cheaper, key=lambda a: cost_key(a, facts)), facts)
    _quality_reasons(verdict, chosen, best)
    _cost_reasons(verdict, chosen, candidates, facts)
    lifecycle_reasons(verdict, chosen, candidates, facts)
    rule_reasons(verdict, chosen, done, facts)
    add_flips(verdict, chosen, best, candidates, facts)
    add_caveats(verdict, done, facts)
    lifecycle_caveats(verdict, facts)
    for claim in expectations(measured):
        verdict.expectations.append(claim)
        if claim["result"] in ("not shown", "does not hold"):
            verdict.caveats.append(
                f"The articles predict that {claim['claim']}, but this run does not show it: "
                f"{claim['evidence']}."
            )
    return verdict


def _item_scores(facts: Facts, metric: str) -> Mapping[str, Mapping[str, float]]:
    """Per-item scores the standings pair: people's, when the verdict decides on them
    (`advisor/human_facts.py`), else the primary metric's."""
    if metric == HUMAN and facts.human is not None:
        return {
            s.arm: dict(zip(s.item_ids, (v or 0.0 for v in s.scores.per_item), strict=True))
            for s in facts.human.scores
        }
    return facts.scores


def _quality_reasons(verdict: Verdict, chosen: ArmSummary, best: ArmSummary) -> None:
    q = chosen.quality
    assert q is not None
    if chosen.arm == best.arm:
        verdict.reason(
            f"{chosen.arm} has the best measured {verdict.metric}: {q.estimate:.2f} "
            f"[{q.low:.2f}, {q.high:.2f}], n={chosen.n}.",
            "measured",
        )
    else:
        b = best.quality
        stand = next((s for s in verdict.standings if s.arm == chosen.arm), None)
        assert b is not None
        if stand is not None and stand.status == "equivalent" and stand.ci_low is not None:
            verdict.reason(
                f"{chosen.arm} ({q.estimate:.2f}) is shown to be at most {verdict.margin:g} "
                f"worse than the best arm, {best.arm} ({b.estimate:.2f}): the lower bound of the "
                f"paired interval of the difference, {stand.ci_low:+.3f}, is above "
                f"-{verdict.margin:g} ({verdict.correction}).",
                "measured",
            )
    # the chosen arm is never also "left out": a constraint's fallback says why it is run
    inferior = [s.arm for s in verdict.standings if s.status == "inferior" and s.arm != chosen.arm]
    if inferior:
        verdict.reason(
            f"Left out for lower quality: {', '.join(inferior)} (shown to be more than "
            f"{verdict.margin:g} worse than {best.arm}).",
            "measured",
        )
    unsettled = [
        s.arm
        for s in verdict.standings
        if s.status in ("undetermined", "not compared") and s.arm != chosen.arm
    ]
    if unsettled:
        verdict.reason(
            f"Not shown to be as good as {best.arm}, so not recommended: {', '.join(unsettled)} "
            f"(their intervals contain -{verdict.margin:g}).",
            "measured",
        )
    if chosen.validity is not None:
        verdict.reason(f"Format validity of {chosen.arm}: {chosen.validity:.0%}.", "measured")


def _cost_reasons(
    verdict: Verdict, chosen: ArmSummary, candidates: list[ArmSummary], facts: Facts
) -> None:
    """The cost reason in the unit the choice was made on (TCO over the horizon, monthly beside
    it), and, when another arm costs the same, which tie-break decided."""
    others = [a for a in candidates if a.arm != chosen.arm and a.arm not in facts.unpriced]
    for a in candidates:
        if a.arm in facts.unpriced:
            verdict.reason(
                f"{a.arm} is not priced (its answers file names no catalog model): compared on "
                "quality only, and recommended only when no priced arm is as good.",
                "measured",
            )
    if not others or chosen.arm in facts.unpriced:
        return
    costs = ", ".join(f"{a.arm} {cost_text(a.arm, facts)}" for a in others)
    verdict.reason(
        f"Cheapest of the arms of equal quality, {cost_basis(facts)}: {chosen.arm} "
        f"{cost_text(chosen.arm, facts)} vs {costs}.",
        "measured",
    )
    key = cost_key(chosen, facts)
    tied = [a for a in others if cost_key(a, facts)[:2] == key[:2]]
    if tied:
        verdict.reason(_tie_break(chosen, tied, facts), "measured")


def _tie_break(chosen: ArmSummary, tied: list[ArmSummary], facts: Facts) -> str:
    """Which tie-break ordered arms of equal cost: what grows with volume, then p95 latency,
    then the name (never their quality estimates)."""
    key = cost_key(chosen, facts)
    names = ", ".join(a.arm for a in tied)
    head = (
        f"{chosen.arm} and {names} cost the same {cost_basis(facts)}; ties are ordered by what "
        "they cost as volume grows (machine seconds and API dollars per request), then by p95 "
        "latency, never by their quality estimates"
    )
    if any(cost_key(a, facts)[2] != key[2] for a in tied):
        listed = "; ".join(_per_request(a, facts) for a in [chosen, *tied])
        return f"{head}. Decided by what grows: {listed}."
    if any(cost_key(a, facts)[3] != key[3] for a in tied):
        listed = ", ".join(f"{a.arm} {a.latency_p95:.2f} s" for a in [chosen, *tied])
        return f"{head}. They cost the same per request too; decided by p95 latency: {listed}."
    return f"{head}. They also match per request and on p95 latency; ordered by name."


def _per_request(a: ArmSummary, facts: Facts) -> str:
    g = facts.growth.get(a.arm)
    if g is None:
        return f"{a.arm} not measured per request"
    return (
        f"{a.arm} {g.machine_s:.3g} machine s and ${g.api_usd:.6f} API per request "
        f"(${1000 * g.usd:.4f} per 1,000 more requests)"
    )
