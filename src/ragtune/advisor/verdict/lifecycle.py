"""Model shutdowns in the verdict: the forced migration named in the reasons and the caveats.

The migration's cost is already in each affected arm's TCO (`evidence/lifecycle.py` adds it to
the arm's option), so the choice itself needs nothing here; this says so, naming the date and the
dollars, and warns about every arm (and the judge) whose model ends inside the horizon.
"""

from __future__ import annotations

from ragtune.advisor.verdict.facts import Facts, Verdict
from ragtune.evidence import ArmSummary, Migration


def migration_text(m: Migration) -> str:
    """'$12.50 (re-evaluation $10.00 + re-tune $2.50)'."""
    parts = f"re-evaluation ${m.reevaluation_usd:,.2f}"
    if m.retune_usd is not None:
        parts += f" + re-tune ${m.retune_usd:,.2f}"
    return f"${m.usd:,.2f} ({parts})"


def lifecycle_reasons(
    verdict: Verdict, chosen: ArmSummary, candidates: list[ArmSummary], facts: Facts
) -> None:
    """The chosen arm's forced migration as a reason; the other candidates' in one line."""
    horizon = f"{facts.horizon_months}-month horizon" if facts.horizon_months else "horizon"
    moved = facts.migrations.get(chosen.arm)
    if moved is not None:
        lc = moved.notice.lifecycle
        verdict.reason(
            f"{chosen.arm}'s model {lc.model} "
            f"{'shut down' if moved.notice.past else 'shuts down'} on {lc.shutdown}, inside the "
            f"{horizon}: its TCO includes the forced migration {moved.when}, "
            f"{migration_text(moved)}; the successor model is priced as the measured one.",
            "rule",
            lc.source,
        )
    others = [
        facts.migrations[a.arm]
        for a in candidates
        if a.arm != chosen.arm and a.arm in facts.migrations
    ]
    if others:
        listed = "; ".join(
            f"{m.arm} {migration_text(m)} ({m.notice.lifecycle.model} ends "
            f"{m.notice.lifecycle.shutdown})"
            for m in others
        )
        verdict.reason(
            f"Also priced with their forced migration inside the {horizon}: {listed}.", "rule"
        )


def lifecycle_caveats(verdict: Verdict, facts: Facts) -> None:
    """A warning per arm whose model ends inside the horizon, and one for the judge's."""
    for m in facts.migrations.values():
        lc = m.notice.lifecycle
        if m.notice.past:
            head = (
                f"Warning: {m.arm}'s model {lc.model} already shut down on {lc.shutdown}; the "
                "arm cannot run as measured today"
            )
        else:
            head = (
                f"Warning: {m.arm}'s model {lc.model} shuts down on {lc.shutdown}"
                f"{' (tentative)' if lc.tentative else ''}, within the "
                f"{facts.horizon_months}-month horizon"
            )
        verdict.caveats.append(
            f"{head}. Its forced migration {m.when} costs {migration_text(m)} and is counted in "
            f"its TCO ({lc.source})."
        )
    judge = facts.judge_shutdown
    if judge is not None:
        verdict.caveats.append(
            f"Warning: the judge's model {judge.describe()}; judging a later run needs another "
            "judge, and its agreement with people measured again."
        )
