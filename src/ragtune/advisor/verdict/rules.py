"""The source articles' decision rules, tied to measured numbers: knowledge freshness, retraining
cadence, the 5% format-failure signal, few stable patterns, citations; and the articles'
predictions for this task (`expectations`), checked against the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ragtune.advisor.verdict.facts import ARTICLES, Facts, Verdict
from ragtune.evidence import ArmSummary, retrains_for_knowledge
from ragtune.stats import Interval, PairwiseComparison, wilson_interval

# How each arm learns of a knowledge update, as the freshness reasons say it.
KNOWLEDGE_SOURCE = {
    "finetune": " (not retrained)",
    "finetune_rag": " (index updated, model not retrained)",
    "rag": " (index updated)",
    "fewshot": " (examples from the training data)",
    "memory": " (memories from the training data)",
}


FORMAT_FAILURE_SIGNAL = 0.05  # article 003: a format-failure rate above 5% argues for tuning


FEW_PATTERNS, STABLE_MONTHS = 20, 6  # article 004's rule for when fine-tuning is worth it


WEEKLY = 4.0  # changes per month at which article 001 calls retraining an ops burden


def rule_reasons(
    verdict: Verdict, chosen: ArmSummary, done: list[ArmSummary], facts: Facts
) -> None:
    by_name = {a.arm: a for a in done}
    changes = facts.advice.get("knowledge_changes_per_month")
    for row in facts.freshness:
        if row.after is None:
            continue
        before = f"{row.before.estimate:.2f} -> " if row.before else ""
        how = KNOWLEDGE_SOURCE.get(row.arm, "")
        verdict.reason(
            f"After knowledge update {row.version}, {row.arm} scores {before}"
            f"{row.after.estimate:.2f} on the {row.n} changed facts{how}.",
            "measured",
            ARTICLES["001"],
        )
    if changes is not None and changes >= WEEKLY and retrains_for_knowledge(chosen.traits):
        verdict.caveats.append(
            f"Knowledge changes {changes:g} times a month; retraining that often is an "
            "operations burden beyond its machine cost."
        )
    if facts.task in ("extract", "classify"):
        prompt = by_name.get("prompt")
        if prompt is not None and prompt.validity is not None:
            failure = 1.0 - prompt.validity
            signal = "above" if failure > FORMAT_FAILURE_SIGNAL else "below"
            verdict.reason(
                f"Prompting fails the format on {failure:.0%} of queries, {signal} the 5% "
                "at which fine-tuning for format pays.",
                "rule",
                ARTICLES["003"],
            )
    patterns = facts.advice.get("distinct_patterns") or facts.labels
    stable = facts.advice.get("spec_stable_months")
    if patterns is not None and stable is not None:
        holds = patterns < FEW_PATTERNS and stable >= STABLE_MONTHS
        verdict.reason(
            f"{patterns} distinct patterns, spec stable for {stable:g} months: fine-tuning "
            f"{'is' if holds else 'is not'} worth evaluating by the <20 patterns / 6 months rule.",
            "rule",
            ARTICLES["004"],
        )
    if facts.advice.get("needs_citations") and chosen.traits.cites:
        verdict.reason("Retrieval gives every answer its sources.", "rule", ARTICLES["001"])


def expectations(facts: Facts) -> list[dict[str, Any]]:
    """What the source articles predict for this task, checked against the automatic metric.

    `result` is "holds" only when the difference is significant in the claimed direction (the
    paired test's Holm p below 0.05, or 95% intervals that do not overlap where no paired test
    exists), "does not hold" when it is significant the other way, "not shown" otherwise (with
    its p or intervals), and "not checked" when an arm the check needs did not run. `holds` is
    True / False for the first two, None otherwise. The caller passes the automatic metric's
    facts even when people's ratings decide the verdict: the claims are about the metric.
    """
    arms = {a.arm: a for a in facts.arms if a.status == "done"}
    out = []
    if facts.freshness:
        after = {f.arm: f.after for f in facts.freshness if f.after is not None}
        rag, tuned = after.get("rag"), after.get("finetune")
        out.append(
            _claim(
                "retrieval beats fine-tuning on facts that changed after training",
                ARTICLES["001"],
                None if rag is None or tuned is None else (rag, tuned),
                "rag", "finetune", "on the changed facts", facts.comparisons,
            )
        )  # fmt: skip
    if facts.task in ("classify", "extract"):
        prompt, tuned_arm = arms.get("prompt"), arms.get("finetune")
        pair: tuple[Interval | float, Interval | float] | None = None
        if facts.task == "classify":
            claim, source = "fine-tuning beats prompting the same small model on accuracy", "002"
            if (
                prompt is not None
                and tuned_arm is not None
                and prompt.quality
                and tuned_arm.quality
            ):
                pair = (tuned_arm.quality.estimate, prompt.quality.estimate)  # the paired test
        else:
            claim = "fine-tuning beats prompting the same small model on format validity"
            source = "003"
            if (
                prompt is not None and tuned_arm is not None
                and prompt.validity is not None and tuned_arm.validity is not None
            ):  # fmt: skip
                pair = (_share(tuned_arm.validity, tuned_arm.n), _share(prompt.validity, prompt.n))
        out.append(
            _claim(claim, ARTICLES[source], pair, "finetune", "prompt", "", facts.comparisons)
        )
    return out


SIGNIFICANT = 0.05  # the Holm-adjusted p below which a claim's difference counts as shown


def _share(value: float, n: int) -> Interval:
    """A share of n items with its 95% Wilson interval."""
    return wilson_interval(round(value * n), n) if n else Interval(value, 0.0, 1.0, 0.95, "none")


def _claim(
    claim: str,
    source: str,
    values: tuple[Interval | float, Interval | float] | None,
    a: str,
    b: str,
    where: str,
    comparisons: Sequence[PairwiseComparison],
) -> dict[str, Any]:
    """Point values are read through the paired test of `a` and `b` in `comparisons`;
    intervals (no paired test exists) through whether they overlap."""
    if values is None:
        return {"claim": claim, "source": source, "holds": None, "result": "not checked",
                "evidence": f"{a} or {b} did not run"}  # fmt: skip
    x, y = values
    ex = x.estimate if isinstance(x, Interval) else x
    ey = y.estimate if isinstance(y, Interval) else y
    evidence = f"{a} {ex:.2f} vs {b} {ey:.2f}{' ' + where if where else ''}"
    if isinstance(x, Interval) and isinstance(y, Interval):
        evidence += f" (95% intervals [{x.low:.2f}, {x.high:.2f}] and [{y.low:.2f}, {y.high:.2f}]"
        result = "holds" if x.low > y.high else "does not hold" if y.low > x.high else "not shown"
        evidence += ", which overlap)" if result == "not shown" else ", which do not overlap)"
    else:
        pair = _pair(a, b, comparisons)
        if pair is None:
            result = "not shown"
            evidence += " (no paired test of the two arms)"
        else:
            effect = pair.effect if pair.arm_a == a else -pair.effect
            evidence += f" (p_holm {pair.p_holm:.3g}, n={pair.n})"
            shown = pair.p_holm < SIGNIFICANT
            result = "not shown" if not shown else "holds" if effect > 0 else "does not hold"
    holds = {"holds": True, "does not hold": False}.get(result)
    return {"claim": claim, "source": source, "holds": holds, "result": result,
            "evidence": evidence}  # fmt: skip


def _pair(a: str, b: str, comparisons: Sequence[PairwiseComparison]) -> PairwiseComparison | None:
    for c in comparisons:
        if {c.arm_a, c.arm_b} == {a, b}:
            return c
    return None
