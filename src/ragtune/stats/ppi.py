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
so): the correction term is unbiased only then. The same definitions as `ppi_py.ppi_mean_ci`
(population variances, ddof 0); the tests compare to it to 1e-6. Deliberately not here: which
items were rated or by whom (`evidence/human_scores.py`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ragtune.errors import RagtuneError
from ragtune.stats.intervals import z_value


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
        lam = tuned_lambda(y, yhat, unrated)
    estimate = lam * unrated.mean() + (y - lam * yhat).mean()
    var_f, var_r = float(np.var(lam * unrated)), float(np.var(y - lam * yhat))
    se = math.sqrt(var_f / big_n + var_r / n)
    ppi = MeanEstimate("ppi", float(estimate), estimate - z * se, estimate + z * se, n, confidence)
    everything = np.concatenate([yhat, unrated])
    return PpiResult(
        judge_only=_normal("judge_only", everything, z, confidence),
        human_only=_normal("human_only", y, z, confidence),
        ppi=ppi,
        lam=float(lam),
        ratings_to_halve=ratings_to_halve(var_r, var_f, n, big_n),
    )


def tuned_lambda(y: np.ndarray, yhat: np.ndarray, unrated: np.ndarray) -> float:
    """PPI++'s variance-minimising lam for a mean (ppi_py's `_calc_lam_glm`, one coordinate):
    cov(h, j) on the rated items over (1 + n/N) times the judge's variance on all items."""
    n, big_n = len(y), len(unrated)
    cov = float(np.mean((y - y.mean()) * (yhat - yhat.mean())))
    var = float(np.var(np.concatenate([yhat, unrated]), ddof=1))
    if var == 0:
        return 0.0
    return float(np.clip(cov / ((1 + n / big_n) * var), 0.0, 1.0))


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


__all__ = ["MeanEstimate", "PpiResult", "ppi_mean", "ratings_to_halve", "tuned_lambda"]
