"""People's ratings in the verdict and in the report document.

The verdict calls two functions (a hook of three lines in `verdict.decide`):

- `human_facts(facts)`: when people rated every finished arm (and no arm failed on a query),
  the verdict's quality is their score (`HumanEvidence.scores`, interval and n per arm) and its
  comparisons are the paired tests on the items they rated, instead of the automatic metric (for
  `generate`, ROUGE-L) or the judge; otherwise the arms are not comparable on one human scale,
  so the automatic metric stays and `human_notes` says which arms people rated and why;
- `human_notes(verdict, facts)`: a reason naming the human basis, and a caveat when the LLM
  judge's Cohen's kappa against people is below `advice.judge_min_kappa` (default 0.6).

`human_section(human)` lays the same numbers out for `ReportDocument.human`, which the Markdown,
HTML and JSON reports all read (`report/human.py` renders it).

Deliberately not here: the statistics (`evidence/human_scores.py`), the other decision rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, TypeVar

from ragtune.evidence import HUMAN, ArmSummary, Calibration, HumanEvidence
from ragtune.stats import Interval


# What these functions read of `verdict.Facts` and `verdict.Verdict` (the verdict package imports
# this module, so it cannot import the verdict back).
class HasHuman(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]  # a dataclass (`dataclasses.replace` copies it)

    @property
    def human(self) -> HumanEvidence | None: ...

    @property
    def arms(self) -> Sequence[ArmSummary]: ...


class Notes(Protocol):
    metric: str
    caveats: list[str]

    def reason(self, text: str, basis: str, source: str | None = None) -> None: ...


Facts = TypeVar("Facts", bound=HasHuman)


def human_facts(facts: Facts) -> Facts:
    """`facts` with people's scores as the quality of every arm, when they rated them all."""
    human = facts.human
    if human is None:
        return facts
    if not uses_human(facts):
        return facts
    rated = {s.arm: s for s in human.scores}
    arms = [
        dataclasses.replace(a, metric=HUMAN, quality=rated[a.arm].interval, n=rated[a.arm].n)
        if a.arm in rated and a.status == "done"
        else a
        for a in facts.arms
    ]
    return dataclasses.replace(facts, arms=arms, comparisons=human.comparisons)


def uses_human(facts: HasHuman) -> bool:
    """People rated every finished arm, and no arm failed on a test query.

    A failed query scores as wrong in the automatic metric, but people only see answers; with
    failures the human scores would flatter the failing arm, so the automatic metric decides.
    """
    human = facts.human
    finished = [a for a in facts.arms if a.status == "done" and a.quality is not None]
    rated = {s.arm for s in human.scores if s.interval is not None} if human else set()
    return (
        bool(finished)
        and all(a.arm in rated for a in finished)
        and not any(a.errors for a in finished)
    )


def human_notes(verdict: Notes, facts: HasHuman) -> None:
    """The reason that names a human basis, and the judge-calibration caveat."""
    human = facts.human
    if human is None:
        return
    rated = [s for s in human.scores if s.interval is not None]
    listed = "; ".join(f"{s.arm} {_interval(s.interval)}, n={s.n}" for s in rated)
    who = f"{len(human.reviewers)} reviewer{'s' if len(human.reviewers) != 1 else ''}"
    if rated and verdict.metric == HUMAN:
        verdict.reason(
            f"Quality is people's blind rating ({who}; {listed}), used instead of the automatic "
            "metric and the LLM judge for every arm they rated.",
            "measured",
        )
    elif rated:
        why = (
            "some arms failed on test queries, which score as wrong in the automatic metric "
            "but which people could not rate"
            if {s.arm for s in rated} >= {a.arm for a in facts.arms if a.status == "done"}
            else "not every finished arm was rated; review them all to decide on human scores"
        )
        verdict.caveats.append(
            f"People's blind ratings: {listed}. The verdict compares the arms on the automatic "
            f"metric: {why}."
        )
    c = human.calibration
    if c is not None and c.undefined:
        verdict.caveats.append(
            f"The LLM judge's agreement with people cannot be summarised by kappa ({c.note}): "
            f"on {c.n} answers people rated it agrees with them on {c.accuracy:.0%}. Review "
            "more varied answers to calibrate it."
        )
    elif c is not None and c.below and c.agreement is not None:
        verdict.caveats.append(
            f"The LLM judge is not calibrated: on {c.n} answers people rated it agrees with them "
            f"on {c.accuracy:.0%}, {kappa_text(c)}, below the {c.threshold:.2f} this workload "
            "requires (advice.judge_min_kappa). Do not rely on judge scores where people did "
            "not rate."
        )


