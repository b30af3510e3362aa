"""The report's charts as Vega-Lite specs, built from the document's numbers.

cost       monthly cost vs volume per series (log x), Monte Carlo band, your volume, and the
           break-even volumes as rules with a labelled row each in a strip below the plot
quality    quality vs $ per 1k requests per arm, CI bars, Pareto front filled and joined
latency    per-query latency per arm (ticks) with the document's p50 and p95 marked
freshness  quality on changed facts before / after a knowledge update, with CIs
training   fine-tuning loss curves (train solid, validation dashed)
router     escalation rate vs quality over the router's thresholds, the chosen one filled

Each function returns a spec (a JSON-able dict), or None when the document has nothing to draw
(the page then says so). Every mark has a tooltip with its exact values, formatted by `fmt` as
in the tables, and every legend is bound to a selection: clicking an entry hides its series,
clicking again shows it. Nothing is computed here beyond placing given numbers on axes; the
formatted strings come from `fmt` so the chart and the tables read the same.

`cost_spec` is also the web calculator's chart (`ragtune.web.chart` fills a `CostDoc` from the
cost engine's curves), so the report and the page draw one chart from one function.

Deliberately not here: drawing (vega-embed in the page, see `vega.py`) and layout readability
rules that a human would tune per chart beyond what is below (legends sit outside the plot,
labels that could collide get a row of their own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ragtune.report import fmt as f
from ragtune.report.charts_more import (
    curve_chart,
    freshness_chart,
    latency_chart,
    router_chart,
    training_chart,
)
from ragtune.report.model import CostDoc, ReportDocument
from ragtune.report.vegalite import (
    HEIGHT,
    WIDTH,
    Datasets,
    Spec,
    color,
    field,
    finish,
    floats,
    hiding,
    interval,
    scale,
    shown,
    tip,
    unit,
)

ChartFn = Callable[[ReportDocument], Spec | None]
KINDS = {"measured": [1, 0], "projection": [7, 5], "batch": [2, 3]}  # stroke dash per kind
FLIP_TIP = [
    tip("pair:N", "break-even"),
    tip("volume_text:N", "requests/month"),
    tip("band_text:N", "P10-P90"),
    tip("note:N", "note"),
]


def cost_chart(doc: ReportDocument) -> Spec | None:
    return cost_spec(doc.cost, doc.verdict.volume or doc.cost.volume)


def _cost_rows(cost: CostDoc) -> tuple[list[dict[str, Any]], bool, list[float]]:
    """One row per series and volume with its band, whether the y axis is logarithmic, and
    the volumes that have a row."""
    volumes = floats(cost.volumes)
    series = [s for s in cost.series if s.monthly]
    positive = [y for s in series for vals in (s.monthly, s.low, s.high) for y in floats(vals) if y]
    ylog = bool(positive) and max(positive) / max(min(positive), 1e-12) > 100.0
    rows, kept = [], []
    for s in series:
        n = len(s.monthly)  # a series without a band has empty low and high
        low, high = (floats(b) + [None] * (n - len(b)) for b in (s.low, s.high))
        for v, y, lo, hi in zip(volumes, floats(s.monthly), low, high, strict=False):
            if v is None or v <= 0 or y is None or (ylog and y <= 0):
                continue
            band = lo is not None and hi is not None and (lo > 0 or not ylog)
            kept.append(v)
            rows.append(
                {
                    "series": s.name,
                    "arm": s.arm,
                    "label": s.label,
                    "kind": s.kind,
                    "volume": v,
                    "monthly": y,
                    "low": lo if band else None,
                    "high": hi if band else None,
                    "volume_text": f.count(v),
                    "monthly_text": f.usd(y),
                    "band_text": f"{f.usd(lo)} to {f.usd(hi)}" if band else f.DASH,
                }
            )
    return rows, ylog, kept


def _flips(cost: CostDoc, lo_v: float, hi_v: float) -> tuple[list[dict[str, Any]], list[str]]:
    """The break-evens inside the axis, numbered as in the table, and their rows' labels."""
    flips, order = [], []
    for number, b in enumerate(cost.breakevens, start=1):
        if f.ok(b.volume) and lo_v <= b.volume <= hi_v:
            bounds = f.ok(b.low) and f.ok(b.high)
            order.append(f"{number}. {b.a} = {b.b} at {f.count(b.volume)}/mo")
            flips.append(
                {
                    "flip": order[-1],
                    "volume": float(b.volume),
                    "low": max(b.low, lo_v) if bounds and b.low is not None else None,
                    "high": min(b.high, hi_v) if bounds and b.high is not None else None,
                    "volume_text": f.count(b.volume),
                    "band_text": f.band(b.low, b.high),
                    "pair": f"{b.a} vs {b.b}",
                    "note": b.note or f.DASH,
                }
            )
    return flips, order


