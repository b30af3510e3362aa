"""What people said about a run's answers, as evidence: scores, comparisons, agreement, calibration.

`human_evidence(run)` reads the run's reviews and ratings (`RunData.ratings`) and returns:

- per arm, the human score of each reviewed item (the mean of its reviewers' scores on the
  judge's 0-1 scale, `review.SCORE`) with its interval and n, like any metric (`metric_interval`:
  Wilson when every score is 0 or 1, the bounded bootstrap-t otherwise);
- paired comparisons between arms on the items both were rated on (`compare_arms`: Tango's
  score interval for 0/1 scores, the bounded bootstrap-t otherwise, Holm over the pairs);
- head-to-head (pairwise mode) counts: wins, losses and ties per pair;
- inter-rater agreement when several people rated the same answers: Cohen's kappa with its
  interval for two reviewers, Fleiss' kappa for three or more (on the answers all of them rated);
- judge + people (`judge_human.py`): each arm's judge-only, human-only and prediction-powered
  (PPI) estimates of its human score, from the ratings of uniformly drawn reviews only
  (`Review.sampling`; a stratified sample would bias PPI's correction), and which reviews'
  ratings that is (`PpiRatings`);
- judge calibration: on the answers both the LLM judge and people rated, the judge's verdict and
  the human label side by side (accuracy, Cohen's kappa with its interval, the confusion table;
  rows are the judge, columns the people), and whether kappa is below the workload's
  `advice.judge_min_kappa`. On the 1-5 rubric (an ordinal scale) the threshold reads the
  quadratic-weighted kappa, the unweighted one shown beside it; where kappa is undefined (every
  answer in one category on both sides) the raw agreement is reported, never "not calibrated".

A reviewer's later rating of the same answer replaces their earlier one. With several reviewers,
an answer's human label for calibration is the scale value nearest their mean score (a tie goes
to the lower value: the cautious reading). Stated mappings onto the judge's scale:
- the QA judge says correct or wrong; people may also say "partly", which for calibration counts
  as wrong (the judge's instruction scores an answer that misses the reference's key facts 0);
  people's scores keep partly = 0.5;
- a judge's half-point rubric score (2.5, 3.5) goes to the lower point, the same cautious
  reading as people's ties (2.5 -> 2, 3.5 -> 3; before, both went to 3).

Deliberately not here: the review sample and blind order (`review.py`), kappa itself
(`agreement.py`), what the verdict does with it (`advisor/human_facts.py`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from ragtune.errors import RagtuneError
from ragtune.evidence.judge_human import JudgeHumanEstimate, judge_human_estimates
from ragtune.evidence.review import PAIR_SCORE, RUBRIC, SCORE, scale
from ragtune.running import JUDGED
from ragtune.scoring import MetricScores
from ragtune.stats import (
    Agreement,
    ConfusionTable,
    Interval,
    PairwiseComparison,
    cohen_kappa,
    compare_arms,
    confusion,
    fleiss_kappa,
    metric_interval,
    weighted_kappa,
)
from ragtune.store import Metric, Rating, Review

HUMAN = "human"  # the metric name of human scores in evidence, report and verdict

Unit = tuple[str, str]  # (arm, item id): one answer


@dataclass(frozen=True)
class HumanScore:
    """One arm's human score over the items people rated (mean over reviewers per item)."""

    arm: str
    item_ids: tuple[str, ...]
    scores: MetricScores
    interval: Interval | None
    reviewers: int
    ratings: int

    @property
    def n(self) -> int:
        return self.scores.n


@dataclass(frozen=True)
class HumanPairwise:
    """People's head-to-head ratings of arm a against arm b (each reviewer's rating counts)."""

    arm_a: str
    arm_b: str
    n: int
    wins_a: int
    wins_b: int
    ties: int
    reviewers: int

    @property
    def win_rate_a(self) -> float | None:
        """Arm a's share of the wins, a tie counting half."""
        return (self.wins_a + 0.5 * self.ties) / self.n if self.n else None


@dataclass(frozen=True)
class RaterAgreement:
    """How far the reviewers agree with each other on the answers all of them rated."""

    reviewers: tuple[str, ...]
    n: int
    method: str  # cohen (two reviewers) | fleiss (three or more)
    kappa: float | None  # None when undefined (see `note`)
    cohen: Agreement | None = None  # two reviewers: interval and confusion table
    note: str | None = None


