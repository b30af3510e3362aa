"""Constraints: the user's stated needs (data stays local, citations, a latency budget) narrow
the candidates; citations and latency are relaxed with a caveat when nothing would be left, data
that must stay local never is (the best local arm is offered with the quality it gives up).
"""

from __future__ import annotations

from collections.abc import Callable

from ragtune.advisor.verdict.facts import ARTICLES, Facts, Verdict
from ragtune.evidence import ArmSummary


def constrain(
    candidates: list[ArmSummary],
    undetermined: list[ArmSummary],
    done: list[ArmSummary],
    best: ArmSummary,
    facts: Facts,
    verdict: Verdict,
) -> tuple[list[ArmSummary], list[ArmSummary]]:
    """Apply the stated constraints to the candidates (and to the undetermined arms alike).

    Citations and a latency budget are relaxed, with a caveat, when no candidate meets them.
    Data that must stay local is never relaxed: with no local candidate the best local arm is
    offered with the quality it gives up (an API arm only when no arm at all is local).
    """
    advice = facts.advice
    if advice.get("data_must_stay_local"):
        local = [a for a in candidates if a.arm not in facts.api_arms]
        dropped = sorted({a.arm for a in candidates} - {a.arm for a in local})
        undetermined = [a for a in undetermined if a.arm not in facts.api_arms]
        if local and dropped:
            verdict.reason(
                f"Stated constraint 'data must stay local' rules out {', '.join(dropped)}.",
                "assumption",
                ARTICLES["002"],
            )
        if not local:
            options = [a for a in done if a.arm not in facts.api_arms]
            if options:
                fallback = max(options, key=lambda a: a.quality.estimate if a.quality else 0.0)
                _local_fallback(verdict, fallback, best)
                local = [fallback]
                undetermined = []
            else:
                verdict.caveats.append(
                    "No arm keeps the data local (every arm called a third-party API); the "
                    "verdict ignores 'data must stay local'."
                )
                local = candidates
        candidates = local
    rules: list[tuple[str, Callable[[ArmSummary], bool], str]] = []
    if advice.get("needs_citations"):
        rules.append(("answers need citations", lambda a: a.traits.cites, ARTICLES["001"]))
    budget = advice.get("latency_budget_s")
    if budget:
        rules.append(
            (
                f"p95 request latency within {budget:g} s",
                lambda a: a.latency_p95 is not None and a.latency_p95 <= budget,
                ARTICLES["003"],
            )
        )
    for name, keep, source in rules:
        kept = [a for a in candidates if keep(a)]
        if kept:
            dropped = sorted({a.arm for a in candidates} - {a.arm for a in kept})
            if dropped:
                verdict.reason(
                    f"Stated constraint '{name}' rules out {', '.join(dropped)}.",
                    "assumption",
                    source,
                )
            candidates = kept
            undetermined = [a for a in undetermined if keep(a)]
        else:
            verdict.caveats.append(
                f"No arm of equal quality meets '{name}'; the verdict ignores that constraint."
            )
    return candidates, undetermined


def _local_fallback(verdict: Verdict, arm: ArmSummary, best: ArmSummary) -> None:
    """No local arm is shown to be as good as the best: offer the best local one, with its gap."""
    stand = next((s for s in verdict.standings if s.arm == arm.arm), None)
    q, b = arm.quality, best.quality
    assert q is not None and b is not None
    gap = b.estimate - q.estimate
    interval = (
        f"; paired difference {stand.effect:+.3f} [{stand.ci_low:+.3f}, {stand.ci_high:+.3f}], "
        f"{stand.status}"
        if stand is not None and stand.effect is not None and stand.ci_low is not None
        and stand.ci_high is not None
        else ""
    )  # fmt: skip
    verdict.caveats.append(
        f"Data must stay local, and no local arm is shown to be as good as {best.arm} (an API "
        f"arm): {arm.arm} is the best local arm and gives up {gap:.2f} {verdict.metric} "
        f"({q.estimate:.2f} vs {b.estimate:.2f}{interval})."
    )
    verdict.reason(
        f"{arm.arm} is recommended as the best arm that keeps the data local.",
        "assumption",
        ARTICLES["002"],
    )
