"""`render_html(doc)`: the report as one self-contained HTML file that works offline.

Inline CSS, charts as Vega-Lite specs (see `charts.py`) drawn by the inlined vega-embed bundle
(see `vega.py`), and no URL that is loaded or linked, so the file can be mailed, archived or
opened from disk with no network. Every piece of text from the document is
escaped (arm names and configs are user-written). A section the document has nothing for is
replaced by a one-line note.

Deliberately not here: numbers (the advisor computes them) and serving (see `web/runs.py`).
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from ragtune.report import fmt as f
from ragtune.report import learning_curve, vega
from ragtune.report import rows as rows_
from ragtune.report.charts import CHARTS
from ragtune.report.charts_more import curve_chart
from ragtune.report.human import human_blocks
from ragtune.report.model import Document, Flip, ReportDocument, as_document
from ragtune.report.sequential import HEAD as SEQUENTIAL_HEAD
from ragtune.report.sequential import sequential_lines, sequential_table

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;margin:0;
background:#f6f6f4}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:.2em 0}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
.meta,.note,.muted{color:#666;font-size:.9em}
.verdict{background:#fff;border-left:6px solid #0072B2;padding:12px 20px;border-radius:4px}
.verdict .headline{font-size:1.25em;font-weight:600}
.basis{display:inline-block;font-size:.75em;padding:0 6px;border-radius:8px;background:#e8eef6;
margin-right:6px;text-transform:uppercase}
.basis-assumption{background:#fbeedd}.basis-rule{background:#e6f4ee}
table{border-collapse:collapse;background:#fff;margin:8px 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.unavailable td{color:#888}tr.recommended td:first-child{font-weight:700}
figure{background:#fff;margin:12px 0;padding:8px;border:1px solid #e3e3e3;border-radius:4px}
.scroll{overflow-x:auto}
pre{background:#fff;border:1px solid #ddd;padding:8px;overflow:auto;font-size:.85em}
"""
STYLE += vega.TOOLTIP_STYLE


def render_html(document: Document) -> str:
    doc = f.with_redacted_config(as_document(document))
    run = doc.run
    parts = [
        f"<header><h1>{_e(doc.title or 'ragtune report')}</h1>"
        f"<p class='meta'>run {_e(run.id)} · task {_e(run.task)} · "
        f"generated {_e(doc.generated)}</p></header>",
        _verdict(doc),
        _sequential(doc),
        _arms(doc),
        _human(doc),
        _charts(doc),
        _comparisons(doc),
        _breakevens(doc),
        learning_curve.html_section(doc.learning_curve, _e, _curve_figure),
        _sources(doc),
        _reproducibility(doc),
    ]
    body = "".join(parts)
    scripts = vega.scripts() if "data-vega-spec=" in body else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(doc.title or 'ragtune report')}</title>"
        f"<style>{STYLE}</style></head><body><main>{body}</main>{scripts}</body></html>\n"
    )


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _section(ident: str, title: str, body: str) -> str:
    return f'<section id="{ident}"><h2>{_e(title)}</h2>{body}</section>'


def _missing(text: str) -> str:
    return f'<p class="note missing">{_e(text)}</p>'


def _table(head: list[str], rows: list[list[str]], cls: str = "", row_attrs: Any = None) -> str:
    """`rows` are already-escaped cell markup; numeric-looking cells are right-aligned."""
    out = [
        f'<div class="scroll"><table class="{cls}"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
    ]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        extra = row_attrs(i) if row_attrs else ""
        cells = "".join(f'<td class="n">{c}</td>' if _numeric(c) else f"<td>{c}</td>" for c in row)
        out.append(f"<tr{extra}>{cells}</tr>")
    return "".join(out) + "</tbody></table></div>"


def _numeric(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or cell[0] in "$-") and len(cell) < 40


