"""The report's six charts as inline SVG, drawn from the report document's numbers.

cost       monthly cost vs volume per series (log x), Monte Carlo band, break-evens, your volume
quality    quality vs $ per 1k requests per arm, CI whiskers, Pareto front highlighted
latency    per-query latency per arm (strip plot) with the document's p50 and p95 marked
freshness  quality on changed facts before / after a knowledge update, with CIs
training   fine-tuning loss curves (train solid, validation dashed)
router     escalation rate vs quality over the router's thresholds

Each function returns the SVG markup, or None when the document has nothing to draw (the page
then says so). Nothing is computed here beyond placing given numbers on axes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from ragtune.report import fmt as f
from ragtune.report.model import IntervalDoc, ReportDocument
from ragtune.report.svg import (
    MARGIN,
    Frame,
    area,
    color,
    domain,
    finite,
    legend,
    polyline,
    svg,
    tag,
    text,
    wants_log,
)

Chart = Callable[[ReportDocument], str | None]


def _floats(values: Any) -> list[float | None]:
    return [float(v) if f.ok(v) else None for v in (values or [])]


def cost_chart(doc: ReportDocument) -> str | None:
    cost = doc.cost
    volumes = _floats(cost.volumes)
    series = [s for s in cost.series if s.monthly]
    if len(volumes) < 2 or not series:
        return None
    ys = [y for s in series for values in (s.monthly, s.low, s.high) for y in _floats(values)]
    ylog = wants_log([y for y in ys if y is not None and y > 0], 100.0)  # zeros are dropped
    frame = Frame.of(
        domain(volumes, log=True), domain(ys, log=ylog, zero=not ylog), xlog=True, ylog=ylog
    )
    out = [frame.axes("requests per month (log scale)", "monthly cost", yprefix="$")]
    entries = []
    where: dict[str, list[tuple[float, float]]] = {}
    for i, s in enumerate(series):
        c = color(i)
        dashed = s.kind == "projection"
        line = _pairs(volumes, s.monthly, ylog)
        where[s.name] = line
        low, high = s.low, s.high
        if low and high:
            upper = [(frame.x(v), frame.y(y)) for v, y in _pairs(volumes, high, ylog)]
            lower = [(frame.x(v), frame.y(y)) for v, y in _pairs(volumes, low, ylog)]
            band = area(upper, lower)
            if band:
                out.append(
                    tag(
                        "path",
                        d=band,
                        fill=c,
                        fill_opacity=0.15,
                        stroke="none",
                        class_="band",
                        data_series=s.name,
                    )
                )
        pts = [(frame.x(v), frame.y(y)) for v, y in line]
        out.append(
            polyline(
                pts,
                c,
                stroke_dasharray="7 5" if dashed else None,
                class_="series",
                data_series=s.name,
                data_kind=s.kind,
            )
        )
        label = s.label or s.name
        tagged = dashed and "projection" not in label
        entries.append((f"{label} (projection)" if tagged else label, c, dashed))
    for number, b in enumerate(cost.breakevens, start=1):
        volume = b.volume
        line = where.get(b.a) or where.get(b.b) or []
        if not f.ok(volume) or not line or not frame.inside_x(float(volume)):
            continue
        y = _at(line, float(volume))
        if y is None or (ylog and y <= 0):
            continue
        px, py = frame.x(float(volume)), frame.y(y)
        out.append(
            tag(
                "circle",
                cx=px,
                cy=py,
                r=6.0,
                fill="#fff",
                stroke="#000",
                stroke_width=2,
                class_="breakeven",
                data_a=b.a,
                data_b=b.b,
            )
        )
        # Numbered like the rows of the break-even table below the charts; crossings often sit
        # close together, so full labels would overlap.
        out.append(text(px + 7, py - 7 - 10 * (number % 2), str(number), class_="label"))
    volume = doc.verdict.volume or cost.volume
    if f.ok(volume):
        out.append(
            frame.vline(float(volume), f"your volume {f.count(volume)}/mo", "#444", "volume")
        )
    out.append(legend(entries, MARGIN[3] + 10, MARGIN[0] + 14))
    return svg("cost", "Monthly cost vs requests per month, with Monte Carlo bands", "".join(out))


def _whisker(frame: Frame, x: float, q: IntervalDoc, stroke: str, width: float) -> str:
    """A confidence interval's vertical line at `x`, from q.low to q.high."""
    y1, y2 = frame.y(q.low), frame.y(q.high)
    return tag(
        "line", x1=x, y1=y1, x2=x, y2=y2, stroke=stroke, stroke_width=width, class_="whisker"
    )


