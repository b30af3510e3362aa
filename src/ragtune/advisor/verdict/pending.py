"""Not decided yet: a cheaper arm is undetermined against the best (its interval straddles
-margin), so the cheapest candidate is run for now, and the verdict says how many more test items
would settle it and what labelling them costs (`costs:`).

The best arm was picked on these same items, so the observed difference leans against the
cheaper arm: the items are given at the observed difference and at a difference of 0 (the
planning value when the arms may be equal), and "more items would more likely show it worse"
is said only when the interval itself shows it worse than the best (its upper bound below 0).
"""

from __future__ import annotations

from ragtune.advisor.verdict.facts import Facts, Pending, Verdict, cost_basis, cost_text, money
from ragtune.evidence import ArmSummary


def not_decided(
    verdict: Verdict, chosen: ArmSummary, best: ArmSummary, cheap: ArmSummary, facts: Facts
) -> None:
    """A cheaper arm is undetermined against the best: say so, and what would settle it."""
    stand = next(s for s in verdict.standings if s.arm == cheap.arm)
    assert stand.effect is not None and stand.ci_low is not None and stand.ci_high is not None
    more, more_zero = stand.more_items, stand.more_items_at_zero
    priced_items = more if more is not None else more_zero  # what labelling is priced on
    usd = facts.labelling_usd(priced_items) if priced_items else None
    if priced_items is None:
        note = "more items would not show it as good at the observed difference"
    elif usd is None:
        note = (
            "labelling cost not counted: set costs.usd_per_example, or costs.examples_per_hour "
            "with costs.hourly_rate"
        )
    else:
        note = facts.labelling_basis or "at the workload's labelling price"
        if more is None:
            note += "; of the items needed if the arms are equal"
    saving = tco_saving = None
    if cheap.arm not in facts.unpriced and chosen.arm not in facts.unpriced:
        saving = facts.monthly(chosen.arm) - facts.monthly(cheap.arm)
        if facts.tco is not None:
            tco_saving = facts.tco(chosen.arm) - facts.tco(cheap.arm)
    verdict.decided = False
    verdict.pending = Pending(
        cheap.arm, best.arm, saving, stand.items_needed, more, usd, note,
        stand.items_needed_at_zero, more_zero, tco_saving,
    )  # fmt: skip
    interval = (
        f"{cheap.arm} - {best.arm} = {stand.effect:+.3f} [{stand.ci_low:+.3f}, "
        f"{stand.ci_high:+.3f}] ({stand.confidence or 0.95:.1%} CI, n={stand.n})"
    )
    cost = f"; labelling them costs ${usd:,.0f} ({note})" if usd is not None else f"; {note}"
    at_zero = (
        f"about {more_zero:,} more ({stand.items_needed_at_zero:,} in all) if the arms are in "
        f"fact equal (the planning value: {best.arm} was picked as best on these same items)"
        if more_zero is not None and stand.items_needed_at_zero is not None
        else ""
    )
    if stand.test == "betting_cs" and stand.items_needed is not None:
        settle = (
            f"A fixed-n test planned afresh would need about {stand.items_needed:,} items per "
            f"arm for 80% power at the observed difference {stand.effect:+.3f}"
            + (f" ({stand.items_needed_at_zero:,} if the arms are in fact equal)"
               if stand.items_needed_at_zero is not None else "")
            + "; these are fixed-n figures: more rounds of this anytime-valid sequence would "
            "need more items than that (its interval is wider than a fixed-n one at the same n)"
            + (f"; labelling the {priced_items:,} items past these {stand.n:,} for that plan "
               f"costs ${usd:,.0f} ({note})." if usd is not None and priced_items else ".")
        )  # fmt: skip
    elif more is not None and stand.items_needed is not None:
        settle = (
            f"About {more:,} more test items ({stand.items_needed:,} in all, 80% power at the "
            f"observed difference {stand.effect:+.3f}; {at_zero or 'none at 0'}) would settle "
            f"it{cost}."
        )
    elif stand.ci_high < 0:
        settle = (
            f"Its interval shows it worse than {best.arm} (upper bound {stand.ci_high:+.3f} < 0) "
            f"and its observed difference is past -{verdict.margin:g}, so more items would more "
            "likely show it more than the margin worse"
            + (f"; {at_zero} would settle whether it is within it{cost}." if at_zero else ".")
        )
    else:
        settle = (
            f"At the observed difference ({stand.effect:+.3f}, past -{verdict.margin:g}) no "
            "number of items would show it as good, but its interval does not show it worse"
            + (f"; {at_zero} would settle whether it is within it{cost}." if at_zero else ".")
        )
    q = chosen.quality
    assert q is not None
    if tco_saving is not None:
        cheaper = (
            f" ({cost_basis(facts)}: {cheap.arm} {cost_text(cheap.arm, facts)} vs "
            f"{chosen.arm} {cost_text(chosen.arm, facts)})"
        )
    else:
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
