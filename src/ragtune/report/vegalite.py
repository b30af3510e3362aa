"""Shared pieces of the report's Vega-Lite specs: palette, legend-bound hiding, titles, config.

Every chart in `charts.py`, `charts_more.py` and the learning-curve section is built with these,
so legends, tooltips and fonts behave the same in each; Vega-Lite itself does the scales, ticks,
legends and label placement that the hand-written SVG layer used to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

from ragtune.report import fmt as f
from ragtune.report.model import IntervalDoc

Spec = dict[str, Any]
WIDTH, HEIGHT = 620, 300
# Okabe-Ito, then darker shades: colour-blind safe, and 14 distinct entries before repeating.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#004D80",
    "#996A00",
    "#006B4F",
    "#8F3F00",
    "#88507A",
    "#3A7A9E",
]


def floats(values: Any) -> list[float | None]:
    """Each value as a float, or None where it is missing or not finite (JSON has no NaN)."""
    return [float(v) if f.ok(v) else None for v in (values or [])]


def hiding(field: str) -> alt.Parameter:
    """A legend-bound selection of hidden series: each click on an entry toggles it."""
    return alt.selection_point(
        name=f"hide_{field}", fields=[field], bind="legend", toggle="true", empty=False
    )


def shown(param: alt.Parameter, visible: float = 1.0) -> Any:
    """Opacity: 0 for the series the legend has hidden, `visible` otherwise."""
    return alt.when(param).then(alt.value(0.0)).otherwise(alt.value(visible))


def color(
    field: str, title: str, domain: Sequence[str], legend: dict[str, Any] | None = None
) -> Any:
    """Colour by `field` over a fixed domain (the document's order), legend below the plot."""
    opts = {"orient": "bottom", "columns": 2, "labelLimit": 340, "symbolOpacity": 1}
    return alt.Color(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=list(domain), range=PALETTE[: max(1, len(domain))]),
        legend=alt.Legend(**(opts | (legend or {}))),  # type: ignore[arg-type]
        sort=list(domain),
    )


class Datasets:
    """The named data sets of one spec. Layers refer to them by name, so Altair never copies the
    rows into each layer (inline rows were deep-copied a dozen times: 1.5 s for a cost chart)."""

    def __init__(self) -> None:
        self.values: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, name: str, rows: list[dict[str, Any]]) -> alt.NamedData:
        self.values[name] = rows
        return alt.NamedData(name=name)


def finish(chart: Any, title: str, data: Datasets) -> Spec:
    """The spec as a dict, titled, with its data sets and the house font sizes."""
    spec: Spec = chart.properties(title=alt.Title(title, anchor="start", fontSize=13)).to_dict(
        validate=False
    )
    spec.pop("$schema", None)  # a URL in the file; the page's bundle fixes the version
    spec |= {"datasets": data.values}
    spec |= {
        "config": {
            "font": "system-ui, sans-serif",
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelOverlap": True},
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
            "view": {"stroke": "#999"},
        }
    }
    return spec


def interval(q: IntervalDoc | None) -> dict[str, Any]:
    """A row's estimate, bounds (None unless both are finite) and the tables' text for them."""
    ok = q is not None and f.ok(q.low) and f.ok(q.high)
    return {
        "estimate": float(q.estimate) if q is not None and f.ok(q.estimate) else None,
        "low": float(q.low) if ok and q is not None else None,
        "high": float(q.high) if ok and q is not None else None,
        "interval_text": f.interval(q),
    }
