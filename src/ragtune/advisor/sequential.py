"""The verdict of a `--until-decided` run: anytime-valid standings, and what the run did.

A sequential run chose when to stop by looking at its data, so the fixed-n intervals of its
standings would not keep their promise (`stats/sequential.py`); here each compared arm's status
and interval are replaced by its confidence sequence's, read at the last round, and the verdict
says how many items each arm answered, in how many rounds, why the run stopped and what it spent
against a fixed-n plan at 80% power. The figures come from `evidence.assess_sequential`, the one
place they are computed. Deliberately not here: choosing the arm (`verdict/choosing.py`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ragtune.advisor.standing import Standing
from ragtune.evidence import MAX_ERROR_SHARE
from ragtune.running import Assessment

METHOD = (
    "anytime-valid: each interval is a hedged betting confidence sequence (Waudby-Smith & "
    "Ramdas 2023) of the paired differences, read after every round, Bonferroni over the {k} "
    "comparison(s) with the best arm (95% jointly at every round at once)"
)


def sequential_standings(stood: Sequence[Standing], a: Assessment) -> list[Standing]:
    """`stood` with each compared arm's interval and status from its confidence sequence (the
    fixed-n items-needed figures are kept as a planning guide for an undetermined arm)."""
    by_arm = {c.arm: c for c in a.comparisons}
    best = next((s.arm for s in stood if s.status == "best"), None)
    if best != a.best:  # picked differently (cannot happen on the same scores): keep fixed-n
        return list(stood)
    out = []
    for s in stood:
        c = by_arm.get(s.arm)
        if c is None or s.status in ("best", "not compared"):
            out.append(s)
            continue
        # the fixed-n planning figures only where the fixed-n test left the arm open too (the
        # attack review: an arm the fixed-n test had decided kept `more_items_at_zero` = 0 beside
        # no `items_needed_at_zero`, and the verdict crashed formatting it after a budget stop)
        plan = c.status == "undetermined" and s.status == "undetermined"
        out.append(
            dataclasses.replace(
                s, status=c.status, n=c.n, effect=c.effect, ci_low=c.ci_low, ci_high=c.ci_high,
                confidence=c.confidence, p_value=None, p_holm=None, test="betting_cs",
                items_needed=s.items_needed if plan else None,
                more_items=s.more_items if plan else None,
                items_needed_at_zero=s.items_needed_at_zero if plan else None,
                more_items_at_zero=s.more_items_at_zero if plan else None,
            )
        )  # fmt: skip
    return out


def method_text(a: Assessment) -> str:
    return METHOD.format(k=len(a.comparisons))


def sequential_reason(a: Assessment) -> str:
    """One sentence for the verdict's reasons: rounds, items, stop, money against a fixed plan."""
    used = ", ".join(f"{arm} {n:,}" for arm, n in a.items_by_arm.items())
    text = (
        f"Evaluated until decided: {a.items:,} items in {a.rounds} rounds ({used}); {a.stop_text}."
    )
    if a.ineligible:
        text += (
            f" {', '.join(a.ineligible)} stopped being answered: failed on more than "
            f"{MAX_ERROR_SHARE:.0%} of its items (not eligible), so it needed no decision."
        )
    if a.spent_usd is not None:
        text += f" Spent ${a.spent_usd:,.2f} on answering and labelling"
        if not a.labelling_priced:
            text += " (labelling not priced)"
        if a.fixed_items is not None and a.fixed_usd is not None:
            text += (
                f"; a fixed-n plan at 80% power at the observed differences would have used "
                f"{a.fixed_items:,} items per arm, ${a.fixed_usd:,.2f}"
            )
        text += "."
    return text


def sequential_section(a: Assessment | None) -> dict[str, Any] | None:
    """The report's `sequential` section (`report.SequentialDoc`)."""
    if a is None or a.plan is None:
        return None
    return {
        "items": a.items,
        "of": a.plan.of,
        "rounds": a.rounds,
        "batch": a.plan.batch,
        "max_items": a.plan.max_items,
        "max_usd": a.plan.max_usd,
        "best": a.best,
        "stop": a.stop,
        "stop_text": a.stop_text,
        "items_by_arm": dict(a.items_by_arm),
        "spent_usd": a.spent_usd,
        "labelling_priced": a.labelling_priced,
        "fixed_items": a.fixed_items,
        "fixed_usd": a.fixed_usd,
        "method": method_text(a),
        "comparisons": [
            {
                "arm": c.arm,
                "best": c.best,
                "n": c.n,
                "effect": c.effect,
                "ci_low": c.ci_low,
                "ci_high": c.ci_high,
                "confidence": c.confidence,
                "status": c.status,
                "decided_at": c.decided_at,
                "intervals": [list(i) for i in c.intervals],
            }
            for c in a.comparisons
        ],
    }
