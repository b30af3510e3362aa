"""The report's latency, freshness, training, router and learning-curve charts as Vega-Lite specs.

Split from `charts.py` only to keep modules short; the same rules hold (see its docstring): the
numbers are the document's, tooltips give them exactly, and clicking a legend entry hides its
series.
"""

from __future__ import annotations

from typing import Any

from ragtune.report import fmt as f
from ragtune.report.learning_curve import LearningCurveDoc, interval_text
from ragtune.report.model import ReportDocument
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
    shown,
    tip,
    unit,
)

LATENCY_POINTS = 300  # per arm: evenly spaced order statistics beyond this (file size)
STROKE_LEGEND = {"orient": "bottom", "symbolType": "stroke", "symbolStrokeColor": "#333"}


def _thin(values: list[float], most: int = LATENCY_POINTS) -> list[float]:
    """At most `most` points that keep the distribution's shape: evenly spaced order statistics.

    Keeps the file small for runs with thousands of queries; p50 and p95 are the document's.
    """
    if len(values) <= most:
        return values
    ordered = sorted(values)
    return [ordered[round(i * (len(ordered) - 1) / (most - 1))] for i in range(most)]


def latency_chart(doc: ReportDocument) -> Spec | None:
    data = Datasets()
    latency = {k: [v for v in floats(vals) if v is not None] for k, vals in doc.latency.items()}
    latency = {k: _thin(v) for k, v in latency.items() if v}
    if not latency:
        return None
    allv = [v for vals in latency.values() for v in vals]
    positive = [v for v in allv if v > 0]
    xlog = len(positive) == len(allv) and max(allv) / min(allv) > 30.0
    names = list(latency)
    counts = {k: len(v) for k, v in doc.latency.items()}
    lanes = {
        k: f"{k} ({counts[k]:,} queries, {LATENCY_POINTS} shown)"
        if counts[k] > LATENCY_POINTS
        else f"{k} ({counts[k]:,} queries)"
        for k in names
    }
    rows = [
        {"arm": k, "lane": lanes[k], "seconds": v, "text": f.sig(v)}
        for k in names
        for v in latency[k]
    ]
    arms = {a.arm: a for a in doc.arms}
    marks = [
        {"arm": k, "lane": lanes[k], "seconds": float(value), "text": f.sig(value), "which": which}
        for k in names
        if (a := arms.get(k)) is not None
        for which, value in (("p50", a.latency_p50), ("p95", a.latency_p95))
        if f.ok(value) and (value > 0 or not xlog)
    ]
    hidden = "arm"
    hide = hiding(hidden)
    x = field(
        "seconds:Q",
        title="seconds per query" + (" (log scale)" if xlog else ""),
        scale={"type": "log" if xlog else "linear", "zero": not xlog},
    )
    y = field("lane:N", title=None, sort=[lanes[k] for k in names], axis={"labelLimit": 300})
    layers = [
        unit(
            {"type": "tick", "thickness": 1.5, "size": 22},
            {
                "x": x,
                "y": y,
                "color": color("arm", "arm", names),
                "opacity": shown(hidden, 0.45),
                "tooltip": [tip("arm:N"), tip("text:N", "seconds")],
            },
            data("rows", rows),
            params=[hide],
        )
    ]
    if marks:
        layers.append(
            unit(
                {"type": "tick", "thickness": 3, "size": 34, "color": "#000"},
                {
                    "x": x,
                    "y": y,
                    "opacity": shown(hidden),
                    "tooltip": [
                        tip("arm:N"),
                        tip("which:N", "percentile"),
                        tip("text:N", "seconds"),
                    ],
                },
                data("marks", marks),
            )
        )
    chart = {"layer": layers, "width": WIDTH, "height": {"step": 46}}
    return finish(chart, "Request latency per query by arm; black ticks: p50 and p95", data)


