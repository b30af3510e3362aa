"""Where two options cost the same: break-even volume, break-even call count, payback months.

Linear options (API usage plus flat monthly items) cross at a closed-form volume. Options with
GPU serving step up in cost as GPUs are added, so they may cross several times or jump over each
other without an exact root: those are solved on a log-spaced grid refined by bisection, which
returns the volume where the cheaper option changes. "Never" is `None` (or NaN for samples).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ragtune.cost.formulas import Num
from ragtune.cost.model import Option, cumulative_cost, is_linear, monthly_cost

# Log-spaced volumes searched for sign changes, each bracket then bisected to full precision.
# GPU steps make sawtooth costs, so the point solve uses a fine grid (0.7% apart); the Monte Carlo
# solve trades that for speed (11% apart) and is summarised as percentiles anyway.
GRID_POINTS = 4096
SAMPLE_GRID_POINTS = 256
BISECTIONS = 40  # from a grid step of at most 11%, 40 halvings leave < 1e-12 relative error
VOLUME_RANGE = (1.0, 1e12)  # requests per month searched for a crossing


@dataclass(frozen=True)
class Crossing:
    """The volumes (requests/month) at which the cheaper of `a` and `b` changes."""

    a: str
    b: str
    volumes: tuple[float, ...]
    cheaper_below: str | None  # cheaper option below the first crossing; None when tied
    method: str  # "closed-form" or "numeric"

    @property
    def first(self) -> float | None:
        return self.volumes[0] if self.volumes else None


def _slope_intercept(option: Option) -> tuple[float, float]:
    """Per-request cost and flat monthly cost of a linear option (no differencing: exact)."""
    return float(option.request_cost()), float(monthly_cost(option, 0.0))


def breakeven_volume(a: Option, b: Option, *, hi: float = VOLUME_RANGE[1]) -> Crossing:
    """Every volume in (0, hi] where the cheaper of `a` and `b` changes (run-rate basis)."""
    if is_linear(a) and is_linear(b):
        slope_a, fixed_a = _slope_intercept(a)
        slope_b, fixed_b = _slope_intercept(b)
        below = _cheaper(a, b, fixed_a - fixed_b, slope_a - slope_b)
        if slope_a == slope_b:
            return Crossing(a.name, b.name, (), below, "closed-form")
        volume = (fixed_b - fixed_a) / (slope_a - slope_b)
        found: tuple[float, ...] = (volume,) if 0.0 < volume <= hi else ()
        return Crossing(a.name, b.name, found, below, "closed-form")
    grid = np.geomspace(VOLUME_RANGE[0], hi, GRID_POINTS)
    diff = np.asarray(monthly_cost(a, grid) - monthly_cost(b, grid), dtype=np.float64)
    signs = np.sign(diff)
    changes = np.nonzero((signs[1:] != signs[:-1]) & (signs[1:] != 0))[0]
    volumes = tuple(float(v) for v in _bisect(a, b, grid[changes], grid[changes + 1]))
    below = None if signs[0] == 0 else (a.name if signs[0] < 0 else b.name)
    return Crossing(a.name, b.name, volumes, below, "numeric")


def _cheaper(a: Option, b: Option, fixed_diff: float, slope_diff: float) -> str | None:
    """Name of the option that is cheaper at tiny volumes (fixed cost first, then slope)."""
    key = fixed_diff if fixed_diff != 0 else slope_diff
    return None if key == 0 else (a.name if key < 0 else b.name)


def _bisect(a: Option, b: Option, lo: NDArray, hi: NDArray) -> NDArray:
    """Every bracket [lo, hi] narrowed at once (geometric midpoints) to where the sign flips."""
    sign_lo = np.sign(monthly_cost(a, lo) - monthly_cost(b, lo))
    for _ in range(BISECTIONS):
        mid = np.sqrt(lo * hi)
        same = np.sign(monthly_cost(a, mid) - monthly_cost(b, mid)) == sign_lo
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    return np.asarray(hi)


def breakeven_volume_samples(a: Option, b: Option, *, hi: float = VOLUME_RANGE[1]) -> NDArray:
    """First crossing volume per Monte Carlo sample (NaN where the options never cross)."""
    if is_linear(a) and is_linear(b):
        slope = np.asarray(a.request_cost() - b.request_cost(), dtype=np.float64)
        flat = np.asarray(monthly_cost(b, 0.0) - monthly_cost(a, 0.0), dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            volume = flat / slope
        return np.asarray(np.where((slope != 0) & (volume > 0) & (volume <= hi), volume, np.nan))
    size = _sample_size(a, b)
    lo_v = np.full(size, VOLUME_RANGE[0])
    grid = np.geomspace(VOLUME_RANGE[0], hi, SAMPLE_GRID_POINTS)[:, None] * np.ones(size)
    diff = np.asarray(monthly_cost(a, grid) - monthly_cost(b, grid))
    signs = np.sign(diff)
    changed = signs != signs[0]
    has = changed.any(axis=0)
    first = np.argmax(changed, axis=0)
    cols = np.arange(size)
    lo = np.where(has, grid[np.maximum(first - 1, 0), cols], lo_v)
    up = np.where(has, grid[first, cols], lo_v)
    sign_lo = signs[0]
    for _ in range(BISECTIONS):
        mid = np.sqrt(lo * up)
        same = np.sign(monthly_cost(a, mid) - monthly_cost(b, mid)) == sign_lo
        lo = np.where(same, mid, lo)
        up = np.where(same, up, mid)
    return np.where(has, up, np.nan)


def _sample_size(*options: Option) -> int:
    """Number of Monte Carlo samples carried by the options (1 for point values)."""
    sizes = [np.size(monthly_cost(o, 1.0)) for o in options]
    return max(sizes)


def breakeven_calls(*, upfront: Num, saving_per_call: Num) -> Num:
    """Calls needed for a per-call saving to repay an upfront cost (article 003: $5,000 / $0.0015).

    NaN where the saving is zero or negative: the upfront is never repaid.
    """
    saving = np.asarray(saving_per_call, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        calls = np.where(saving > 0, np.asarray(upfront) / saving, np.nan)
    return calls if calls.ndim else float(calls)


def payback_months(
    candidate: Option,
    baseline: Option,
    volume: Num,
    *,
    growth: Num = 0.0,
    max_months: int = 600,
) -> Num:
    """Months until `candidate`'s cumulative cost drops to `baseline`'s (article 004's payback).

    Read off the two cumulative curves with linear interpolation inside the month of the crossing;
    0 when the candidate is never more expensive, NaN when it never pays back within `max_months`.
    With constant volume and no retraining this equals upfront difference / monthly saving.
    """
    curve_c = _curve_from_zero(candidate, volume, growth, max_months)
    curve_b = _curve_from_zero(baseline, volume, growth, max_months)
    gap = np.asarray(curve_c - curve_b, dtype=np.float64)  # > 0 while the candidate is behind
    paid = gap <= 0
    first = np.argmax(paid, axis=0)
    ever = paid.any(axis=0)
    cols = np.indices(first.shape)
    prev_gap = gap[(np.maximum(first - 1, 0), *cols)]
    this_gap = gap[(first, *cols)]
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(first > 0, prev_gap / (prev_gap - this_gap), 0.0)
    months = np.where(ever, np.maximum(first - 1, 0) + fraction, np.nan)
    months = np.where(first == 0, 0.0, months)
    months = np.where(ever, months, np.nan)
    return months if np.ndim(months) else float(months)


def _curve_from_zero(option: Option, volume: Num, growth: Num, months: int) -> NDArray[np.float64]:
    """Cumulative cost at month 0 (upfront only) and at the end of each following month."""
    start = option.upfront() + 0.0 * np.asarray(volume, dtype=np.float64)
    curve = cumulative_cost(option, volume, growth=growth, horizon=months)
    return np.concatenate([np.asarray(start)[None, ...] * np.ones_like(curve[:1]), curve], axis=0)
