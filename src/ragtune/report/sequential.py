"""The "Until decided" section of a report: what `run --until-decided` did, round by round.

`sequential_lines(doc)` and `sequential_table(doc)` turn `ReportDocument.sequential` into plain
lines and one table (each comparison's interval at every round: the intervals narrowing), which
the Markdown and HTML renderers lay out the same way. Deliberately not here: computing them
(`evidence/sequential.py`).
"""

from __future__ import annotations

from ragtune.report.model import ReportDocument

HEAD = ["arm", "vs best", "items", "difference", "anytime-valid interval", "status", "decided at"]


def sequential_lines(doc: ReportDocument) -> list[str]:
    s = doc.sequential
    if s is None:
        return []
    used = ", ".join(f"{arm} {n:,}" for arm, n in s.items_by_arm.items())
    lines = [
        f"{s.items:,} of {s.of:,} test items in {s.rounds} rounds of {s.batch}; stopped: "
        f"{s.stop_text or 'still running'}.",
        f"Items answered per arm: {used} (an arm shown worse stops being answered).",
        f"Intervals: {s.method}.",
    ]
    if s.spent_usd is not None:
        money = f"Spent ${s.spent_usd:,.2f} on answering (API, measured) and labelling"
        money += "" if s.labelling_priced else " (labelling not priced: costs.usd_per_example)"
        if s.fixed_items is not None and s.fixed_usd is not None:
            money += (
                f"; a fixed-n plan at 80% power at the observed differences: {s.fixed_items:,} "
                f"items per arm, ${s.fixed_usd:,.2f}"
            )
        lines.append(money + ".")
    return lines


def sequential_table(doc: ReportDocument) -> list[list[str]]:
    """One row per comparison and round: the interval at that round."""
    s = doc.sequential
    if s is None:
        return []
    rows = []
    for c in s.comparisons:
        for n, low, high in c.intervals:
            last = n == c.n
            rows.append([
                c.arm, c.best, f"{n:,}", f"{c.effect:+.3f}" if last else "",
                f"[{low:+.3f}, {high:+.3f}]", c.status if last else "",
                f"{c.decided_at:,}" if last and c.decided_at else "",
            ])  # fmt: skip
    return rows
