"""Non-inferiority that may be checked after every round: each arm against the best by CS.

The fixed-n rule (`noninferiority.py`) promises a 2.5% chance of a false "equivalent" for one
look. Re-checking it after every round of a growing sample breaks that promise (the simulation in
`benchmarks/bench_sequential.py` measures by how much). Here each comparison's interval is the
running intersection of an anytime-valid confidence sequence (`confseq.py`, the hedged betting
CS) of the paired differences (arm - best) in [-1, 1], taken in the run's seeded order, so it
may be read at every look and the run may stop as soon as every comparison is decided:

- equivalent: low > -margin; inferior: high < -margin; else undetermined;
- the family is the k - 1 comparisons with the best, each sequence at alpha / (k - 1)
  (Bonferroni), as in the fixed-n verdict.

The best arm is chosen on the same items (the highest mean so far), as the fixed-n verdict does;
a comparison with a best that changed is the new pair's sequence from its first common item.
Deliberately not here: running arms, budgets and prices (`running/sequential.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ragtune.errors import RagtuneError
from ragtune.stats.confseq import RunningCS
from ragtune.stats.noninferiority import DEFAULT_POWER, Status, items_needed


@dataclass(frozen=True)
class SequentialComparison:
    """One arm against the best at the latest look: `ci_low`/`ci_high` bound mean(arm - best)
    at `confidence` at every look at once (already adjusted for the `family`); `intervals` is
    (items, low, high) at each look, for the progress display and the report."""

    arm: str
    best: str
    n: int
    effect: float
    ci_low: float
    ci_high: float
    confidence: float
    family: int
    margin: float
    status: Status
    decided_at: int | None  # items compared when the status was first decided
    intervals: tuple[tuple[int, float, float], ...]
    sd: float = 0.0  # per-item standard deviation of the differences (for the fixed-n plan)

    @property
    def decided(self) -> bool:
        return self.status in ("equivalent", "inferior")


def status_of(low: float, high: float, margin: float) -> Status:
    """The fixed-n verdict's reading of an interval against -margin."""
    if low > -margin:
        return "equivalent"
    if high < -margin:
        return "inferior"
    return "undetermined"


@dataclass
class _PairState:
    """One (arm, best) sequence carried between looks: the items it has read, in order."""

    common: list[str]
    cs: RunningCS
    intervals: list[tuple[int, float, float]]


class CompareState:
    """What `sequential_compare` keeps between rounds when given one: per (arm, best) pair, its
    running confidence sequence, so a new round reads only its new items. A pair whose items so
    far are not a prefix of the new ones (the best changed, a resumed round filled a gap) starts
    again from its first item: the result is always what a fresh computation gives."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str], _PairState] = {}


def sequential_compare(
    scores_by_arm: Mapping[str, Mapping[str, float]],
    order: Sequence[str],
    looks: Sequence[int],
    best: str,
    margin: float,
    *,
    alpha: float = 0.05,
    state: CompareState | None = None,
) -> list[SequentialComparison]:
    """Every other arm against `best` on their common scored items, in `order` (the run's
    seeded item order); `looks` are the cumulative numbers of items of `order` taken at the end
    of each round (an arm that stopped being answered just has no scores past its last round).
    `state`, kept by the caller from round to round, makes each call read only new items.

    Scores must lie in [0, 1] (0/1 correctness, or a bounded metric), so differences lie in
    [-1, 1], the range the betting sequence needs."""
    if best not in scores_by_arm:
        raise RagtuneError(
            f"the best arm {best!r} has no scores", hint=f"arms: {', '.join(scores_by_arm)}"
        )
    for arm, scores in scores_by_arm.items():
        outside = [v for v in scores.values() if not 0 <= v <= 1]
        if outside:
            raise RagtuneError(
                f"arm {arm!r} has scores outside [0, 1] (e.g. {outside[0]})",
                hint="the sequential rule needs bounded scores; use a 0-1 primary metric",
            )
    others = [a for a in scores_by_arm if a != best]
    family = max(1, len(others))
    level = alpha / family
    position = {item: i for i, item in enumerate(order)}
    out = []
    for arm in others:
        common = sorted(
            scores_by_arm[arm].keys() & scores_by_arm[best].keys(), key=lambda k: position[k]
        )
        if not common:
            raise RagtuneError(
                f"arm {arm!r} and the best arm {best!r} share no scored items",
                hint="non-inferiority is judged on the same items; check the arms' errors",
            )
        diffs = np.array([scores_by_arm[arm][k] - scores_by_arm[best][k] for k in common])
        ranks = np.array([position[k] for k in common])
        # items compared by the end of each look (an arm that stopped adds no more)
        counts = sorted({int(np.searchsorted(ranks, look)) for look in looks} - {0})
        pair = _pair(state, arm, best, common, level)
        read = len(pair.common)
        fresh = [c for c in counts if c > read]
        cs = pair.cs.extend((diffs[read:] + 1) / 2, fresh)
        pair.common = common
        pair.intervals += [
            (n, 2 * low - 1, 2 * high - 1) for n, (low, high) in zip(fresh, cs, strict=True)
        ]
        intervals = tuple(pair.intervals)
        decided_at = next(
            (n for n, low, high in intervals if status_of(low, high, margin) != "undetermined"),
            None,
        )
        n, low, high = intervals[-1]
        out.append(
            SequentialComparison(
                arm, best, n, float(np.mean(diffs)), low, high, 1 - level, family, margin,
                status_of(low, high, margin), decided_at, intervals,
                float(np.std(diffs, ddof=1)) if len(diffs) > 1 else 0.0,
            )
        )  # fmt: skip
    return out


def _pair(
    state: CompareState | None, arm: str, best: str, common: list[str], level: float
) -> _PairState:
    """The pair's carried sequence when its items so far begin the new ones, else a new one."""
    fresh = _PairState([], RunningCS(level), [])
    if state is None:
        return fresh
    kept = state.pairs.get((arm, best))
    if kept is None or kept.common != common[: len(kept.common)] or kept.cs.alpha != level:
        state.pairs[(arm, best)] = kept = fresh
    return kept


def fixed_plan_items(
    effect: float, sd: float, margin: float, confidence: float, power: float = DEFAULT_POWER
) -> int | None:
    """Items a fixed-n plan that guessed the truth right would use: `items_needed` to show
    non-inferiority with `power` when effect > -margin, and the mirror-image size that shows
    "inferior" with `power` when effect < -margin (the distance to -margin is what sets both).
    None at exactly -margin, where no size has power."""
    distance = abs(effect + margin)
    if distance < 1e-12:
        return None
    return items_needed(distance - margin, sd, margin, confidence, power)


__all__ = [
    "CompareState",
    "SequentialComparison",
    "fixed_plan_items",
    "sequential_compare",
    "status_of",
]
