"""The report's learning-curve section: quality vs training examples for each tuned arm measured
at several sizes, its fitted curve, and what labelling the next batch would cost and buy.

One typed section (`LearningCurveDoc`) holds the numbers; the chart (log x, CI bars, the fitted
curve with its band, the best arm that is not tuned as a horizontal line), the Markdown table and
the HTML section all read it, and the JSON report carries it as is. A size the curve never
reaches is `None` in JSON (JSON has no infinity) and "never" on the page.

Deliberately not here: fitting or pricing (`ragtune.evidence.curve_pricing`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from ragtune.evidence import PricedCurve
    from ragtune.stats import Estimate

Escape = Callable[[object], str]


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EstimateDoc(_Doc):
    """A figure and its bootstrap interval; `None` as a bound or value means "never"."""

    estimate: float | None
    low: float | None
    high: float | None


class CurvePointDoc(_Doc):
    size: int
    arm: str
    quality: EstimateDoc
    labelling_usd: float | None  # labelling this many examples, from the workload's costs:
    tuning_usd: float | None  # its fine-tune's measured machine time, self-hosted rate
    tuning_s: float | None


class ProjectionDoc(_Doc):
    size: int
    quality: EstimateDoc
    gain: EstimateDoc | None = None  # over the largest measured size


class NextStepDoc(_Doc):
    size: int
    more_examples: int
    labelling_usd: float | None
    tuning_usd: float | None
    one_off_usd: float | None
    quality: EstimateDoc
    gain_points: EstimateDoc  # quality points (x100)
    monthly_saving: float | None
    payback_months: float | None
    decision: str  # worth | not_worth | uncertain | already_matches | unknown
    reason: str


class LearningCurveDoc(_Doc):
    arm: str
    status: str  # fitted | too_few_points | no_gain | poor_fit
    message: str
    n_items: int
    confidence: float
    points: list[CurvePointDoc]
    asymptote: float | None = None
    scale: float | None = None
    exponent: EstimateDoc | None = None
    projections: list[ProjectionDoc] = []
    band: list[ProjectionDoc] = []
    rival: str | None = None
    rival_quality: EstimateDoc | None = None
    size_for_rival: EstimateDoc | None = None
    volume: float
    margin: float
    horizon_months: int
    next: NextStepDoc | None = None
    statement: str


def _estimate(e: Estimate | None, scale: float = 1.0) -> EstimateDoc | None:
    if e is None:
        return None

    def finite(v: float) -> float | None:
        return None if math.isinf(v) or math.isnan(v) else v * scale

    return EstimateDoc(estimate=finite(e.value), low=finite(e.low), high=finite(e.high))


def _must(e: Estimate, scale: float = 1.0) -> EstimateDoc:
    doc = _estimate(e, scale)
    assert doc is not None
    return doc


def curve_docs(curves: Sequence[PricedCurve]) -> list[LearningCurveDoc]:
    """The section's records, field for field from the priced curves."""
    out = []
    for p in curves:
        c = p.curve
        q = {pt.size: pt.quality for pt in c.points}
        nxt = p.next
        out.append(
            LearningCurveDoc(
                arm=p.arm,
                status=c.status,
                message=c.message,
                n_items=c.n_items,
                confidence=c.confidence,
                points=[
                    CurvePointDoc(
                        size=s.size,
                        arm=s.arm,
                        quality=_must(q[s.size]),
                        labelling_usd=s.labelling_usd,
                        tuning_usd=s.tuning_usd,
                        tuning_s=s.tuning_s,
                    )
                    for s in p.steps
                ],
                asymptote=c.asymptote,
                scale=c.scale,
                exponent=_estimate(c.exponent),
                projections=[
                    ProjectionDoc(size=x.size, quality=_must(x.quality), gain=_estimate(x.gain))
                    for x in c.projections
                ],
                band=[ProjectionDoc(size=x.size, quality=_must(x.quality)) for x in c.band],
                rival=p.rival,
                rival_quality=_estimate(p.rival_quality),
                size_for_rival=_estimate(c.size_for_target),
                volume=p.volume,
                margin=p.margin,
                horizon_months=p.horizon_months,
                next=None
                if nxt is None
                else NextStepDoc(
                    size=nxt.size,
                    more_examples=nxt.more_examples,
                    labelling_usd=nxt.labelling_usd,
                    tuning_usd=nxt.tuning_usd,
                    one_off_usd=nxt.one_off_usd,
                    quality=_must(nxt.quality),
                    gain_points=_must(nxt.gain, 100.0),
                    monthly_saving=nxt.monthly_saving,
                    payback_months=nxt.payback_months,
                    decision=nxt.decision,
                    reason=nxt.reason,
                ),
                statement=p.statement,
            )
        )
    return out


# --- text ---------------------------------------------------------------------------------------