def _verdict(doc: ReportDocument) -> str:
    v = doc.verdict
    rec = v.recommended
    out = [f'<div class="verdict"><p class="headline">{_e(v.headline)}</p>']
    out.append(
        f"<p>Recommended: <strong id='recommended'>{_e(rec) if rec else 'none'}</strong> at "
        f"<span id='volume'>{f.count(v.volume)}</span> requests/month over "
        f"{_e(v.horizon_months)} months (growth {f.pct(v.growth_per_month)}/month)."
        f" Metric {_e(v.metric)}, non-inferiority margin {f.num(v.margin, 3)}.</p>"
    )
    out.append(
        "<p>Shown to be as good as the best (CI lower bound above -margin): "
        + (", ".join(f"<strong>{_e(a)}</strong>" for a in v.equivalent) or "none")
        + ". Undetermined (the CI contains -margin): "
        + (", ".join(f"<strong>{_e(a)}</strong>" for a in v.undetermined) or "none")
        + "</p>"
    )
    pending = rows_.pending_line(doc)
    out.append(f"<p id='pending'><strong>{_e(pending)}</strong></p>" if pending else "")
    out.append("</div>")
    if v.standings:
        rows = [rows_.standing_row(s, _e) for s in v.standings]
        out.append(
            "<h3>Each arm against the best</h3>"
            + _table(rows_.STANDING_HEAD, rows, "standings")
            + f"<p class='note'>Intervals: {_e(v.correction)}.</p>"
            + (f"<p class='note'>Selection: {_e(v.selection)}.</p>" if v.selection else "")
        )
    reasons = "".join(
        f'<li><span class="basis basis-{_e(r.basis)}">{_e(r.basis)}</span>{_e(r.text)}'
        + (f' <span class="muted">(source: {_e(r.source)})</span>' if r.source else "")
        + "</li>"
        for r in v.reasons
    )
    out.append(f"<h3>Why</h3><ul id='reasons'>{reasons}</ul>" if reasons else "")
    flips = "".join(f"<li>{_e(x.text)}{_flip_detail(x)}</li>" for x in v.flips)
    out.append(f"<h3>What would change it</h3><ul id='flips'>{flips}</ul>" if flips else "")
    caveats = "".join(f"<li>{_e(c)}</li>" for c in v.caveats)
    out.append(f"<h3>Caveats</h3><ul id='caveats'>{caveats}</ul>" if caveats else "")
    claims = "".join(
        f"<li><strong>{_e(f.holds(c.result, c.holds))}</strong>: {_e(c.claim)} "
        f"({_e(c.evidence)}) <span class='muted'>(source: {_e(c.source)})</span></li>"
        for c in v.expectations
    )
    out.append(
        f"<h3>What the articles predict</h3><ul id='expectations'>{claims}</ul>" if claims else ""
    )
    return _section("verdict", "Verdict", "".join(out))


def _flip_detail(flip: Flip) -> str:
    at = flip.at
    if not flip.to and not f.ok(at):
        return ""
    value = f.num(at, 3) if flip.unit == "margin" else f.count(at)  # a margin is below 1
    where = f" at {value} {_e(flip.unit or '')}" if f.ok(at) else ""
    return f" <span class='muted'>({_e(flip.kind)}: {_e(flip.to)}{where})</span>"


def _arms(doc: ReportDocument) -> str:
    arms = doc.arms
    if not arms:
        return _section("arms", "Arms", _missing("no arms in this run"))
    rec = doc.verdict.recommended
    rows = [rows_.arm_row(a, _e) for a in arms]

    def row_attrs(i: int) -> str:
        a = arms[i]
        cls = "recommended" if a.arm == rec else ("" if a.status == "done" else "unavailable")
        return f' data-arm="{_e(a.arm)}" class="{cls}"'

    v = doc.verdict
    note = (
        f"<p class='note'>Monthly cost at {f.count(v.volume)} requests/month; TCO over "
        f"{_e(v.horizon_months)} months. $/1k is that monthly cost over the volume (a "
        "self-hosted machine costs the same whatever its load, up to its capacity). Projected: "
        "the same measured tokens at the projection model's list prices.</p>"
    )
    failed = "".join(f"<li>{_e(line)}</li>" for line in rows_.error_lines(doc))
    if failed:
        note += f"<ul id='errors'>{failed}</ul>"
    judged = "".join(f"<li>{_e(line)}</li>" for line in rows_.judge_lines(doc))
    if judged:
        note += f"<h3>LLM judge</h3><ul id='judge'>{judged}</ul>"
    setup = "".join(f"<li>{_e(line)}</li>" for line in rows_.setup_lines(doc))
    if setup:
        note += f"<h3>What was evaluated</h3><ul id='setup'>{setup}</ul>"
    return _section("arms", "Arms", _table(rows_.arm_head(doc), rows, "arms", row_attrs) + note)


def _sequential(doc: ReportDocument) -> str:
    lines = sequential_lines(doc.sequential)
    if not lines:
        return ""
    body = "".join(f"<p class='note'>{_e(line)}</p>" for line in lines)
    rows = [[_e(x) for x in r] for r in sequential_table(doc.sequential)]
    return _section("sequential", "Until decided", body + _table(SEQUENTIAL_HEAD, rows, "rounds"))


def _human(doc: ReportDocument) -> str:
    blocks = human_blocks(doc, _e)
    if not blocks:
        return ""
    body = "".join(
        f"<h3 id='{b.ident}'>{_e(b.title)}</h3>"
        + "".join(f"<p class='note'>{_e(line)}</p>" for line in b.lines)
        + (_table(b.head, b.rows, b.ident) if b.rows else "")
        for b in blocks
    )
    return _section("human", "Human review", body)


