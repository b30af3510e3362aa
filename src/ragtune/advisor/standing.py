"""Where each eligible arm stands against the best one: non-inferiority by confidence interval.

Reads the per-item primary scores of the eligible arms and asks
`stats.noninferiority.compare_with_best` (paired intervals Bonferroni-adjusted over the k - 1
comparisons with the best, Holm p over the same family, items needed at 80% power). The verdict
reads the `status`: only the best arm and the arms shown to be at most `margin` worse may be
recommended; an "undetermined" arm is neither kept nor dropped silently.

Non-inferiority at two layers, on purpose: `stats/noninferiority.py` is the arithmetic on score
arrays (a leaf); this module is the advisor's reading of it for arms with names, costs and
eligibility. Deliberately not here: the statistics themselves, costs, the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ragtune.stats import DEFAULT_POWER, compare_with_best

Status = Literal["best", "equivalent", "undetermined", "inferior", "not compared"]


@dataclass(frozen=True)
class Standing:
    """One arm against the best on their common items; `effect` = mean(arm) - mean(best)."""

    arm: str
    status: Status
    n: int = 0
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float | None = None  # per interval, after the family adjustment
    p_value: float | None = None
    p_holm: float | None = None  # over the k - 1 comparisons with the best
    test: str = ""
    items_needed: int | None = None  # total test items that would settle an undetermined arm
    more_items: int | None = None  # items to add to `n` (None: more would not settle it)
    power: float = DEFAULT_POWER
    # the same at a true difference of 0: the planning value when the arms may be equal (the
    # best arm is picked on these items, so the observed difference leans against the others)
    items_needed_at_zero: int | None = None
    more_items_at_zero: int | None = None


def comparisons_made(stood: Sequence[Standing]) -> int:
    """How many arms were compared with the best (the family the intervals are adjusted for)."""
    return sum(s.status not in ("best", "not compared") for s in stood)


def correction(family: int) -> str:
    """How the intervals were adjusted, as the report says it: `family` is the number of
    comparisons actually made (`comparisons_made`), not k - 1 when some arm was not compared."""
    if family == 0:
        return "no arm was compared with the best arm, so no interval was adjusted"
    return (
        f"Bonferroni over the {family} comparison(s) made with the best arm (95% jointly); "
        "p-values Holm-adjusted over the same family"
    )


def selection_note(best: str, family: int) -> str:
    """What picking the best on the same items does to the comparisons, as the report says it."""
    if family == 0:
        return ""
    return (
        f"{best} was chosen as the best arm on these same test items, which favours it: each "
        "difference leans against the other arm, so the items needed to settle an undetermined "
        "arm are given at the observed difference and at a difference of 0 (the planning value "
        "when the arms may be equal)"
    )


def standings(
    scores: Mapping[str, Mapping[str, float]],
    arms: Sequence[str],
    best: str,
    margin: float,
    *,
    seed: int = 0,
) -> list[Standing]:
    """The best arm first, then every other arm of `arms` in order.

    An arm without per-item scores (or sharing no item with the best) is "not compared": it
    cannot be shown to be as good, so it is never a candidate.
    """
    compared = [a for a in arms if a != best and scores.get(a)]
    out = [Standing(best, "best", n=len(scores.get(best) or {}))]
    results = {}
    if compared and scores.get(best):
        common = [a for a in compared if scores[a].keys() & scores[best].keys()]
        if common:
            found = compare_with_best(
                {best: scores[best], **{a: scores[a] for a in common}}, best, margin, seed=seed
            )
            results = {r.arm: r for r in found}
    for arm in arms:
        if arm == best:
            continue
        r = results.get(arm)
        if r is None:
            out.append(Standing(arm, "not compared"))
            continue
        out.append(
            Standing(
                arm, r.status, r.n, r.effect, r.ci_low, r.ci_high, r.confidence, r.p_value,
                r.p_holm, r.test, r.items_needed, r.more_items, DEFAULT_POWER,
                r.items_needed_at_zero, r.more_items_at_zero,
            )
        )  # fmt: skip
    return out
