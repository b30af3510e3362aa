"""Scoring: task metrics and the primary score per item; the judge's prompts and reply parsers
(a leaf: no run, no store)."""

from ragtune.scoring.judge import (
    CORRECTNESS,
    QUALITY,
    BackendJudge,
    Case,
    PairwiseSummary,
    PairwiseVerdict,
    Rubric,
    judge_pairwise,
    judge_pointwise,
    pointwise_request,
    summarize_pairwise,
)
from ragtune.scoring.metrics import MetricScores
from ragtune.scoring.primary import PRIMARY, primary_per_item, score

__all__ = [
    "CORRECTNESS",
    "PRIMARY",
    "QUALITY",
    "BackendJudge",
    "Case",
    "MetricScores",
    "PairwiseSummary",
    "PairwiseVerdict",
    "Rubric",
    "judge_pairwise",
    "judge_pointwise",
    "pointwise_request",
    "primary_per_item",
    "score",
    "summarize_pairwise",
]