def _charts(doc: ReportDocument) -> str:
    out = []
    for name, title, draw, why in CHARTS:
        spec = draw(doc)
        body = vega.figure_body(name, spec, title) if spec else _missing(f"Not shown: {why}.")
        note = rows_.latency_note(doc) if name == "latency" and spec else None
        body += f"<p class='note'>{_e(note)}</p>" if note else ""
        out.append(
            f'<figure id="figure-{name}" data-chart="{name}"><figcaption><strong>{_e(title)}'
            f"</strong></figcaption>{body}</figure>"
        )
    hint = (
        "<p class='note'>Hover a mark for its exact values; click a legend entry to hide its "
        "series (again to show it); in the cost chart, click a line to focus on its arm and "
        "its projections, double-click to clear.</p>"
    )
    return _section("charts", "Charts", hint + "".join(out))


def _curve_figure(curve: learning_curve.LearningCurveDoc) -> str | None:
    spec = curve_chart(curve)
    ident = "learning-curve-" + re.sub(r"[^A-Za-z0-9_-]", "_", curve.arm)
    return vega.figure_body(ident, spec, f"{curve.arm}: learning curve") if spec else None


def _comparisons(doc: ReportDocument) -> str:
    rows = [rows_.comparison_row(c, _e) for c in doc.comparisons]
    head = rows_.COMPARISON_HEAD
    body = _table(head, rows, "comparisons") if rows else _missing("fewer than two finished arms")
    return _section("comparisons", "Pairwise significance", body)


def _breakevens(doc: ReportDocument) -> str:
    cost = doc.cost
    rows = [rows_.breakeven_row(i, b, _e) for i, b in enumerate(cost.breakevens, 1)]
    out = (
        _table(rows_.BREAKEVEN_HEAD, rows, "breakevens")
        if rows
        else _missing("no break-even pairs")
    )
    for series, lines in cost.items.items():
        rows = [rows_.item_row(i, _e) for i in lines]
        out += f"<h3>{_e(series)}: monthly cost at your volume</h3>"
        out += _table(["item", "monthly", "note"], rows, "items")
        once = [rows_.one_time_row(i, _e) for i in cost.one_time.get(series) or []]
        if once:
            out += f"<p>One-time for {_e(series)} (in its TCO):</p>"
            out += _table(["item", "once", "note"], once, "one-time")
    notes = "".join(
        f"<li>Not counted for {_e(arm)}: {_e('; '.join(missing))}</li>"
        for arm, missing in cost.not_counted.items()
    )
    out += f"<ul id='not-counted'>{notes}</ul>" if notes else ""
    return _section("breakevens", "Break-even volumes and cost breakdown", out)


def _sources(doc: ReportDocument) -> str:
    prices = [[_e(p.name), _e(p.value), _e(p.source), _e(p.as_of or "-")] for p in doc.prices]
    assumptions = [[_e(a.name), _e(a.value), _e(a.source)] for a in doc.assumptions]
    out = "<h3>Prices</h3>" + (
        _table(["price", "value", "source", "as of"], prices, "prices")
        if prices
        else _missing("no prices used")
    )
    out += "<h3>Assumptions</h3>" + (
        _table(["assumption", "value", "source"], assumptions, "assumptions")
        if assumptions
        else _missing("no stated assumptions")
    )
    return _section("sources", "Prices and assumptions", out)


def _reproducibility(doc: ReportDocument) -> str:
    run = doc.run
    facts = [
        ["run id", _e(run.id)],
        ["name", _e(run.name)],
        ["workload", _e(run.workload)],
        ["created", _e(run.created)],
        ["status", _e(run.status)],
        ["seed", _e(run.seed)],
        ["report schema", _e(doc.schema_)],
    ]
    versions = [[_e(k), _e(v)] for k, v in sorted(run.versions.items())]
    machine = [[_e(k), _e(v)] for k, v in sorted(run.machine.items())]
    config = json.dumps(run.config, indent=2, sort_keys=True, default=str)
    out = _table(["", ""], facts, "run")
    out += "<h3>Versions</h3>" + (_table(["package", "version"], versions) if versions else "-")
    out += "<h3>Machine</h3>" + (_table(["", ""], machine) if machine else "-")
    out += (
        f"<details id='config'><summary>Resolved workload config (JSON)</summary>"
        f"<pre>{_e(config)}</pre></details>"
        f"<p class='note'>Re-render: <code>ragtune report {_e(run.id)}</code></p>"
    )
    return _section("reproducibility", "Reproducibility", out)
