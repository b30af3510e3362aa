"""What would change the answer: the volume at which another arm of equal quality (or the API
projection) costs the same, the knowledge-change cadence at which retraining outweighs a tuned
arm's saving, and the margin below which the best arm wins on quality.
"""

from __future__ import annotations

from typing import Any

from ragtune.advisor.verdict.facts import ARTICLES, Facts, Verdict
from ragtune.evidence import ArmSummary, retrains_for_knowledge


def add_flips(
    verdict: Verdict, chosen: ArmSummary, best: ArmSummary, done: list[ArmSummary], facts: Facts
) -> None:
    for other in verdict.equivalent:
        if other == chosen.arm or other in facts.unpriced or chosen.arm in facts.unpriced:
            continue
        at = facts.breakeven(chosen.arm, other)
        if at is not None:
            verdict.flip(
                f"At about {at:,.0f} requests/month {other} costs the same as {chosen.arm} "
                "at equal quality; past it the cheaper one changes.",
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
    _cadence_flip(verdict, chosen, facts)
    priced = best.arm not in facts.unpriced and chosen.arm not in facts.unpriced
    if best.arm != chosen.arm and best.quality is not None and priced:
        extra = facts.monthly(best.arm) - facts.monthly(chosen.arm)
        gap = best.quality.estimate - (chosen.quality.estimate if chosen.quality else 0.0)
        verdict.flip(
            f"With a margin below {gap:.2f}, {best.arm} wins on quality at ${extra:+,.2f}/month.",
            "quality",
            best.arm,
            None,
            None,
        )


def _cadence_flip(verdict: Verdict, chosen: ArmSummary, facts: Facts) -> None:
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
        for name in verdict.equivalent
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