@dataclass(frozen=True)
class Calibration:
    """The LLM judge against people on the answers both rated (rows: judge, columns: people)."""

    judge_metric: str
    categories: tuple[str, ...]
    n: int
    accuracy: float
    table: ConfusionTable
    agreement: Agreement | None  # None when kappa is undefined (see `note`)
    threshold: float
    note: str | None = None
    weighted_kappa: float | None = None  # quadratic-weighted, on an ordinal scale (else None)
    label_rule: str = ""  # how people's labels and the judge's scores meet on one scale

    @property
    def kappa(self) -> float | None:
        return self.agreement.kappa if self.agreement else None

    @property
    def decisive_kappa(self) -> float | None:
        """The kappa the threshold reads: quadratic-weighted on an ordinal scale."""
        return self.weighted_kappa if self.weighted_kappa is not None else self.kappa

    @property
    def undefined(self) -> bool:
        """Kappa is 0/0 (one category on both sides): only the raw agreement says anything."""
        return self.agreement is None

    @property
    def below(self) -> bool:
        """The judge's kappa is under the threshold (False when kappa is undefined: see
        `undefined`, reported with the raw agreement instead)."""
        kappa = self.decisive_kappa
        return kappa is not None and kappa < self.threshold


@dataclass(frozen=True)
class PpiRatings:
    """Which ratings the judge + people estimate rests on: those of uniformly drawn reviews."""

    reviews: tuple[int, ...]  # uniform reviews whose pointwise ratings it used
    used: int  # their pointwise ratings (each reviewer's latest)
    left_out: int  # pointwise ratings of stratified (or unrecorded) reviews, not used

    def describe(self) -> str:
        used = (
            f"the {self.used:,} ratings of uniformly drawn review"
            f"{'s' if len(self.reviews) > 1 else ''} {', '.join(map(str, self.reviews))}"
            if self.reviews
            else "no ratings (no review was drawn uniformly at random)"
        )
        left = (
            f"; {self.left_out:,} ratings of stratified reviews are left out (their items were not "
            "drawn uniformly, which PPI's correction needs)"
            if self.left_out
            else ""
        )
        return f"judge + people (PPI) uses {used}{left}"


@dataclass(frozen=True)
class HumanEvidence:
    """Everything people's ratings of a run say, computed once for every reader."""

    reviewers: tuple[str, ...]
    ratings: int
    scale: tuple[str, ...]
    scores: tuple[HumanScore, ...] = ()
    comparisons: tuple[PairwiseComparison, ...] = ()
    pairwise: tuple[HumanPairwise, ...] = ()
    agreement: RaterAgreement | None = None
    calibration: Calibration | None = None
    judge_human: tuple[JudgeHumanEstimate, ...] = ()  # judge-only, human-only and PPI (ppi.py)
    judge_items: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # arm->item->0-1
    # arm -> item -> people's mean score, from uniformly drawn reviews only (what PPI may use)
    ppi_scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    ppi_ratings: PpiRatings = PpiRatings((), 0, 0)

    def score(self, arm: str) -> HumanScore | None:
        return next((s for s in self.scores if s.arm == arm), None)


def latest(ratings: Sequence[Rating]) -> list[Rating]:
    """Each reviewer's last rating of each answer (or pair), in the order given."""
    last: dict[tuple[str, str, str, str], Rating] = {}
    for r in ratings:
        last[(r.reviewer, r.mode, r.arm, r.item_id)] = r
    return list(last.values())


