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

from ragtune.evidence.human_scores import HumanEvidence, human_evidence
from ragtune.evidence.review import judged_items, review_frames
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
        run.config.task, run.ratings, run.judge_metrics, seed=run.seed, reviews=run.reviews,
        frames=review_frames(run),
    )  # fmt: skip
    found = [e for e in (human.judge_human if human else ()) if e.arm in arms]
    if len(found) < len(arms):
        return ReviewPpi(True, 0, None, _no_estimate(human, arms))
    rated = min(e.rated for e in found)
    needs = [e.result.ratings_to_halve for e in found]
    if any(e.result.ppi.width <= 0 for e in found):
        return ReviewPpi(
            True, rated, None,
            f"Judge + people: {rated:,} items rated. The estimate's interval has no width yet "
            "(people and the judge agree on every rated answer), so the page cannot say how "
            "many more ratings would halve it.",
        )  # fmt: skip
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
        f"Judge + people: {rated:,} items rated; about {more:,} more would halve the interval "
        f"of each arm's mean score (not of a difference between arms){extend}.",
    )  # fmt: skip


def _no_estimate(human: HumanEvidence | None, arms: list[str]) -> str:
    """Why some arm has no estimate: under 2 rated items, or under 2 judged items left unrated
    in the review's frame (every item it can draw is rated: the estimate is people's own)."""
    people = human.ppi_scores if human is not None else {}
    judge = human.judge_items if human is not None else {}
    unrated = [len(judge.get(a, {}).keys() - people.get(a, {}).keys()) for a in arms]
    if people and all(a in people for a in arms) and min(unrated) < 2:
        return (
            "Judge + people: every item this review can draw from is rated (all but at most "
            "one), so the estimate is people's own; the judge has no unrated answers to add."
        )
    return (
        "Judge + people: once every answer of at least 2 items is rated, this page says how "
        "many more ratings would halve the estimate's interval."
    )


__all__ = ["ReviewPpi", "review_ppi"]