def _pairs(xs: list[float | None], ys: Any, log: bool) -> list[tuple[float, float]]:
    """The (x, y) points where both are finite (and y positive on a log axis)."""
    return [
        (x, y)
        for x, y in zip(xs, _floats(ys), strict=False)
        if x is not None and y is not None and (y > 0 or not log)
    ]


def _at(line: Sequence[tuple[float, float]], volume: float) -> float | None:
    """The line's value at `volume` (straight between points on the log axis), for placing."""
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        if x0 <= volume <= x1 and x0 > 0 and x1 > x0:
            t = (math.log10(volume) - math.log10(x0)) / (math.log10(x1) - math.log10(x0))
            return y0 + t * (y1 - y0)
    return None


def quality_chart(doc: ReportDocument) -> str | None:
    arms = []
    for a in doc.arms:
        q = a.quality
        x = a.cost_per_1k if f.ok(a.cost_per_1k) else a.projected_per_1k
        if f.ok(x) and q is not None and f.ok(q.estimate):
            arms.append((a, float(x), q))
    if not arms:
        return None
    xs = [x for _, x, _ in arms]
    xlog = wants_log(xs, 20.0)
    ys = [v for _, _, q in arms for v in _floats([q.low, q.estimate, q.high])]
    frame = Frame.of(domain(xs, log=xlog, zero=not xlog), domain(ys, log=False), xlog=xlog)
    metric = doc.verdict.metric or arms[0][0].metric or "quality"
    out = [
        frame.axes(
            "$ per 1,000 requests" + (" (log scale)" if xlog else ""), str(metric), xprefix="$"
        )
    ]
    front = sorted((x, float(q.estimate)) for a, x, q in arms if a.pareto)
    if len(front) > 1:
        out.append(
            polyline(
                [(frame.x(x), frame.y(y)) for x, y in front],
                "#009E73",
                stroke_dasharray="4 3",
                class_="pareto-front",
            )
        )
    for i, (a, x, q) in enumerate(arms):
        px, py = frame.x(x), frame.y(q.estimate)
        c = color(i)
        if f.ok(q.low) and f.ok(q.high):
            out.append(_whisker(frame, px, q, c, 2))
        pareto = a.pareto
        out.append(
            tag(
                "circle",
                cx=px,
                cy=py,
                r=7.0 if pareto else 5.0,
                fill=c if pareto else "#fff",
                stroke=c,
                stroke_width=2,
                class_="arm pareto" if pareto else "arm",
                data_arm=a.arm,
            )
        )
        projected = "" if f.ok(a.cost_per_1k) else " (projected cost)"
        right = px > frame.x.start + 0.7 * (frame.x.end - frame.x.start)
        out.append(
            text(
                px + (-9 if right else 9),
                py - 6,
                f"{a.arm}{projected}",
                class_="label",
                text_anchor="end" if right else None,
            )
        )
    out.append(legend([("Pareto front (filled)", "#009E73", True)], MARGIN[3] + 10, MARGIN[0] + 14))
    return svg(
        "quality", f"{metric} vs $ per 1,000 requests, Pareto front highlighted", "".join(out)
    )


