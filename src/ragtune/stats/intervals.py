"""Intervals that keep their promise at every n: paired differences and bounded means.

A percentile bootstrap of n identical differences is the point [0, 0], so "both arms right on 10
items" used to read as "shown to be at most 0.05 worse". The intervals here never collapse:

- 0/1 paired scores: Tango's asymptotic score interval for the difference of paired
  proportions (Tango 1998, Stat Med 17:891). Both right on 10 of 10 gives [-0.278, +0.278]: a
  share z^2 / (n + z^2) of discordant items is what 10 concordant items cannot rule out (the
  same value as Newcombe's hybrid score interval, method 10, kept here as the reference the
  simulation compares against). Tango rather than Newcombe because at a true difference of
  -margin with one-way discordance Newcombe declares equivalence 2.9% of the time at n=300
  where 2.5% is promised, and Tango 1.4% (4,000 seeded runs, `benchmarks/bench_intervals.py`;
  3.4% against 2.0% in another seeded draw while choosing).
- bounded continuous scores (a mean, or a paired difference of scores in [0, 1]): the
  bootstrap-t interval (seeded), widened where needed to hold the "unseen extremes" interval:
  a share f = z^2 / (n + z^2) of items at a bound (Wilson's bound for zero events in n) is
  consistent with the data even when every item scored the same, so the interval is never
  narrower than moving that share of the mean to either bound. For 0/1 data at 0 or n of n this
  is exactly Wilson's bound; a field F1 of 0 on all 48 items gives [0, 0.074].

Each interval comes with the p-value that inverts it, so a table's p and interval agree. The
simulation that checks the rule at a true difference of -margin, and the coverage at 0, is
`benchmarks/bench_intervals.py` (a fast grid runs in the tests).

Only the standard library and numpy; scipy and statsmodels are the test references. Deliberately
not here: which arm is best, the margin, the family correction (`noninferiority.py`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

_NORMAL = NormalDist()


def z_value(confidence: float) -> float:
    """Two-sided normal quantile: 1.96 at 0.95."""
    return _NORMAL.inv_cdf(0.5 + confidence / 2)


# --- Wilson and Newcombe -------------------------------------------------------------------


def wilson_bounds(successes: float, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of successes / n at normal quantile z (exact 0 / 1 at the ends)."""
    p = successes / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n))
    low = 0.0 if successes <= 0 else max(0.0, center - half)
    high = 1.0 if successes >= n else min(1.0, center + half)
    return low, high


def newcombe_paired(
    both: int, a_only: int, b_only: int, neither: int, confidence: float
) -> tuple[float, float, float]:
    """(estimate, low, high) of p_a - p_b on paired 0/1 outcomes, Newcombe's method 10.

    `both` items right in both arms, `a_only` right in a only, and so on. phi is the
    continuity-corrected correlation of the paired table (0 when a margin is empty, as Newcombe
    and Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables, ch. 8, do).
    """
    n = both + a_only + b_only + neither
    z = z_value(confidence)
    p_a, p_b = (both + a_only) / n, (both + b_only) / n
    l_a, u_a = wilson_bounds(both + a_only, n, z)
    l_b, u_b = wilson_bounds(both + b_only, n, z)
    margins = (both + a_only) * (b_only + neither) * (both + b_only) * (a_only + neither)
    phi = 0.0
    if margins > 0:
        cross = both * neither - a_only * b_only
        corrected = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
        phi = corrected / math.sqrt(margins)
    estimate = p_a - p_b
    down = (p_a - l_a) ** 2 + (u_b - p_b) ** 2 - 2 * phi * (p_a - l_a) * (u_b - p_b)
    up = (u_a - p_a) ** 2 + (p_b - l_b) ** 2 - 2 * phi * (u_a - p_a) * (p_b - l_b)
    low = max(-1.0, estimate - math.sqrt(max(down, 0.0)))
    high = min(1.0, estimate + math.sqrt(max(up, 0.0)))
    return estimate, low, high