def kappa_text(c: Calibration) -> str:
    """Cohen's kappa with its interval; on an ordinal scale the quadratic-weighted kappa (the
    one the threshold reads) first, the unweighted one beside it."""
    assert c.agreement is not None
    plain = f"{c.agreement.kappa:.2f} [{c.agreement.kappa_low:.2f}, {c.agreement.kappa_high:.2f}]"
    if c.weighted_kappa is None:
        return f"Cohen's kappa {plain}"
    return f"quadratic-weighted kappa {c.weighted_kappa:.2f} (unweighted {plain})"


def _interval(q: Interval | None) -> str:
    return "-" if q is None else f"{q.estimate:.3f} [{q.low:.3f}, {q.high:.3f}]"


def _estimate(e: Any) -> dict[str, Any]:
    return {"estimate": e.estimate, "low": e.low, "high": e.high, "n": e.n}


def human_section(human: HumanEvidence | None) -> dict[str, Any] | None:
    """`ReportDocument.human` (see `report/model.py` HumanDoc), or None when nobody rated."""
    if human is None:
        return None
    a, c = human.agreement, human.calibration
    return {
        "reviewers": list(human.reviewers),
        "ratings": human.ratings,
        "scale": list(human.scale),
        "scores": [
            {
                "arm": s.arm,
                "quality": None
                if s.interval is None
                else {**dataclasses.asdict(s.interval), "n": s.n},
                "reviewers": s.reviewers,
                "ratings": s.ratings,
            }
            for s in human.scores
        ],
        "comparisons": [
            {**dataclasses.asdict(x), "metric": HUMAN, "significant": x.significant()}
            for x in human.comparisons
        ],
        "pairwise": [{**dataclasses.asdict(p), "win_rate_a": p.win_rate_a} for p in human.pairwise],
        "judge_human": [
            {
                "arm": e.arm,
                "judge_metric": e.judge_metric,
                **{k: _estimate(getattr(e.result, k)) for k in ("judge_only", "human_only", "ppi")},
                "lam": e.result.lam,
                "ratings_to_halve": e.result.ratings_to_halve,
            }
            for e in human.judge_human
        ],
        "ppi_ratings": human.ppi_ratings.describe() if human.judge_items else None,
        "agreement": None
        if a is None
        else {
            "reviewers": list(a.reviewers),
            "n": a.n,
            "method": a.method,
            "kappa": a.kappa,
            "kappa_low": a.cohen.kappa_low if a.cohen else None,
            "kappa_high": a.cohen.kappa_high if a.cohen else None,
            "accuracy": a.cohen.accuracy if a.cohen else None,
            "note": a.note,
        },
        "calibration": None
        if c is None
        else {
            "judge_metric": c.judge_metric,
            "n": c.n,
            "accuracy": c.accuracy,
            "kappa": c.kappa,
            "weighted_kappa": c.weighted_kappa,
            "label_rule": c.label_rule or None,
            "kappa_low": c.agreement.kappa_low if c.agreement else None,
            "kappa_high": c.agreement.kappa_high if c.agreement else None,
            "confidence": c.agreement.confidence if c.agreement else None,
            "threshold": c.threshold,
            "below": c.below,
            "categories": list(c.table.categories),
            "table": [list(row) for row in c.table.counts],
            "note": c.note,
        },
    }
