"""Exact crossings of two stepped cost curves, found one GPU-count segment at a time.

An option's monthly cost is piecewise linear in the volume V: a per-request slope, a flat part
and, for every GPU serving reached through it, cost-per-GPU x max(ceil(V / width), min GPUs).
Between two GPU-count changes both options are linear, so each segment is settled in closed
form: a jump at its left end or one root inside. Nothing is sampled on a grid, so a window a
few requests wide between two GPU steps is found as surely as a wide one.

Two walkers share the `Shape` below: `crossings` (every sign change of one pair of point
values, for the printed break-evens) and `first_crossings` (the first change per Monte Carlo
sample, vectorised). The horizon basis is the same walk over a `horizon_shape`: TCO over H
months with growth g is a sum of H monthly curves at volumes V x (1 + g)^m, again piecewise
linear in V, with each month's steps at width / (1 + g)^m.

Deliberately not here: costs that curve smoothly with volume (a TTL-modelled cache hit rate);
`piecewise` returns None for those and `breakeven.py` solves them on a grid.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ragtune.cost.formulas import GPU_ROUNDING, Num
from ragtune.cost.model import Option, monthly_cost

TIE = 1e-6  # dollars a month: closer than this, two costs are equal (float noise, not a saving)
# A sign held on a range no wider than this, relative to its volume, is held at one point: two
# costs that touch where a GPU is added differ only on the sliver `GPU_ROUNDING` leaves between
# the touch and the step (10x it, so float error in the step volume stays inside).
POINT = 10 * GPU_ROUNDING
# Sign changes listed for one pair of point values; the CLI prints four. A pair whose costs
# differ by less than a GPU's price at every volume can change sign at every step.
MAX_CROSSINGS = 64
# Segments walked for one pair of point values before the list is cut short (about a second
# in the worst case; past every minimum GPU count the envelope below skips the rest).
MAX_POINT_SEGMENTS = 200_000
# Segments walked per Monte Carlo sample before giving up on an exact answer (then the grid is
# used). A pair needs more only when its per-request costs agree to within ~1/MAX_SEGMENTS of
# a GPU's cost.
MAX_SEGMENTS = 512


@dataclass(frozen=True)
class Shape:
    """Monthly cost as slope x V + flat + sum of GPU counts x per-GPU cost, per sample.

    `steps` are (monthly $ per GPU, requests/month one GPU adds, min GPUs), one per GPU serving
    reached through the option (a router's part sees its share of the volume).
    """

    slope: NDArray
    flat: NDArray
    steps: tuple[tuple[NDArray, NDArray, NDArray], ...]


def piecewise(option: Option, size: int) -> Shape | None:
    """The option's monthly cost as a `Shape`, or None when its API cost curves with volume."""
    steps = _steps(option, size, 1.0)
    if steps is None:
        return None
    ones = np.ones(size)
    slope = np.asarray(option.request_cost(), dtype=np.float64) * ones
    # at 0 requests every serving runs its minimum GPUs: take them out of the flat part
    at_zero = np.asarray(monthly_cost(option, 0.0), dtype=np.float64) * ones
    flat = at_zero - sum((g * m for g, _, m in steps), np.zeros(size))
    return Shape(slope, flat, tuple(steps))


def _steps(option: Option, size: int, share: Num) -> list[tuple[NDArray, NDArray, NDArray]] | None:
    if option.api is not None and option.api.volume_dependent:
        return None
    ones = np.ones(size)
    steps: list[tuple[NDArray, NDArray, NDArray]] = []
    if option.serving is not None:
        s = option.serving
        per_gpu = np.asarray(s.gpu_hourly * s.hours_per_month, dtype=np.float64) * ones
        with np.errstate(divide="ignore"):
            # `gpus_needed` adds a GPU only past k x (1 + GPU_ROUNDING) widths: step there too
            width = np.asarray(s.requests_per_gpu(), dtype=np.float64) / np.asarray(share)
            width = width / (1.0 - GPU_ROUNDING)
        steps.append((per_gpu, width * ones, np.asarray(s.min_gpus, dtype=np.float64) * ones))
    for part in option.parts:
        inner = _steps(part.option, size, np.asarray(share) * np.asarray(part.share))
        if inner is None:
            return None
        steps.extend(inner)
    return steps


def horizon_shape(shape: Shape, *, horizon: int, growth: float, upfront: NDArray) -> Shape:
    """TCO over `horizon` months as a `Shape` in the starting volume V.

    Month m serves V x (1 + g)^m: its slope scales by (1 + g)^m and its GPU steps come at
    width / (1 + g)^m; the flat part is paid every month and the upfront once.
    """
    factors = (1.0 + growth) ** np.arange(horizon, dtype=np.float64)
    steps = tuple((g, w / f, m) for f in factors for g, w, m in shape.steps)
    return Shape(
        slope=shape.slope * float(factors.sum()),
        flat=shape.flat * horizon + upfront,
        steps=steps,
    )


def sign(diff: Num) -> NDArray:
    return np.where(np.abs(diff) <= TIE, 0.0, np.sign(diff))


def _sign1(diff: float) -> int:
    return 0 if abs(diff) <= TIE else (1 if diff > 0 else -1)


def crossings(a: Shape, b: Shape, *, lo: float, hi: float) -> tuple[int, list[tuple[float, int]]]:
    """Every volume in [lo, hi] where sign(a - b) changes, for one pair of point values.

    Returns the sign at `lo` (-1: a cheaper, 0: equal, 1: b cheaper) and each change as
    (volume, sign just above it). A change at a GPU step is reported at the step's volume: the
    old sign holds up to and including it, as `gpus_needed` adds the GPU just above. Costs that
    only touch (equal at one volume, or apart only on a `POINT`-wide sliver by a step, with the
    same option cheaper on both sides) change nothing.
    """
    slope = float(a.slope[0] - b.slope[0])
    flat = float(a.flat[0] - b.flat[0])
    streams = _merged(
        [(float(g[0]), float(w[0]), float(m[0])) for g, w, m in a.steps]
        + [(-float(g[0]), float(w[0]), float(m[0])) for g, w, m in b.steps]
    )
    gpu_at_lo = sum(c * max(math.ceil(lo / w - 1e-12), m) for c, w, m in streams)
    current = _sign1(slope * lo + flat + gpu_at_lo)
    start = current
    found: list[tuple[float, int]] = []

    def record(volume: float, new: int) -> None:
        if found and found[-1][0] == volume:  # two changes at one volume are one change
            found.pop()
        if found and volume - found[-1][0] <= POINT * volume:
            # the last sign held only on a sliver no wider than the GPU rounding (two costs that
            # touch on a GPU step): no change of its own; the flip, if any, is read at its start
            volume = found.pop()[0]
        before = found[-1][1] if found else start
        if new != before:
            found.append((volume, new))

    alpha, low, high, past = _envelope(slope, flat, streams)
    v = lo
    gpus = _Counts(streams, v)
    for segment in range(MAX_POINT_SEGMENTS):
        level, end = flat + gpus.level, gpus.end()
        right = _sign1(slope * v + level)  # just above v, after any GPU added at v
        if right != current:
            record(v, right)
            current = right
        stop = min(end, hi)
        at_end = _sign1(slope * stop + level)
        if at_end != current:
            root = -level / slope if slope else v
            record(min(max(root, v), stop), at_end)
            current = at_end
        if end >= hi or len(found) >= MAX_CROSSINGS:
            break
        v = end
        if current == 0 or v < past:
            gpus.advance(v, exact=segment % 256 == 255)
            continue
        # Past every minimum, n lies in [V/w, V/w + 1): the difference lies in
        # [alpha V + low, alpha V + high]; where that band excludes zero the sign cannot move.
        jump = v
        if current > 0:
            if alpha >= 0 and alpha * v + low > TIE:
                break
            if alpha < 0:
                jump = max(v, (TIE - low) / alpha * (1 - 1e-12))
        else:
            if alpha <= 0 and alpha * v + high < -TIE:
                break
            if alpha > 0:
                jump = max(v, (-TIE - high) / alpha * (1 - 1e-12))
        if jump >= hi:
            break
        if jump > v:
            v = jump
            gpus = _Counts(streams, v)
        else:
            gpus.advance(v, exact=segment % 256 == 255)
    if found and found[-1][0] >= hi * (1 - POINT):
        found.pop()  # a change only at `hi` itself, with nothing beyond it to compare
    return start, found


class _Counts:
    """Every stream's GPU count just above a volume, and the GPU term of the difference.

    A heap of each stream's next step makes a segment cost O(log streams) rather than a pass
    over all of them (a 240-month horizon with growth has a stream per month and serving).
    The running sum is recomputed exactly now and then so float drift stays far below `TIE`.
    """

    def __init__(self, streams: list[tuple[float, float, float]], v: float) -> None:
        self.streams = streams
        self.n: list[float] = []
        self.heap: list[tuple[float, int]] = []
        for i, (_, w, m) in enumerate(streams):
            n, nxt = _count(v, w, m)
            self.n.append(n)
            if math.isfinite(nxt):
                self.heap.append((nxt, i))
        heapq.heapify(self.heap)
        self.level = self._exact()

    def _exact(self) -> float:
        return math.fsum(c * n for (c, _, _), n in zip(self.streams, self.n, strict=True))

    def end(self) -> float:
        """The next volume at which some stream adds a GPU."""
        return self.heap[0][0] if self.heap else math.inf

    def advance(self, v: float, *, exact: bool = False) -> None:
        """Move to volume v (a step of some stream): update the streams stepping there."""
        while self.heap and self.heap[0][0] <= v:
            _, i = heapq.heappop(self.heap)
            c, w, m = self.streams[i]
            n, nxt = _count(v, w, m)
            self.level += c * (n - self.n[i])
            self.n[i] = n
            heapq.heappush(self.heap, (nxt, i))
        if exact:
            self.level = self._exact()


def _merged(streams: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Steps with the same width and minimum add up; those that cancel (two identical GPU
    options) are dropped, so a pair equal at every volume is not walked step by step."""
    total: dict[tuple[float, float], float] = {}
    for c, w, m in streams:
        total[(w, m)] = total.get((w, m), 0.0) + c
    return [(c, w, m) for (w, m), c in total.items() if abs(c) > TIE]


def _count(v: float, w: float, m: float) -> tuple[float, float]:
    """GPUs just above volume v (one GPU per w requests, at least m) and where that changes."""
    if not math.isfinite(w):  # a share of zero: always the minimum
        return m, math.inf
    k = math.floor(v / w) + 1.0
    if k * w <= v:  # v sits on a step up to float error
        k += 1.0
    n = max(k, m)
    return n, n * w


def _envelope(
    slope: float, flat: float, streams: list[tuple[float, float, float]]
) -> tuple[float, float, float, float]:
    """Bounds of the difference once every stream is past its minimum GPU count."""
    alpha, low, high, past = slope, flat, flat, 0.0
    for c, w, m in streams:
        if math.isfinite(w):
            alpha += c / w
            low += min(c, 0.0)
            high += max(c, 0.0)
            past = max(past, m * w)
        else:
            low += c * m
            high += c * m
    return alpha, low, high, past


def first_crossings(
    a: Shape, b: Shape, size: int, *, lo: float, hi: float
) -> tuple[NDArray, NDArray]:
    """First volume where sign(a - b) leaves its sign at `lo`, exactly, per Monte Carlo sample.

    The vectorised form of `crossings` for the first change only. Returns the volumes (NaN: no
    change up to `hi`) and a mask of samples still unresolved after `MAX_SEGMENTS` segments.
    """
    slope = a.slope - b.slope
    flat = a.flat - b.flat
    steps = [(g, w, m, 1.0) for g, w, m in a.steps] + [(g, w, m, -1.0) for g, w, m in b.steps]

    def counts(v: NDArray) -> tuple[NDArray, NDArray]:
        """GPU term of the difference on (v, end] and where the next GPU count change is."""
        total = np.zeros(size)
        end = np.full(size, np.inf)
        for g, w, m, direction in steps:
            with np.errstate(invalid="ignore", divide="ignore"):
                k = np.where(np.isfinite(w), np.floor(v / w) + 1.0, 0.0)
                k = np.where(np.isfinite(w) & (k * w <= v), k + 1, k)  # v on a step
            n = np.maximum(k, m)
            nxt = np.where(np.isfinite(w), n * w, np.inf)
            total += direction * g * n
            end = np.minimum(end, nxt)
        return total, end

    v = np.full(size, lo)
    with np.errstate(invalid="ignore", divide="ignore"):
        first_gpus = sum(
            (
                d * g * np.maximum(np.where(np.isfinite(w), np.ceil(v / w - 1e-12), 0.0), m)
                for g, w, m, d in steps
            ),
            np.zeros(size),
        )
    sign0 = sign(slope * v + flat + first_gpus)
    result = np.full(size, np.nan)
    active = np.ones(size, dtype=bool)
    alpha = slope.copy()
    low, high, past = flat.copy(), flat.copy(), np.full(size, lo)
    for g, w, m, direction in steps:
        finite = np.isfinite(w)
        term = direction * g
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha += np.where(finite, term / w, 0.0)
            past = np.maximum(past, np.where(finite, m * w, 0.0))
        low += np.where(finite, np.minimum(term, 0.0), term * m)
        high += np.where(finite, np.maximum(term, 0.0), term * m)
    # a change found at a segment's end that may be only a touch (a tie there, or a sign held on
    # a `POINT`-wide sliver before the step): kept pending until the next segment shows the sign
    pending = np.full(size, np.nan)
    for _ in range(MAX_SEGMENTS):
        if not active.any():
            break
        gpus, end = counts(v)
        level = gpus + flat
        right = slope * v + level
        at_end = slope * np.minimum(end, hi) + level
        with np.errstate(divide="ignore", invalid="ignore"):
            root = np.clip(np.where(slope != 0, -level / slope, np.inf), v, end)
        s_right, s_end = sign(right), sign(at_end)
        # a change left pending at the last segment's end is undone if the start sign is back
        waiting = active & np.isfinite(pending)
        undone = waiting & (s_right == sign0) & (v - pending <= POINT * v)
        result = np.where(waiting & ~undone, pending, result)
        active &= ~(waiting & ~undone)
        pending = np.where(waiting, np.nan, pending)
        # a change at the segment's start (a GPU step) is a sliver if the start sign is back
        # within POINT of it, in this segment (at `root`) or at the next one's start
        jump = active & (s_right != sign0)
        back = s_end == sign0
        sliver = jump & back & (root - v <= POINT * v)
        short = jump & ~back & (end - v <= POINT * end)
        at_start = jump & ~sliver & ~short
        # a change inside the segment, at `root`: pending when it may be a touch at its end
        inside = active & ~jump & (s_end != sign0)
        touch = inside & ((s_end == 0) | (end - root <= POINT * end))
        pending = np.where(short, v, np.where(touch, root, pending))
        result = np.where(at_start, v, np.where(inside & ~touch, root, result))
        active &= ~(at_start | (inside & ~touch))
        v = np.where(active, end, v)
        beyond = active & (v >= past) & (sign0 != 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            target = np.where(sign0 > 0, (TIE - low) / alpha, (-TIE - high) / alpha)
        never = beyond & (
            ((sign0 > 0) & (alpha >= 0) & (alpha * v + low > TIE))
            | ((sign0 < 0) & (alpha <= 0) & (alpha * v + high < -TIE))
        )
        active &= ~never
        heading = ((sign0 > 0) & (alpha < 0)) | ((sign0 < 0) & (alpha > 0))
        jump_to = beyond & heading & ~never & np.isfinite(target) & (target * (1 - 1e-12) > v)
        jump_to &= np.isnan(pending)
        v = np.where(jump_to, target * (1 - 1e-12), v)
        active &= v <= hi
    # as in `crossings`: a change only at `hi` itself has nothing beyond it to compare
    return np.where(result < hi * (1 - POINT), result, np.nan), active