def freshness_chart(doc: ReportDocument) -> Spec | None:
    data = Datasets()
    rows, groups = [], []
    for r in doc.freshness:
        for phase, q in (("before the update", r.before), ("after", r.after)):
            if q is not None and f.ok(q.estimate):
                rows.append(
                    {
                        "group": f"{r.arm} ({r.version})",
                        "arm": r.arm,
                        "phase": phase,
                        "n": r.n,
                        **interval(q),
                    }
                )
                groups += [] if f"{r.arm} ({r.version})" in groups else [f"{r.arm} ({r.version})"]
    if not rows:
        return None
    hidden = "phase"
    hide = hiding(hidden)
    phases = ["before the update", "after"]
    base = {
        "x": field("group:N", title=None, sort=groups, axis={"labelAngle": 0, "labelLimit": 200}),
        "xOffset": field("phase:N", sort=phases),
    }
    tips = [
        tip("arm:N"),
        tip("phase:N"),
        tip("interval_text:N", "quality [95% CI]"),
        tip("n:Q", "changed facts"),
    ]
    bars = base | {
        "y": field("estimate:Q", title="quality on changed facts", scale={"zero": True}),
        "color": field(
            "phase:N",
            title=None,
            scale={"domain": phases, "range": ["#999999", "#0072B2"]},
            legend={"orient": "bottom"},
        ),
        "opacity": shown(hidden),
        "tooltip": tips,
    }
    whiskers = base | {
        "y": field("low:Q"),
        "y2": {"field": "high"},
        "opacity": shown(hidden),
        "tooltip": tips,
    }
    layers = [
        unit("bar", bars, params=[hide]),
        unit(
            {"type": "rule", "color": "#000", "strokeWidth": 1.5},
            whiskers,
            transform="isValid(datum.low)",
        ),
    ]
    chart = {"data": {"name": data("rows", rows)}, "layer": layers, "width": WIDTH, "height": 260}
    return finish(chart, "Quality on changed facts before and after the knowledge update", data)


def training_chart(doc: ReportDocument) -> Spec | None:
    data = Datasets()
    rows, jobs = [], []
    for job in doc.training:
        for split, curve in (("train", job.curves.train), ("validation", job.curves.validation)):
            for step, loss in curve:
                if f.ok(step) and f.ok(loss):
                    rows.append(
                        {
                            "job": job.method,
                            "split": split,
                            "series": f"{job.method} {split}",
                            "step": float(step),
                            "loss": float(loss),
                            "text": f.sig(loss),
                        }
                    )
                    jobs += [] if job.method in jobs else [job.method]
    if not rows:
        return None
    hidden = "job"
    hide = hiding(hidden)
    encoding = {
        "x": field("step:Q", title="training step"),
        "y": field("loss:Q", title="loss", scale={"zero": False}),
        "color": color("job", "fine-tune", jobs),
        "strokeDash": field(
            "split:N",
            title="split",
            scale={"domain": ["train", "validation"], "range": [[1, 0], [7, 5]]},
            legend=STROKE_LEGEND,
        ),
        "detail": field("series:N"),
        "opacity": shown(hidden),
        "tooltip": [
            tip("job:N", "fine-tune"),
            tip("split:N"),
            tip("step:Q", format=",d"),
            tip("text:N", "loss"),
        ],
    }
    line = {"type": "line", "point": {"size": 12, "filled": True}}
    chart = unit(line, encoding, data("rows", rows), params=[hide]) | {
        "width": WIDTH,
        "height": 260,
    }
    return finish(chart, "Fine-tuning loss: train (solid) and validation (dashed)", data)


def router_chart(doc: ReportDocument) -> Spec | None:
    data = Datasets()
    rows, arms = [], []
    for r in doc.router:
        for p in r.points:
            if f.ok(p.escalation) and f.ok(p.quality):
                chosen = f.ok(r.threshold) and p.threshold == r.threshold
                rows.append(
                    {
                        "arm": r.arm,
                        "escalation": float(p.escalation),
                        "quality": float(p.quality),
                        "threshold_text": f.num(p.threshold, 3),
                        "escalation_text": f.pct(p.escalation),
                        "quality_text": f.num(p.quality, 3),
                        "chosen": "chosen threshold" if chosen else "other thresholds",
                        "label": f"threshold {f.num(p.threshold, 3)}",
                    }
                )
                arms += [] if r.arm in arms else [r.arm]
    if not rows:
        return None
    metric = str(doc.verdict.metric or "quality")
    hidden = "arm"
    hide = hiding(hidden)
    base = {
        "x": field(
            "escalation:Q",
            title="share of queries escalated to the strong model",
            axis={"format": "%"},
            scale={"zero": True},
        ),
        "y": field("quality:Q", title=metric, scale={"zero": False}),
        "color": color("arm", "router", arms),
        "opacity": shown(hidden),
    }
    sizes = {"domain": ["chosen threshold", "other thresholds"], "range": [160, 30]}
    points = base | {
        "size": field("chosen:N", title=None, scale=sizes, legend={"orient": "bottom"}),
        "tooltip": [
            tip("arm:N", "router"),
            tip("threshold_text:N", "threshold"),
            tip("escalation_text:N", "escalated"),
            tip("quality_text:N", metric),
            tip("chosen:N", " "),
        ],
    }
    layers = [
        unit("line", base | {"order": field("escalation:Q")}, params=[hide]),
        unit({"type": "point", "filled": True}, points),
        unit(
            {"type": "text", "align": "left", "dx": 9, "dy": -9, "fontSize": 11},
            base | {"text": field("label:N")},
            transform="datum.chosen == 'chosen threshold'",
        ),
    ]
    chart = {"data": {"name": data("rows", rows)}, "layer": layers, "width": WIDTH, "height": 260}
    return finish(
        chart, "Router: escalation rate vs quality; large point: the chosen threshold", data
    )


