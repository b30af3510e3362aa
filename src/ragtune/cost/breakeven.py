"""Where two options cost the same: break-even volume, break-even call count, payback months.

Two bases: the run-rate crossing (monthly cost, upfront left out) and the horizon crossing (TCO
over the horizon, upfront and retraining included); an upfront cost can reverse the first, so
both are reported. Linear options (API usage plus flat monthly items) cross at a closed-form
volume. Options with GPU serving step up in cost as GPUs are added, so they may cross several
times or jump over each other without an exact root: both point values and Monte Carlo samples
are solved exactly, one GPU-count segment at a time (`segments.py`). Only costs that curve
smoothly with volume (a TTL-modelled cache hit rate) are solved on a grid. "Never" is `None`
(or NaN for samples).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ragtune.cost.formulas import Num
from ragtune.cost.model import Option, cumulative_cost, is_linear, monthly_cost, tco, total_volume
from ragtune.cost.segments import (
    MAX_SEGMENTS,
    TIE,
    crossings,
    first_crossings,
    horizon_shape,
    piecewise,
    sign,
)

log = logging.getLogger(__name__)

# Log-spaced volumes searched for sign changes, each bracket then bisected to full precision.
# Only for costs that curve smoothly with volume (a TTL-modelled hit rate): stepped GPU costs
# are walked segment by segment (`segments.py`), which no grid can match on narrow windows.
GRID_POINTS = 4096
HORIZON_GRID_POINTS = 1024  # each point walks every month of the horizon
SAMPLE_GRID_POINTS = 256
BISECTIONS = 40  # from a grid step of at most 11%, 40 halvings leave < 1e-12 relative error
VOLUME_RANGE = (1.0, 1e12)  # requests per month searched for a crossing


@dataclass(frozen=True)
class Crossing:
    """The volumes (requests/month) at which the cheaper of `a` and `b` changes.

    `basis` says what is compared: "run-rate" (monthly cost, upfront left out) or "horizon"
    (TCO over `horizon` months: upfront, run-rate and retraining). `cheaper_below` is the
    cheaper option below the first volume and `cheaper_after[i]` the cheaper one just above
    `volumes[i]`; None in either means the two are equal there (to a millionth of a dollar).
    """

    a: str
    b: str
    volumes: tuple[float, ...]
    cheaper_below: str | None  # cheaper option below the first crossing; None when tied
    method: str  # "closed-form", "segments" (exact GPU-step walk) or "numeric" (grid)
    basis: str = "run-rate"
    horizon: int | None = None  # months, for the "horizon" basis
    cheaper_after: tuple[str | None, ...] = ()  # one per volume

    @property
    def first(self) -> float | None:
        return self.volumes[0] if self.volumes else None


def _slope_intercept(option: Option) -> tuple[float, float]:
    """Per-request cost and flat monthly cost of a linear option (no differencing: exact)."""
    return float(option.request_cost()), float(monthly_cost(option, 0.0))


def breakeven_volume(a: Option, b: Option, *, hi: float = VOLUME_RANGE[1]) -> Crossing:
    """Every volume in (0, hi] where the cheaper of `a` and `b` per month changes (run-rate).

    Upfront costs are left out: see `horizon_breakeven` for the volume at which paying them
    back within a horizon changes the answer.
    """
    if is_linear(a) and is_linear(b):
        slope_a, fixed_a = _slope_intercept(a)
        slope_b, fixed_b = _slope_intercept(b)
        return _linear_crossing(a.name, b.name, fixed_a - fixed_b, slope_a - slope_b, hi)
    shape_a, shape_b = piecewise(a, 1), piecewise(b, 1)
    if shape_a is not None and shape_b is not None:
        return _walked(a.name, b.name, *crossings(shape_a, shape_b, lo=VOLUME_RANGE[0], hi=hi))

    def diff(volume: NDArray) -> NDArray:
        return np.asarray(monthly_cost(a, volume) - monthly_cost(b, volume), dtype=np.float64)

    return _numeric_crossing(a.name, b.name, diff, hi)


def horizon_breakeven(
    a: Option, b: Option, *, horizon: int, growth: float = 0.0, hi: float = VOLUME_RANGE[1]
) -> Crossing:
    """Every starting volume in (0, hi] where the cheaper TCO over `horizon` months changes.

    TCO counts upfront, run-rate and retraining, so a cheaper-per-request option with an upfront
    cost wins only above this volume. Article 003's sonnet pair: $5,000 upfront and a $0.0015
    saving per request cross at 5,000 / (36 x 0.0015) = 92,593 requests/month over 36 months.
    Linear options: TCO = upfront + flat x H + per-request x total volume, solved in closed form;
    GPU-stepped ones by the same segment walk as the run-rate, over every month's steps.
    """
    if is_linear(a) and is_linear(b):
        months = float(total_volume(1.0, growth, horizon))
        slope_a, fixed_a = _slope_intercept(a)
        slope_b, fixed_b = _slope_intercept(b)
        fixed = (fixed_a - fixed_b) * horizon + float(a.upfront()) - float(b.upfront())
        found = _linear_crossing(a.name, b.name, fixed, (slope_a - slope_b) * months, hi)
        return replace(found, basis="horizon", horizon=horizon)
    shape_a, shape_b = piecewise(a, 1), piecewise(b, 1)
    if shape_a is not None and shape_b is not None:
        over_a, over_b = (
            horizon_shape(
                shape,
                horizon=horizon,
                growth=growth,
                upfront=np.asarray([float(option.upfront())]),
            )
            for shape, option in ((shape_a, a), (shape_b, b))
        )
        found = _walked(a.name, b.name, *crossings(over_a, over_b, lo=VOLUME_RANGE[0], hi=hi))
        return replace(found, basis="horizon", horizon=horizon)

    def diff(volume: NDArray) -> NDArray:
        gap = tco(a, volume, growth=growth, horizon=horizon)
        return np.asarray(gap - tco(b, volume, growth=growth, horizon=horizon), dtype=np.float64)

    found = _numeric_crossing(a.name, b.name, diff, hi, points=HORIZON_GRID_POINTS)
    return replace(found, basis="horizon", horizon=horizon)


def _cheaper(a: str, b: str, sign_of_a_minus_b: float) -> str | None:
    return None if sign_of_a_minus_b == 0 else (a if sign_of_a_minus_b < 0 else b)


def _walked(a: str, b: str, start: int, found: list[tuple[float, int]]) -> Crossing:
    return Crossing(
        a,
        b,
        tuple(v for v, _ in found),
        _cheaper(a, b, start),
        "segments",
        cheaper_after=tuple(_cheaper(a, b, s) for _, s in found),
    )


def _linear_crossing(a: str, b: str, fixed_diff: float, slope_diff: float, hi: float) -> Crossing:
    """Where fixed_diff + slope_diff x V (a minus b) changes sign, in closed form. Fixed costs
    within `TIE` of each other are equal: two $0.01 fees a float's last digit apart do not make
    a crossing at 1e-12 requests a month."""
    if abs(fixed_diff) <= TIE:
        fixed_diff = 0.0
    key = fixed_diff if fixed_diff != 0 else slope_diff
    below = _cheaper(a, b, np.sign(key))
    if slope_diff == 0:
        return Crossing(a, b, (), below, "closed-form")
    volume = -fixed_diff / slope_diff
    if not 0.0 < volume <= hi:
        return Crossing(a, b, (), below, "closed-form")
    return Crossing(
        a, b, (volume,), below, "closed-form", cheaper_after=(_cheaper(a, b, slope_diff),)
    )


def _numeric_crossing(
    a: str,
    b: str,
    diff: Callable[[NDArray], NDArray],
    hi: float,
    *,
    points: int = GRID_POINTS,
) -> Crossing:
    """Sign changes of `diff` (a minus b) on a log grid, each bisected to full precision."""
    grid = np.geomspace(VOLUME_RANGE[0], hi, points)
    signs = sign(diff(grid))
    changes = np.nonzero(signs[1:] != signs[:-1])[0]
    lo, up = grid[changes], grid[changes + 1]
    sign_lo = sign(diff(lo))
    # halvings until a bracket is 1e-9 wide relative to its volume (a request in a billion)
    halvings = int(np.ceil(np.log2(np.log(grid[1] / grid[0]) / 1e-9))) if changes.size else 0
    for _ in range(halvings):
        mid = np.sqrt(lo * up)
        same = sign(diff(mid)) == sign_lo
        lo, up = np.where(same, mid, lo), np.where(same, up, mid)
    after = signs[changes + 1]
    return Crossing(
        a,
        b,
        tuple(float(v) for v in up),
        _cheaper(a, b, signs[0]),
        "numeric",
        cheaper_after=tuple(_cheaper(a, b, s) for s in after),
    )


def breakeven_volume_samples(a: Option, b: Option, *, hi: float = VOLUME_RANGE[1]) -> NDArray:
    """First crossing volume per Monte Carlo sample (NaN where the options never cross).

    Linear pairs cross at a closed-form volume. Pairs with GPU serving are solved exactly, one
    GPU-count segment at a time (`segments.first_crossings`): a sawtooth cost can flip the
    cheaper option inside a window far narrower than any fixed grid. Options whose API cost
    curves with volume (a TTL-modelled cache hit rate) fall back to a fine grid with bisection.
    """
    if is_linear(a) and is_linear(b):
        slope = np.asarray(a.request_cost() - b.request_cost(), dtype=np.float64)
        flat = np.asarray(monthly_cost(b, 0.0) - monthly_cost(a, 0.0), dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            volume = flat / slope
        return np.asarray(np.where((slope != 0) & (volume > 0) & (volume <= hi), volume, np.nan))
    size = _sample_size(a, b)
    shape_a, shape_b = piecewise(a, size), piecewise(b, size)
    if shape_a is None or shape_b is None:
        return _first_crossing_grid(a, b, size, hi)
    found, unresolved = first_crossings(shape_a, shape_b, size, lo=VOLUME_RANGE[0], hi=hi)
    if unresolved.any():  # a near-tie in per-request cost: finish those samples on the grid
        log.debug("%d samples need more than %d segments", int(unresolved.sum()), MAX_SEGMENTS)
        found = np.where(unresolved, _first_crossing_grid(a, b, size, hi), found)
    return found


def _first_crossing_grid(a: Option, b: Option, size: int, hi: float) -> NDArray:
    """First sign change of a(V) - b(V) on a log grid, bisected; for smooth non-linear costs."""
    lo_v = np.full(size, VOLUME_RANGE[0])
    grid = np.geomspace(VOLUME_RANGE[0], hi, SAMPLE_GRID_POINTS)[:, None] * np.ones(size)
    diff = np.asarray(monthly_cost(a, grid) - monthly_cost(b, grid))
    signs = sign(diff)
    # a tie at one grid point with the start's sign right after it is a touch, not a change
    touch = (signs == 0) & (np.vstack([signs[1:], signs[:1]]) == signs[0])  # last: at `hi`
    changed = (signs != signs[0]) & ~touch
    has = changed.any(axis=0)
    first = np.argmax(changed, axis=0)
    cols = np.arange(size)
    lo = np.where(has, grid[np.maximum(first - 1, 0), cols], lo_v)
    up = np.where(has, grid[first, cols], lo_v)
    sign_lo = signs[0]
    for _ in range(BISECTIONS):
        mid = np.sqrt(lo * up)
        same = sign(monthly_cost(a, mid) - monthly_cost(b, mid)) == sign_lo
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
