"""A scenario's answer: cost per option, break-evens and payback per pair, with uncertainty.

Input is two sets of options built from the same scenario: one at point values, one carrying
Monte Carlo sample arrays (or None when nothing is uncertain). Output is plain records that the
CLI prints, `--json` serialises and the web page draws; nothing here formats text.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ragtune.cost.breakeven import (
    Crossing,
    breakeven_volume,
    breakeven_volume_samples,
    horizon_breakeven,
    payback_months,
)
from ragtune.cost.formulas import Num
from ragtune.cost.model import (
    CostItem,
    Option,
    cumulative_cost,
    is_linear,
    monthly_breakdown,
    monthly_cost,
    tco,
)

PERCENTILES = (10, 50, 90)
# Break-even bands of linear pairs are closed-form per sample; pairs with GPU serving walk GPU-count
# segments per sample, so they use a smaller independent draw. P10/P50/P90 move by about 1% (10k)
# and 3% (2k) between seeds at these sizes.
BREAKEVEN_SAMPLES = 10_000
GRID_BREAKEVEN_SAMPLES = 2_000


def breakeven_sample_size(options: dict[str, Option]) -> int:
    """Samples to draw for break-even bands: fewer when any option steps with GPUs."""
    linear = all(is_linear(o) for o in options.values())
    return BREAKEVEN_SAMPLES if linear else GRID_BREAKEVEN_SAMPLES


@dataclass(frozen=True)
class Band:
    """P10 / P50 / P90 of a sampled quantity; `never` is the share of samples with no value.

    A sample with no value (a pair that never crosses) counts as beyond every value, so the
    percentiles are of all samples: with 83% never crossing, P50 and P90 are "never" (infinity)
    rather than the median of the 17% that do.
    """

    p10: float
    p50: float
    p90: float
    never: float = 0.0

    @classmethod
    def of(cls, samples: Num) -> Band:
        values = np.asarray(samples, dtype=np.float64).ravel()
        missing = ~np.isfinite(values)
        never = float(missing.mean()) if values.size else 1.0
        if values.size == 0:
            return cls(math.inf, math.inf, math.inf, never)
        ranked = np.where(missing, np.inf, values)
        with np.errstate(invalid="ignore"):
            found = np.percentile(ranked, PERCENTILES)
        # interpolating towards an infinite neighbour is "never" too (numpy gives inf or nan)
        p10, p50, p90 = (math.inf if not math.isfinite(x) else float(x) for x in found)
        return cls(p10, p50, p90, never)


@dataclass(frozen=True)
class OptionResult:
    name: str
    request_cost: float  # API $ per request at the scenario volume (GPU and flat costs not in it)
    monthly: float  # run-rate $ at the scenario volume (month 1)
    tco: float  # over the horizon, with growth
    upfront: float
    breakdown: tuple[CostItem, ...]
    gpus: float | None = None
    utilisation: float | None = None
    monthly_band: Band | None = None
    tco_band: Band | None = None
    per_request: float = math.nan  # all-in: run-rate monthly / volume (NaN at no volume)


@dataclass(frozen=True)
class PairResult:
    a: str
    b: str
    crossing: Crossing  # run-rate: monthly cost, upfront left out
    horizon_crossing: Crossing  # TCO over the horizon: upfront and retraining included
    payback_months: float | None  # of the option with the larger upfront, vs the other
    payback_option: str | None
    breakeven_band: Band | None = None
    p_a_cheaper: float | None = None  # share of samples where a's TCO is lower


@dataclass(frozen=True)
class Samples:
    """The same options built with Monte Carlo sample arrays, and the sampled volume and growth."""

    options: dict[str, Option]
    volume: NDArray[np.float64]
    growth: Num
    # Break-even bands need a grid solve per sample when GPUs step; a smaller independent draw
    # (see `breakeven_sample_size`) keeps them fast. None = use `options`.
    crossing_options: dict[str, Option] | None = None
    _tco: dict[tuple[str, int], NDArray[np.float64]] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return int(np.size(self.volume))

    def tco(self, name: str, horizon: int) -> NDArray[np.float64]:
        """Sampled TCO of one option, computed once (every pair it is in reuses it)."""
        key = (name, horizon)
        if key not in self._tco:
            total = tco(self.options[name], self.volume, growth=self.growth, horizon=horizon)
            self._tco[key] = np.broadcast_to(np.asarray(total, dtype=np.float64), self.volume.shape)
        return self._tco[key]


@dataclass(frozen=True)
class Analysis:
    volume: float
    growth: float
    horizon: int
    options: tuple[OptionResult, ...]
    pairs: tuple[PairResult, ...]
    samples: int  # Monte Carlo samples (0 when every input is a point value)
    breakeven_samples: int  # samples behind the break-even bands (at most `samples`)
    curves: dict[str, list[float]]  # cumulative cost per month, for charts

    def to_dict(self, **extra: Any) -> dict[str, Any]:
        """JSON-ready form (NaN as null), with `extra` top-level keys such as the scenario name."""
        data: dict[str, Any] = jsonable(dataclasses.asdict(self))
        data.update(extra)
        return data


def analyse(
    options: dict[str, Option],
    *,
    volume: float,
    growth: float,
    horizon: int,
    samples: Samples | None = None,
    pairs: list[tuple[str, str]] | None = None,
) -> Analysis:
    """Cost every option and compare every requested pair (all pairs by default)."""
    results = tuple(_option_result(o, volume, growth, horizon, samples) for o in options.values())
    wanted = pairs or list(combinations(options, 2))
    pair_results = tuple(
        _pair_result(options[a], options[b], volume, growth, horizon, samples) for a, b in wanted
    )
    curves = {
        name: [float(x) for x in cumulative_cost(o, volume, growth=growth, horizon=horizon)]
        for name, o in options.items()
    }
    size = samples.size if samples else 0
    crossing_size = min(size, breakeven_sample_size(options))
    return Analysis(volume, growth, horizon, results, pair_results, size, crossing_size, curves)


def _option_result(
    option: Option, volume: float, growth: float, horizon: int, samples: Samples | None
) -> OptionResult:
    serving = option.serving
    monthly = float(monthly_cost(option, volume))
    monthly_band = tco_band = None
    if samples is not None:
        monthly_band = Band.of(monthly_cost(samples.options[option.name], samples.volume))
        tco_band = Band.of(samples.tco(option.name, horizon))
    return OptionResult(
        name=option.name,
        request_cost=float(option.request_cost(volume)),
        monthly=monthly,
        tco=float(tco(option, volume, growth=growth, horizon=horizon)),
        upfront=float(option.upfront()),
        breakdown=tuple(monthly_breakdown(option, volume)),
        gpus=float(serving.gpus(volume)) if serving else None,
        utilisation=float(serving.utilisation(volume)) if serving else None,
        monthly_band=monthly_band,
        tco_band=tco_band,
        per_request=monthly / volume if volume > 0 else math.nan,
    )


def _pair_result(
    a: Option, b: Option, volume: float, growth: float, horizon: int, samples: Samples | None
) -> PairResult:
    crossing = breakeven_volume(a, b)
    over_horizon = horizon_breakeven(a, b, horizon=horizon, growth=growth)
    investor, other = (a, b) if float(a.upfront()) >= float(b.upfront()) else (b, a)
    payback: float | None = None
    payer: str | None = None
    if float(investor.upfront()) > float(other.upfront()):
        months = float(payback_months(investor, other, volume, growth=growth))
        payback, payer = (None if np.isnan(months) else months), investor.name
    band = p_cheaper = None
    if samples is not None:
        drawn = samples.crossing_options or samples.options
        band = Band.of(breakeven_volume_samples(drawn[a.name], drawn[b.name]))
        p_cheaper = float(np.mean(samples.tco(a.name, horizon) < samples.tco(b.name, horizon)))
    return PairResult(a.name, b.name, crossing, over_horizon, payback, payer, band, p_cheaper)


def jsonable(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become null, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