def cost_spec(cost: CostDoc, volume: float | None) -> Spec | None:
    """Monthly cost vs volume: a line and band per series, `volume` marked, break-evens below.

    Clicking a legend entry hides that series; clicking a line focuses its arm (the arm's
    measured, projected and batch lines stay, the others fade); a double click clears it.
    """
    data = Datasets()
    rows, ylog, kept = _cost_rows(cost)
    if len([v for v in floats(cost.volumes) if v]) < 2 or not rows:
        return None
    drawn = [s for s in cost.series if s.monthly]
    names = [s.name for s in drawn]
    kinds = [k for k in KINDS if any(s.kind == k for s in drawn)]
    lo_v, hi_v = min(kept), max(kept)
    x_scale = {"type": "log", "domain": [lo_v, hi_v], "nice": False}
    y_scale = {"type": "log" if ylog else "linear", "zero": not ylog}
    hidden = "series"
    hide = hiding(hidden)
    focus = "focus_arm"
    focus_param = {
        "name": focus,
        "select": {"type": "point", "fields": ["arm"], "on": "click", "clear": "dblclick"},
    }
    x = field(
        "volume:Q", title="requests per month (log scale)", scale=x_scale, axis={"format": "~s"}
    )
    legend = {"symbolType": "stroke", "symbolStrokeWidth": 3}
    base = {"x": x, "color": color("series", "series", names, legend)}
    line_enc = base | {
        "y": field("monthly:Q", title="monthly cost ($)", scale=y_scale, axis={"format": "$,~g"}),
        "opacity": shown(hidden, focus=focus),
        "tooltip": [
            tip("label:N", "series"),
            tip("volume_text:N", "requests/month"),
            tip("monthly_text:N", "monthly cost"),
            tip("band_text:N", "P10-P90"),
        ],
    }
    if len(kinds) > 1:  # one kind (the calculator's estimates) needs no dash legend
        line_enc["strokeDash"] = field(
            "kind:N",
            title="kind",
            scale={"domain": kinds, "range": [KINDS[k] for k in kinds]},
            legend={"orient": "bottom", "symbolType": "stroke", "symbolStrokeColor": "#333"},
        )
    rows_ = data("rows", rows)
    layers: list[Spec] = [
        unit(
            {"type": "area", "opacity": 0.14},
            base
            | {
                "y": field("low:Q", scale=y_scale),
                "y2": {"field": "high"},
                "opacity": shown(hidden, 0.14, focus),
            },
            rows_,
            transform="isValid(datum.low) && isValid(datum.high)",
        ),
        unit(
            {"type": "line", "strokeWidth": 2, "point": {"size": 14, "filled": True}},
            line_enc,
            rows_,
            params=[hide, focus_param],
        ),
    ]
    flips, order = _flips(cost, lo_v, hi_v)
    if flips:
        rule = {"type": "rule", "color": "#777", "strokeDash": [2, 2]}
        layers.append(
            unit(rule, {"x": field("volume:Q", scale=x_scale), "tooltip": FLIP_TIP}, "flips")
        )
        data("flips", flips)
    if f.ok(volume) and volume is not None and lo_v <= volume <= hi_v:
        data("mark", [{"volume": float(volume), "text": f"your volume {f.count(volume)}/mo"}])
        you = {"x": field("volume:Q", scale=x_scale)}
        layers += [
            unit({"type": "rule", "color": "#222", "strokeWidth": 1.5}, you, "mark"),
            unit(
                {
                    "type": "text",
                    "align": "left",
                    "baseline": "top",
                    "dx": 4,
                    "y": 4,
                    "fontSize": 11,
                },
                you | {"text": field("text:N")},
                "mark",
            ),
        ]
    main = {"layer": layers, "width": WIDTH, "height": HEIGHT}
    title = "Monthly cost vs requests per month, P10-P90 bands"
    if not flips:
        return finish(main, title, data)
    strip = _flip_strip(order, x_scale)
    both = {"vconcat": [main, strip], "spacing": 16, "resolve": {"scale": {"x": "shared"}}}
    return finish(both, title + ", break-evens below", data)


def _flip_strip(order: list[str], x_scale: Spec) -> Spec:
    """A row per break-even, labelled with its pair and volume: its P10-P90 range and point."""
    y = field("flip:N", sort=order, title=None, axis={"labelLimit": 360, "labelPadding": 6})
    return {
        "data": {"name": "flips"},
        "layer": [
            unit(
                {"type": "rule", "color": "#777", "strokeWidth": 2},
                {
                    "y": y,
                    "tooltip": FLIP_TIP,
                    "x": field(
                        "low:Q",
                        scale=x_scale,
                        title="break-even volume (requests per month)",
                        axis={"format": "~s"},
                    ),
                    "x2": {"field": "high"},
                },
                transform="isValid(datum.low) && isValid(datum.high)",
            ),
            unit(
                {"type": "point", "filled": True, "color": "#000", "size": 50, "shape": "diamond"},
                {"y": y, "tooltip": FLIP_TIP, "x": field("volume:Q", scale=x_scale)},
            ),
        ],
        "width": WIDTH,
        "height": {"step": 18},
        "title": "Break-even volumes (the table's numbers)",
    }


