"""Judge + people: prediction-powered inference (PPI) for a mean.

An LLM judge scores every item; people rate a uniformly random subset. The judge alone is cheap
but may be biased; people alone are unbiased but few. PPI (Angelopoulos, Bates, Fannjiang,
Jordan & Zrnic 2023, Science 382:669) keeps people's lack of bias and the judge's numbers:

    estimate = lam * mean(judge on the N unrated items) + mean(human - lam * judge on the n rated)
    se^2 = lam^2 var(judge, unrated) / N + var(human - lam * judge, rated) / n

with a normal interval. lam = 1 is the paper's PPI ("judge mean + the judge's average error");
`lam=None` picks the PPI++ power-tuned value (Angelopoulos, Duchi & Zrnic 2023, arXiv
2311.01453) lam = cov(h, j) / ((1 + n/N) var(j)), clipped to [0, 1], so the interval is never
(asymptotically) wider than people's alone, and equals it at lam = 0 when the judge tells nothing.

The rated subset must be a uniformly random sample of the judged items (the review page draws it
so): the correction term is unbiased only then.

Small samples. The interval is a normal (CLT) one, and the correction term's variance is
estimated from the rated items: where people and the judge differ, and where people's own
paired differences are non-zero. When few are (a judge that agrees on most items; people who
rate both arms the same on every rated item while a noisy judge tunes lam to 0), that estimate
is often 0 or far too small and the interval far too narrow: at a true paired difference of
exactly -margin, 46-66% of runs with 8 rated items and 12-21% with 30 read "equivalent" instead
of 2.5%; a rule on disagreements alone still gave 7-10.5% when people's differences are
(nearly) all 0 on 30-80 rated items; and even with hundreds of ratings a one-sided judge error
leaves the count of disagreements skewed (a Poisson-like count of 20-40), which the plain
normal interval under-covers: 3.5-4.5% at 667-1,333 rated items.

So a decision rests on PPI only under this rule (`PpiResult.decisive`, `PpiResult.decision`,
`decision_se`):
- at least `MIN_DISAGREEMENTS` (10) rated items where people differ from the judge AND 10
  where people's own paired difference is non-zero (the np >= 10 rule for a normal
  approximation to a count, applied to both sources of the correction term's variance);
- the correction term's variance taken unbiased (ddof 1) and floored by pseudo-counts, in the
  spirit of Agresti & Coull (1998): multiplied by (k + 2 z^2) / k, k the smaller of the two
  counts (2 z^2 = 7.7 pseudo-items at 95%), so a small count widens the interval and a large
  one leaves it as it is.
Below the counts the verdict keeps people's own test (`advisor/judge_human.py`), so PPI never
makes the verdict worse than people alone. The constant 2 was picked on one seeded grid of
candidate rules (2,000 runs a cell) and checked on other seeds in `benchmarks/bench_ppi.py`
(BENCHMARKS.md; four judge models - ties, random flips of each arm's score, a one-sided miss,
noise with people's differences mostly 0 - 8-3,000 rated items, 1,000-5,000 judged, 4,000 runs
a cell, standard error 0.25 points at 2.5%): the false "equivalent" share at a true difference
of -margin is at most 2.8% (ties, judge error 50%, 1,000 rated) and 2.6% or less in every other
cell, against up to 65% for the plain normal interval and up to 10.5% (noise, 30 rated) and 4.5%
(one-sided miss, 833 rated) for the old 10-disagreement rule. Power is what it costs, with 50-100
ratings: at a true difference of 0, a 30%-flip judge and 100 rated items 9.8% of runs read
"equivalent" instead of 13.1%; with hundreds of ratings about the same as before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ragtune.errors import RagtuneError
from ragtune.stats.intervals import z_value

# Rated items on which people and the judge must differ, and on which people's own score must
# be non-zero, before PPI's interval may decide (see the module docstring; the simulation is
# tests/stats/test_ppi.py and benchmarks/bench_ppi.py).
MIN_DISAGREEMENTS = 10
# Pseudo-items, in units of z^2, added to the smaller count when flooring the correction term's
# variance (module docstring).
PSEUDO_Z2 = 2.0


@dataclass(frozen=True)
class MeanEstimate:
    """A mean with its two-sided interval at `confidence`; `n` the observations it rests on."""

    method: str  # "judge_only" | "human_only" | "ppi"
    estimate: float
    low: float
    high: float
    n: int
    confidence: float

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class PpiResult:
    """The three estimates side by side, with what more ratings would buy."""

    judge_only: MeanEstimate  # every judged item; biased if the judge is
    human_only: MeanEstimate  # the rated items alone
    ppi: MeanEstimate
    lam: float
    ratings_to_halve: int | None  # more ratings that would halve the PPI interval; None: cannot
    disagreements: int = 0  # rated items where people's score differs from the judge's
    people_nonzero: int = 0  # rated items where people's own score is not 0
    decision: MeanEstimate | None = None  # the floored interval a verdict reads (module doc)

    @property
    def decisive(self) -> bool:
        """Enough rated items differ from the judge, and are non-zero for people, for the
        floored interval to decide (`MIN_DISAGREEMENTS`)."""
        return min(self.disagreements, self.people_nonzero) >= MIN_DISAGREEMENTS


def ppi_mean(
    human: Sequence[float] | np.ndarray,
    judge_rated: Sequence[float] | np.ndarray,
    judge_unrated: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
    lam: float | None = None,
) -> PpiResult:
    """PPI of the mean human score from people's ratings on n items (with the judge's scores on
    the same items) and the judge's scores on the N unrated ones."""
    y, yhat, unrated = (np.asarray(v, dtype=float) for v in (human, judge_rated, judge_unrated))
    n, big_n = len(y), len(unrated)
    if len(yhat) != n:
        raise RagtuneError(
            f"{n} human ratings but {len(yhat)} judge scores on the rated items",
            hint="pass the judge's score for each rated item, in the same order",
        )
    if n < 2 or big_n < 2:
        raise RagtuneError(
            f"PPI needs at least 2 rated and 2 unrated judged items, got {n} and {big_n}",
            hint="rate more items, or judge more items than are rated",
        )
    z = z_value(confidence)
    if lam is None:
        lam = float(tuned_lambda(y, yhat, unrated))
    estimate, se, var_f, var_r = (float(v[0]) for v in ppi_rows(y, yhat, unrated, lam))
    ppi = MeanEstimate("ppi", estimate, estimate - z * se, estimate + z * se, n, confidence)
    everything = np.concatenate([yhat, unrated])
    disagreements = int(np.sum(np.abs(y - yhat) > 1e-9))
    nonzero = int(np.sum(np.abs(y) > 1e-9))
    floored = float(decision_se(var_f, var_r, n, big_n, min(disagreements, nonzero), z)[0])
    decision = MeanEstimate(
        "ppi", estimate, estimate - z * floored, estimate + z * floored, n, confidence
    )
    return PpiResult(
        judge_only=_normal("judge_only", everything, z, confidence),
        human_only=_normal("human_only", y, z, confidence),
        ppi=ppi,
        lam=float(lam),
        ratings_to_halve=ratings_to_halve(
            var_r * n / (n - 1), var_f * big_n / (big_n - 1), n, big_n, se
        ),
        disagreements=disagreements,
        people_nonzero=nonzero,
        decision=decision,
    )


