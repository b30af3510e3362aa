"""Is an arm as good as the best one, within a margin? Non-inferiority by confidence interval.

A cheaper arm may replace the best arm only when the data *show* it is at most `margin` worse:
the lower bound of the paired interval of (arm - best) lies above -margin. A difference that is
merely "not significant" is absence of evidence, so an interval that straddles -margin is
`undetermined`, and `items_needed` says how many test items would settle it.

The family is the k - 1 comparisons with the best arm (the only ones a decision uses), so the
intervals are Bonferroni-adjusted to a joint 1 - alpha over those k - 1 comparisons and the
difference p-values are Holm-adjusted over the same family.

Deliberately not here: choosing the best arm, prices, or the verdict (the advisor does that).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

from ragtune.errors import RagtuneError
from ragtune.stats.intervals import items_past_unseen, paired_comparison
from ragtune.stats.paired import DEFAULT_RESAMPLES, Scores, holm, keyed_scores

Status = Literal["best", "equivalent", "undetermined", "inferior"]

# 80% power is the convention for planning a study's size (Cohen 1988, ch. 2.4).
DEFAULT_POWER = 0.8


@dataclass(frozen=True)
class NonInferiority:
    """One arm against the best on their common items; `effect` = mean(arm) - mean(best).

    `ci_low`/`ci_high` bound the effect at `confidence`, already adjusted for the family of
    `family` comparisons; `status` reads them against -margin:
    - equivalent: ci_low > -margin (shown to be at most `margin` worse);
    - inferior: ci_high < -margin (shown to be more than `margin` worse);
    - undetermined: the interval contains -margin; `items_needed` is the total number of items
      at which the test would show non-inferiority with `power`, at the observed effect and
      per-item variance (None when the observed effect is itself past -margin), and never
      fewer than the interval can decide on (`paired.items_past_unseen`: 73 when every item
      ties, at a 0.05 margin and 95%).

    `items_needed_at_zero` is the same figure at a true difference of 0 (the per-item spread
    kept, the mean shift removed): the planning value when the arms may be equal. The best arm
    is picked on these same items, so the observed effect leans against the other arms and the
    figure at the observed effect overstates what is needed (or says "never") when they are in
    fact equal.
    """

    arm: str
    best: str
    n: int
    effect: float
    ci_low: float
    ci_high: float
    confidence: float
    family: int
    correction: str
    p_value: float
    p_holm: float
    test: str
    margin: float
    status: Status
    items_needed: int | None
    items_needed_at_zero: int | None = None  # None when decided

    @property
    def more_items(self) -> int | None:
        """Items to add to the `n` already compared (0 when decided, None when hopeless)."""
        if self.status != "undetermined":
            return 0
        return None if self.items_needed is None else max(0, self.items_needed - self.n)

    @property
    def more_items_at_zero(self) -> int | None:
        """Items to add to `n` if the arms are in fact equal (0 when decided)."""
        if self.status != "undetermined":
            return 0
        return (
            None
            if self.items_needed_at_zero is None
            else max(0, self.items_needed_at_zero - self.n)
        )


def family_confidence(alpha: float, family: int) -> float:
    """Two-sided confidence per interval so that `family` intervals hold jointly at 1 - alpha."""
    if not 0 < alpha < 1 or family < 1:
        raise RagtuneError(
            f"alpha must be in (0, 1) and the family at least 1, got alpha={alpha}, "
            f"family={family}",
            hint="use alpha 0.05",
        )
    return 1 - alpha / family


def items_needed(
    effect: float,
    sd: float,
    margin: float,
    confidence: float,
    power: float = DEFAULT_POWER,
) -> int | None:
    """Items for a paired non-inferiority test with `power` (normal approximation).

    Shows non-inferiority when the lower bound of a two-sided `confidence` interval of the mean
    per-item difference is above -margin. With true difference `effect` and per-item standard
    deviation `sd`, the bound is effect - z_c * sd / sqrt(n), above -margin with probability
    `power` when sqrt(n) = (z_c + z_power) * sd / (effect + margin), z_c = z(1 - (1 - c) / 2)
    (Chow, Shao & Wang, Sample Size Calculations in Clinical Research, 2nd ed., sec. 3.2).
    None when effect <= -margin: more items would show the opposite.
    """
    if margin < 0:
        raise RagtuneError(
            f"the non-inferiority margin must be >= 0, got {margin}", hint="e.g. 0.05"
        )
    if not 0 < power < 1:
        raise RagtuneError(f"power must be in (0, 1), got {power}", hint="use 0.8")
    distance = effect + margin
    if distance <= 0:
        return None
    if sd == 0:
        return 1
    z = NormalDist().inv_cdf
    z_c = z(1 - (1 - confidence) / 2)
    return max(1, math.ceil(((z_c + z(power)) * sd / distance) ** 2))


def compare_with_best(
    scores_by_arm: Mapping[str, Scores],
    best: str,
    margin: float,
    *,
    alpha: float = 0.05,
    power: float = DEFAULT_POWER,
    binary: bool | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> list[NonInferiority]:
    """Every other arm against `best` on their common scored items, in the input order.

    Scores are keyed by item id (a mapping) or position (a sequence), None = not scored, as in
    `stats.compare_arms`. The interval is Newcombe's paired score interval for 0/1 scores and
    the bounded t interval of the differences otherwise (`paired.py`: neither collapses when
    every item ties), at the family confidence; the p-value inverts the same interval, so p and
    interval agree. `seed` seeds the bootstrap-t of continuous scores (one stream per arm);
    `n_resamples` is kept for callers and no longer used (`paired.T_RESAMPLES` resamples).
    """
    if best not in scores_by_arm:
        raise RagtuneError(
            f"the best arm {best!r} has no scores", hint=f"arms: {', '.join(scores_by_arm)}"
        )
    keyed = {arm: keyed_scores(s) for arm, s in scores_by_arm.items()}
    if binary is None:
        binary = all(v in (0.0, 1.0) for s in keyed.values() for v in s.values())
    others = [arm for arm in keyed if arm != best]
    family = max(1, len(others))
    confidence = family_confidence(alpha, family)
    rows: list[tuple[str, int, float, float, float, float, float, float, str]] = []
    for index, arm in enumerate(others):
        common = sorted(keyed[arm].keys() & keyed[best].keys())
        if not common:
            raise RagtuneError(
                f"arm {arm!r} and the best arm {best!r} share no scored items",
                hint="non-inferiority is judged on the same items; check the arms' errors",
            )
        x = [keyed[arm][k] for k in common]
        y = [keyed[best][k] for k in common]
        diffs = [a - b for a, b in zip(x, y, strict=True)]
        pair_seed = seed * 1_000_003 + index
        effect, low, high, p, name = paired_comparison(x, y, confidence, binary, seed=pair_seed)
        sd = float(np.std(diffs, ddof=1)) if len(diffs) > 1 else 0.0
        # the spread if the arms were equal: the same disagreements, no mean shift (for 0/1
        # scores, the square root of the share of discordant items)
        sd_zero = float(np.sqrt(np.mean(np.square(diffs))))
        rows.append((arm, len(x), effect, low, high, p, sd, sd_zero, name))
    adjusted = holm([r[5] for r in rows])
    out = []
    for (arm, n, effect, low, high, p, sd, sd_zero, name), p_holm in zip(
        rows, adjusted, strict=True
    ):
        status: Status
        if low > -margin:
            status = "equivalent"
        elif high < -margin:
            status = "inferior"
        else:
            status = "undetermined"
        needed = _planned(effect, sd, margin, confidence, power)
        at_zero = _planned(0.0, sd_zero, margin, confidence, power)
        out.append(
            NonInferiority(
                arm, best, n, effect, low, high, confidence, family,
                f"Bonferroni over the {family} comparison(s) with the best arm", p, p_holm,
                name, margin, status, needed if status == "undetermined" else None,
                at_zero if status == "undetermined" else None,
            )
        )  # fmt: skip
    return out


def _planned(
    effect: float, sd: float, margin: float, confidence: float, power: float
) -> int | None:
    """`items_needed`, never fewer than the interval itself can decide on."""
    needed = items_needed(effect, sd, margin, confidence, power)
    if needed is None:
        return None
    return max(needed, items_past_unseen(effect, margin, confidence))


__all__ = [
    "DEFAULT_POWER",
    "NonInferiority",
    "compare_with_best",
    "family_confidence",
    "items_needed",
]
