"""`render_markdown(doc)`: the report as Markdown, readable in a terminal and on GitHub.

The same sections and the same number formats as the HTML report (`fmt.py`); each chart is
replaced by the table of the numbers it draws. Cell text is escaped for tables (`|`, newlines)
and for HTML (`<`, `&`), since arm names and configs are user-written.

Deliberately not here: numbers (the advisor computes them).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ragtune.report import fmt as f
from ragtune.report import rows as rows_


def _c(value: Any) -> str:
    text = "" if value is None else str(value)
    return escape(text, quote=False).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_c(h) for h in head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def render_markdown(doc: dict[str, Any]) -> str:
    doc = f.with_redacted_config(doc)
    run = doc.get("run") or {}
    out = [f"# {_c(doc.get('title') or 'ragtune report')}", ""]
    out += [
        f"run `{_c(run.get('id'))}` · task {_c(run.get('task'))} · "
        f"generated {_c(doc.get('generated'))}",
        "",
    ]
    out += _verdict(doc) + _arms(doc) + _charts(doc) + _comparisons(doc) + _costs(doc)
    out += _sources(doc) + _reproducibility(doc)
    return "\n".join(out).rstrip() + "\n"


def _verdict(doc: dict[str, Any]) -> list[str]:
    v = doc.get("verdict") or {}
    out = ["## Verdict", ""]
    if not v:
        return [*out, "_No verdict in this document._", ""]
    out += [f"**{_c(v.get('headline'))}**", ""]
    out += [
        f"- Recommended: **{_c(v.get('recommended') or 'none')}**",
        f"- Volume: {f.count(v.get('volume'))} requests/month; horizon "
        f"{_c(v.get('horizon_months'))} months; growth {f.pct(v.get('growth_per_month'))}/month",
        f"- Metric: {_c(v.get('metric'))}; non-inferiority margin {f.num(v.get('margin'), 3)}",
        "- Statistically not worse than the best: "
        + (", ".join(_c(a) for a in v.get("equivalent") or []) or "none"),
        "",
    ]
    if v.get("reasons"):
        out += ["### Why", ""]
        out += [
            f"- [{_c(r.get('basis'))}] {_c(r.get('text'))}"
            + (f" (source: {_c(r['source'])})" if r.get("source") else "")
            for r in v["reasons"]
        ] + [""]
    if v.get("flips"):
        out += ["### What would change it", ""]
        out += [f"- {_c(x.get('text'))}" for x in v["flips"]] + [""]
    if v.get("caveats"):
        out += ["### Caveats", ""] + [f"- {_c(c)}" for c in v["caveats"]] + [""]
    if v.get("expectations"):
        out += ["### What the articles predict", ""]
        out += [
            f"- **{f.HOLDS[c.get('holds')]}**: {_c(c.get('claim'))} ({_c(c.get('evidence'))}; "
            f"source: {_c(c.get('source'))})"
            for c in v["expectations"]
        ] + [""]
    return out


def _arms(doc: dict[str, Any]) -> list[str]:
    arms = doc.get("arms") or []
    out = ["## Arms", ""]
    if not arms:
        return [*out, "_No arms in this run._", ""]
    rows = [rows_.arm_row(a, _c) for a in arms]
    judged = rows_.judge_lines(doc)
    tail = ["### LLM judge", "", *(f"- {_c(line)}" for line in judged), ""] if judged else []
    return out + _table(rows_.ARM_HEAD, rows) + tail


def _charts(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    cost = doc.get("cost") or {}
    series = cost.get("series") or []
    if cost.get("volumes") and series:
        out += ["## Monthly cost vs volume (median [5th, 95th percentile])", ""]
        head = ["requests/month"] + [_series_label(s) for s in series]
        rows = []
        for i, v in enumerate(cost["volumes"]):
            row = [f.count(v)]
            for s in series:
                m, lo, hi = (_get(s.get(k), i) for k in ("monthly", "low", "high"))
                row.append(f"{f.usd(m)} [{f.usd(lo)}, {f.usd(hi)}]")
            rows.append(row)
        out += _table(head, rows)
    latency = doc.get("latency") or {}
    arms = {a.get("arm"): a for a in doc.get("arms") or []}
    if latency:
        out += ["## Latency per query (seconds)", ""]
        rows = []
        for k, vals in latency.items():
            got = [v for v in vals or [] if f.ok(v)]
            arm = arms.get(k) or {}
            rows.append(
                [
                    _c(k),
                    f.count(len(got)),
                    f.sig(min(got, default=None)),
                    f.sig(arm.get("latency_p50")),
                    f.sig(arm.get("latency_p95")),
                    f.sig(max(got, default=None)),
                ]
            )
        out += _table(["arm", "queries", "min", "p50", "p95", "max"], rows)
    if doc.get("freshness"):
        out += ["## Knowledge freshness (changed facts)", ""]
        rows = [
            [
                _c(r.get("arm")),
                _c(r.get("version")),
                f.count(r.get("n")),
                f.interval(r.get("before")),
                f.interval(r.get("after")),
            ]
            for r in doc["freshness"]
        ]
        out += _table(["arm", "KB version", "n", "before [95% CI]", "after [95% CI]"], rows)
    if doc.get("training"):
        out += ["## Fine-tuning", ""]
        rows = [
            [
                _c(j.get("method")),
                f.count(j.get("examples")),
                f.count(j.get("tokens")),
                f.sig(j.get("seconds")),
                f.usd(j.get("cost")),
                f.sig(j.get("final_loss")),
                _curve((j.get("curves") or {}).get("train")),
                _curve((j.get("curves") or {}).get("validation")),
            ]
            for j in doc["training"]
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
    for r in doc.get("router") or []:
        out += [f"## Router {_c(r.get('arm'))}: escalation vs quality", ""]
        out += [
            f"Chosen threshold {f.num(r.get('threshold'))}, escalation "
            f"{f.pct(r.get('escalation_rate'))}.",
            "",
        ]
        rows = [
            [f.num(p.get("threshold")), f.pct(p.get("escalation")), f.num(p.get("quality"), 3)]
            for p in r.get("points") or []
        ]
        out += _table(["threshold", "escalated", "quality"], rows)
    return out


def _series_label(series: dict[str, Any]) -> str:
    label = str(series.get("label") or series.get("name"))
    projection = series.get("kind") == "projection" and "projection" not in label
    return f"{label} (projection)" if projection else label


def _get(values: Any, i: int) -> Any:
    return values[i] if isinstance(values, list) and i < len(values) else None


def _curve(points: Any, most: int = 6) -> str:
    """A few (step: loss) pairs spread over the curve."""
    if not points:
        return "-"
    stride = max(1, len(points) // most)
    picked = points[::stride][:most]
    if picked[-1] is not points[-1]:
        picked.append(points[-1])
    return ", ".join(f"{f.count(p[0])}: {f.sig(p[1])}" for p in picked if len(p) >= 2)


def _comparisons(doc: dict[str, Any]) -> list[str]:
    out = ["## Pairwise significance", ""]
    rows = [rows_.comparison_row(c, _c) for c in doc.get("comparisons") or []]
    if not rows:
        return [*out, "_Fewer than two finished arms._", ""]
    return out + _table(rows_.COMPARISON_HEAD, rows)


def _costs(doc: dict[str, Any]) -> list[str]:
    cost = doc.get("cost") or {}
    out = ["## Break-even volumes", ""]
    rows = [rows_.breakeven_row(i, b, _c) for i, b in enumerate(cost.get("breakevens") or [], 1)]
    out += _table(rows_.BREAKEVEN_HEAD, rows) if rows else ["_No break-even pairs._", ""]
    for series, lines in (cost.get("items") or {}).items():
        out += [f"### {_c(series)}: monthly cost at your volume", ""]
        rows = [rows_.item_row(i, _c) for i in lines or []]
        out += _table(["item", "monthly", "note"], rows)
    return out


def _sources(doc: dict[str, Any]) -> list[str]:
    out = ["## Prices and assumptions", ""]
    prices = [
        [_c(p.get("name")), _c(p.get("value")), _c(p.get("source")), _c(p.get("as_of") or "-")]
        for p in doc.get("prices") or []
    ]
    out += _table(["price", "value", "source", "as of"], prices) if prices else ["_No prices._", ""]
    assumptions = [
        [_c(a.get("name")), _c(a.get("value")), _c(a.get("source"))]
        for a in doc.get("assumptions") or []
    ]
    if assumptions:
        out += _table(["assumption", "value", "source"], assumptions)
    return out


def _reproducibility(doc: dict[str, Any]) -> list[str]:
    run = doc.get("run") or {}
    out = ["## Reproducibility", ""]
    out += [
        f"- {label}: {_c(run.get(key))}"
        for key, label in (
            ("id", "run id"),
            ("name", "name"),
            ("workload", "workload"),
            ("created", "created"),
            ("status", "status"),
            ("seed", "seed"),
        )
    ]
    out += [
        "- versions: "
        + ", ".join(f"{_c(k)} {_c(v)}" for k, v in sorted((run.get("versions") or {}).items()))
    ]
    out += [
        "- machine: "
        + ", ".join(f"{_c(k)} {_c(v)}" for k, v in sorted((run.get("machine") or {}).items())),
        "",
    ]
    config = json.dumps(run.get("config") or {}, indent=2, sort_keys=True, default=str)
    out += ["<details><summary>Resolved workload config</summary>", "", "```json"]
    out += [config.replace("```", "` ` `"), "```", "", "</details>", ""]
    out += [f"Re-render: `ragtune report {_c(run.get('id'))}`", ""]
    return out