def quality_chart(doc: ReportDocument) -> Spec | None:
    data = Datasets()
    rows, front, names, xs, with_cost = [], [], [], [], []
    for a in doc.arms:
        q = a.quality
        measured = f.ok(a.cost_per_1k)
        cost = a.cost_per_1k if measured else a.projected_per_1k
        if f.ok(cost) and q is not None and f.ok(q.estimate):
            rows.append(
                {
                    "arm": a.arm,
                    "cost": float(cost),
                    "pareto": bool(a.pareto),
                    "basis": "measured cost" if measured else "projected cost",
                    "cost_text": f.usd(cost),
                    **interval(q),
                    "front": "on the Pareto front" if a.pareto else "dominated",
                }
            )
            names.append(a.arm)
            with_cost += [a.arm] if measured else []
            xs.append(float(cost))
            front += [rows[-1]] if a.pareto else []
    if not rows:
        return None
    xlog = min(xs) > 0 and max(xs) / min(xs) > 20.0
    metric = str(doc.verdict.metric or doc.arms[0].metric or "quality")
    hidden = "arm"
    hide = hiding(hidden)
    x = field(
        "cost:Q",
        title="$ per 1,000 requests" + (" (log scale)" if xlog else ""),
        scale={"type": "log" if xlog else "linear", "zero": not xlog},
        axis={"format": "$~g"},
    )
    y = field("estimate:Q", title=metric, scale={"zero": False, "padding": 12})
    tips = [
        tip("arm:N", "arm"),
        tip("interval_text:N", f"{metric} [95% CI]"),
        tip("cost_text:N", "$ per 1k requests"),
        tip("basis:N", "cost"),
        tip("front:N", "Pareto"),
    ]
    base = {"x": x, "color": color("arm", "arm", names)}
    shapes = {"domain": ["measured cost", "projected cost"], "range": ["circle", "diamond"]}
    layers = [
        unit(
            {"type": "rule", "strokeWidth": 2},
            base
            | {
                "y": field("low:Q", title=metric),
                "y2": {"field": "high"},
                "opacity": shown(hidden, 0.8),
            },
            data("rows", rows),
            transform="isValid(datum.low)",
        ),
        unit(
            {"type": "point", "size": 90, "strokeWidth": 2},
            base
            | {
                "y": y,
                "fill": {
                    "condition": {
                        "test": "datum.pareto",
                        **field("arm:N", legend=None, scale=scale(names)),
                    },
                    "value": "#fff",
                },
                # said in the title: a legend entry with no colour reads as empty
                "shape": field("basis:N", title="cost", scale=shapes, legend=None),
                "opacity": shown(hidden),
                "tooltip": tips,
            },
            "rows",
            params=[hide],
        ),
    ]
    if len(front) > 1:
        front_mark = {"type": "line", "color": "#009E73", "strokeDash": [4, 3]}
        order = {"order": field("cost:Q")}
        layers.insert(0, unit(front_mark, {"x": x, "y": y} | order, data("front", front)))
    chart = {"layer": layers, "width": WIDTH, "height": HEIGHT}
    projected = "; diamond: projected cost" if len(names) > len(with_cost) else ""
    title = f"{metric} vs $ per 1,000 requests; filled: on the Pareto front{projected}"
    return finish(chart, title, data)


# Title shown above each chart, the function, and what is missing when it draws nothing.
CHARTS: list[tuple[str, str, ChartFn, str]] = [
    ("cost", "Monthly cost vs volume", cost_chart, "no cost curves in this run"),
    ("quality", "Quality vs cost", quality_chart, "no arm has both a quality and a cost"),
    ("latency", "Latency per query", latency_chart, "no latencies recorded"),
    ("freshness", "Knowledge freshness", freshness_chart, "this run had no knowledge update"),
    ("training", "Fine-tuning loss", training_chart, "no fine-tuning in this run"),
    ("router", "Router escalation vs quality", router_chart, "no router arm in this run"),
]


def chart_specs(doc: ReportDocument) -> dict[str, Spec]:
    """Every chart the document has numbers for, by name (the JSON report's `charts`): the
    names of `CHARTS`, then "learning-curve-ARM" for each tuned arm's learning curve."""
    out = {}
    for name, _, draw, _ in CHARTS:
        spec = draw(doc)
        if spec is not None:
            out[name] = spec
    for curve in doc.learning_curve:
        spec = curve_chart(curve)
        if spec is not None:
            out[f"learning-curve-{curve.arm}"] = spec
    return out
