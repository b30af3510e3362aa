"""The "Until decided" section of a report: what `run --until-decided` did, round by round.

`SequentialDoc` is the document's section (`ReportDocument.sequential`); `sequential_lines` and
`sequential_table` turn it into plain lines and one table (each comparison's interval at every
round: the intervals narrowing), which the Markdown and HTML renderers lay out the same way.
Deliberately not here: computing them (`evidence/sequential.py`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SequentialComparisonDoc(_Doc):
    """One arm against the best in a `--until-decided` run (`stats.SequentialComparison`)."""

    arm: str
    best: str
    n: int
    effect: float
    ci_low: float  # anytime-valid: holds at every look at once
    ci_high: float
    confidence: float
    status: Literal["equivalent", "undetermined", "inferior"]
    decided_at: int | None = None  # items compared when first decided
    intervals: list[tuple[int, float, float]] = []  # (items, low, high) at each round


class SequentialDoc(_Doc):
    """What `run --until-decided` did (`running.Assessment`): rounds, items, why it stopped,
    money spent against a fixed-n plan at 80% power."""

    items: int
    of: int  # test items in the split
    rounds: int
    batch: int
    max_items: int | None = None
    max_usd: float | None = None
    best: str | None = None
    stop: Literal["decided", "max_items", "max_usd", "exhausted"] | None = None
    stop_text: str = ""
    items_by_arm: dict[str, int] = {}
    spent_usd: float | None = None
    labelling_priced: bool = False
    fixed_items: int | None = None  # a fixed-n plan at 80% power at the observed differences
    fixed_usd: float | None = None
    method: str = ""  # the boundary and the family correction, as the report says it
    comparisons: list[SequentialComparisonDoc] = []


HEAD = ["arm", "vs best", "items", "difference", "anytime-valid interval", "status", "decided at"]


def sequential_lines(s: SequentialDoc | None) -> list[str]:
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


def sequential_table(s: SequentialDoc | None) -> list[list[str]]:
    """One row per comparison and round: the interval at that round."""
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
