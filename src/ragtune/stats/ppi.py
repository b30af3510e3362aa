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
estimated from the rated items where people and the judge differ. When few do (a judge that
agrees on most items, a few dozen ratings), that estimate is often 0 and the interval far too
narrow: at a true paired difference of exactly -margin, 46-66% of runs with 8 rated items and
12-21% with 30 read "equivalent" instead of 2.5% (`benchmarks/bench_ppi.py`, BENCHMARKS.md).
So a decision may rest on the interval only when at least `MIN_DISAGREEMENTS` rated items
differ (the np >= 10 rule for a normal approximation to a count); below it the verdict keeps
people's own test (`advisor/judge_human.py`). In the seeded simulation the false "equivalent"
share with the rule is 0% wherever it leaves the decision to people, and where PPI decides
(300-3,000 ratings) it is the normal interval's own large-sample figure: 2.7-3.3% over 10,000
runs a cell, slightly above the nominal 2.5% (the rare +-1 corrections are skewed), against
up to 66% without the rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ragtune.errors import RagtuneError
from ragtune.stats.intervals import z_value

# Rated items on which people and the judge must differ before PPI's interval may decide
# (see the module docstring; the simulation is tests/stats/test_ppi.py and bench_ppi.py).
MIN_DISAGREEMENTS = 10


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

    @property
    def decisive(self) -> bool:
        """Enough rated items differ for the normal interval to hold (`MIN_DISAGREEMENTS`)."""
        return self.disagreements >= MIN_DISAGREEMENTS


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
    return PpiResult(
        judge_only=_normal("judge_only", everything, z, confidence),
        human_only=_normal("human_only", y, z, confidence),
        ppi=ppi,
        lam=float(lam),
        ratings_to_halve=ratings_to_halve(var_r, var_f, n, big_n),
        disagreements=int(np.sum(np.abs(y - yhat) > 1e-9)),
    )


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


def ratings_to_halve(var_r: float, var_f: float, n: int, big_n: int) -> int | None:
    """More ratings, drawn from the unrated judged items, after which the interval is half as
    wide (same per-item variances): the least k with var_f/(N-k) + var_r/(n+k) <= se^2 / 4.
    None when even rating every judged item would not halve it."""
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
    "MeanEstimate",
    "PpiResult",
    "ppi_mean",
    "ppi_rows",
    "ratings_to_halve",
    "tuned_lambda",
]
