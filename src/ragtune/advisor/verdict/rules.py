"""The source articles' decision rules, tied to measured numbers: knowledge freshness, retraining
cadence, the 5% format-failure signal, few stable patterns, citations; and the articles'
predictions for this task (`expectations`), checked against the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ragtune.advisor.verdict.facts import ARTICLES, Facts, Verdict
from ragtune.evidence import ArmSummary, retrains_for_knowledge
from ragtune.stats import PairwiseComparison

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
    """What the source articles predict for this task, checked against the measurements.

    `holds` is True / False on the point estimates, with the significance said in `evidence`,
    or None when an arm the check needs did not run.
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
                None if rag is None or tuned is None else (rag.estimate, tuned.estimate),
                "rag", "finetune", "on the changed facts", facts.comparisons, paired=False,
            )
        )  # fmt: skip
    if facts.task in ("classify", "extract"):
        prompt, tuned_arm = arms.get("prompt"), arms.get("finetune")
        if facts.task == "classify":
            claim, source = "fine-tuning beats prompting the same small model on accuracy", "002"
            values = (
                None
                if prompt is None or tuned_arm is None or not (prompt.quality and tuned_arm.quality)
                else (tuned_arm.quality.estimate, prompt.quality.estimate)
            )
        else:
            claim = "fine-tuning beats prompting the same small model on format validity"
            source = "003"
            values = (
                None
                if prompt is None or tuned_arm is None
                or prompt.validity is None or tuned_arm.validity is None
                else (tuned_arm.validity, prompt.validity)
            )  # fmt: skip
        paired = facts.task == "classify"
        out.append(
            _claim(
                claim, ARTICLES[source], values, "finetune", "prompt", "", facts.comparisons, paired
            )
        )
    return out


def _claim(
    claim: str,
    source: str,
    values: tuple[float, float] | None,
    a: str,
    b: str,
    where: str,
    comparisons: Sequence[PairwiseComparison],
    paired: bool,
) -> dict[str, Any]:
    if values is None:
        return {"claim": claim, "source": source, "holds": None,
                "evidence": f"{a} or {b} did not run"}  # fmt: skip
    evidence = f"{a} {values[0]:.2f} vs {b} {values[1]:.2f}{' ' + where if where else ''}"
    pair = _pair(a, b, comparisons) if paired else None
    if pair is not None:
        evidence += f" (p_holm {pair.p_holm:.3g}, n={pair.n})"
    return {"claim": claim, "source": source, "holds": values[0] > values[1], "evidence": evidence}


def _pair(a: str, b: str, comparisons: Sequence[PairwiseComparison]) -> PairwiseComparison | None:
    for c in comparisons:
        if {c.arm_a, c.arm_b} == {a, b}:
            return c
    return None
