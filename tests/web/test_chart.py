"""Chart series (`ragtune.web.chart`) against the cost engine called directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ragtune.cost.catalog import load_catalog
from ragtune.cost.model import monthly_cost
from ragtune.scenario import analyse_scenario, build_options, load_scenario, point
from ragtune.web.chart import CHART_SAMPLES, MAX_MARKERS, build_chart, chart_spec, volume_axis

CATALOG = load_catalog()


def test_volume_axis_contains_the_volumes_of_interest() -> None:
    axis = volume_axis(50_000, [13_682.5, 2e6], points=30)
    assert 50_000 in axis and 13_682.5 in axis and 2e6 in axis
    assert axis[0] == pytest.approx(1_368.25) and axis[-1] == pytest.approx(2e7)
    assert np.all(np.diff(axis) > 0)
    assert volume_axis(0, []).size > 0  # no volume of interest: still a valid axis


@pytest.mark.parametrize("name", ["projects_vs_local", "api_vs_selfhosted"])
def test_series_are_the_engine_monthly_costs(scenarios: Path, name: str) -> None:
    scenario = load_scenario(scenarios / f"{name}.yaml", CATALOG)
    analysis = analyse_scenario(scenario, CATALOG, samples=1000)
    chart = build_chart(scenario, CATALOG, analysis, points=25)
    options = build_options(scenario, CATALOG, point)
    volumes = np.asarray(chart.volumes)
    at = chart.volumes.index(analysis.volume)
    for series, result in zip(chart.series, analysis.options, strict=True):
        expected = np.broadcast_to(monthly_cost(options[series.option], volumes), volumes.shape)
        assert series.monthly == tuple(float(v) for v in expected)
        assert series.monthly[at] == result.monthly
    for marker in chart.markers:
        a, b = options[marker.a], options[marker.b]
        # at a crossing the two costs meet (GPU steps: the cheaper one changes there)
        assert float(monthly_cost(a, marker.volume)) == marker.monthly
        gap = abs(float(monthly_cost(a, marker.volume)) - float(monthly_cost(b, marker.volume)))
        step = max(float(monthly_cost(a, marker.volume * 1.001)), 1.0)
        assert gap <= step
    per_pair = [sum(1 for m in chart.markers if (m.a, m.b) == (p.a, p.b)) for p in analysis.pairs]
    assert all(n <= MAX_MARKERS for n in per_pair)


def test_bands_only_when_uncertain(scenarios: Path) -> None:
    certain = load_scenario(scenarios / "projects_vs_local.yaml", CATALOG)
    chart = build_chart(certain, CATALOG, analyse_scenario(certain, CATALOG))
    assert chart.samples == 0 and all(s.p10 is None for s in chart.series)
    uncertain = load_scenario(scenarios / "rag_vs_finetune_claude.yaml", CATALOG)
    chart = build_chart(uncertain, CATALOG, analyse_scenario(uncertain, CATALOG, samples=500))
    assert chart.samples == min(CHART_SAMPLES, uncertain.samples)
    finetuned = next(s for s in chart.series if s.option == "haiku-finetuned")
    assert finetuned.p10 is not None and finetuned.p90 is not None
    assert all(lo < hi for lo, hi in zip(finetuned.p10, finetuned.p90, strict=True))
    # the premium is uniform on [1.5, 3]: its mean (the point line) lies inside the band
    assert all(
        lo <= m <= hi
        for lo, m, hi in zip(finetuned.p10, finetuned.monthly, finetuned.p90, strict=True)
    )


@pytest.mark.parametrize("name", ["projects_vs_local", "rag_vs_finetune_claude"])
def test_spec_is_the_reports_cost_chart_of_these_series(scenarios: Path, name: str) -> None:
    """`chart_spec`: valid Vega-Lite, one line per option carrying the series' own numbers (and
    its P10-P90 where there is a band), the scenario volume marked, a labelled row per marker;
    every option is a projection, so there is no solid/dashed legend."""
    import jsonschema
    from altair.vegalite.v6.schema import load_schema

    scenario = load_scenario(scenarios / f"{name}.yaml", CATALOG)
    analysis = analyse_scenario(scenario, CATALOG, samples=500)
    chart = build_chart(scenario, CATALOG, analysis, points=15)
    spec = chart_spec(chart, analysis.horizon)
    assert spec is not None
    assert list(jsonschema.Draft7Validator(load_schema()).iter_errors(spec)) == []
    rows = spec["datasets"]["rows"]
    for series in chart.series:
        mine = [r for r in rows if r["series"] == series.option]
        assert [r["volume"] for r in mine] == list(chart.volumes)
        assert [r["monthly"] for r in mine] == list(series.monthly)
        assert [r["low"] for r in mine] == list(series.p10 or [None] * len(mine))
    assert spec["datasets"]["mark"][0]["volume"] == analysis.volume
    flips = spec["datasets"].get("flips", [])
    assert [(f["pair"], f["volume"]) for f in flips] == [
        (f"{m.a} vs {m.b}", m.volume) for m in chart.markers
    ]
    main = spec["vconcat"][0] if flips else spec
    line = next(layer for layer in main["layer"] if layer["mark"]["type"] == "line")
    assert "strokeDash" not in line["encoding"]