def human_evidence(
    task: str,
    ratings: Sequence[Rating],
    judge_verdicts: Sequence[Metric] = (),
    *,
    threshold: float = 0.6,
    seed: int = 0,
    reviews: Sequence[Review] = (),
    frames: Mapping[int, Collection[str]] | None = None,
) -> HumanEvidence | None:
    """The evidence in `ratings` (None when there are none); `judge_verdicts` are the run's
    per-item judge metrics as stored, for calibration; `reviews` the run's reviews, whose
    `sampling` says which ratings the judge + people estimate may use (uniform ones only);
    `frames` (review id -> the items it could have drawn, `review.review_frames`) bound PPI's
    population: its rated and unrated items are those in every used review's frame, so each
    unrated item could have been rated."""
    if not ratings:
        return None
    kept = latest(ratings)
    _check_values(kept)
    pointwise = [r for r in kept if r.mode == "pointwise"]
    by_unit: dict[Unit, dict[str, str]] = {}
    for r in pointwise:
        by_unit.setdefault((r.arm, r.item_id), {})[r.reviewer] = r.value
    categories = scale(task, "pointwise")
    scores = _scores(pointwise, by_unit)
    keyed = {s.arm: dict(zip(s.item_ids, s.scores.per_item, strict=True)) for s in scores}
    uniform = {r.id for r in reviews if r.sampling == "uniform"}
    drawn = [r for r in pointwise if r.review in uniform]
    frame = _frame(frames, {r.review for r in drawn})
    if frame is not None:  # a uniform sample kept to a subset is uniform on it
        drawn = [r for r in drawn if r.item_id in frame]
    ppi_scores = _mean_scores(drawn)
    judge_items = _judge_items(task, judge_verdicts)
    if frame is not None:
        judge_items = {
            a: {i: v for i, v in s.items() if i in frame} for a, s in judge_items.items()
        }
    used = PpiRatings(
        tuple(sorted({r.review for r in drawn})), len(drawn), len(pointwise) - len(drawn)
    )
    return HumanEvidence(
        reviewers=tuple(sorted({r.reviewer for r in kept})),
        ratings=len(kept),
        scale=categories,
        scores=scores,
        comparisons=tuple(compare_arms(keyed, seed=seed)) if len(keyed) > 1 else (),
        pairwise=_pairwise([r for r in kept if r.mode == "pairwise"]),
        agreement=_agreement(by_unit, categories),
        calibration=_calibration(task, by_unit, categories, judge_verdicts, threshold),
        judge_human=_judge_human(task, ppi_scores, judge_items),
        judge_items=judge_items,
        ppi_scores=ppi_scores,
        ppi_ratings=used,
    )


def _check_values(ratings: Sequence[Rating]) -> None:
    """A stored rating outside its mode's scale (written by hand, or by an older version) is
    named with its review, item and value instead of failing on a bare KeyError."""
    for r in ratings:
        known = SCORE if r.mode == "pointwise" else PAIR_SCORE
        if r.value not in known:
            raise RagtuneError(
                f"review {r.review}: the stored {r.mode} rating of item {r.item_id!r} (arm "
                f"{r.arm!r}, reviewer {r.reviewer!r}) is {r.value!r}, not one of {list(known)}",
                hint="rate the item again on the review page (the latest rating counts), or "
                "delete that rating from the store",
            )


def _mean_scores(pointwise: Sequence[Rating]) -> dict[str, dict[str, float]]:
    """arm -> item -> the mean of its reviewers' scores."""
    by_unit: dict[Unit, list[float]] = {}
    for r in pointwise:
        by_unit.setdefault((r.arm, r.item_id), []).append(SCORE[r.value])
    out: dict[str, dict[str, float]] = {}
    for (arm, item), values in by_unit.items():
        out.setdefault(arm, {})[item] = sum(values) / len(values)
    return out


def _frame(frames: Mapping[int, Collection[str]] | None, used: set[int]) -> frozenset[str] | None:
    """The items in the frame of every used uniform review (None: frames not given)."""
    if frames is None or not used:
        return None
    kept = [frozenset(frames.get(r, ())) for r in sorted(used)]
    return frozenset.intersection(*kept)


def _judge_human(
    task: str,
    people: Mapping[str, Mapping[str, float]],
    judge: Mapping[str, Mapping[str, float]],
) -> tuple[JudgeHumanEstimate, ...]:
    """PPI of each arm's human score from the judge's verdicts on every answer (in frame)."""
    if task not in JUDGED:
        return ()
    return judge_human_estimates(people, judge, JUDGED[task][0])


def _judge_items(task: str, verdicts: Sequence[Metric]) -> dict[str, dict[str, float]]:
    """arm -> item -> the judge's 0-1 verdict (its pointwise metric for the task)."""
    if task not in JUDGED:
        return {}
    name = JUDGED[task][0]
    judge: dict[str, dict[str, float]] = {}
    for m in verdicts:
        if m.name == name and m.item_id and m.value is not None:
            judge.setdefault(m.arm, {})[m.item_id] = float(m.value)
    return judge


def _scores(
    pointwise: Sequence[Rating], by_unit: Mapping[Unit, Mapping[str, str]]
) -> tuple[HumanScore, ...]:
    out = []
    for arm in sorted({r.arm for r in pointwise}):
        units = [(item, by_unit[(arm, item)]) for a, item in by_unit if a == arm]
        per_item = tuple(sum(SCORE[v] for v in who.values()) / len(who) for _, who in units)
        binary = all(v in (0.0, 1.0) for v in per_item)
        metric = MetricScores(HUMAN, sum(per_item) / len(per_item), per_item, binary)
        reviewers = {name for _, who in units for name in who}
        out.append(
            HumanScore(
                arm,
                tuple(item for item, _ in units),
                metric,
                metric_interval(metric),
                len(reviewers),
                sum(len(who) for _, who in units),
            )
        )
    return tuple(out)


