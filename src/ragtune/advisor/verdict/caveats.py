"""Caveats: what limits trust in the verdict: failed queries, a small sample, a local stand-in
model, arms not measured, too few training examples for a tuned arm.
"""

from __future__ import annotations

from ragtune.advisor.verdict.facts import ARTICLES, Facts, Verdict
from ragtune.evidence import MAX_ERROR_SHARE, ArmSummary

FEW_EXAMPLES = 500  # article 001: below ~500 good examples, fine-tuning underperforms


SMALL_SAMPLE = 100


def error_caveats(verdict: Verdict, finished: list[ArmSummary]) -> None:
    """Failures are part of the evidence: scored as wrong, their time and cost counted."""
    failing = [a for a in finished if a.errors]
    if failing:
        listed = ", ".join(f"{a.arm} {a.errors} of {a.n} ({a.error_share:.0%})" for a in failing)
        verdict.caveats.append(
            f"Failed queries: {listed}. Failures score as wrong and count in latency and cost; "
            f"an arm failing on more than {MAX_ERROR_SHARE:.0%} is not recommended."
        )


def add_caveats(verdict: Verdict, done: list[ArmSummary], facts: Facts) -> None:
    n = min(a.n for a in done)
    widest = max((a.quality.high - a.quality.low) for a in done if a.quality)
    if n < SMALL_SAMPLE:
        verdict.caveats.append(
            f"Small sample: {n} test queries per arm; the widest 95% CI spans {widest:.2f}."
        )
    if facts.local_only_backends or facts.stand_in_arms:
        which = f" ({', '.join(facts.stand_in_arms)})" if facts.stand_in_arms else ""
        verdict.caveats.append(
            f"Quality was measured on a small local stand-in model{which}; rerun with the models "
            "you would deploy before trusting the quality ranking. API costs are projections "
            "from measured tokens."
        )
    verdict.caveats.extend(facts.machine_notes)
    missing = [a for a in facts.arms if a.status != "done"]
    if missing:
        verdict.caveats.append(
            "Not measured: " + "; ".join(f"{a.arm} ({a.reason or a.status})" for a in missing)
        )
    tuned = [a for a in done if a.traits.tuned]
    if tuned and facts.train_examples < FEW_EXAMPLES:
        verdict.caveats.append(
            f"Fine-tuned on {facts.train_examples} examples; below about {FEW_EXAMPLES}, "
            f"tuned models tend to memorise rather than generalise ({ARTICLES['001']})."
        )
    if facts.advice.get("knowledge_changes_per_month") is None and facts.freshness:
        verdict.caveats.append(
            "How often the knowledge changes was not stated (advice.knowledge_changes_per_month)"
            "; tuned arms are priced without retraining."
        )
