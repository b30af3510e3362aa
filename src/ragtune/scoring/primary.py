"""Score a list of predictions for a task: the metrics per item, and one primary score per item.

The glue between arms (which produce raw answers and citations) and `metrics` (pure functions).
The primary score is the one number per item used to calibrate the router and to compare arms
pairwise: containment for qa (the gold answer appears in the short answer), accuracy for
classify, field F1 for extract, ROUGE-L for generate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ragtune.scoring import metrics
from ragtune.scoring.metrics import MetricScores

PRIMARY = {"qa": "contains", "classify": "accuracy", "extract": "field_f1", "generate": "rouge_l"}


def score(
    task: str,
    answers: Sequence[str | None],
    golds: Sequence[Any],
    *,
    labels: Sequence[str] | None = None,
    schema: Mapping[str, Any] | None = None,
    citations: Sequence[Sequence[str] | None] | None = None,
    gold_documents: Sequence[Sequence[str]] | None = None,
) -> dict[str, MetricScores]:
    """Every metric of `task` over the items (None answers are errors and score as wrong)."""
    if task == "qa":
        with_docs = gold_documents is not None and any(gold_documents)
        return metrics.score_qa(
            answers,
            [qa_gold(g) for g in golds],
            citations=citations if with_docs else None,
            gold_documents=gold_documents if with_docs else None,
        )
    if task == "classify":
        return metrics.score_classify(answers, [str(g) for g in golds], labels or ())
    if task == "extract":
        return metrics.score_extract(answers, golds, schema)
    return metrics.score_generate(answers, [g if isinstance(g, list) else str(g) for g in golds])


def qa_gold(gold: Any) -> str | list[str]:
    """A QA gold as datasets give it: one answer, or a list of accepted answers (SQuAD, Natural
    Questions, TriviaQA), never the list's repr."""
    if isinstance(gold, list | tuple):
        return [str(g) for g in gold]
    return "" if gold is None else str(gold)


def primary(task: str, scores: Mapping[str, MetricScores]) -> MetricScores:
    return scores[PRIMARY[task]]


def primary_per_item(task: str, scores: Mapping[str, MetricScores]) -> list[float]:
    return [s if s is not None else 0.0 for s in primary(task, scores).per_item]
