"""How quality grows with training examples: an inverse power law fitted to a tuned arm measured
at several training sizes, with intervals from a bootstrap over the test items.

Model: quality(n) = a - b * n^(-c), with b >= 0, c in [0.01, 3] and a at most the metric's
maximum (the usual shape of learning curves: Hestness et al. 2017, "Deep Learning Scaling is
Predictable, Empirically"; Figueroa et al. 2012, "Predicting sample size required for
classification performance"). a is the curve's limit, so with b >= 0 no projection exceeds the
maximum: points that rise linearly in log n (0.60, 0.75, 0.90 at 100, 200, 400) would otherwise
put the exponent on its grid bound and project 1.05 and 1.20. For a fixed c the model is linear
in (a, b), so the fit profiles c over a log grid and solves (a, b) by least squares in closed
form (on the face a = maximum when the free solution lies above it: the problem is convex, so
the constrained minimum is there); that is exact enough for a planning figure and vectorises
over bootstrap samples.

The points are measured on the same test items, so each bootstrap resample draws items once and
recomputes every size's quality from them (paired), then refits. Projections (quality at 2x and
4x the largest size, the size at which a target quality is reached) are read off each refit.

The fit refuses to extrapolate, and says why, when there are fewer than three sizes, when the
largest size is not measurably better than the smallest ("no gain from more data"), or when a
point lies far from the fitted curve. That check runs for three sizes too: three points fit a
three-parameter law exactly only when they have its shape (b >= 0, c in the grid, a within the
maximum), and a point 3.8 standard errors off is not an exact fit.

Deliberately not here: training the arms, or prices (the advisor turns sizes into dollars).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ragtune.errors import RagtuneError

Status = Literal["fitted", "too_few_points", "no_gain", "poor_fit"]

# Exponents of published learning curves lie between ~0.05 and ~1; the grid is wider so the
# bound is never what the fit lands on for a real curve. 600 log-spaced values: steps of ~1.4%.
_EXPONENTS = np.geomspace(0.01, 3.0, 600)
# A point further than this many bootstrap standard errors from the curve makes the fit "poor".
POOR_FIT_SE = 3.0
DEFAULT_RESAMPLES = 2_000
BAND_POINTS = 24  # points of the drawn band: smooth at chart width, cheap to bootstrap


@dataclass(frozen=True)
class Estimate:
    """A figure with its bootstrap percentile interval (`high` may be inf: "never")."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class CurvePoint:
    size: int  # training examples
    quality: Estimate


@dataclass(frozen=True)
class Projection:
    size: int
    quality: Estimate
    # quality here minus the measured quality at the largest size, paired per resample (None
    # for projections made before it was recorded)
    gain: Estimate | None = None


@dataclass(frozen=True)
class LearningCurve:
    """The measured points, the fitted law and what it projects (or why it does not)."""

    points: tuple[CurvePoint, ...]
    n_items: int
    confidence: float
    status: Status
    message: str
    asymptote: float | None = None  # a
    scale: float | None = None  # b
    exponent: Estimate | None = None  # c
    projections: tuple[Projection, ...] = ()
    # The fitted curve with its bootstrap band, from the smallest size to the last projection
    # (log-spaced), for drawing.
    band: tuple[Projection, ...] = ()
    target: float | None = None
    size_for_target: Estimate | None = None  # inf: never reached on the fitted curve

    def predict(self, size: float) -> float:
        """The fitted quality at `size` examples."""
        if self.asymptote is None or self.scale is None or self.exponent is None:
            raise RagtuneError(f"no fitted curve to read: {self.message}")
        return self.asymptote - self.scale * size ** (-self.exponent.value)


def fit_power_law(
    sizes: Sequence[float] | np.ndarray, quality: np.ndarray, maximum: float = math.inf
) -> tuple[np.ndarray, ...]:
    """Least-squares (a, b, c) of quality = a - b * size^(-c), b >= 0, a <= `maximum`, for each
    row of `quality`.

    `quality` is (samples, sizes); returns three arrays of length `samples`.
    """
    q = np.atleast_2d(np.asarray(quality, dtype=float))
    n = np.asarray(sizes, dtype=float)
    x = n[None, :] ** (-_EXPONENTS[:, None])  # (grid, sizes)
    xbar, qbar = x.mean(axis=1), q.mean(axis=1)
    xc = x - xbar[:, None]
    qc = q - qbar[:, None]
    sxx = np.einsum("gk,gk->g", xc, xc)  # (grid,)
    sxq = qc @ xc.T  # (samples, grid)
    slope = np.minimum(sxq / sxx, 0.0)  # q = a + slope * x; b = -slope >= 0
    sse = np.einsum("sk,sk->s", qc, qc)[:, None] - 2 * slope * sxq + slope**2 * sxx
    a = qbar[:, None] - slope * xbar[None, :]  # (samples, grid)
    over = a > maximum
    if over.any():  # refit on the face a = maximum: q - maximum = slope * x, slope <= 0
        r = q - maximum
        rx = r @ x.T  # (samples, grid)
        xx = np.einsum("gk,gk->g", x, x)
        capped = np.minimum(rx / xx, 0.0)
        capped_sse = np.einsum("sk,sk->s", r, r)[:, None] - 2 * capped * rx + capped**2 * xx
        slope = np.where(over, capped, slope)
        sse = np.where(over, capped_sse, sse)
        a = np.where(over, maximum, a)
    best = np.argmin(sse, axis=1)
    rows = np.arange(q.shape[0])
    return a[rows, best], -slope[rows, best], _EXPONENTS[best]


