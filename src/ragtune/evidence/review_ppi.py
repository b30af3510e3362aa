"""What the review page says about the judge + people estimate: how many more ratings would
halve its interval, without naming an arm (the page is blind).

The figure is `stats.ratings_to_halve` per arm (through `HumanEvidence.judge_human`: the ratings
of uniformly drawn reviews only), and the page shows the largest over the review's arms: rating
that many more items halves every arm's interval. It is None when some arm's interval cannot be
halved by ratings alone: the judge's own spread over the judged items (the var_judge / N term of
se^2 = var_judge / N + var_correction / n) is already more than a quarter of it. Deliberately not
here: the arithmetic (`stats/ppi.py`), the page (`web/review.py`, `review.js`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.evidence.human_scores import human_evidence
from ragtune.evidence.review import judged_items
from ragtune.evidence.rundata import RunData
from ragtune.store import Review


@dataclass(frozen=True)
class ReviewPpi:
    """The judge + people note of one review page."""

    uniform: bool  # the review's items were drawn uniformly at random (PPI uses its ratings)
    rated: int  # fewest items rated (uniform reviews, any reviewer) over the review's arms
    more: int | None  # more rated items that would halve every arm's PPI interval; None: cannot
    text: str


def review_ppi(run: RunData, review: Review) -> ReviewPpi | None:
    """The note for `review`'s page; None when the run was not judged for its arms."""
    arms = [a for a in review.arms if "~" not in a]
    if review.mode != "pointwise" or not judged_items(run, arms):
        return None
    command = f"ragtune review {run.id}"
    if review.sampling != "uniform":
        return ReviewPpi(
            False, 0, None,
            "This review's items were not drawn uniformly at random, so the judge + people "
            f"estimate does not use its ratings; `{command} --uniform` draws a sample it can use.",
        )  # fmt: skip
    human = human_evidence(
        run.config.task, run.ratings, run.judge_metrics, seed=run.seed, reviews=run.reviews
    )
    found = [e for e in (human.judge_human if human else ()) if e.arm in arms]
    if len(found) < len(arms):
        return ReviewPpi(
            True, 0, None,
            "Judge + people: once every answer of at least 2 items is rated, this page says how "
            "many more ratings would halve the estimate's interval.",
        )  # fmt: skip
    rated = min(e.rated for e in found)
    needs = [e.result.ratings_to_halve for e in found]
    if any(n is None for n in needs):
        return ReviewPpi(
            True, rated, None,
            f"Judge + people: {rated:,} items rated. More ratings alone would not halve the "
            "interval: the judge's own spread over the judged answers is most of it.",
        )  # fmt: skip
    more = max(n for n in needs if n is not None)
    rated_here = {r.item_id for r in run.ratings if r.review == review.id}
    left = sum(1 for i in review.items if i not in rated_here)
    extend = (
        ""
        if more <= left
        else f" (this sample has {left:,} unrated; `{command} --sample "
        f"{len(review.items) + more - left:,} --seed {review.seed}` extends it)"
    )
    return ReviewPpi(
        True, rated, more,
        f"Judge + people: {rated:,} items rated; about {more:,} more would halve the estimate's "
        f"interval{extend}.",
    )  # fmt: skip


__all__ = ["ReviewPpi", "review_ppi"]