def curve_chart(doc: LearningCurveDoc) -> Spec | None:
    """Quality vs training examples (log x) as a Vega-Lite spec: measured points with CI bars,
    the fitted curve with its band, and the best arm that is not tuned as a horizontal rule."""
    data = Datasets()
    pts = [p for p in doc.points if p.quality.estimate is not None]
    if not pts:
        return None
    measured, fitted = "measured, 95% CI", "fitted curve and band"
    rows = [
        {
            "layer": measured,
            "size": float(p.size),
            "size_text": f"{p.size:,}",
            "estimate": p.quality.estimate,
            "low": p.quality.low,
            "high": p.quality.high,
            "interval_text": interval_text(p.quality),
        }
        for p in pts
    ]
    band = [
        {
            "layer": fitted,
            "size": float(b.size),
            "size_text": f"{b.size:,}",
            "estimate": b.quality.estimate,
            "low": b.quality.low,
            "high": b.quality.high,
            "interval_text": interval_text(b.quality),
        }
        for b in doc.band
        if b.quality.estimate is not None
    ]
    layers_: list[str] = [measured] + ([fitted] if band else [])
    rival = []
    q = doc.rival_quality
    if doc.rival is not None and q is not None and q.estimate is not None:
        name = f"{doc.rival} (best not tuned)"
        layers_.append(name)
        rival = [{"layer": name, "estimate": q.estimate, "interval_text": interval_text(q)}]
    hidden = "layer"
    hide = hiding(hidden)
    x = field("size:Q", title="training examples (log scale)", scale={"type": "log"})
    y = field("estimate:Q", title="quality", scale={"zero": False})
    col = color("layer", "", layers_, {"columns": 3})
    tips = [
        tip("layer:N", "what"),
        tip("size_text:N", "examples"),
        tip("interval_text:N", "quality [95% CI]"),
    ]
    layers: list[Spec] = []
    if band:
        fit = {"x": x, "color": col, "tooltip": tips}
        data("band", band)
        layers += [
            unit(
                {"type": "area", "opacity": 0.2},
                fit | {"y": field("low:Q"), "y2": {"field": "high"}, "opacity": shown(hidden, 0.2)},
                "band",
            ),
            unit("line", fit | {"y": y, "opacity": shown(hidden)}, "band"),
        ]
    if rival:
        layers.append(
            unit(
                {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 2},
                {"y": y, "color": col, "opacity": shown(hidden), "tooltip": tips[:1] + tips[2:]},
                data("rival", rival),
            )
        )
    points: dict[str, Any] = {"x": x, "color": col, "tooltip": tips}
    data("rows", rows)
    layers += [
        unit(
            {"type": "rule", "strokeWidth": 2},
            points
            | {
                "y": field("low:Q", title="quality"),
                "y2": {"field": "high"},
                "opacity": shown(hidden),
            },
            "rows",
            transform="isValid(datum.low) && isValid(datum.high)",
        ),
        unit(
            {"type": "point", "filled": True, "size": 70},
            points | {"y": y, "opacity": shown(hidden)},
            "rows",
            params=[hide],
        ),
    ]
    chart = {"layer": layers, "width": WIDTH, "height": HEIGHT}
    return finish(chart, f"{doc.arm}: quality vs training examples, fitted curve with band", data)