def tango_paired(
    both: int, a_only: int, b_only: int, neither: int, confidence: float
) -> tuple[float, float, float]:
    """(estimate, low, high) of p_a - p_b on paired 0/1 outcomes, Tango's score interval.

    Tango (1998, "Equivalence test and confidence interval for the difference in proportions for
    the paired-sample design", Stat Med 17:891): the bounds are the differences d at which the
    score statistic (a_only - b_only - n d) / sqrt(n (2 q(d) + d (1 - d))) equals -/+ z, q(d)
    the maximum-likelihood share of b-only items given d. Solved by bisection (60 halvings).
    """
    n = both + a_only + b_only + neither
    z = z_value(confidence)
    estimate = (a_only - b_only) / n

    def score(d: float) -> float:
        bb = -a_only - b_only + (2 * n - a_only + b_only) * d
        cc = -b_only * d * (1 - d)
        q = (math.sqrt(max(bb * bb - 8 * n * cc, 0.0)) - bb) / (4 * n)
        gap = a_only - b_only - n * d
        variance = n * (2 * q + d * (1 - d))
        return gap / math.sqrt(variance) if variance > 0 else math.copysign(math.inf, gap)

    def solve(outside: float, target: float) -> float:
        # score() falls from +inf to -inf as d rises; find where it crosses `target`.
        inside = estimate
        for _ in range(60):
            mid = (inside + outside) / 2
            if (score(mid) > target) == (target > 0):
                outside = mid
            else:
                inside = mid
        return (inside + outside) / 2

    low = -1.0 if estimate == -1 else solve(-1.0, z)
    high = 1.0 if estimate == 1 else solve(1.0, -z)
    return estimate, low, high


def tango_statistic(a_only: np.ndarray, b_only: np.ndarray, n: np.ndarray, d: float) -> np.ndarray:
    """Tango's score statistic at a difference d, over arrays of paired tables (the same formula
    as `tango_paired`'s): above z exactly when d lies below that interval, below -z when above
    it. The sequential simulation reads a re-checked fixed interval this way at every look."""
    a, b, m = (np.asarray(v, dtype=float) for v in (a_only, b_only, n))
    bb = -a - b + (2 * m - a + b) * d
    cc = -b * d * (1 - d)
    q = (np.sqrt(np.maximum(bb * bb - 8 * m * cc, 0.0)) - bb) / (4 * m)
    variance = m * (2 * q + d * (1 - d))
    gap = a - b - m * d
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(variance > 0, gap / np.sqrt(variance), np.sign(gap) * np.inf)


def tango_p(a_only: int, b_only: int) -> float:
    """Two-sided p of no difference that inverts `tango_paired`: at d = 0 the score statistic
    is McNemar's, (a_only - b_only) / sqrt(a_only + b_only), read against the normal."""
    if a_only == b_only:
        return 1.0
    return 2 * _NORMAL.cdf(-abs(a_only - b_only) / math.sqrt(a_only + b_only))


def _table(x: np.ndarray, y: np.ndarray) -> tuple[int, int, int, int]:
    # (both right, x only, y only, neither) of paired 0/1 outcomes
    return (
        int(np.sum((x == 1) & (y == 1))),
        int(np.sum((x == 1) & (y == 0))),
        int(np.sum((x == 0) & (y == 1))),
        int(np.sum((x == 0) & (y == 0))),
    )


# --- bounded means -------------------------------------------------------------------------

# 2,000 resamples of the t statistic: the 2.5% quantile's Monte Carlo error is ~0.15 of its
# spread's standard error, small beside the interval (Efron & Tibshirani 1993, ch. 12.5).
T_RESAMPLES = 2_000
# Resamples of n items are drawn in blocks of at most this many cells (~64 MB of int64).
_BLOCK_CELLS = 8_000_000


def unseen_share(n: int, z: float) -> float:
    """Share of items at a bound that n items all away from it cannot rule out (Wilson, 0 of n)."""
    return z * z / (n + z * z)


def _t_statistics(arr: np.ndarray, n_resamples: int, seed: int) -> np.ndarray:
    # Bootstrap-t: (resampled mean - mean) / its standard error; a resample whose values are all
    # equal has no spread, and counts as +/- "infinity" (or 0 when it equals the mean).
    rng = np.random.default_rng(seed)
    n, mean = arr.size, float(arr.mean())
    out = np.empty(n_resamples)
    block = max(1, _BLOCK_CELLS // n)
    for start in range(0, n_resamples, block):
        stop = min(n_resamples, start + block)
        draw = arr[rng.integers(0, n, size=(stop - start, n))]
        gap = draw.mean(axis=1) - mean
        se = draw.std(axis=1, ddof=1) / math.sqrt(n)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:stop] = np.where(
                se > 0, gap / np.where(se > 0, se, 1.0), np.sign(gap) * np.inf
            )
    # A finite stand-in for infinity, so that quantiles interpolate without inf - inf.
    return np.clip(out, -1e12, 1e12)


