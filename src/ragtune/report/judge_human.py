"""The report's judge + people rows: each arm's judge-only, human-only and PPI estimates.

`JudgeHumanDoc` is one row of `HumanDoc.judge_human` (`evidence/judge_human.py` computes it);
`judge_human_rows` formats the rows once for the Markdown and HTML human-review section.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EstimateDoc(_Doc):
    """A mean with its 95% interval and the answers it rests on."""

    estimate: float
    low: float
    high: float
    n: int


class JudgeHumanDoc(_Doc):
    """One arm: its mean human score estimated three ways (prediction-powered inference)."""

    arm: str
    judge_metric: str
    judge_only: EstimateDoc  # every judged answer: biased if the judge is
    human_only: EstimateDoc  # the rated answers alone
    ppi: EstimateDoc  # judge on the unrated, corrected by its error on the rated (PPI++)
    lam: float  # PPI++ power tuning: 0 ignores the judge, 1 is plain PPI
    ratings_to_halve: int | None = None  # more ratings that would halve the PPI interval


HEAD = ["arm", "judge only", "human only", "PPI (judge + people)", "lambda", "to halve"]


def judge_human_rows(rows: list[JudgeHumanDoc]) -> list[list[str]]:
    def cell(e: EstimateDoc) -> str:
        return f"{e.estimate:.3f} [{e.low:.3f}, {e.high:.3f}] n={e.n:,}"

    return [
        [
            r.arm, cell(r.judge_only), cell(r.human_only), cell(r.ppi), f"{r.lam:.2f}",
            "not by ratings alone" if r.ratings_to_halve is None
            else f"{r.ratings_to_halve:,} more ratings",
        ]
        for r in rows
    ]  # fmt: skip
