"""`render_markdown(doc)`: the report as Markdown, readable in a terminal and on GitHub.

The same sections and the same number formats as the HTML report (`fmt.py`); each chart is
replaced by the table of the numbers it draws. Cell text is escaped for tables (`|`, newlines)
and for HTML (`<`, `&`), since arm names and configs are user-written.

Deliberately not here: numbers (the advisor computes them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from ragtune.report import fmt as f
from ragtune.report import learning_curve
from ragtune.report import rows as rows_
from ragtune.report.human import human_blocks
from ragtune.report.model import Document, ReportDocument, Series, as_document
from ragtune.report.sequential import HEAD as SEQUENTIAL_HEAD
from ragtune.report.sequential import sequential_lines, sequential_table


def _c(value: Any) -> str:
    text = "" if value is None else str(value)
    return escape(text, quote=False).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_c(h) for h in head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def render_markdown(document: Document, images: Mapping[str, str] | None = None) -> str:
    """The report as Markdown; `images` maps each chart's SVG file name to the relative path
    it is linked by (`svg_files.write_markdown` writes them), shown above the tables."""
    doc = f.with_redacted_config(as_document(document))
    run = doc.run
    out = [f"# {_c(doc.title or 'ragtune report')}", ""]
    out += [f"run `{_c(run.id)}` · task {_c(run.task)} · generated {_c(doc.generated)}", ""]
    out += _verdict(doc) + _sequential(doc) + _arms(doc) + _human(doc) + _images(images or {})
    out += _charts(doc)
    out += _comparisons(doc)
    out += _costs(doc)
    out += learning_curve.markdown_lines(doc.learning_curve, _c)
    out += _sources(doc) + _reproducibility(doc)
    return "\n".join(out).rstrip() + "\n"


def _verdict(doc: ReportDocument) -> list[str]:
    v = doc.verdict
    out = ["## Verdict", ""]
    out += [f"**{_c(v.headline)}**", ""]
    out += [
        f"- Recommended: **{_c(v.recommended or 'none')}**",
        f"- Volume: {f.count(v.volume)} requests/month; horizon "
        f"{_c(v.horizon_months)} months; growth {f.pct(v.growth_per_month)}/month",
        f"- Metric: {_c(v.metric)}; non-inferiority margin {f.num(v.margin, 3)}",
        "- Shown to be as good as the best (CI lower bound above -margin): "
        + (", ".join(_c(a) for a in v.equivalent) or "none"),
        "- Undetermined (the CI contains -margin): "
        + (", ".join(_c(a) for a in v.undetermined) or "none"),
        "",
    ]
    pending = rows_.pending_line(doc)
    out += [f"**{_c(pending)}**", ""] if pending else []
    if v.standings:
        out += ["### Each arm against the best", ""]
        out += _table(rows_.STANDING_HEAD, [rows_.standing_row(s, _c) for s in v.standings])
        out += [f"_Intervals: {_c(v.correction)}._", ""] if v.correction else []
        out += [f"_Selection: {_c(v.selection)}._", ""] if v.selection else []
    if v.reasons:
        out += ["### Why", ""]
        out += [
            f"- [{_c(r.basis)}] {_c(r.text)}" + (f" (source: {_c(r.source)})" if r.source else "")
            for r in v.reasons
        ] + [""]
    if v.flips:
        out += ["### What would change it", ""]
        out += [f"- {_c(x.text)}" for x in v.flips] + [""]
    if v.caveats:
        out += ["### Caveats", ""] + [f"- {_c(c)}" for c in v.caveats] + [""]
    if v.expectations:
        out += ["### What the articles predict", ""]
        out += [
            f"- **{f.holds(c.result, c.holds)}**: {_c(c.claim)} ({_c(c.evidence)}; "
            f"source: {_c(c.source)})"
            for c in v.expectations
        ] + [""]
    return out


def _arms(doc: ReportDocument) -> list[str]:
    out = ["## Arms", ""]
    if not doc.arms:
        return [*out, "_No arms in this run._", ""]
    rows = [rows_.arm_row(a, _c) for a in doc.arms]
    judged = rows_.judge_lines(doc)
    failed = rows_.error_lines(doc)
    tail = [f"- {_c(line)}" for line in failed] + ([""] if failed else [])
    tail += ["### LLM judge", "", *(f"- {_c(line)}" for line in judged), ""] if judged else []
    setup = rows_.setup_lines(doc)
    tail += (
        ["### What was evaluated", "", *(f"- {_c(line)}" for line in setup), ""] if setup else []
    )
    return out + _table(rows_.arm_head(doc), rows) + tail


def _sequential(doc: ReportDocument) -> list[str]:
    lines = sequential_lines(doc.sequential)
    if not lines:
        return []
    out = ["## Until decided", "", *(f"- {_c(line)}" for line in lines), ""]
    rows = [[_c(x) for x in r] for r in sequential_table(doc.sequential)]
    return out + _table(SEQUENTIAL_HEAD, rows)


def _human(doc: ReportDocument) -> list[str]:
    blocks = human_blocks(doc, _c)
    out = ["## Human review", ""] if blocks else []
    for b in blocks:
        out += [f"### {_c(b.title)}", ""]
        out += [*(f"- {_c(line)}" for line in b.lines), ""] if b.lines else []
        out += _table(b.head, b.rows) if b.rows else []
    return out


def _images(images: Mapping[str, str]) -> list[str]:
    if not images:
        return []
    out = ["## Charts", "", "_The numbers of each chart are in the tables below._", ""]
    for name, link in images.items():
        out += [f"![{_c(name.removesuffix('.svg'))} chart]({quote(link)})", ""]
    return out


def _charts(doc: ReportDocument) -> list[str]:
    out: list[str] = []
    cost = doc.cost
    series = cost.series
    if cost.volumes and series:
        out += ["## Monthly cost vs volume (median [5th, 95th percentile])", ""]
        head = ["requests/month"] + [_series_label(s) for s in series]
        rows = []
        for i, v in enumerate(cost.volumes):
            row = [f.count(v)]
            for s in series:
                m, lo, hi = (_get(values, i) for values in (s.monthly, s.low, s.high))
                row.append(f"{f.usd(m)} [{f.usd(lo)}, {f.usd(hi)}]")
            rows.append(row)
        out += _table(head, rows)
    arms = {a.arm: a for a in doc.arms}
    if doc.latency:
        out += [
            "## Request latency per query (seconds, one request alone; batches are priced apart)",
            "",
        ]
        note = rows_.latency_note(doc)
        out += [_c(note), ""] if note else []
        rows = []
        for k, vals in doc.latency.items():
            got = [v for v in vals if f.ok(v)]
            arm = arms.get(k)
            rows.append(
                [
                    _c(k),
                    f.count(len(got)),
                    f.sig(min(got, default=None)),
                    f.sig(arm.latency_p50 if arm else None),
                    f.sig(arm.latency_p95 if arm else None),
                    f.sig(max(got, default=None)),
                ]
            )
        out += _table(["arm", "queries", "min", "p50", "p95", "max"], rows)
    if doc.freshness:
        out += ["## Knowledge freshness (changed facts)", ""]
        rows = [
            [_c(r.arm), _c(r.version), f.count(r.n), f.interval(r.before), f.interval(r.after)]
            for r in doc.freshness
        ]
        out += _table(["arm", "KB version", "n", "before [95% CI]", "after [95% CI]"], rows)
    if doc.training:
        out += ["## Fine-tuning", ""]
        rows = [
            [
                _c(j.method),
                f.count(j.examples),
                f.count(j.tokens),
                f.sig(j.seconds),
                f.usd(j.cost),
                f.sig(j.final_loss),
                _curve(j.curves.train),
                _curve(j.curves.validation),
            ]
            for j in doc.training
        ]
        head = [
            "method",
            "examples",
            "tokens",
            "seconds",
            "cost",
            "final loss",
            "train loss (step: loss)",
            "validation loss",
        ]
        out += _table(head, rows)
        bases = [j for j in doc.training if j.basis]
        out += [f"- {_c(j.method)} cost: {_c(j.basis)}" for j in bases]
        out += [""] if bases else []
    for r in doc.router:
        out += [f"## Router {_c(r.arm)}: escalation vs quality", ""]
        out += [
            f"Chosen threshold {f.num(r.threshold)}, escalation {f.pct(r.escalation_rate)}.",
            "",
        ]
        rows = [[f.num(p.threshold), f.pct(p.escalation), f.num(p.quality, 3)] for p in r.points]
        out += _table(["threshold", "escalated", "quality"], rows)
    return out


def _series_label(series: Series) -> str:
    label = series.label or series.name
    projection = series.kind == "projection" and "projection" not in label
    return f"{label} (projection)" if projection else label


def _get(values: list[float], i: int) -> float | None:
    return values[i] if i < len(values) else None


def _curve(points: list[tuple[int, float]], most: int = 6) -> str:
    """A few (step: loss) pairs spread over the curve."""
    if not points:
        return "-"
    stride = max(1, len(points) // most)
    picked = points[::stride][:most]
    if picked[-1] is not points[-1]:
        picked.append(points[-1])
    return ", ".join(f"{f.count(step)}: {f.sig(loss)}" for step, loss in picked)


def _comparisons(doc: ReportDocument) -> list[str]:
    out = ["## Pairwise significance", ""]
    rows = [rows_.comparison_row(c, _c) for c in doc.comparisons]
    if not rows:
        return [*out, "_Fewer than two finished arms._", ""]
    return out + _table(rows_.COMPARISON_HEAD, rows)


def _costs(doc: ReportDocument) -> list[str]:
    cost = doc.cost
    out = ["## Break-even volumes", ""]
    rows = [rows_.breakeven_row(i, b, _c) for i, b in enumerate(cost.breakevens, 1)]
    out += _table(rows_.BREAKEVEN_HEAD, rows) if rows else ["_No break-even pairs._", ""]
    for series, lines in cost.items.items():
        out += [f"### {_c(series)}: monthly cost at your volume", ""]
        rows = [rows_.item_row(i, _c) for i in lines]
        out += _table(["item", "monthly", "note"], rows)
        once = cost.one_time.get(series) or []
        if once:
            out += [f"One-time for {_c(series)} (in its TCO):", ""]
            out += _table(["item", "once", "note"], [rows_.one_time_row(i, _c) for i in once])
    for arm, missing in cost.not_counted.items():
        out += [f"- Not counted for {_c(arm)}: " + "; ".join(_c(m) for m in missing)]
    out += [""] if cost.not_counted else []
    return out


def _sources(doc: ReportDocument) -> list[str]:
    out = ["## Prices and assumptions", ""]
    prices = [[_c(p.name), _c(p.value), _c(p.source), _c(p.as_of or "-")] for p in doc.prices]
    out += _table(["price", "value", "source", "as of"], prices) if prices else ["_No prices._", ""]
    assumptions = [[_c(a.name), _c(a.value), _c(a.source)] for a in doc.assumptions]
    if assumptions:
        out += _table(["assumption", "value", "source"], assumptions)
    return out


def _reproducibility(doc: ReportDocument) -> list[str]:
    run = doc.run
    out = ["## Reproducibility", ""]
    out += [
        f"- {label}: {_c(value)}"
        for label, value in (
            ("run id", run.id),
            ("name", run.name),
            ("workload", run.workload),
            ("created", run.created),
            ("status", run.status),
            ("seed", run.seed),
        )
    ]
    out += ["- versions: " + ", ".join(f"{_c(k)} {_c(v)}" for k, v in sorted(run.versions.items()))]
    out += [
        "- machine: " + ", ".join(f"{_c(k)} {_c(v)}" for k, v in sorted(run.machine.items())),
        "",
    ]
    config = json.dumps(run.config, indent=2, sort_keys=True, default=str)
    out += ["<details><summary>Resolved workload config</summary>", "", "```json"]
    out += [config.replace("```", "` ` `"), "```", "", "</details>", ""]
    out += [f"Re-render: `ragtune report {_c(run.id)}`", ""]
    return out
