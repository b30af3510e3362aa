"""Statistics for comparing arms on the same items: intervals, paired tests, multiplicity, repeats.

- `wilson_interval` for proportions, `bootstrap_ci` (percentile, seeded, vectorised) otherwise;
  `metric_interval` gives a metric's interval: Wilson for 0/1 metrics, the bounded bootstrap-t
  of `paired.py` for other scores in [0, 1] (never a point when every item scored the same);
- `paired_test`: the rule every paired comparison uses (Tango's score interval for 0/1
  outcomes, the bounded bootstrap-t of the differences otherwise, each with the p-value that
  inverts it, `paired.py`); `mcnemar_exact` and `paired_bootstrap` remain as plain tests;
  `holm` adjusts a family of p-values;
- `compare_arms` runs every pair of arms and returns `PairwiseComparison` records
  (`compare_metric` does it for one `MetricScores` per arm);
- `repeat_spread` summarises run-to-run variance across repeats; `mean_over_repeats` gives the
  one outcome per item that paired tests need when there are repeats.

Only numpy and the standard library: scipy and statsmodels are the test references, not
dependencies. Deliberately not here: choosing a winner or a non-inferiority margin (the advisor).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

import numpy as np

from ragtune.errors import RagtuneError
from ragtune.scoring import MetricScores
from ragtune.stats.intervals import bounded_mean, paired_comparison, wilson_bounds

# 10,000 resamples put the Monte Carlo error of a 95% percentile bound near 0.2% of the spread.
DEFAULT_RESAMPLES = 10_000
# Bootstrap index matrices are drawn in blocks of at most this many cells (~64 MB of int64).
_BLOCK_CELLS = 8_000_000

Scores = Mapping[str, float | None] | Sequence[float | None]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval."""

    estimate: float
    low: float
    high: float
    confidence: float
    method: str


@dataclass(frozen=True)
class PairedTest:
    """Arm a minus arm b on the same n items: mean difference, its interval, a two-sided p."""

    n: int
    effect: float
    interval: Interval
    p_value: float
    test: str


@dataclass(frozen=True)
class PairwiseComparison:
    """One pair of arms on their common items; `effect` = mean_a - mean_b."""

    arm_a: str
    arm_b: str
    n: int
    mean_a: float
    mean_b: float
    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    p_holm: float
    test: str

    def significant(self, alpha: float = 0.05) -> bool:
        """True when the Holm-adjusted p-value is below `alpha`."""
        return self.p_holm < alpha


@dataclass(frozen=True)
class RepeatSpread:
    """How much a metric moves between repeated runs over the same items."""

    n_repeats: int
    n_items: int
    means: tuple[float, ...]
    mean: float
    sd: float  # between the repeat means, ddof=1 (0 with one repeat)
    min: float
    max: float
    item_flip_rate: float  # share of items whose score is not the same in every repeat
    mean_item_sd: float  # per-item standard deviation across repeats, averaged over items


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise RagtuneError(
            f"confidence must be between 0 and 1, got {confidence}", hint="use 0.95 for 95%"
        )
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for a proportion (good coverage at small n and near 0 or 1)."""
    if n <= 0 or not 0 <= successes <= n:
        raise RagtuneError(
            f"a proportion needs 0 <= successes <= n and n > 0, got {successes} of {n}",
            hint="there must be at least one scored item",
        )
    low, high = wilson_bounds(successes, n, _z(confidence))  # exact 0 / 1 at the ends
    return Interval(successes / n, low, high, confidence, "wilson")


def _as_array(values: Sequence[float], what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise RagtuneError(f"{what} needs a non-empty list of numbers, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise RagtuneError(f"{what} got a NaN or infinite score", hint="drop unscored items first")
    return arr


def bootstrap_means(
    values: Sequence[float], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> np.ndarray:
    """Means of `n_resamples` resamples with replacement, drawn in blocks to bound memory."""
    arr = _as_array(values, "the bootstrap")
    rng = np.random.default_rng(seed)
    n = arr.size
    block = max(1, _BLOCK_CELLS // n)
    out = np.empty(n_resamples)
    for start in range(0, n_resamples, block):
        stop = min(n_resamples, start + block)
        out[start:stop] = arr[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    return out


def bootstrap_ci(
    values: Sequence[float],
    confidence: float = 0.95,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval for the mean."""
    _z(confidence)
    means = bootstrap_means(values, n_resamples=n_resamples, seed=seed)
    alpha = 1 - confidence
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return Interval(float(np.mean(values)), float(low), float(high), confidence, "bootstrap")