def _num(v: float | None, digits: int = 3) -> str:
    return "never" if v is None else f"{v:.{digits}f}"


def _usd(v: float | None) -> str:
    if v is None:
        return "not counted"
    if abs(v) >= 100:
        return f"${v:,.0f}"
    return f"${v:,.2f}" if abs(v) >= 1 else f"${v:.4f}"  # a short fine-tune costs cents


def _count(v: float | None) -> str:
    return "never" if v is None else f"{v:,.0f}"


def interval_text(e: EstimateDoc | None, digits: int = 3) -> str:
    if e is None:
        return "-"
    return f"{_num(e.estimate, digits)} [{_num(e.low, digits)}, {_num(e.high, digits)}]"


def reach_text(doc: LearningCurveDoc) -> str | None:
    """Where the fitted curve reaches the rival arm's quality, if ever."""
    r = doc.size_for_rival
    if r is None or doc.rival is None or doc.rival_quality is None:
        return None
    target = _num(doc.rival_quality.estimate)
    if r.estimate is None:
        return f"the fitted curve never reaches {doc.rival}'s {target}"
    return (
        f"reaches {doc.rival}'s {target} at about {_count(r.estimate)} examples "
        f"[{_count(r.low)}, {_count(r.high)}]"
    )


def rows(doc: LearningCurveDoc) -> tuple[list[str], list[list[str]]]:
    """The table under the chart: measured sizes, then the projections."""
    head = ["training examples", "arm", "quality [95% CI]", "labelling", "tuning compute"]
    body = [
        [
            f"{p.size:,}",
            p.arm,
            interval_text(p.quality),
            _usd(p.labelling_usd),
            _usd(p.tuning_usd) + (f" ({p.tuning_s:.0f} s)" if p.tuning_s is not None else ""),
        ]
        for p in doc.points
    ]
    for x in doc.projections:
        gain = (
            f" (gain {interval_text(x.gain)})" if x.gain is not None else ""
        )  # over the largest size
        body.append([f"{x.size:,}", "projected", interval_text(x.quality) + gain, "", ""])
    return head, body


def markdown_lines(docs: Sequence[LearningCurveDoc], cell: Escape) -> list[str]:
    if not docs:
        return []
    out = ["## Learning curve", ""]
    for doc in docs:
        out += [f"### {cell(doc.arm)}: quality vs training examples", ""]
        out += [f"**{cell(doc.statement)}**", ""]
        head, body = rows(doc)
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in body]
        out.append("")
        out += [f"- {cell(line)}" for line in _facts(doc)]
        out.append("")
    return out


def _facts(doc: LearningCurveDoc) -> list[str]:
    lines = [f"fit: {doc.message} ({doc.n_items} test items, {doc.confidence:.0%} intervals)"]
    if doc.exponent is not None:
        lines.append(f"exponent {interval_text(doc.exponent)}")
    if doc.rival is not None and doc.rival_quality is not None:
        lines.append(f"best arm that is not tuned: {doc.rival} {interval_text(doc.rival_quality)}")
    reach = reach_text(doc)
    if reach:
        lines.append(reach)
    n = doc.next
    if n is not None:
        ratio = n.size / doc.points[-1].size
        lines.append(
            f"next step to {n.size:,} examples: labelling {_usd(n.labelling_usd)} + tuning "
            f"{_usd(n.tuning_usd)} (the largest size's measured run x {ratio:g})"
            f"; monthly saving {_usd(n.monthly_saving)}; payback "
            f"{'-' if n.payback_months is None else f'{n.payback_months:.1f} months'}"
        )
    return lines


def html_section(
    docs: Sequence[LearningCurveDoc], e: Escape, figure: Callable[[LearningCurveDoc], str | None]
) -> str:
    """The section; `figure(doc)` is the chart's markup (the HTML renderer embeds a spec)."""
    if not docs:
        return ""
    parts = []
    for doc in docs:
        head, body = rows(doc)
        table = (
            "<table class='curve'><thead><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in head)
            + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in body)
            + "</tbody></table>"
        )
        facts = "".join(f"<li>{e(line)}</li>" for line in _facts(doc))
        chart = figure(doc) or f"<p class='missing'>Not drawn: {e(doc.message)}</p>"
        parts.append(
            f"<h3>{e(doc.arm)}</h3><p class='statement'><strong>{e(doc.statement)}</strong></p>"
            f'<figure data-chart="learning-curve">{chart}</figure>{table}<ul>{facts}</ul>'
        )
    return "<section id='learning-curve'><h2>Learning curve</h2>" + "".join(parts) + "</section>"


__all__ = [
    "CurvePointDoc",
    "EstimateDoc",
    "LearningCurveDoc",
    "NextStepDoc",
    "ProjectionDoc",
    "curve_docs",
    "html_section",
    "markdown_lines",
    "reach_text",
]