def _pairwise(ratings: Sequence[Rating]) -> tuple[HumanPairwise, ...]:
    out = []
    for key in sorted({r.arm for r in ratings}):
        mine = [r for r in ratings if r.arm == key]
        a, _, b = key.partition("~")
        values = [r.value for r in mine]
        out.append(
            HumanPairwise(
                a, b, len(mine), values.count("a"), values.count("b"), values.count("tie"),
                len({r.reviewer for r in mine}),
            )
        )  # fmt: skip
    return tuple(out)


def _agreement(
    by_unit: Mapping[Unit, Mapping[str, str]], categories: Sequence[str]
) -> RaterAgreement | None:
    reviewers = tuple(sorted({name for who in by_unit.values() for name in who}))
    if len(reviewers) < 2:
        return None
    shared = [who for who in by_unit.values() if len(who) == len(reviewers)]
    method = "cohen" if len(reviewers) == 2 else "fleiss"
    if not shared:
        note = "no answer was rated by every reviewer"
        return RaterAgreement(reviewers, 0, method, None, note=note)
    try:
        if method == "cohen":
            first, second = reviewers
            cohen = cohen_kappa([w[first] for w in shared], [w[second] for w in shared], categories)
            return RaterAgreement(reviewers, len(shared), method, cohen.kappa, cohen)
        kappa = fleiss_kappa([[w[name] for name in reviewers] for w in shared])
        return RaterAgreement(reviewers, len(shared), method, kappa)
    except RagtuneError as err:
        return RaterAgreement(reviewers, len(shared), method, None, note=err.message)


def human_label(values: Sequence[str], categories: Sequence[str]) -> str:
    """One answer's label: the category whose score is nearest the reviewers' mean score (ties
    to the lower score)."""
    mean = sum(SCORE[v] for v in values) / len(values)
    return min(categories, key=lambda c: (abs(SCORE[c] - mean), SCORE[c]))


# Calibration scales: the QA judge's two verdicts (people's "partly" counts as wrong), the rubric.
QA_CALIBRATION = ("correct", "wrong")
LABEL_RULES = {
    "qa": "people's 'partly' counts as wrong (the QA judge says correct or wrong)",
    "generate": "half-point judge scores go to the lower point (2.5 -> 2, 3.5 -> 3)",
}


def judge_label(value: float, task: str) -> str:
    """The judge's 0-1 verdict as a category of the human scale (qa 0/1; generate 1-5, where
    a half point goes to the lower point: 2.5 is stored as 0.375 and labelled "2")."""
    if task == "generate":
        steps = value * (len(RUBRIC) - 1)
        return RUBRIC[max(0, math.ceil(steps - 0.5 - 1e-9))]
    return "correct" if value >= 0.5 else "wrong"


def _calibration(
    task: str,
    by_unit: Mapping[Unit, Mapping[str, str]],
    categories: Sequence[str],
    verdicts: Sequence[Metric],
    threshold: float,
) -> Calibration | None:
    if task not in JUDGED:
        return None
    name = JUDGED[task][0]
    judged = {
        (m.arm, m.item_id): m.value
        for m in verdicts
        if m.name == name and m.item_id and m.value is not None
    }
    units = [u for u in by_unit if u in judged]
    if not units:
        return None
    if task == "qa":
        categories = QA_CALIBRATION
    judge = [judge_label(float(judged[u] or 0.0), task) for u in units]
    human = [human_label(list(by_unit[u].values()), categories) for u in units]
    accuracy = sum(j == h for j, h in zip(judge, human, strict=True)) / len(units)
    table = confusion(judge, human, categories)
    rule = LABEL_RULES.get(task, "")
    try:
        agreement = cohen_kappa(judge, human, categories)
    except RagtuneError as err:
        return Calibration(name, tuple(categories), len(units), accuracy, table, None, threshold,
                           err.message, label_rule=rule)  # fmt: skip
    weighted = (
        weighted_kappa(judge, human, {c: SCORE[c] for c in categories})
        if len(categories) > 2
        else None
    )
    return Calibration(name, tuple(categories), len(units), accuracy, table, agreement, threshold,
                       weighted_kappa=weighted, label_rule=rule)  # fmt: skip