def latency_chart(doc: ReportDocument) -> str | None:
    latency = {k: [v for v in _floats(vals) if v is not None] for k, vals in doc.latency.items()}
    latency = {k: _thin(v) for k, v in latency.items() if v}
    if not latency:
        return None
    names = list(latency)
    allv = [v for vals in latency.values() for v in vals]
    xlog = wants_log(allv, 30.0)
    height = max(180, 90 + 64 * len(names))
    frame = Frame.of(
        domain(allv, log=xlog, zero=not xlog), (0.0, float(len(names))), xlog=xlog, height=height
    )
    counts = {k: len(v) for k, v in doc.latency.items()}
    out = [_latency_axes(frame, names, xlog, counts)]
    arms = {a.arm: a for a in doc.arms}
    for i, name in enumerate(names):
        c = color(i)
        mid = frame.y(len(names) - i - 0.5)  # the first arm on top
        for j, v in enumerate(latency[name]):
            if xlog and v <= 0:
                continue
            jitter = ((j * 7919) % 17 - 8) * 1.2  # deterministic spread so points do not overlap
            out.append(
                tag(
                    "circle",
                    cx=frame.x(v),
                    cy=mid + jitter,
                    r=2.5,
                    fill=c,
                    fill_opacity=0.55,
                    class_="point",
                    data_arm=name,
                )
            )
        a = arms.get(name)
        marks = (a.latency_p50, a.latency_p95) if a is not None else (None, None)
        for mark, label in zip(marks, ("p50", "p95"), strict=True):
            if f.ok(mark) and (mark > 0 or not xlog):
                px = frame.x(float(mark))
                out.append(
                    tag(
                        "line",
                        x1=px,
                        y1=mid - 16,
                        x2=px,
                        y2=mid + 16,
                        stroke="#000",
                        stroke_width=2,
                        class_=label,
                    )
                )
                ty = mid - 18 if label == "p50" else mid + 28  # apart when p50 == p95
                out.append(text(px + 3, ty, label, class_="label"))
    title = "Request latency per query by arm, p50 and p95 marked"
    return svg("latency", title, "".join(out), height=height)


def _thin(values: list[float], most: int = 300) -> list[float]:
    """At most `most` points that keep the distribution's shape: evenly spaced order statistics.

    Keeps the file small for runs with thousands of queries; p50 and p95 are the document's.
    """
    if len(values) <= most:
        return values
    ordered = sorted(values)
    return [ordered[round(i * (len(ordered) - 1) / (most - 1))] for i in range(most)]


def _latency_axes(frame: Frame, names: list[str], xlog: bool, counts: dict[str, int]) -> str:
    x0, x1, y0, y1 = frame.x.start, frame.x.end, frame.y.start, frame.y.end
    out = [tag("rect", x=x0, y=y1, width=x1 - x0, height=y0 - y1, fill="#fff", stroke="#999")]
    for t in frame.x.ticks(7):
        px = frame.x(t)
        out.append(tag("line", x1=px, y1=y0, x2=px, y2=y1, stroke="#e3e3e3"))
        out.append(text(px, y0 + 16, f"{t:g}", text_anchor="middle", class_="tick"))
    for i, name in enumerate(names):  # lane titles inside the plot: long arm names fit
        n = counts.get(name, 0)
        shown = f"{name} ({n:,} queries, 300 shown)" if n > 300 else f"{name} ({n:,} queries)"
        out.append(text(x0 + 4, frame.y(len(names) - i) + 12, shown, class_="label lane"))
    title = "seconds per query" + (" (log scale)" if xlog else "")
    out.append(text((x0 + x1) / 2, frame.height - 14, title, text_anchor="middle"))
    return "".join(out)


def freshness_chart(doc: ReportDocument) -> str | None:
    rows = [r for r in doc.freshness if r.before or r.after]
    if not rows:
        return None
    values = [
        v
        for r in rows
        for q in (r.before, r.after)
        if q is not None
        for v in _floats([q.low, q.estimate, q.high])
    ]
    frame = Frame.of((0.0, float(len(rows))), domain([*values, 0.0], log=False, zero=True))
    out = [_bar_axes(frame, [f"{r.arm} ({r.version})" for r in rows])]
    for i, r in enumerate(rows):
        for j, (key, q) in enumerate((("before", r.before), ("after", r.after))):
            if q is None or not f.ok(q.estimate):
                continue
            x = frame.x(i + 0.2 + 0.3 * j)
            w = frame.x(i + 0.48 + 0.3 * j) - x
            top, base = frame.y(q.estimate), frame.y(0.0)
            c = "#999999" if key == "before" else color(0)
            out.append(
                tag(
                    "rect",
                    x=x,
                    y=min(top, base),
                    width=w,
                    height=abs(base - top),
                    fill=c,
                    class_=f"bar {key}",
                    data_arm=r.arm,
                )
            )
            if f.ok(q.low) and f.ok(q.high):
                cx = x + w / 2
                out.append(_whisker(frame, cx, q, "#000", 1.5))
    out.append(
        legend(
            [("before the update", "#999999", False), ("after", color(0), False)],
            frame.x.end - 170,
            MARGIN[0] + 14,
        )
    )
    return svg(
        "freshness", "Quality on changed facts before and after the knowledge update", "".join(out)
    )


