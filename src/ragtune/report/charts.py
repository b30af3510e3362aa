"""The report's charts as Vega-Lite specs (written with Altair), built from the document's numbers.

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

Deliberately not here: drawing (vega-embed in the page, see `vega.py`) and layout readability
rules that a human would tune per chart beyond what is below (legends sit outside the plot,
labels that could collide get a row of their own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt

from ragtune.report import fmt as f
from ragtune.report.charts_more import freshness_chart, latency_chart, router_chart, training_chart
from ragtune.report.model import ReportDocument
from ragtune.report.vegalite import (
    HEIGHT,
    PALETTE,
    WIDTH,
    Datasets,
    Spec,
    color,
    finish,
    floats,
    hiding,
    interval,
    shown,
)

ChartFn = Callable[[ReportDocument], Spec | None]


def cost_chart(doc: ReportDocument) -> Spec | None:
    data = Datasets()
    cost = doc.cost
    volumes = floats(cost.volumes)
    series = [s for s in cost.series if s.monthly]
    if len([v for v in volumes if v]) < 2 or not series:
        return None
    positive = [y for s in series for vals in (s.monthly, s.low, s.high) for y in floats(vals) if y]
    ylog = bool(positive) and max(positive) / max(min(positive), 1e-12) > 100.0
    rows, kept = [], []
    for s in series:
        for v, y, lo, hi in zip(
            volumes, floats(s.monthly), floats(s.low), floats(s.high), strict=False
        ):
            if v is None or v <= 0 or y is None or (ylog and y <= 0):
                continue
            band = lo is not None and hi is not None and (lo > 0 or not ylog)
            kept.append(v)
            rows.append(
                {
                    "series": s.name,
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
    if not rows:
        return None
    names = [s.name for s in series]
    lo_v, hi_v = min(kept), max(kept)
    x_scale = alt.Scale(type="log", domain=[lo_v, hi_v], nice=False)
    y_scale = alt.Scale(type="log" if ylog else "linear", zero=not ylog)
    hide = hiding("series")
    x = alt.X(
        "volume:Q",
        title="requests per month (log scale)",
        scale=x_scale,
        axis=alt.Axis(format="~s"),
    )
    tip = [
        alt.Tooltip("label:N", title="series"),
        alt.Tooltip("volume_text:N", title="requests/month"),
        alt.Tooltip("monthly_text:N", title="monthly cost"),
        alt.Tooltip("band_text:N", title="P10-P90"),
    ]
    base = alt.Chart(data("rows", rows)).encode(
        x=x,
        color=color("series", "series", names, {"symbolType": "stroke", "symbolStrokeWidth": 3}),
    )
    band = (
        base.mark_area(opacity=0.14)
        .encode(y=alt.Y("low:Q", scale=y_scale), y2="high:Q", opacity=shown(hide, 0.14))
        .transform_filter("isValid(datum.low) && isValid(datum.high)")
    )
    line = (
        base.mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=14, filled=True))
        .encode(
            y=alt.Y(
                "monthly:Q", title="monthly cost ($)", scale=y_scale, axis=alt.Axis(format="$,~g")
            ),
            strokeDash=alt.StrokeDash(
                "kind:N",
                title="kind",
                scale=alt.Scale(
                    domain=["measured", "projection", "batch"], range=[[1, 0], [7, 5], [2, 3]]
                ),
                legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeColor="#333"),
            ),
            opacity=shown(hide),
            tooltip=tip,
        )
        .add_params(hide)
    )
    layers: list[Any] = [band, line]
    flips, order = [], []
    for number, b in enumerate(cost.breakevens, start=1):
        if f.ok(b.volume) and lo_v <= b.volume <= hi_v:
            low, high = b.low, b.high
            bounds = f.ok(low) and f.ok(high)
            order.append(f"{number}. {b.a} = {b.b} at {f.count(b.volume)}/mo")
            flips.append(
                {
                    "flip": order[-1],
                    "volume": float(b.volume),
                    "low": max(low, lo_v) if f.ok(low) and bounds else None,
                    "high": min(high, hi_v) if f.ok(high) and bounds else None,
                    "volume_text": f.count(b.volume),
                    "band_text": f.band(b.low, b.high),
                    "pair": f"{b.a} vs {b.b}",
                    "note": b.note or f.DASH,
                }
            )
    flip_tip = [
        alt.Tooltip("pair:N", title="break-even"),
        alt.Tooltip("volume_text:N", title="requests/month"),
        alt.Tooltip("band_text:N", title="P10-P90"),
        alt.Tooltip("note:N", title="note"),
    ]
    if flips:
        layers.append(
            alt.Chart(data("flips", flips))
            .mark_rule(color="#777", strokeDash=[2, 2])
            .encode(x=alt.X("volume:Q", scale=x_scale), tooltip=flip_tip)
        )
    volume = doc.verdict.volume or cost.volume
    if f.ok(volume) and lo_v <= volume <= hi_v:
        mark = [{"volume": float(volume), "text": f"your volume {f.count(volume)}/mo"}]
        you = alt.Chart(data("mark", mark)).encode(x=alt.X("volume:Q", scale=x_scale))
        layers += [
            you.mark_rule(color="#222", strokeWidth=1.5),
            you.mark_text(align="left", baseline="top", dx=4, y=4, fontSize=11).encode(
                text="text:N"
            ),
        ]
    main = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    if not flips:
        return finish(main, "Monthly cost vs requests per month, P10-P90 bands", data)
    strip_y = alt.Y("flip:N", sort=order, title=None, axis=alt.Axis(labelLimit=360, labelPadding=6))
    strip_base = alt.Chart(data("flips", flips)).encode(y=strip_y, tooltip=flip_tip)
    strip = alt.layer(
        strip_base.mark_rule(color="#777", strokeWidth=2)
        .encode(
            x=alt.X(
                "low:Q",
                scale=x_scale,
                title="break-even volume (requests per month)",
                axis=alt.Axis(format="~s"),
            ),
            x2="high:Q",
        )
        .transform_filter("isValid(datum.low) && isValid(datum.high)"),
        strip_base.mark_point(filled=True, color="#000", size=50, shape="diamond").encode(
            x=alt.X("volume:Q", scale=x_scale)
        ),
    ).properties(width=WIDTH, height=alt.Step(18), title="Break-even volumes (the table's numbers)")
    both = alt.vconcat(main, strip, spacing=16).resolve_scale(x="shared")
    return finish(
        both, "Monthly cost vs requests per month, P10-P90 bands, break-evens below", data
    )


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
            if a.pareto:
                front.append(rows[-1])
    if not rows:
        return None
    xlog = min(xs) > 0 and max(xs) / min(xs) > 20.0
    metric = str(doc.verdict.metric or doc.arms[0].metric or "quality")
    hide = hiding("arm")
    x = alt.X(
        "cost:Q",
        title="$ per 1,000 requests" + (" (log scale)" if xlog else ""),
        scale=alt.Scale(type="log" if xlog else "linear", zero=not xlog),
        axis=alt.Axis(format="$~g"),
    )
    y = alt.Y("estimate:Q", title=metric, scale=alt.Scale(zero=False, padding=12))
    tip = [
        alt.Tooltip("arm:N", title="arm"),
        alt.Tooltip("interval_text:N", title=f"{metric} [95% CI]"),
        alt.Tooltip("cost_text:N", title="$ per 1k requests"),
        alt.Tooltip("basis:N", title="cost"),
        alt.Tooltip("front:N", title="Pareto"),
    ]
    base = alt.Chart(data("rows", rows)).encode(x=x, color=color("arm", "arm", names))
    bars = (
        base.mark_rule(strokeWidth=2)
        .encode(y=alt.Y("low:Q", title=metric), y2="high:Q", opacity=shown(hide, 0.8))
        .transform_filter("isValid(datum.low)")
    )
    points = (
        base.mark_point(size=90, strokeWidth=2)
        .encode(
            y=y,
            fill=alt.when("datum.pareto")
            .then(
                alt.Fill(
                    "arm:N", legend=None, scale=alt.Scale(domain=names, range=PALETTE[: len(names)])
                )
            )
            .otherwise(alt.value("#fff")),
            shape=alt.Shape(
                "basis:N",
                title="cost",
                scale=alt.Scale(
                    domain=["measured cost", "projected cost"], range=["circle", "diamond"]
                ),
                legend=None,  # said in the title: a legend entry with no colour reads as empty
            ),
            opacity=shown(hide),
            tooltip=tip,
        )
        .add_params(hide)
    )
    layers: list[Any] = [bars, points]
    if len(front) > 1:
        layers.insert(
            0,
            alt.Chart(data("front", front))
            .mark_line(color="#009E73", strokeDash=[4, 3])
            .encode(x=x, y=y, order="cost:Q"),
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
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
    """Every chart the document has numbers for, by name (the JSON report's `charts`)."""
    out = {}
    for name, _, draw, _ in CHARTS:
        spec = draw(doc)
        if spec is not None:
            out[name] = spec
    return out
