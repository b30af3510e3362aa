"""Table rows shared by the HTML and Markdown reports, so both print the same numbers.

Each function takes a record of the document and `esc`, the output format's escaping for text
(numbers need none: `fmt` writes only digits, `$`, `%`, `,`, `.` and `-`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ragtune.report import fmt as f

Escape = Callable[[Any], str]

ARM_HEAD = [
    "arm",
    "status",
    "quality [95% CI]",
    "n",
    "format validity",
    "p50 s",
    "p95 s",
    "tokens/query in / cache write / cache read / out",
    "$/1k measured",
    "$/1k projected",
    "monthly",
    "TCO",
    "deployment",
    "Pareto",
]
COMPARISON_HEAD = [
    "arm A",
    "arm B",
    "metric",
    "n",
    "A - B [95% CI]",
    "p",
    "p (Holm)",
    "test",
    "significant",
]
BREAKEVEN_HEAD = ["#", "A", "B", "break-even requests/month", "P10-P90 band", "note"]


def arm_row(a: dict[str, Any], esc: Escape) -> list[str]:
    """One arm; an arm that did not finish shows its status and reason instead of numbers."""
    if a.get("status") != "done":
        why = f"{a.get('status')}: {a.get('reason') or 'no reason given'}"
        return [esc(a.get("arm")), esc(why)] + [""] * (len(ARM_HEAD) - 2)
    return [
        esc(a.get("arm")),
        esc(a.get("status")),
        f"{esc(a.get('metric'))} {f.interval(a.get('quality'))}",
        f.count(a.get("n")),
        f.pct(a.get("validity")),
        f.sig(a.get("latency_p50")),
        f.sig(a.get("latency_p95")),
        f.tokens(a.get("tokens")),
        f.usd(a.get("cost_per_1k")),
        f.usd(a.get("projected_per_1k")),
        f.usd(a.get("monthly_cost")),
        f.usd(a.get("tco")),
        esc(a.get("deployment")),
        "yes" if a.get("pareto") else "",
    ]


def comparison_row(c: dict[str, Any], esc: Escape) -> list[str]:
    return [
        esc(c.get("arm_a")),
        esc(c.get("arm_b")),
        esc(c.get("metric")),
        f.count(c.get("n")),
        f.effect(c),
        f.sig(c.get("p_value")),
        f.sig(c.get("p_holm")),
        esc(c.get("test")),
        "yes" if c.get("significant") else "no",
    ]


def breakeven_row(number: int, b: dict[str, Any], esc: Escape) -> list[str]:
    """`number` is the marker's label on the cost chart."""
    volume = f.count(b.get("volume")) if f.ok(b.get("volume")) else "never"
    return [
        str(number),
        esc(b.get("a")),
        esc(b.get("b")),
        volume,
        f.band(b.get("low"), b.get("high")),
        esc(b.get("note")),
    ]


def item_row(item: dict[str, Any], esc: Escape) -> list[str]:
    return [esc(item.get("name")), f.usd(item.get("amount")), esc(item.get("note"))]


def judge_lines(doc: dict[str, Any]) -> list[str]:
    """Plain-text lines on the LLM judge: each arm's judged quality, then what judging cost."""
    judge = doc.get("judge")
    if not judge:
        return []
    lines = []
    for a in doc.get("arms") or []:
        q = a.get("judge_quality")
        if q:
            lines.append(
                f"{a.get('arm')}: {a.get('judge_metric')} {f.num(q.get('estimate'), 2)} "
                f"[{f.num(q.get('low'), 2)}, {f.num(q.get('high'), 2)}], n={a.get('n')}"
            )
    tokens = judge.get("tokens") or {}
    cost = judge.get("cost")
    lines.append(
        f"judge {judge.get('backend')} ({judge.get('rubric')}): {judge.get('judgements')} "
        f"judgements in {judge.get('calls')} calls, {tokens.get('input', 0)} input and "
        f"{tokens.get('output', 0)} output tokens, "
        f"{'not priced' if cost is None else f.usd(cost)} ({judge.get('priced')}; "
        "not in any arm's cost)"
    )
    return lines