def _size_for(target: float, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    # a - b n^-c = target  =>  n = (b / (a - target))^(1/c); never when a <= target.
    with np.errstate(divide="ignore", invalid="ignore"):
        n = (b / (a - target)) ** (1 / c)
    return np.where((a > target) & (b > 0), n, np.inf)


def _interval(values: np.ndarray, point: float, confidence: float) -> Estimate:
    alpha = 1 - confidence
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return Estimate(float(point), float(low), float(high))


def learning_curve(
    sizes: Sequence[int],
    scores: np.ndarray | Sequence[Sequence[float]],
    *,
    target: float | None = None,
    confidence: float = 0.95,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    maximum: float = 1.0,
) -> LearningCurve:
    """Fit the curve to per-item scores: `scores[i][j]` is item i's score after training on
    `sizes[j]` examples (the same test items at every size).

    `maximum` is the metric's best possible score (1.0: every primary metric is a share or a
    score in [0, 1]); the fitted curve and every projection stay at or below it.

    `target` is the quality to reach (e.g. the best non-tuned arm's); the result says at what
    training size the fitted curve reaches it, with an interval, or that it never does.
    """
    s = np.asarray(scores, dtype=float)
    order = np.argsort(sizes)
    n = np.asarray(sizes, dtype=float)[order]
    if s.ndim != 2 or s.shape[1] != len(sizes) or s.shape[0] == 0:
        raise RagtuneError(
            f"a learning curve needs one score per test item and training size, got shape "
            f"{s.shape} for {len(sizes)} sizes",
            hint="pass scores[i][j] = item i's score at sizes[j]",
        )
    if len(set(sizes)) != len(sizes) or min(sizes) < 1:
        raise RagtuneError(
            f"training sizes must be distinct positive counts, got {list(sizes)}",
            hint="e.g. learning_curve: [250, 1000, 4000]",
        )
    s = s[:, order]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, s.shape[0], size=(n_resamples, s.shape[0]))
    boot = s[picks].mean(axis=1)  # (resamples, sizes): paired over items
    observed = s.mean(axis=0)
    points = tuple(
        CurvePoint(int(size), _interval(boot[:, j], observed[j], confidence))
        for j, size in enumerate(n)
    )
    base = {"points": points, "n_items": s.shape[0], "confidence": confidence, "target": target}
    if len(sizes) < 3:
        return LearningCurve(
            **base,
            status="too_few_points",
            message=f"{len(sizes)} training size(s): at least 3 are needed to fit a curve",
        )
    gain = _interval(boot[:, -1] - boot[:, 0], observed[-1] - observed[0], confidence)
    if gain.low <= 0:
        return LearningCurve(
            **base,
            status="no_gain",
            message=(
                f"no gain from more data: {int(n[-1])} examples score {gain.value:+.3f} "
                f"[{gain.low:+.3f}, {gain.high:+.3f}] against {int(n[0])}; the curve is not "
                f"extrapolated"
            ),
        )
    a, b, c = (v[0] for v in fit_power_law(n, observed[None, :], maximum))
    residuals = observed - (a - b * n ** (-c))
    se = boot.std(axis=0, ddof=1)
    worst = int(np.argmax(np.abs(residuals) / np.maximum(se, 1e-12)))
    if abs(residuals[worst]) > POOR_FIT_SE * max(se[worst], 1e-12):
        return LearningCurve(
            **base,
            status="poor_fit",
            message=(
                f"the power law fits poorly: the point at {int(n[worst])} examples is "
                f"{residuals[worst]:+.3f} off the curve ({abs(residuals[worst]) / se[worst]:.1f} "
                f"standard errors); the curve is not extrapolated"
            ),
        )
    ba, bb, bc = fit_power_law(n, boot, maximum)
    projections = []
    for factor in (2, 4):
        size = int(n[-1]) * factor
        values = ba - bb * size ** (-bc)
        point = a - b * size ** (-c)
        gain = _interval(values - boot[:, -1], point - observed[-1], confidence)
        projections.append(Projection(size, _interval(values, point, confidence), gain))
    grid = np.geomspace(n[0], n[-1] * 4, BAND_POINTS)
    band = tuple(
        Projection(round(float(g)), _interval(ba - bb * g ** (-bc), a - b * g ** (-c), confidence))
        for g in grid
    )
    reach = None
    if target is not None:
        point = float(_size_for(target, np.array([a]), np.array([b]), np.array([c]))[0])
        reach = _interval(_size_for(target, ba, bb, bc), point, confidence)
    worst_se = abs(residuals[worst]) / max(se[worst], 1e-12)
    return LearningCurve(
        **base,
        status="fitted",
        message=(
            f"quality = {a:.3f} - {b:.3g} * n^-{c:.3f} (largest residual {worst_se:.1f} "
            "standard errors)"
        ),
        asymptote=float(a),
        scale=float(b),
        exponent=_interval(bc, float(c), confidence),
        projections=tuple(projections),
        band=band,
        size_for_target=reach,
    )


def describe_reach(curve: LearningCurve) -> str | None:
    """'reaches 0.85 at about 3,100 [1,900, never] examples', or None without a target."""
    reach = curve.size_for_target
    if reach is None or curve.target is None:
        return None

    def fmt(v: float) -> str:
        return "never" if math.isinf(v) else f"{v:,.0f}"

    if math.isinf(reach.value):
        return (
            f"the fitted curve never reaches {curve.target:.3f} (asymptote {curve.asymptote:.3f})"
        )
    return (
        f"reaches {curve.target:.3f} at about {fmt(reach.value)} examples "
        f"[{fmt(reach.low)}, {fmt(reach.high)}]"
    )


__all__ = [
    "CurvePoint",
    "Estimate",
    "LearningCurve",
    "Projection",
    "describe_reach",
    "fit_power_law",
    "learning_curve",
]