def metric_interval(
    scores: MetricScores, confidence: float = 0.95, *, seed: int = 0
) -> Interval | None:
    """Wilson for 0/1 metrics, the bounded bootstrap-t (`paired.bounded_mean`) for other scores
    in [0, 1]; None for corpus-level or unscored metrics. Both hold a share z^2 / (n + z^2) of
    unseen items at either bound, so 48 items all scored 0 give [0, 0.074], not [0, 0]."""
    values = [s for s in scores.per_item if s is not None]
    if not values:
        return None
    if scores.binary:
        return wilson_interval(round(sum(values)), len(values), confidence)
    bounds = (min(0.0, *values), max(1.0, *values))
    mean, low, high = bounded_mean(values, confidence, bounds, seed=seed)
    return Interval(mean, low, high, confidence, "bounded_bootstrap_t")


def _binom_two_sided_half(k: int, n: int) -> float:
    # Exact two-sided binomial p at p=0.5: 2 * P(X <= k), k the smaller count; integer arithmetic.
    tail = sum(math.comb(n, i) for i in range(k + 1))
    return float(min(Fraction(1), Fraction(2 * tail, 2**n)))


def mcnemar_exact(
    a: Sequence[float],
    b: Sequence[float],
    confidence: float = 0.95,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> PairedTest:
    """Exact McNemar test on paired 0/1 outcomes; the interval is a paired bootstrap's."""
    x, y = _as_array(a, "McNemar's test"), _as_array(b, "McNemar's test")
    _check_paired(x, y)
    if not np.all(np.isin(x, (0.0, 1.0))) or not np.all(np.isin(y, (0.0, 1.0))):
        raise RagtuneError("McNemar's test needs 0/1 outcomes", hint="use paired_bootstrap")
    a_only = int(np.sum((x == 1) & (y == 0)))
    b_only = int(np.sum((x == 0) & (y == 1)))
    discordant = a_only + b_only
    p = _binom_two_sided_half(min(a_only, b_only), discordant) if discordant else 1.0
    interval = bootstrap_ci(x - y, confidence, n_resamples=n_resamples, seed=seed)
    return PairedTest(x.size, float(np.mean(x - y)), interval, p, "mcnemar_exact")


def paired_bootstrap(
    a: Sequence[float],
    b: Sequence[float],
    confidence: float = 0.95,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> PairedTest:
    """Bootstrap of the mean per-item difference; p = 2 x the share of resamples past zero.

    The p-value inverts the percentile interval (it is below 1 - confidence exactly when the
    interval excludes 0, up to resampling noise), with the +1 correction so it is never 0.
    """
    x, y = _as_array(a, "the paired bootstrap"), _as_array(b, "the paired bootstrap")
    _check_paired(x, y)
    diffs = x - y
    means = bootstrap_means(diffs, n_resamples=n_resamples, seed=seed)
    alpha = 1 - confidence
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    below = (np.count_nonzero(means <= 0) + 1) / (n_resamples + 1)
    above = (np.count_nonzero(means >= 0) + 1) / (n_resamples + 1)
    p = float(min(1.0, 2 * min(below, above)))
    effect = float(np.mean(diffs))
    interval = Interval(effect, float(low), float(high), confidence, "paired_bootstrap")
    return PairedTest(x.size, effect, interval, p, "paired_bootstrap")


def _check_paired(x: np.ndarray, y: np.ndarray) -> None:
    if x.shape != y.shape:
        raise RagtuneError(
            f"paired tests need scores for the same items, got {x.size} and {y.size}",
            hint="align both arms on their common item ids first (compare_arms does this)",
        )


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni step-down adjusted p-values, in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def keyed_scores(scores: Scores) -> dict[str, float]:
    """Scores by item id (positions become "0", "1", ...), unscored (None) items left out."""
    items = scores.items() if isinstance(scores, Mapping) else enumerate(scores)
    return {str(k): float(v) for k, v in items if v is not None}


def compare_arms(
    scores_by_arm: Mapping[str, Scores],
    *,
    binary: bool | None = None,
    confidence: float = 0.95,
    seed: int = 0,
) -> list[PairwiseComparison]:
    """Every pair of arms on the items both scored (None = not scored), Holm over all pairs.

    Scores are keyed by item id (a mapping) or by position (a sequence). Each pair goes through
    `paired_test`; `binary` (by default: every score of every arm is 0 or 1) picks Tango's
    score interval over the bounded bootstrap-t.
    """
    keyed = {arm: keyed_scores(s) for arm, s in scores_by_arm.items()}
    if binary is None:
        binary = all(v in (0.0, 1.0) for s in keyed.values() for v in s.values())
    tests: list[tuple[str, str, PairedTest | None, float, float]] = []
    for index, (arm_a, arm_b) in enumerate(itertools.combinations(keyed, 2)):
        common = sorted(keyed[arm_a].keys() & keyed[arm_b].keys())
        x = [keyed[arm_a][k] for k in common]
        y = [keyed[arm_b][k] for k in common]
        if not common:
            tests.append((arm_a, arm_b, None, math.nan, math.nan))
            continue
        pair_seed = seed * 1_000_003 + index  # distinct, reproducible stream per pair
        test = paired_test(x, y, confidence, binary=binary, seed=pair_seed)
        tests.append((arm_a, arm_b, test, float(np.mean(x)), float(np.mean(y))))
    adjusted = iter(holm([t[2].p_value for t in tests if t[2] is not None]))
    out = []
    for arm_a, arm_b, result, mean_a, mean_b in tests:
        if result is None:  # no common scored items: nothing to compare, left out of Holm
            nan = math.nan
            none = PairwiseComparison(arm_a, arm_b, 0, nan, nan, nan, nan, nan, 1.0, 1.0, "none")
            out.append(none)
            continue
        low, high = result.interval.low, result.interval.high
        out.append(
            PairwiseComparison(
                arm_a, arm_b, result.n, mean_a, mean_b, result.effect, low, high,
                result.p_value, next(adjusted), result.test,
            )
        )  # fmt: skip
    return out


def compare_metric(
    by_arm: Mapping[str, MetricScores],
    *,
    confidence: float = 0.95,
    seed: int = 0,
) -> list[PairwiseComparison]:
    """`compare_arms` for one metric scored by every arm on the same items in the same order;
    the metric's `binary` flag picks the test. Corpus-level metrics (no per-item scores) fail."""
    lengths = {arm: len(s.per_item) for arm, s in by_arm.items()}
    names = {s.name for s in by_arm.values()}
    if len(names) > 1 or len(set(lengths.values())) > 1 or 0 in lengths.values():
        raise RagtuneError(
            f"compare_metric needs one per-item metric over the same items for every arm, "
            f"got metrics {sorted(names)} with item counts {lengths}",
            hint="corpus-level metrics such as macro_f1 have no per-item scores to pair",
        )
    binary = all(s.binary for s in by_arm.values())
    return compare_arms(
        {arm: s.per_item for arm, s in by_arm.items()},
        binary=binary,
        confidence=confidence,
        seed=seed,
    )


def mean_over_repeats(per_repeat: Sequence[Scores]) -> dict[str, float]:
    """Per-item mean over repeats, for items scored in every repeat.

    With repeats, arms are compared on these means (continuous, so `compare_arms` uses the
    paired bootstrap), which keeps one outcome per item as the paired tests require.
    """
    keyed = [keyed_scores(s) for s in per_repeat]
    if not keyed:
        return {}
    common = set(keyed[0]).intersection(*keyed[1:])
    return {item: sum(k[item] for k in keyed) / len(keyed) for item in sorted(common)}


def repeat_spread(per_repeat: Sequence[Sequence[float]]) -> RepeatSpread:
    """Run-to-run variance from R repeats, each a list of per-item scores in the same order."""
    lengths = {len(scores) for scores in per_repeat}
    arr = np.asarray(per_repeat, dtype=float) if len(lengths) == 1 else np.empty((0, 0))
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise RagtuneError(
            "repeat_spread needs R repeats of the same non-empty item list",
            hint="pass one list of per-item scores per repeat, all of the same length",
        )
    means = arr.mean(axis=1)
    r = arr.shape[0]
    return RepeatSpread(
        n_repeats=r,
        n_items=arr.shape[1],
        means=tuple(float(m) for m in means),
        mean=float(means.mean()),
        sd=float(means.std(ddof=1)) if r > 1 else 0.0,
        min=float(means.min()),
        max=float(means.max()),
        item_flip_rate=float(np.mean(np.ptp(arr, axis=0) > 0)),
        mean_item_sd=float(arr.std(axis=0, ddof=1).mean()) if r > 1 else 0.0,
    )


def unpaired_bootstrap(
    a: Sequence[float],
    b: Sequence[float],
    confidence: float = 0.95,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> PairedTest:
    """Difference of means of two independent samples (different items): each side resampled on
    its own; p = 2 x the share of resampled differences past zero (+1 corrected), as above.
    `n` is the smaller sample's size."""
    x, y = _as_array(a, "the unpaired bootstrap"), _as_array(b, "the unpaired bootstrap")
    diffs = bootstrap_means(list(x), n_resamples=n_resamples, seed=seed) - bootstrap_means(
        list(y), n_resamples=n_resamples, seed=seed + 1
    )
    alpha = 1 - confidence
    low, high = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    below = (np.count_nonzero(diffs <= 0) + 1) / (n_resamples + 1)
    above = (np.count_nonzero(diffs >= 0) + 1) / (n_resamples + 1)
    p = float(min(1.0, 2 * min(below, above)))
    effect = float(np.mean(x) - np.mean(y))
    interval = Interval(effect, float(low), float(high), confidence, "unpaired_bootstrap")
    return PairedTest(min(x.size, y.size), effect, interval, p, "unpaired_bootstrap")


def paired_test(
    a: Sequence[float],
    b: Sequence[float],
    confidence: float = 0.95,
    *,
    binary: bool | None = None,
    seed: int = 0,
) -> PairedTest:
    """Arm a minus arm b on the same items, by the rule the verdict uses (`paired.py`): Tango's
    score interval for 0/1 outcomes (its p at 0 is McNemar's score test), the bounded
    bootstrap-t of the differences otherwise. The p-value inverts the interval: p < 1 -
    confidence exactly when the interval excludes 0, so a table never shows one without the
    other. `binary` defaults to "every score is 0 or 1"."""
    _z(confidence)
    x, y = _as_array(a, "the paired test"), _as_array(b, "the paired test")
    _check_paired(x, y)
    if binary is None:
        binary = bool(np.all(np.isin(x, (0.0, 1.0))) and np.all(np.isin(y, (0.0, 1.0))))
    effect, low, high, p, method = paired_comparison(x, y, confidence, binary, seed=seed)
    return PairedTest(x.size, effect, Interval(effect, low, high, confidence, method), p, method)
