"""Not decided yet: a cheaper arm is undetermined against the best (its interval straddles
-margin), so the cheapest candidate is run for now, and the verdict says how many more test items
would settle it and what labelling them costs (`costs:`).
"""

from __future__ import annotations

from ragtune.advisor.verdict.facts import Facts, Pending, Verdict, money
from ragtune.evidence import ArmSummary


def not_decided(
    verdict: Verdict, chosen: ArmSummary, best: ArmSummary, cheap: ArmSummary, facts: Facts
) -> None:
    """A cheaper arm is undetermined against the best: say so, and what would settle it."""
    stand = next(s for s in verdict.standings if s.arm == cheap.arm)
    assert stand.effect is not None and stand.ci_low is not None and stand.ci_high is not None
    more = stand.more_items
    usd = facts.labelling_usd(more) if more else None
    if more is None:
        note = "more items would not show it as good at the observed difference"
    elif usd is None:
        note = (
            "labelling cost not counted: set costs.usd_per_example, or costs.examples_per_hour "
            "with costs.hourly_rate"
        )
    else:
        note = facts.labelling_basis or "at the workload's labelling price"
    saving = None
    if cheap.arm not in facts.unpriced and chosen.arm not in facts.unpriced:
        saving = facts.monthly(chosen.arm) - facts.monthly(cheap.arm)
    verdict.decided = False
    verdict.pending = Pending(cheap.arm, best.arm, saving, stand.items_needed, more, usd, note)
    interval = (
        f"{cheap.arm} - {best.arm} = {stand.effect:+.3f} [{stand.ci_low:+.3f}, "
        f"{stand.ci_high:+.3f}] ({stand.confidence or 0.95:.1%} CI, n={stand.n})"
    )
    if more is None:
        settle = (
            f"Its observed difference is past -{verdict.margin:g}, so more items would more "
            "likely show it worse than the margin."
        )
    else:
        cost = f"; labelling them costs ${usd:,.0f} ({note})" if usd is not None else f"; {note}"
        settle = (
            f"About {more:,} more test items ({stand.items_needed:,} in all, 80% power at the "
            f"observed difference) would settle it{cost}."
        )
    q = chosen.quality
    assert q is not None
    cheaper = "" if saving is None else f" and saves ${saving:,.2f}/month"
    verdict.headline = (
        f"Not decided yet: run {chosen.arm} for now ({verdict.metric} {q.estimate:.2f} "
        f"[{q.low:.2f}, {q.high:.2f}], {money(chosen, facts)}). {cheap.arm} costs less"
        f"{cheaper}, but whether it is within {verdict.margin:g} of {best.arm} is undetermined: "
        f"{interval} straddles -{verdict.margin:g}. {settle}"
    )
    verdict.reason(
        f"{cheap.arm} is undetermined against {best.arm}: {interval}, which contains "
        f"-{verdict.margin:g}; absence of a significant difference is not evidence that it is "
        "as good.",
        "measured",
    )
