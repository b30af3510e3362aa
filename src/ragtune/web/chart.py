"""Series for the page's chart: monthly cost against monthly volume, per option, with bands.

`ragtune cost` answers at one volume; the chart needs every option's run-rate over a range of
volumes, the break-even points on it, and Monte Carlo P10-P90 bands at each volume. All of it
comes from the cost engine's `monthly_cost` on options built by `ragtune.scenario`, so the
page only draws numbers and holds no cost logic.

The volume axis is log-spaced around the scenario volume and every break-even volume, and it
contains those exact volumes, so a point on a line at the scenario volume is the same number
as the results table. Bands use an independent, smaller seeded draw (`CHART_SAMPLES`) at fixed
volumes: they show how uncertain the other inputs make the cost at that volume.

`chart_spec` turns these series into the report's cost chart (`ragtune.report.cost_spec`, one
function for both), a Vega-Lite spec that the page draws with the bundled vega-embed.

Deliberately not here: drawing (vega-embed, static/chart.js) and the analysis itself
(`analyse_scenario`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ragtune.cost import VOLUME_RANGE, Analysis, Catalog, Option, monthly_cost
from ragtune.report import Breakeven, CostDoc, cost_spec
from ragtune.report import Series as CostSeries
from ragtune.scenario import Scenario, build_options, point, sampler

CHART_POINTS = 61  # log-spaced volumes; smooth enough for GPU steps at page width
CHART_SAMPLES = 2_000  # per volume; P10/P90 move < 3% between seeds at this size
MAX_MARKERS = 4  # crossings shown per pair; GPU steps can make dozens (the CLI names 4 too)
SPAN = 10.0  # the axis runs from 1/SPAN of the smallest to SPAN x the largest volume of interest


@dataclass(frozen=True)
class Series:
    option: str
    monthly: tuple[float, ...]  # point estimate at each volume
    p10: tuple[float, ...] | None = None  # Monte Carlo band, None when nothing is uncertain
    p90: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Marker:
    """A break-even: where the cheaper of `a` and `b` changes, at `monthly` dollars.

    The first `MAX_MARKERS` crossings of each pair; the first one is the pair's break-even volume.
    """

    a: str
    b: str
    volume: float
    monthly: float


@dataclass(frozen=True)
class Chart:
    volumes: tuple[float, ...]
    volume: float  # the scenario volume, one of `volumes`
    series: tuple[Series, ...]
    markers: tuple[Marker, ...]
    samples: int  # Monte Carlo samples behind each band (0 = no bands)


def volume_axis(volume: float, crossings: list[float], points: int = CHART_POINTS) -> np.ndarray:
    """Log-spaced volumes covering the scenario volume and every crossing, including them."""
    interest = [v for v in [volume, *crossings] if v > 0 and np.isfinite(v)] or [1.0]
    lo = max(min(interest) / SPAN, VOLUME_RANGE[0])
    hi = min(max(max(interest) * SPAN, lo * SPAN), VOLUME_RANGE[1])
    grid = np.geomspace(lo, hi, points)
    extra = [v for v in interest if lo <= v <= hi]
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=np.float64)]))


def build_chart(
    scenario: Scenario,
    catalog: Catalog,
    analysis: Analysis,
    *,
    points: int = CHART_POINTS,
    samples: int = CHART_SAMPLES,
) -> Chart:
    """Every option's monthly cost over a volume axis, break-even markers and P10-P90 bands."""
    options = build_options(scenario, catalog, point)
    crossings = [(p.a, p.b, v) for p in analysis.pairs for v in p.crossing.volumes[:MAX_MARKERS]]
    volumes = volume_axis(analysis.volume, [v for _, _, v in crossings], points)
    n = min(samples, scenario.samples) if scenario.uncertain() and analysis.samples else 0
    sampled = build_options(scenario, catalog, sampler(scenario.seed, n)) if n else None
    series = []
    for name, option in options.items():
        monthly = _curve(option, volumes)
        p10 = p90 = None
        if sampled is not None:
            drawn = np.asarray(monthly_cost(sampled[name], volumes[:, None]), dtype=np.float64)
            low, high = np.percentile(drawn, [10, 90], axis=1)
            p10, p90 = _floats(low), _floats(high)
        series.append(Series(name, _floats(monthly), p10, p90))
    lo, hi = float(volumes[0]), float(volumes[-1])
    markers = tuple(
        Marker(a, b, v, float(monthly_cost(options[a], v)))
        for a, b, v in crossings
        if lo <= v <= hi
    )
    return Chart(_floats(volumes), analysis.volume, tuple(series), markers, n)


def chart_spec(chart: Chart, horizon_months: int) -> dict[str, Any] | None:
    """The chart as the report's cost chart: every option a line (with its P10-P90 band), the
    scenario volume marked, each break-even a labelled rule; None when there is nothing to draw.
    """
    series = [
        CostSeries(
            name=s.option,
            arm=s.option,
            kind="projection",  # every option is priced from the scenario, none measured
            label=s.option,
            monthly=list(s.monthly),
            low=list(s.p10 or ()),
            high=list(s.p90 or ()),
        )
        for s in chart.series
    ]
    breakevens = [Breakeven(a=m.a, b=m.b, volume=m.volume) for m in chart.markers]
    cost = CostDoc(
        volume=chart.volume,
        horizon_months=horizon_months,
        volumes=list(chart.volumes),
        series=series,
        breakevens=breakevens,
    )
    return cost_spec(cost, chart.volume)


def _curve(option: Option, volumes: np.ndarray) -> np.ndarray:
    return np.broadcast_to(
        np.asarray(monthly_cost(option, volumes), dtype=np.float64), volumes.shape
    )


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in np.ravel(values))
