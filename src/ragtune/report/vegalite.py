"""Shared pieces of the report's Vega-Lite specs: palette, legend-bound hiding, titles, config.

Every chart in `charts.py`, `charts_more.py` and the learning-curve section is built with these,
so legends, tooltips and fonts behave the same in each; Vega-Lite itself does the scales, ticks,
legends and label placement that the hand-written SVG layer used to.

Specs are plain dicts in Vega-Lite's JSON grammar, not Altair objects: Altair copied and
re-validated every layer (0.3-2 s a report, in every test that renders one), while these take
about a millisecond. Nothing checks them at render time; tests/report/test_charts.py validates
every chart against the Vega-Lite schema that Altair ships, and the browser tests draw them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
_TYPES = {"Q": "quantitative", "N": "nominal", "O": "ordinal"}


def floats(values: Any) -> list[float | None]:
    """Each value as a float, or None where it is missing or not finite (JSON has no NaN)."""
    return [float(v) if f.ok(v) else None for v in (values or [])]


def field(shorthand: str, **props: Any) -> Spec:
    """An encoding channel from "name:Q" (or :N, :O) plus its properties."""
    name, kind = shorthand.rsplit(":", 1)
    return {"field": name, "type": _TYPES[kind], **props}


def tip(shorthand: str, title: str | None = None, **props: Any) -> Spec:
    """A tooltip entry; `title` defaults to the field's name."""
    return field(shorthand, **({"title": title} if title is not None else {}), **props)


def unit(
    mark: str | Spec,
    encoding: Spec,
    data: str | None = None,
    *,
    params: list[Spec] | None = None,
    transform: str | None = None,
) -> Spec:
    """One layer: a mark, its encoding, and optionally a named data set, params and a filter."""
    return {
        "mark": {"type": mark} if isinstance(mark, str) else mark,
        "encoding": encoding,
        **({"data": {"name": data}} if data is not None else {}),
        **({"params": params} if params else {}),
        **({"transform": [{"filter": transform}]} if transform else {}),
    }


def hiding(field_name: str) -> Spec:
    """A legend-bound selection of hidden series: each click on an entry toggles it."""
    return {
        "name": f"hide_{field_name}",
        "select": {"type": "point", "fields": [field_name], "toggle": "true"},
        "bind": "legend",
    }


def shown(hidden: str, visible: float = 1.0, focus: str | None = None) -> Spec:
    """Opacity: 0 for the series the legend has hidden (`hiding(hidden)`), `visible` otherwise;
    with a `focus` selection's name, a faint 0.12 for what is not focused while something is."""
    conditions: list[Spec] = [{"param": f"hide_{hidden}", "empty": False, "value": 0.0}]
    if focus is not None:
        miss = {"not": {"param": focus, "empty": True}}
        conditions.append({"test": miss, "value": round(0.12 * visible, 3)})
    return {"condition": conditions, "value": visible}


def color(
    field_name: str, title: str, domain: Sequence[str], legend: dict[str, Any] | None = None
) -> Spec:
    """Colour by `field_name` over a fixed domain (the document's order), legend below the plot."""
    opts = {"orient": "bottom", "columns": 2, "labelLimit": 340, "symbolOpacity": 1}
    return field(
        f"{field_name}:N",
        title=title,
        scale=scale(domain),
        legend=opts | (legend or {}),
        sort=list(domain),
    )


def scale(domain: Sequence[str]) -> Spec:
    """The palette over a fixed domain, so every chart gives an arm the same colour."""
    return {"domain": list(domain), "range": PALETTE[: max(1, len(domain))]}


class Datasets:
    """The named data sets of one spec. Layers refer to them by name, so rows that several
    layers draw are written into the file once."""

    def __init__(self) -> None:
        self.values: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, name: str, rows: list[dict[str, Any]]) -> str:
        self.values[name] = rows
        return name


def finish(chart: Spec, title: str, data: Datasets) -> Spec:
    """The spec, titled, with its data sets and the house font sizes."""
    return {
        **chart,
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "datasets": data.values,
        "config": {
            "font": "system-ui, sans-serif",
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelOverlap": True},
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
            "view": {"stroke": "#999"},
        },
    }


def interval(q: IntervalDoc | None) -> dict[str, Any]:
    """A row's estimate, bounds (None unless both are finite) and the tables' text for them."""
    ok = q is not None and f.ok(q.low) and f.ok(q.high)
    return {
        "estimate": float(q.estimate) if q is not None and f.ok(q.estimate) else None,
        "low": float(q.low) if ok and q is not None else None,
        "high": float(q.high) if ok and q is not None else None,
        "interval_text": f.interval(q),
    }
