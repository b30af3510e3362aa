"""Table rows shared by the HTML and Markdown reports, so both print the same numbers.

Each function takes a record of the document and `esc`, the output format's escaping for text
(numbers need none: `fmt` writes only digits, `$`, `%`, `,`, `.` and `-`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ragtune.report import fmt as f
from ragtune.report.model import (
    ArmDoc,
    Breakeven,
    ComparisonDoc,
    CostLine,
    ReportDocument,
    StandingDoc,
)

Escape = Callable[[Any], str]


def arm_head(doc: ReportDocument) -> list[str]:
    """The arm table's header; the $/1k column says the volume it is priced at."""
    return [
        "arm",
        "status",
        "quality [95% CI]",
        "n",
        "errors",
        "format validity",
        "request p50 s",
        "request p95 s",
        "tokens/query in / cache write / cache read / out",
        f"$/1k at {f.count(doc.verdict.volume)} requests/month",
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
ARM_COLUMNS = 15


def arm_row(a: ArmDoc, esc: Escape) -> list[str]:
    """One arm; an arm that did not finish shows its status and reason instead of numbers."""
    if a.status != "done":
        why = f"{a.status}: {a.reason or 'no reason given'}"
        return [esc(a.arm), esc(why)] + [""] * (ARM_COLUMNS - 2)
    return [
        esc(a.arm),
        esc(a.status),
        f"{esc(a.metric)} {f.interval(a.quality)}",
        f.count(a.n),
        f.errors(a.errors, a.n),
        f.pct(a.validity),
        f.sig(a.latency_p50),
        f.sig(a.latency_p95),
        f.tokens(a.tokens),
        f.usd(a.cost_per_1k),
        f.usd(a.projected_per_1k),
        f.usd(a.monthly_cost),
        f.usd(a.tco),
        esc(a.deployment),
        "yes" if a.pareto else "",
    ]


STANDING_HEAD = [
    "arm",
    "standing",
    "n",
    "arm - best [adjusted CI]",
    "p",
    "p (Holm, vs best)",
    "test",
    "items to settle",
]


def standing_row(s: StandingDoc, esc: Escape) -> list[str]:
    """One arm of the verdict table: its standing against the best arm."""
    diff = (
        f"{f.num(s.effect, 3)} [{f.num(s.ci_low, 3)}, {f.num(s.ci_high, 3)}]"
        if f.ok(s.effect)
        else f.DASH
    )
    observed = (
        f"{f.count(s.more_items)} more ({f.count(s.items_needed)} in all)"
        if s.more_items is not None
        else "never at this difference"
    )
    equal = (
        f"; {f.count(s.more_items_at_zero)} more ({f.count(s.items_needed_at_zero)} in all) if "
        "equal"
        if s.more_items_at_zero is not None
        else ""
    )
    settle = observed + equal if s.status == "undetermined" else f.DASH
    if s.test == "betting_cs" and s.status == "undetermined":  # a sequential run's standing
        settle = (
            f"fixed-n plan: {f.count(s.items_needed)} in all (more rounds need more)"
            if s.items_needed is not None
            else f.DASH
        )
    return [
        esc(s.arm),
        esc(s.status),
        f.count(s.n),
        diff,
        f.sig(s.p_value),
        f.sig(s.p_holm),
        esc(s.test),
        settle,
    ]


def pending_line(doc: ReportDocument) -> str | None:
    """The verdict's "not decided yet" line: items that would settle it and their labelling."""
    p = doc.verdict.pending
    if p is None:
        return None
    stand = next((s for s in doc.verdict.standings if s.arm == p.arm), None)
    if stand is not None and stand.test == "betting_cs":  # a sequential run: fixed-n figures
        return (
            f"Not decided yet: {p.arm} is undetermined against {p.best} after the run stopped; "
            + (f"a fixed-n test planned afresh would need about {f.count(p.items_needed)} items "
               "per arm (80% power at the observed difference), and more rounds of the "
               "anytime-valid sequence more than that."
               if p.items_needed is not None else "more items may not settle it.")
        )  # fmt: skip
    cost = f.usd(p.labelling_usd) if f.ok(p.labelling_usd) else "not counted"
    equal = (
        f"about {f.count(p.more_items_at_zero)} more ({f.count(p.items_needed_at_zero)} in all) "
        f"if the arms are in fact equal ({p.best} was picked as best on these same items)"
        if p.more_items_at_zero is not None
        else ""
    )
    if p.more_items is None:
        return (
            f"Not decided yet: {p.arm} is undetermined against {p.best}; more test items would "
            "not show it as good at the observed difference"
            + (f", but {equal} would settle it; labelling them: {cost} ({p.labelling_note})."
               if equal else ".")
        )  # fmt: skip
    return (
        f"Not decided yet: about {f.count(p.more_items)} more test items "
        f"({f.count(p.items_needed)} in all, 80% power at the observed difference"
        + (f"; {equal}" if equal else "")
        + f") would settle whether {p.arm} is as good as {p.best}; labelling them: {cost} "
        f"({p.labelling_note})."
    )


def one_time_row(item: CostLine, esc: Escape) -> list[str]:
    return [esc(item.name), f.usd(item.amount), esc(item.note)]


def comparison_row(c: ComparisonDoc, esc: Escape) -> list[str]:
    return [
        esc(c.arm_a),
        esc(c.arm_b),
        esc(c.metric),
        f.count(c.n),
        f.effect(c),
        f.sig(c.p_value),
        f.sig(c.p_holm),
        esc(c.test),
        "yes" if c.significant else "no",
    ]


def breakeven_row(number: int, b: Breakeven, esc: Escape) -> list[str]:
    """`number` is the marker's label on the cost chart."""
    volume = f.count(b.volume) if f.ok(b.volume) else "never"
    return [str(number), esc(b.a), esc(b.b), volume, f.band(b.low, b.high), esc(b.note)]


def item_row(item: CostLine, esc: Escape) -> list[str]:
    return [esc(item.name), f.usd(item.amount), esc(item.note)]


def judge_lines(doc: ReportDocument) -> list[str]:
    """Plain-text lines on the LLM judge: each arm's judged quality, then what judging cost."""
    judge = doc.judge
    if judge is None:
        return []
    lines = []
    for a in doc.arms:
        q = a.judge_quality
        if q is not None:
            lines.append(
                f"{a.arm}: {a.judge_metric} {f.num(q.estimate, 2)} "
                f"[{f.num(q.low, 2)}, {f.num(q.high, 2)}], n={a.n}"
            )
    tokens = judge.tokens
    lines.append(
        f"judge {judge.backend} ({judge.rubric}): {judge.judgements} "
        f"judgements in {judge.calls} calls, {tokens.get('input', 0)} input and "
        f"{tokens.get('output', 0)} output tokens, "
        f"{'not priced' if judge.cost is None else f.usd(judge.cost)} ({judge.priced}; "
        "not in any arm's cost)"
    )
    return lines


def error_lines(doc: ReportDocument) -> list[str]:
    """One line per arm with failed items (the caveat says it too; this is the table's note)."""
    return [
        f"{e.arm}: {e.errors} of {e.n} test queries failed ({f.pct(e.share)}); they score as "
        "wrong and count in latency and cost"
        + ("" if e.eligible else "; too many for the arm to be recommended")
        for e in doc.errors
    ]


def setup_lines(doc: ReportDocument) -> list[str]:
    """What was evaluated: the test sample, each arm's class, model and system prompt."""
    from ragtune.evidence import setup_lines as lines

    return lines(doc.run.config, [(a.arm, a.info) for a in doc.arms])


def latency_note(doc: ReportDocument) -> str | None:
    """How the request latencies were obtained, with the number of items timed per arm."""
    counts = sorted({a.latency_timed for a in doc.arms if a.latency_timed})
    untimed = [a.arm for a in doc.arms if a.latency_timed == 0]
    parts = []
    if counts:
        each = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        parts.append(
            f"Request latency: {each} items per arm answered alone (batch size 1, response cache "
            "bypassed) and timed; every other item's latency is its share of its batch's wall "
            "time times the timed items' median ratio of alone to batch share."
        )
    if untimed:  # `latency_sample: 0`: what they show is the batch's wall time, not one request's
        parts.append(
            f"Not timed alone (latency_sample 0): {', '.join(untimed)}; their latency is the wall "
            "time of the batch each answer came in, longer than one request would wait."
        )
    return " ".join(parts) or None