def decision_se(
    var_f: float | np.ndarray,
    var_r: float | np.ndarray,
    n: int,
    big_n: int,
    counts: int | np.ndarray,
    z: float,
) -> np.ndarray:
    """The standard error a verdict reads (module docstring): the correction term's variance
    `var_r` (ddof 0, as `ppi_rows` gives it) made unbiased and multiplied by (k + 2 z^2) / k,
    k = `counts` (the smaller of disagreements and people's non-zero items; at least 1).
    Vectorised over runs like `ppi_rows`."""
    k = np.maximum(np.atleast_1d(np.asarray(counts, dtype=float)), 1.0)
    people = np.asarray(var_r, dtype=float) * n / (n - 1) / n * (k + PSEUDO_Z2 * z * z) / k
    return np.atleast_1d(np.sqrt(np.asarray(var_f, dtype=float) / big_n + people))


def ppi_rows(
    y: np.ndarray, yhat: np.ndarray, unrated: np.ndarray, lam: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(estimate, se, var_f, var_r) per row of (runs, items) arrays (1-D: one run), at `lam`
    (one value, or one per run): the arithmetic of `ppi_mean`, vectorised for simulations."""
    y, yhat, unrated = (np.atleast_2d(np.asarray(v, dtype=float)) for v in (y, yhat, unrated))
    lam_col = np.asarray(lam, dtype=float).reshape(-1, 1)
    rect = y - lam_col * yhat
    estimate = lam_col[:, 0] * unrated.mean(axis=1) + rect.mean(axis=1)
    var_f = np.var(lam_col * unrated, axis=1)
    var_r = np.var(rect, axis=1)
    se = np.sqrt(var_f / unrated.shape[1] + var_r / y.shape[1])
    return estimate, se, var_f, var_r


def tuned_lambda(y: np.ndarray, yhat: np.ndarray, unrated: np.ndarray) -> float | np.ndarray:
    """PPI++'s variance-minimising lam for a mean (ppi_py's `_calc_lam_glm`, one coordinate):
    cov(h, j) on the rated items over (1 + n/N) times the judge's variance on all items.
    1-D arrays give one value; (runs, items) arrays one per run (for simulations)."""
    rows = np.atleast_2d(np.asarray(y, dtype=float)), np.atleast_2d(np.asarray(yhat, float))
    h, j = rows
    u = np.atleast_2d(np.asarray(unrated, dtype=float))
    n, big_n = h.shape[1], u.shape[1]
    cov = np.mean((h - h.mean(axis=1, keepdims=True)) * (j - j.mean(axis=1, keepdims=True)), 1)
    var = np.var(np.concatenate([j, u], axis=1), axis=1, ddof=1)
    safe = np.where(var == 0, 1.0, var)
    lam = np.where(var == 0, 0.0, np.clip(cov / ((1 + n / big_n) * safe), 0.0, 1.0))
    return float(lam[0]) if np.ndim(y) == 1 else lam


def ratings_to_halve(
    var_r: float, var_f: float, n: int, big_n: int, se: float | None = None
) -> int | None:
    """More ratings, drawn from the unrated judged items, after which the interval of one mean
    is half as wide (same per-item variances; pass unbiased, ddof-1 ones): the least k with
    var_f/(N-k) + var_r/(n+k) <= se^2 / 4. None when even rating every judged item would not
    halve it, and when the interval has no width to halve (`se` 0: cannot say)."""
    if (se is not None and se <= 0) or var_f / big_n + var_r / n <= 0:
        return None
    target = (var_f / big_n + var_r / n) / 4
    k = np.arange(0, big_n)
    se2 = var_f / (big_n - k) + var_r / (n + k)
    hits = np.flatnonzero(se2 <= target)
    return int(k[hits[0]]) if hits.size else None


def _normal(method: str, x: np.ndarray, z: float, confidence: float) -> MeanEstimate:
    mean = float(x.mean())
    half = z * float(np.std(x)) / math.sqrt(len(x))
    return MeanEstimate(method, mean, mean - half, mean + half, len(x), confidence)


__all__ = [
    "MIN_DISAGREEMENTS",
    "PSEUDO_Z2",
    "MeanEstimate",
    "PpiResult",
    "decision_se",
    "ppi_mean",
    "ppi_rows",
    "ratings_to_halve",
    "tuned_lambda",
]
