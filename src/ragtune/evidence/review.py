"""Human review of a run: which items to show, in which blind order, and what a rating may say.

`plan_review` draws a seeded sample of the run's test items among those on which no reviewed
arm's call failed. On a judged run it is a uniformly random sample of the items the judge scored
for every reviewed arm, drawn as a prefix of one seeded shuffle (so a bigger `--sample` with the
same seed keeps the items already drawn): the judge + people estimate (PPI) is unbiased only on
such a sample, and uses only the ratings of reviews drawn so (`Review.sampling`). Otherwise, or
with `uniform=False`, it is stratified like `--limit` (by gold label for classify, by first
gold document for qa). An empty answer is an answer: it stays in the pool and is shown (and
rated) as empty, so people's scores count it against the arm as the automatic metric does. The
sample is shuffled so strata do not come in blocks. Each reviewer sees each item's answers in
their own seeded order (`shown_order`), without arm names; `check_rating` turns what the page
sends (an answer's position and a value) into a `Rating` naming the arm, and refuses anything
outside the review (unknown item, position or value) with a `ReviewError`.

Scales: pointwise ratings are correct / partly / wrong (scored 1, 0.5, 0), or the 1-5 rubric for
`generate` tasks (the judge's QUALITY rubric; scored (v - 1) / 4, as the judge's are); pairwise
ratings are a / b / tie between the review's two arms (scored 1, 0, 0.5 for arm a).

Deliberately not here: statistics over ratings (`human.py`), SQL (`store/reviews.py`), the page.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ragtune.data import allocate
from ragtune.errors import RagtuneError, suggest
from ragtune.evidence.rundata import RunData
from ragtune.running import JUDGED
from ragtune.store import Rating, Review

DEFAULT_SAMPLE = 60  # seed 002/003: people review 50-100 examples; 60 keeps one sitting short
MODES = ("pointwise", "pairwise")
CORRECTNESS = ("correct", "partly", "wrong")
RUBRIC = ("1", "2", "3", "4", "5")
PAIRWISE = ("a", "b", "tie")
# The value of each rating as a score in [0, 1], on the judge's scale (judge_correct, judge_score).
SCORE: Mapping[str, float] = {
    "correct": 1.0,
    "partly": 0.5,
    "wrong": 0.0,
    **{v: (int(v) - 1) / 4 for v in RUBRIC},
}
PAIR_SCORE: Mapping[str, float] = {"a": 1.0, "b": 0.0, "tie": 0.5}  # arm a's share of the win
# What the page shows for each value, and the key that gives it.
LABELS: Mapping[str, tuple[str, str]] = {
    "correct": ("Correct", "1"),
    "partly": ("Partly correct", "2"),
    "wrong": ("Wrong", "3"),
    # the judge's QUALITY rubric, in its words
    "1": ("1 wrong or unusable", "1"),
    "2": ("2", "2"),
    "3": ("3 usable, with gaps", "3"),
    "4": ("4", "4"),
    "5": ("5 complete and correct", "5"),
    "1st": ("First is better", "a"),
    "2nd": ("Second is better", "b"),
    "tie": ("Tie", "t"),
}


class ReviewError(RagtuneError):
    """A review or a rating that does not fit the run (the web API answers 422 naming `field`)."""

    def __init__(self, message: str, *, hint: str | None = None, field: str = "") -> None:
        super().__init__(message, hint=hint)
        self.field = field


@dataclass(frozen=True)
class ReviewPlan:
    """What `add_review` stores: the sample, the arms, the mode and the scale."""

    mode: str
    arms: tuple[str, ...]
    items: tuple[str, ...]
    scale: tuple[str, ...]
    seed: int
    stratified_by: str | None
    sampling: str = "stratified"  # "uniform" | "stratified" (`Review.sampling`)


def scale(task: str, mode: str) -> tuple[str, ...]:
    if mode == "pairwise":
        return PAIRWISE
    return RUBRIC if task == "generate" else CORRECTNESS


def plan_review(
    run: RunData,
    *,
    sample: int = DEFAULT_SAMPLE,
    arms: Sequence[str] | None = None,
    mode: str = "pointwise",
    seed: int | None = None,
    uniform: bool | None = None,
) -> ReviewPlan:
    """A seeded sample of `sample` test items on which no arm in `arms` failed (empty answers
    included: leaving them out would let people's scores flatter the arm).

    `uniform`: True, a uniformly random sample of the items the judge scored for every arm in
    `arms` (all of them on an unjudged run), which the judge + people estimate (PPI,
    `judge_human.py`) needs: its correction is unbiased only when every judged item had the same
    chance of being rated, which proportional allocation only approximates; False, stratified;
    None (the default), uniform when the run was judged, else stratified."""
    done = [a.name for a in run.arms if a.arm.status == "done"]
    chosen = list(arms) if arms else done
    problems = []
    if mode not in MODES:
        problems.append(f"mode {mode!r} is not one of {list(MODES)}")
    for name in chosen:
        if name not in done:
            hint = suggest(name, done) if done else "it has none"
            problems.append(f"arm {name!r} is not a finished arm of run {run.id} ({hint})")
    if len(set(chosen)) != len(chosen):
        problems.append(f"--arms names an arm twice: {chosen}")
    if mode == "pairwise" and len(chosen) != 2:
        problems.append(f"pairwise review compares exactly two arms, got {len(chosen)}")
    if not chosen:
        problems.append(f"run {run.id} has no finished arm to review")
    if sample < 1:
        problems.append(f"--sample must be at least 1, got {sample}")
    if problems:
        raise ReviewError(
            "; ".join(problems),
            hint=f"finished arms: {', '.join(done) or 'none'}; e.g. --arms {','.join(done[:2])}",
        )
    common = _answered(run, chosen)
    pool = [i for i in run.items if i.split == "test" and i.id in common]
    if not pool:
        raise ReviewError(
            f"no test item of run {run.id} was answered by every arm of {chosen}",
            hint="review arms that finished, or fewer arms",
        )
    seed = run.seed if seed is None else seed
    judged = judged_items(run, chosen)
    uniform = bool(judged) if uniform is None else uniform
    rng = random.Random(seed)
    if uniform:
        frame = [i.id for i in pool if not judged or i.id in judged]  # = review_frame
        if not frame:
            raise ReviewError(
                f"no test item of run {run.id} was both answered and judged for every arm of "
                f"{chosen}",
                hint="review arms the judge scored, or draw a stratified sample (--stratified)",
            )
        rng.shuffle(frame)  # one seeded order: a bigger sample with the seed extends this one
        return ReviewPlan(mode, tuple(chosen), tuple(frame[:sample]),
                          scale(run.config.task, mode), seed, None, "uniform")  # fmt: skip
    by, key = _stratum(run.config.task)
    strata: dict[str, list[str]] = {}
    for item in pool:
        strata.setdefault(key(item.gold), []).append(item.id)
    groups = list(strata.values())
    picked: list[str] = []
    sizes = [len(g) for g in groups]
    for group, count in zip(groups, allocate(sizes, sample, rng), strict=True):
        picked += rng.sample(group, count)
    rng.shuffle(picked)  # strata (often blocks in the data file) do not come one after another
    stratified = by if by is not None and len(groups) > 1 else None
    return ReviewPlan(
        mode, tuple(chosen), tuple(picked), scale(run.config.task, mode), seed, stratified
    )


def _answered(run: RunData, arms: Sequence[str]) -> set[str]:
    """Items every arm of `arms` answered without error (repeat 0)."""
    answered = [
        {p.item_id for p in data.predictions if p.repeat == 0 and p.error is None}
        for data in run.arms
        if data.name in arms
    ]
    return set.intersection(*answered) if answered else set()


def review_frame(run: RunData, arms: Sequence[str]) -> frozenset[str]:
    """The sampling frame of a uniform review of `arms`: the test items every arm answered
    without error and the judge scored for every arm (all answered ones on an unjudged run), the
    items `plan_review` draws from. PPI's unrated items must come from it too: an item outside
    it could never be rated, and counting it would bias the correction (issue 29, F3)."""
    test = {i.id for i in run.items if i.split == "test"}
    pool = _answered(run, arms) & test
    judged = judged_items(run, arms)
    return frozenset(pool & judged if judged else pool)


def review_frames(run: RunData) -> dict[int, frozenset[str]]:
    """review id -> its sampling frame, for the run's uniformly drawn reviews (as the run's
    answers and judge verdicts stand now)."""
    return {r.id: review_frame(run, r.arms) for r in run.reviews if r.sampling == "uniform"}


def judged_items(run: RunData, arms: Sequence[str]) -> set[str]:
    """Test items the LLM judge scored (its pointwise verdict) for every arm in `arms`; empty
    when the run was not judged for all of them."""
    name = JUDGED.get(run.config.task, ("", ""))[0]
    by_arm: dict[str, set[str]] = {}
    for m in run.judge_metrics:
        if m.name == name and m.item_id and m.value is not None:
            by_arm.setdefault(m.arm, set()).add(m.item_id)
    if not arms or any(a not in by_arm for a in arms):
        return set()
    return set.intersection(*(by_arm[a] for a in arms))


def _stratum(task: str) -> tuple[str | None, Callable[[Any], str]]:
    if task == "classify":
        return "label", lambda gold: str((gold or {}).get("answer"))
    if task == "qa":
        return "document", lambda gold: str(((gold or {}).get("doc_ids") or [""])[0])
    return None, lambda gold: ""


def shown_order(review: Review, reviewer: str, item_id: str) -> tuple[str, ...]:
    """The arms of `item_id` in the order `reviewer` sees them: seeded by review, reviewer and
    item, so a reload shows the same order and different items (and reviewers) differ."""
    arms = list(review.arms)
    random.Random(f"{review.seed}:{review.id}:{reviewer}:{item_id}").shuffle(arms)
    return tuple(arms)


def check_reviewer(name: str) -> str:
    """A reviewer name: 1-64 printable characters, trimmed."""
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= 64 or not cleaned.isprintable():
        raise ReviewError(
            f"reviewer name must be 1-64 printable characters, got {name!r}",
            hint="use your name or initials, e.g. ?reviewer=alice",
            field="reviewer",
        )
    return cleaned


def check_rating(review: Review, reviewer: str, item_id: str, answer: int, value: str) -> Rating:
    """The rating a page sent, checked against the review, with the arm it is about.

    `answer` is the position (0-based) of the rated answer in the reviewer's blind order;
    pairwise values are "1st", "2nd" (the answer shown first / second is better) or "tie".
    """
    reviewer = check_reviewer(reviewer)
    if item_id not in review.items:
        raise ReviewError(
            f"item {item_id!r} is not in review {review.id} of run {review.run_id}",
            hint="rate the items the review page lists",
            field="item_id",
        )
    shown = shown_order(review, reviewer, item_id)
    if review.mode == "pairwise":
        choices = {"1st": "a" if shown[0] == review.arms[0] else "b",
                   "2nd": "b" if shown[0] == review.arms[0] else "a", "tie": "tie"}  # fmt: skip
        if value not in choices or answer != 0:
            raise ReviewError(
                f"a pairwise rating is answer 0 with a value in {list(choices)}, got answer "
                f"{answer} and value {value!r}",
                hint="press a (first better), b (second better) or t (tie)",
                field="value" if answer == 0 else "answer",
            )
        arm, stored = f"{review.arms[0]}~{review.arms[1]}", choices[value]
    else:
        if not 0 <= answer < len(shown):
            raise ReviewError(
                f"item {item_id!r} shows {len(shown)} answers (0 to {len(shown) - 1}), got "
                f"answer {answer}",
                hint="rate one of the answers on the page",
                field="answer",
            )
        if value not in review.scale:
            raise ReviewError(
                f"value {value!r} is not on the review's scale {list(review.scale)}",
                hint="use the buttons or their keys",
                field="value",
            )
        arm, stored = shown[answer], value
    return Rating(review.run_id, review.id, reviewer, item_id, arm, review.mode, stored, shown)