def bounded_mean_test(
    values: Sequence[float] | np.ndarray,
    confidence: float,
    bounds: tuple[float, float] = (0.0, 1.0),
    *,
    n_resamples: int = T_RESAMPLES,
    seed: int = 0,
) -> tuple[float, float, float, float]:
    """(mean, low, high, p) for the mean of scores in `bounds`: the equal-tailed bootstrap-t
    interval, widened to hold the mean with a share `unseen_share(n)` moved to either bound,
    and the two-sided p of mean 0 that inverts it (the larger of the bootstrap-t p, 2 x the
    share of resampled t past the observed one, +1 corrected, and the p at which the
    unseen-extremes interval first reaches 0).

    Bootstrap-t rather than the t table: per-item differences are often mostly 0 with a few
    large values, whose skew makes the t interval's lower bound too high (the t interval with
    the same widening declared equivalence 4.9% of the time instead of 2.5% at n=300 in the
    benchmark's "mostly tied" cell, 4,000 runs, while it was being chosen); bootstrap-t
    corrects for the skew.
    """
    arr = np.asarray(values, dtype=float)
    n = arr.size
    lo_bound, hi_bound = bounds
    mean = float(arr.mean())
    f = unseen_share(n, z_value(confidence))
    low, high = mean - (mean - lo_bound) * f, mean + (hi_bound - mean) * f
    # The unseen-extremes bound reaches 0 when f = |mean| / |mean - bound|, f = z^2 / (n + z^2).
    share = mean / (mean - lo_bound) if mean > 0 else mean / (mean - hi_bound) if mean else 1.0
    p = 1.0 if share >= 1 else 2 * _NORMAL.cdf(-math.sqrt(n * share / (1 - share)))
    sd = float(arr.std(ddof=1)) if n > 1 else 0.0
    if sd > 0:
        t = _t_statistics(arr, n_resamples, seed)
        alpha = 1 - confidence
        t_low, t_high = np.quantile(t, [alpha / 2, 1 - alpha / 2])
        se = sd / math.sqrt(n)
        low, high = min(low, mean - float(t_high) * se), max(high, mean - float(t_low) * se)
        # The interval excludes 0 when the observed t is past the resampled t's quantile.
        observed = mean / se
        above = (np.count_nonzero(t >= observed) + 1) / (n_resamples + 1)
        below = (np.count_nonzero(t <= observed) + 1) / (n_resamples + 1)
        p = max(p, 2 * min(above, below))
    return mean, max(lo_bound, low), min(hi_bound, high), float(min(1.0, p))


def bounded_mean(
    values: Sequence[float] | np.ndarray,
    confidence: float,
    bounds: tuple[float, float] = (0.0, 1.0),
    *,
    n_resamples: int = T_RESAMPLES,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(mean, low, high) of `bounded_mean_test`."""
    mean, low, high, _ = bounded_mean_test(
        values, confidence, bounds, n_resamples=n_resamples, seed=seed
    )
    return mean, low, high


def items_past_unseen(effect: float, margin: float, confidence: float) -> int:
    """The fewest items at which the unseen-extremes part of the paired interval (a share
    z^2 / (n + z^2) of the way from `effect` to -1) stays above -margin: (effect + 1) z^2 /
    (n + z^2) < effect + margin, i.e. n > z^2 (1 - margin) / (effect + margin). No paired
    interval here can show non-inferiority on fewer items: 73 at effect 0, margin 0.05, 95%."""
    z = z_value(confidence)
    return math.floor(z * z * (1 - margin) / (effect + margin)) + 1


# --- the paired rule -----------------------------------------------------------------------

DIFFERENCE_BOUNDS = (-1.0, 1.0)  # scores in [0, 1], so a per-item difference is in [-1, 1]


def paired_comparison(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    confidence: float,
    binary: bool,
    *,
    seed: int = 0,
) -> tuple[float, float, float, float, str]:
    """(mean(x - y), low, high, p, method) on the same items: Tango's score interval for 0/1
    scores, else the bounded bootstrap-t interval of the per-item differences; p is the
    two-sided p of no difference that inverts the interval (below 1 - confidence exactly when
    the interval excludes 0, up to resampling noise for continuous scores)."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if binary:
        table = _table(a, b)
        return (*tango_paired(*table, confidence), tango_p(table[1], table[2]), "tango_score")
    test = bounded_mean_test(a - b, confidence, DIFFERENCE_BOUNDS, seed=seed)
    return (*test, "bounded_bootstrap_t")


def paired_interval(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    confidence: float,
    binary: bool,
    *,
    seed: int = 0,
) -> tuple[float, float, float, str]:
    """(mean(x - y), low, high, method) of `paired_comparison`."""
    effect, low, high, _, method = paired_comparison(x, y, confidence, binary, seed=seed)
    return effect, low, high, method


__all__ = [
    "DIFFERENCE_BOUNDS",
    "T_RESAMPLES",
    "bounded_mean",
    "bounded_mean_test",
    "items_past_unseen",
    "newcombe_paired",
    "paired_comparison",
    "paired_interval",
    "tango_p",
    "tango_paired",
    "tango_statistic",
    "unseen_share",
    "wilson_bounds",
    "z_value",
]