def _bar_axes(frame: Frame, labels: list[str]) -> str:
    x0, x1, y0, y1 = frame.x.start, frame.x.end, frame.y.start, frame.y.end
    out = [tag("rect", x=x0, y=y1, width=x1 - x0, height=y0 - y1, fill="#fff", stroke="#999")]
    for t in frame.y.ticks(6):
        py = frame.y(t)
        out.append(tag("line", x1=x0, y1=py, x2=x1, y2=py, stroke="#e3e3e3"))
        out.append(text(x0 - 6, py + 4, f"{t:g}", text_anchor="end", class_="tick"))
    for i, label in enumerate(labels):
        short = label if len(label) <= 24 else label[:23] + "…"
        out.append(text(frame.x(i + 0.5), y0 + 16, short, text_anchor="middle", class_="tick"))
    return "".join(out)


def training_chart(doc: ReportDocument) -> str | None:
    jobs = [j for j in doc.training if j.curves.train or j.curves.validation]
    if not jobs:
        return None
    lines = []
    for i, job in enumerate(jobs):
        for split, curve, dashed in (
            ("train", job.curves.train, False),
            ("validation", job.curves.validation, True),
        ):
            pts = [(float(step), float(loss)) for step, loss in curve if finite(step, loss)]
            if pts:
                lines.append((f"{job.method} {split}", color(i), dashed, pts))
    if not lines:
        return None
    xs = [x for *_, pts in lines for x, _ in pts]
    ys = [y for *_, pts in lines for _, y in pts]
    frame = Frame.of(domain(xs, log=False), domain(ys, log=False))
    out = [frame.axes("training step", "loss")]
    for label, c, dashed, pts in lines:
        out.append(
            polyline(
                [(frame.x(x), frame.y(y)) for x, y in pts],
                c,
                stroke_dasharray="7 5" if dashed else None,
                class_="loss",
                data_split=label,
            )
        )
        if len(pts) == 1:
            out.append(tag("circle", cx=frame.x(pts[0][0]), cy=frame.y(pts[0][1]), r=4.0, fill=c))
    out.append(
        legend(
            [(label, c, dashed) for label, c, dashed, _ in lines], frame.x.end - 200, MARGIN[0] + 14
        )
    )
    return svg("training", "Fine-tuning loss: train and validation", "".join(out))


def router_chart(doc: ReportDocument) -> str | None:
    routers = [r for r in doc.router if r.points]
    if not routers:
        return None
    curves = []
    for r in routers:
        pts = sorted(
            (float(p.escalation), float(p.quality))
            for p in r.points
            if finite(p.escalation, p.quality)
        )
        if pts:
            curves.append((r, pts))
    if not curves:
        return None
    xs = [x for _, pts in curves for x, _ in pts]
    ys = [y for _, pts in curves for _, y in pts]
    frame = Frame.of(domain([*xs, 0.0], log=False, zero=True), domain(ys, log=False))
    metric = doc.verdict.metric or "quality"
    out = [frame.axes("share of queries escalated to the strong model", str(metric))]
    for i, (r, pts) in enumerate(curves):
        c = color(i)
        out.append(
            polyline(
                [(frame.x(x), frame.y(y)) for x, y in pts],
                c,
                class_="router",
                data_arm=r.arm,
            )
        )
        for x, y in pts:
            out.append(tag("circle", cx=frame.x(x), cy=frame.y(y), r=3.0, fill=c))
        rate = r.escalation_rate
        if f.ok(rate):
            label = f"{r.arm}: threshold {f.num(r.threshold)}"
            out.append(frame.vline(float(rate), label, c, "chosen"))
    return svg("router", "Router: escalation rate vs quality", "".join(out))


# Title shown above each chart, the function, and what is missing when it draws nothing.
CHARTS: list[tuple[str, str, Chart, str]] = [
    ("cost", "Monthly cost vs volume", cost_chart, "no cost curves in this run"),
    ("quality", "Quality vs cost", quality_chart, "no arm has both a quality and a cost"),
    ("latency", "Latency per query", latency_chart, "no latencies recorded"),
    ("freshness", "Knowledge freshness", freshness_chart, "this run had no knowledge update"),
    ("training", "Fine-tuning loss", training_chart, "no fine-tuning in this run"),
    ("router", "Router escalation vs quality", router_chart, "no router arm in this run"),
]
