"""The report's latency, freshness, training, router and learning-curve charts as Vega-Lite specs.

Split from `charts.py` only to keep modules short; the same rules hold (see its docstring): the
numbers are the document's, tooltips give them exactly, and clicking a legend entry hides its
series.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from ragtune.report import fmt as f
from ragtune.report.learning_curve import LearningCurveDoc, interval_text
from ragtune.report.model import ReportDocument
from ragtune.report.vegalite import (
    HEIGHT,
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

LATENCY_POINTS = 300  # per arm: evenly spaced order statistics beyond this (file size)


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
    hide = hiding("arm")
    x = alt.X(
        "seconds:Q",
        title="seconds per query" + (" (log scale)" if xlog else ""),
        scale=alt.Scale(type="log" if xlog else "linear", zero=not xlog),
    )
    y = alt.Y("lane:N", title=None, sort=[lanes[k] for k in names], axis=alt.Axis(labelLimit=300))
    points = (
        alt.Chart(data("rows", rows))
        .mark_tick(thickness=1.5, size=22)
        .encode(
            x=x,
            y=y,
            color=color("arm", "arm", names),
            opacity=shown(hide, 0.45),
            tooltip=[alt.Tooltip("arm:N"), alt.Tooltip("text:N", title="seconds")],
        )
        .add_params(hide)
    )
    layers: list[Any] = [points]
    if marks:
        layers.append(
            alt.Chart(data("marks", marks))
            .mark_tick(thickness=3, size=34, color="#000")
            .encode(
                x=x,
                y=y,
                opacity=shown(hide),
                tooltip=[
                    alt.Tooltip("arm:N"),
                    alt.Tooltip("which:N", title="percentile"),
                    alt.Tooltip("text:N", title="seconds"),
                ],
            )
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=alt.Step(46))
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
    hide = hiding("phase")
    base = alt.Chart(data("rows", rows)).encode(
        x=alt.X("group:N", title=None, sort=groups, axis=alt.Axis(labelAngle=0, labelLimit=200)),
        xOffset=alt.XOffset("phase:N", sort=["before the update", "after"]),
    )
    tip = [
        alt.Tooltip("arm:N"),
        alt.Tooltip("phase:N"),
        alt.Tooltip("interval_text:N", title="quality [95% CI]"),
        alt.Tooltip("n:Q", title="changed facts"),
    ]
    bars = base.mark_bar().encode(
        y=alt.Y("estimate:Q", title="quality on changed facts", scale=alt.Scale(zero=True)),
        color=alt.Color(
            "phase:N",
            title=None,
            scale=alt.Scale(domain=["before the update", "after"], range=["#999999", "#0072B2"]),
            legend=alt.Legend(orient="bottom"),
        ),
        opacity=shown(hide),
        tooltip=tip,
    )
    whiskers = (
        base.mark_rule(color="#000", strokeWidth=1.5)
        .encode(y="low:Q", y2="high:Q", opacity=shown(hide), tooltip=tip)
        .transform_filter("isValid(datum.low)")
    )
    chart = alt.layer(bars.add_params(hide), whiskers).properties(width=WIDTH, height=260)
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
    hide = hiding("job")
    chart = (
        alt.Chart(data("rows", rows))
        .mark_line(point=alt.OverlayMarkDef(size=12, filled=True))
        .encode(
            x=alt.X("step:Q", title="training step"),
            y=alt.Y("loss:Q", title="loss", scale=alt.Scale(zero=False)),
            color=color("job", "fine-tune", jobs),
            strokeDash=alt.StrokeDash(
                "split:N",
                title="split",
                scale=alt.Scale(domain=["train", "validation"], range=[[1, 0], [7, 5]]),
                legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeColor="#333"),
            ),
            detail="series:N",
            opacity=shown(hide),
            tooltip=[
                alt.Tooltip("job:N", title="fine-tune"),
                alt.Tooltip("split:N"),
                alt.Tooltip("step:Q", format=",d"),
                alt.Tooltip("text:N", title="loss"),
            ],
        )
        .add_params(hide)
        .properties(width=WIDTH, height=260)
    )
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
    hide = hiding("arm")
    base = alt.Chart(data("rows", rows)).encode(
        x=alt.X(
            "escalation:Q",
            title="share of queries escalated to the strong model",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(zero=True),
        ),
        y=alt.Y("quality:Q", title=metric, scale=alt.Scale(zero=False)),
        color=color("arm", "router", arms),
        opacity=shown(hide),
    )
    line = base.mark_line().encode(order="escalation:Q").add_params(hide)
    points = base.mark_point(filled=True).encode(
        size=alt.Size(
            "chosen:N",
            title=None,
            scale=alt.Scale(domain=["chosen threshold", "other thresholds"], range=[160, 30]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("arm:N", title="router"),
            alt.Tooltip("threshold_text:N", title="threshold"),
            alt.Tooltip("escalation_text:N", title="escalated"),
            alt.Tooltip("quality_text:N", title=metric),
            alt.Tooltip("chosen:N", title=" "),
        ],
    )
    label = (
        base.mark_text(align="left", dx=9, dy=-9, fontSize=11)
        .encode(text="label:N")
        .transform_filter("datum.chosen == 'chosen threshold'")
    )
    chart = alt.layer(line, points, label).properties(width=WIDTH, height=260)
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
    hide = hiding("layer")
    x = alt.X("size:Q", title="training examples (log scale)", scale=alt.Scale(type="log"))
    y = alt.Y("estimate:Q", title="quality", scale=alt.Scale(zero=False))
    col = color("layer", "", layers_, {"columns": 3})
    tip = [
        alt.Tooltip("layer:N", title="what"),
        alt.Tooltip("size_text:N", title="examples"),
        alt.Tooltip("interval_text:N", title="quality [95% CI]"),
    ]
    layers: list[Any] = []
    if band:
        fit = alt.Chart(data("band", band)).encode(x=x, color=col, tooltip=tip)
        layers += [
            fit.mark_area(opacity=0.2).encode(
                y=alt.Y("low:Q"), y2="high:Q", opacity=shown(hide, 0.2)
            ),
            fit.mark_line().encode(y=y, opacity=shown(hide)),
        ]
    if rival:
        layers.append(
            alt.Chart(data("rival", rival))
            .mark_rule(strokeDash=[6, 4], strokeWidth=2)
            .encode(y=y, color=col, opacity=shown(hide), tooltip=tip[:1] + tip[2:])
        )
    points = alt.Chart(data("rows", rows)).encode(x=x, color=col, tooltip=tip)
    layers += [
        points.mark_rule(strokeWidth=2)
        .encode(y=alt.Y("low:Q", title="quality"), y2="high:Q", opacity=shown(hide))
        .transform_filter("isValid(datum.low) && isValid(datum.high)"),
        points.mark_point(filled=True, size=70).encode(y=y, opacity=shown(hide)).add_params(hide),
    ]
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return finish(chart, f"{doc.arm}: quality vs training examples, fitted curve with band", data)
