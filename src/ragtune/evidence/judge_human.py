"""Judge + people as one estimate: prediction-powered inference (PPI) of each arm's human score.

The LLM judge scores every answer; people rate a random subset. `judge_human_estimates` puts
three estimates of each arm's mean human score side by side (`stats.ppi_mean`):

- judge only: the judge's mean over every judged answer (cheap, biased when the judge is);
- human only: people's mean over the rated answers (unbiased, wide when few are rated);
- PPI: the judge's mean on the unrated answers, corrected by the judge's average error on the
  rated ones (power-tuned, PPI++), with an interval that is valid without trusting the judge and
  narrower than the human-only one when the judge tracks people;

and how many more ratings would halve the PPI interval. The correction is unbiased only when
the rated answers are a uniformly random subset of the judged ones (`ragtune review` draws them
so when the run was judged); the population is the judged answers of the arm in the review's
frame, the items it could have drawn (`review.review_frame`). Deliberately not
here: the arithmetic (`stats/ppi.py`), the review sample (`review.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ragtune.stats import PpiResult, ppi_mean


@dataclass(frozen=True)
class JudgeHumanEstimate:
    """One arm's judge-only, human-only and PPI estimates of its mean human score."""

    arm: str
    judge_metric: str
    rated: int  # answers both people and the judge scored
    unrated: int  # judged answers people did not rate
    result: PpiResult


def judge_human_estimates(
    human: Mapping[str, Mapping[str, float]],
    judge: Mapping[str, Mapping[str, float]],
    judge_metric: str,
    *,
    confidence: float = 0.95,
) -> tuple[JudgeHumanEstimate, ...]:
    """Per arm with at least 2 rated and 2 unrated judged answers: the three estimates.
    `human` and `judge` are arm -> item id -> score on the judge's 0-1 scale."""
    out = []
    for arm in sorted(human.keys() & judge.keys()):
        rated = sorted(human[arm].keys() & judge[arm].keys())
        unrated = sorted(judge[arm].keys() - human[arm].keys())
        if len(rated) < 2 or len(unrated) < 2:
            continue
        result = ppi_mean(
            _values(human[arm], rated),
            _values(judge[arm], rated),
            _values(judge[arm], unrated),
            confidence=confidence,
        )
        out.append(JudgeHumanEstimate(arm, judge_metric, len(rated), len(unrated), result))
    return tuple(out)


def _values(scores: Mapping[str, float], ids: Sequence[str]) -> list[float]:
    return [scores[i] for i in ids]


__all__ = ["JudgeHumanEstimate", "judge_human_estimates"]
