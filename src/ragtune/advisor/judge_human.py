"""The verdict on people's scores, sharpened by the judge: PPI intervals of paired differences.

When the verdict decides on people's ratings (`human_facts.py`) and the LLM judge scored every
answer, each arm's difference from the best is estimated by prediction-powered inference on the
per-item differences (`stats.ppi_mean`): people's difference on the items they rated, the judge's
on every judged item. The interval is valid without trusting the judge and, with PPI++'s power
tuning, never (asymptotically) wider than people's alone; it replaces the human-only paired
interval, at the same family confidence (Bonferroni over the k - 1 comparisons with the best).
The rated items must be a uniformly random subset of the judged ones, so only the ratings of
uniformly drawn reviews count (`HumanEvidence.ppi_scores`; `ragtune review` draws uniformly on a
judged run). PPI's interval is a normal one, far too narrow on a few ratings that all agree with
the judge, or whose paired differences are all 0 for people; it may decide (either way) only
when at least `MIN_DISAGREEMENTS` rated items differ from the judge and as many have a non-zero
difference for people, and then with its floored interval (`PpiResult.decision`; `stats/ppi.py`
has the rule and the simulation behind it); otherwise people's own row stands. Deliberately
not here: the arithmetic (`stats/ppi.py`), choosing (`verdict/choosing.py`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from ragtune.advisor.standing import Standing
from ragtune.evidence import HumanEvidence
from ragtune.stats import PpiResult, ppi_mean, status_of


def ppi_standings(
    stood: Sequence[Standing], human: HumanEvidence, margin: float, alpha: float = 0.05
) -> list[Standing]:
    """`stood` (on people's scores) with each compared arm's interval from PPI, where the judge
    scored both arms on at least 2 rated and 2 unrated items; other rows are kept."""
    best = next((s.arm for s in stood if s.status == "best"), None)
    people = human.ppi_scores
    judge = human.judge_items
    if best is None or best not in people or best not in judge:
        return list(stood)
    family = sum(s.status not in ("best", "not compared") for s in stood)
    out = []
    for s in stood:
        if s.status in ("best", "not compared") or s.arm not in people or s.arm not in judge:
            out.append(s)
            continue
        row = _difference(people, judge, s.arm, best, 1 - alpha / max(1, family))
        if row is None:
            out.append(s)
            continue
        if not row.decisive or row.decision is None:  # too few counts: people's own test
            out.append(s)
            continue
        p = row.decision
        estimate, low, high, rated = p.estimate, p.low, p.high, p.n
        status = status_of(low, high, margin)
        out.append(
            dataclasses.replace(
                s, status=status, n=rated, effect=estimate, ci_low=low,
                ci_high=high, confidence=1 - alpha / max(1, family), p_value=None, p_holm=None,
                test="ppi", items_needed=None, more_items=None, items_needed_at_zero=None,
                more_items_at_zero=None,
            )
        )  # fmt: skip
    return out


def _difference(
    people: Mapping[str, Mapping[str, float]],
    judge: Mapping[str, Mapping[str, float]],
    arm: str,
    best: str,
    confidence: float,
) -> PpiResult | None:
    judged = judge[arm].keys() & judge[best].keys()
    rated = sorted(judged & people[arm].keys() & people[best].keys())
    unrated = sorted(judged - set(rated))
    if len(rated) < 2 or len(unrated) < 2:
        return None
    d_human = [people[arm][i] - people[best][i] for i in rated]
    d_judge = [judge[arm][i] - judge[best][i] for i in rated]
    d_unrated = [judge[arm][i] - judge[best][i] for i in unrated]
    return ppi_mean(d_human, d_judge, d_unrated, confidence=confidence)
