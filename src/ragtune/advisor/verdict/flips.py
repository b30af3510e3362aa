"""What would change the answer: the volume at which another arm of equal quality (or the API
projection) costs the same, the knowledge-change cadence at which retraining outweighs a tuned
arm's saving, and the margin at which the chosen arm is no longer shown to be as good (read off
its interval's bound, as the rule reads it). Only the candidates left after the stated
constraints are named: a flip to an arm a constraint rules out would not change the answer.
"""

from __future__ import annotations

import math
from typing import Any

from ragtune.advisor.verdict.facts import (
    ARTICLES,
    Facts,
    Verdict,
    cost_basis,
    cost_key,
    cost_text,
    total_cost,
)
from ragtune.evidence import ArmSummary, retrains_for_knowledge


def add_flips(
    verdict: Verdict,
    chosen: ArmSummary,
    best: ArmSummary,
    candidates: list[ArmSummary],
    facts: Facts,
) -> None:
    """`candidates`: the arms of equal quality that meet the stated constraints."""
    for other in [a.arm for a in candidates]:
        if other == chosen.arm or other in facts.unpriced or chosen.arm in facts.unpriced:
            continue
        at = facts.breakeven(chosen.arm, other)
        if at is None:
            continue
        # the cost curves meet at `at`; only a crossing past which `other` costs less flips the
        # answer (two arms tied at this volume may part with the chosen one still the cheaper)
        above = at >= facts.volume
        past = at * 1.01 if above else at / 1.01
        if facts.cost_at(other, past) >= facts.cost_at(chosen.arm, past):
            continue
        verdict.flip(
            f"{'Above' if above else 'Below'} about {at:,.0f} requests/month, {other} costs less "
            f"per month than {chosen.arm} at equal quality.",
            "volume",
            other,
            at,
            "requests/month",
        )
    projection = facts.projection(chosen.arm)
    if projection is not None and not facts.advice.get("data_must_stay_local"):
        at = facts.breakeven(chosen.arm, projection)
        if at is not None:
            api_cheaper_below = facts.cost_at(projection, at / 2) < facts.cost_at(
                chosen.arm, at / 2
            )
            side = "below" if api_cheaper_below else "above"
            verdict.flip(
                f"{side.capitalize()} about {at:,.0f} requests/month, sending the same prompts "
                f"to the API ({projection}, a projection: quality not measured) costs less "
                "than self-hosting.",
                "volume",
                projection,
                at,
                "requests/month",
            )
    _cadence_flip(verdict, chosen, candidates, facts)
    _margin_flip(verdict, chosen, best, candidates, facts)


def _margin_flip(
    verdict: Verdict,
    chosen: ArmSummary,
    best: ArmSummary,
    candidates: list[ArmSummary],
    facts: Facts,
) -> None:
    """The chosen arm is a candidate because its paired lower bound L is above -margin; at a
    margin of -L or less it no longer is, and the cheapest remaining candidate would be run.
    The figure is -L floored to 3 decimals, so "a margin of m or less" is true as printed (the
    point gap is not where the verdict changes: 0.79 vs 0.80 on 400 items has L = -0.0254)."""
    bounds = {s.arm: s.ci_low for s in verdict.standings if s.ci_low is not None}
    low = bounds.get(chosen.arm)
    if chosen.arm == best.arm or low is None:
        return
    at = math.floor(-low * 1000) / 1000
    if at <= 0:  # shown at least as good at every margin: nothing flips
        return
    kept = [
        a
        for a in candidates
        if a.arm != chosen.arm
        and (a.arm == best.arm or (bounds.get(a.arm) is not None and bounds[a.arm] > -at))
    ]
    if not kept:
        return
    rival = min(kept, key=lambda a: cost_key(a, facts))
    head = (
        f"With a margin of {at:.3f} or less, {chosen.arm} is no longer shown to be within it of "
        f"{best.arm} (the lower bound of its paired interval is {low:+.3f}), and {rival.arm} "
        "would be run"
    )
    if rival.arm in facts.unpriced or chosen.arm in facts.unpriced:
        text = f"{head}."
    else:
        extra = total_cost(rival.arm, facts) - total_cost(chosen.arm, facts)
        more = f"${extra:,.2f} more" if extra >= 0.005 else "the same cost"
        text = (
            f"{head}: {cost_text(rival.arm, facts)} vs {cost_text(chosen.arm, facts)}, "
            f"{more} ({cost_basis(facts)})."
        )
    verdict.flip(text, "quality", rival.arm, at, "margin")


def _cadence_flip(
    verdict: Verdict, chosen: ArmSummary, candidates: list[ArmSummary], facts: Facts
) -> None:
    """How often the knowledge may change before retraining outweighs a tuned arm's saving.

    `monthly(chosen)` already pays `c` retrains a month at the stated cadence c (each costing
    r: machine time plus the retraining hours), so at x changes a month it costs
    monthly(chosen) + (x - c) r, equal to the rival's monthly cost at
    x = c + (monthly(rival) - monthly(chosen)) / r. (Subtracting c r again, as an earlier
    release did, put a 2-a-month cadence's flip 2 changes too low.)
    """
    job = next((t for t in facts.training if t.cost), None)
    if job is None or job.cost is None:
        return
    knowledge = retrains_for_knowledge(chosen.traits)
    per_cycle = facts.retrain_usd.get(chosen.arm, job.cost if knowledge else 0.0)
    rivals = [
        name
        for name in (a.arm for a in candidates)
        if name != chosen.arm
        and name not in facts.unpriced
        and not retrains_for_knowledge(_traits(name, facts))
    ]
    if knowledge and rivals and per_cycle > 0:
        rival = min(rivals, key=facts.monthly)
        saving = facts.monthly(rival) - facts.monthly(chosen.arm)
        if saving > 0:
            stated = float(facts.advice.get("knowledge_changes_per_month") or 0.0)
            per_month = stated + saving / per_cycle
            verdict.flip(
                f"If the knowledge changes more than {per_month:,.1f} times a month, retraining "
                f"(${per_cycle:,.4f} each) costs more than {chosen.arm} saves over {rival}.",
                "cadence",
                rival,
                per_month,
                "changes/month",
            )
        return
    if knowledge:
        return
    verdict.reason(
        f"One fine-tune cost ${job.cost:,.4f} "
        f"({job.basis or 'measured machine time'}); retraining after each "
        "knowledge change costs that again, and a tuned model that is not retrained keeps "
        "the old facts.",
        "measured",
        ARTICLES["001"],
    )


def _traits(name: str, facts: Facts) -> Any:
    arm = next((a for a in facts.arms if a.arm == name), None)
    return arm.traits if arm is not None else ArmSummary(name, "done", None).traits
