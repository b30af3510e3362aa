"""`evaluate(run, pricing) -> Evidence`: every per-item number a reader of a run needs, once.

Per arm, aligned arrays over its test items (repeat 0, in item order; index i is the same item
in every array of every arm): the score of each metric, format validity, the error (if any),
latency (what the user waited, failed items included with the time they took), self-hosted
machine seconds, API dollars as measured and API dollars as projected onto `pricing.project_to`
with each arm's cacheable prefixes priced as cache write on first use and read after
(`prefixes.py`), and tokens by kind. Run-level facts: training jobs and their cost, the judge's
cost and verdicts, knowledge freshness, the pairwise comparisons of the primary metric, and
people's ratings (`human.py`: scores, comparisons, agreement, the judge's calibration).

Failed items stay in every array: they score as wrong, their latency counts, their machine time
and any call they made are costs. Pure: nothing here reads the store or writes anything, so the
summary table, `runs show`, `runs compare`, the advisor, the report and the web viewer all see the
same numbers. Issue 15's decision rules pair and bootstrap these arrays (`resample`).

Deliberately not here: means and tables (`summary.py`), options and verdicts (advisor).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ragtune.backends import BATCH_SUFFIX
from ragtune.evidence.devices import serving_seconds
from ragtune.evidence.human_scores import HumanEvidence, human_evidence
from ragtune.evidence.machine_time import local_machine_time
from ragtune.evidence.pricing import Machine, Pricing, call_cost
from ragtune.evidence.review import review_frames
from ragtune.evidence.rundata import ArmData, RunData
from ragtune.evidence.scores import repeat_means, score_predictions, spread
from ragtune.evidence.training import TrainingSummary, training
from ragtune.evidence.traits import traits_of
from ragtune.running import (
    JudgeCost,
    PairwiseJudge,
    judge_scores,
    judge_usage,
    min_cacheable_tokens,
    pairwise_summary,
    project_prefixes,
)
from ragtune.scoring import PRIMARY, MetricScores
from ragtune.stats import (
    Interval,
    PairwiseComparison,
    RepeatSpread,
    compare_arms,
    compare_metric,
    metric_interval,
)
from ragtune.store import Measurement, Prediction
from ragtune.strategies import Traits, split_curve_arm

Array = NDArray[np.float64]
TOKEN_KINDS = ("input", "cache_write", "cache_read", "output")
BOOTSTRAP = 1000  # resamples behind every cost band


def _empty() -> Array:
    return np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class ArmEvidence:
    """One arm's test items, one array entry per item (aligned across arms and arrays)."""

    arm: str
    status: str  # done | unavailable | failed | pending | running
    reason: str | None
    item_ids: tuple[str, ...] = ()
    scores: Mapping[str, MetricScores] = field(default_factory=dict)  # every metric, per item
    metric: str = ""  # the task's primary metric (a key of `scores`)
    judge: MetricScores | None = None  # the LLM judge's verdicts, when the run was judged
    errors: tuple[str | None, ...] = ()  # the error of each failed item, None when it answered
    latency_s: Array = field(default_factory=_empty)  # what the user waited (failures included)
    machine_s: Array = field(default_factory=_empty)  # self-hosted machine time per item
    api_usd: Array = field(default_factory=_empty)  # list-price dollars of calls to catalog models
    projected_usd: Array = field(default_factory=_empty)  # at `project_to`, prefix-cache aware
    tokens: Mapping[str, Array] = field(default_factory=dict)  # measured, by kind
    projected_tokens: Mapping[str, Array] = field(default_factory=dict)  # prefix split, by kind
    local: bool = False  # something ran on our machine (a local model, or a memory lookup)
    machine: Machine | None = None  # a declared endpoint's machine, when not the run's own
    api_models: tuple[str, ...] = ()  # catalog models the arm called
    info: Mapping[str, Any] = field(default_factory=dict)  # router threshold, escalation, ...
    spread: RepeatSpread | None = None  # the primary metric across repeats (R > 1 only)
    kind: str = ""  # the arm class (a variant's `arm:`); "" when the name is the class
    priced: bool = True  # False: recorded answers with no catalog model, so no cost is known
    # Per item (aligned with item_ids), the primary metric's mean over the R repeats (a failed
    # or missing repeat scores 0); empty with one repeat. Paired tests use it (`paired_quality`).
    repeat_means: tuple[float, ...] = ()

    @property
    def traits(self) -> Traits:
        return traits_of(self.arm, self.kind)

    @property
    def done(self) -> bool:
        return self.status == "done"

    @property
    def n(self) -> int:
        return len(self.item_ids)

    @property
    def failed(self) -> NDArray[np.bool_]:
        return np.array([e is not None for e in self.errors], dtype=bool)

    @property
    def error_count(self) -> int:
        return int(self.failed.sum())

    @property
    def error_share(self) -> float:
        return self.error_count / self.n if self.n else 0.0

    @property
    def primary(self) -> MetricScores:
        return self.scores[self.metric]

    def quality(self) -> NDArray[np.float64]:
        """The primary metric per item, unscorable items as 0 (how pairwise tests see them)."""
        return np.array([v if v is not None else 0.0 for v in self.primary.per_item])

    def interval(self) -> Interval | None:
        return metric_interval(self.primary) if self.metric in self.scores else None

    def paired_quality(self) -> NDArray[np.float64]:
        """What paired tests compare per item: the mean over repeats when there are several
        (one outcome per item, as `stats.mean_over_repeats` says), else `quality()`."""
        return np.array(self.repeat_means) if self.repeat_means else self.quality()


@dataclass(frozen=True)
class CostDraws:
    """Bootstrap means of an arm's per-item costs: one entry per resample (same resample for
    every quantity, so their correlation survives)."""

    api_usd: Array
    machine_s: Array
    projected_usd: Array


def resample(n: int, seed: int, size: int = BOOTSTRAP) -> NDArray[np.int64]:
    """Item indices of `size` bootstrap resamples of n items (rows), seeded."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(size, n))


def cost_draws(arm: ArmEvidence, seed: int, size: int = BOOTSTRAP) -> CostDraws:
    if arm.n == 0:
        return CostDraws(_empty(), _empty(), _empty())
    idx = resample(arm.n, seed, size)
    return CostDraws(
        arm.api_usd[idx].mean(axis=1),
        arm.machine_s[idx].mean(axis=1),
        arm.projected_usd[idx].mean(axis=1),
    )


@dataclass(frozen=True)
class FreshnessRow:
    """One arm on the questions whose answer changed in a later knowledge-base version.

    `before`: its answers under the old knowledge, scored against the old answers; `after`: its
    answers once the index holds the new version (the tuned model is not retrained), scored
    against the new answers.
    """

    arm: str
    version: str
    n: int
    before: Interval | None
    after: Interval | None


@dataclass(frozen=True)
class Evidence:
    """A run's evidence: per-arm aligned arrays plus the run-level facts."""

    run: RunData
    pricing: Pricing
    arms: tuple[ArmEvidence, ...]
    comparisons: tuple[PairwiseComparison, ...] = ()
    judge_comparisons: tuple[PairwiseComparison, ...] = ()
    judge_pairwise: tuple[PairwiseJudge, ...] = ()
    judge: JudgeCost | None = None  # priced apart: never part of an arm's cost
    freshness: tuple[FreshnessRow, ...] = ()
    training: tuple[TrainingSummary, ...] = ()
    repeats: int = 1
    human: HumanEvidence | None = None  # people's ratings, when the run was reviewed (human.py)

    @property
    def task(self) -> str:
        return self.run.config.task

    def done(self) -> list[ArmEvidence]:
        return [a for a in self.arms if a.done]

    def arm(self, name: str) -> ArmEvidence:
        return next(a for a in self.arms if a.arm == name)

    @property
    def training_usd(self) -> float | None:
        return next((t.cost for t in self.training if t.cost is not None), None)

    def training_of(self, size: int) -> TrainingSummary | None:
        """The fine-tune given `size` examples (a learning curve's `finetune@<size>`)."""
        return next((t for t in self.training if t.train_set == size), None)

    def training_usd_for(self, arm: str) -> float | None:
        """What training arm `arm` cost: a learning curve's `finetune@<size>` its own size's
        run, any other tuned arm the run's (first) fine-tune."""
        size = split_curve_arm(arm)[1]
        if size is None:
            return self.training_usd
        job = self.training_of(size)
        return job.cost if job is not None else None


def evaluate(run: RunData, pricing: Pricing) -> Evidence:
    """Score, measure and price every arm of `run`; compare the finished ones."""
    task = run.config.task
    test = {i.id for i in run.items if i.split == "test"}
    arms = []
    repeats = 1
    for data in run.arms:
        every = [p for p in data.predictions if p.item_id in test]
        repeats = max(repeats, 1 + max((p.repeat for p in every), default=-1))
        arms.append(_arm(run, data, every, pricing))
    done = [a for a in arms if a.done]
    primary = {a.arm: a.primary for a in done}
    judged = {a.arm: dict(zip(a.item_ids, a.judge.per_item, strict=True)) for a in done if a.judge}
    return Evidence(
        run=run,
        pricing=pricing,
        arms=tuple(arms),
        comparisons=_compare(primary, {a.arm: a.item_ids for a in done}),
        judge_comparisons=(
            tuple(compare_arms(judged, binary=task == "qa")) if len(judged) > 1 else ()
        ),
        judge_pairwise=pairwise_summary(run.judge_metrics),
        judge=judge_cost(run, pricing),
        freshness=freshness(run),
        training=training(run, pricing),
        repeats=repeats,
        human=human_evidence(
            task,
            run.ratings,
            run.judge_metrics,
            threshold=run.config.advice.judge_min_kappa,
            seed=run.seed,
            reviews=run.reviews,
            frames=review_frames(run),
        ),
    )


def _compare(
    primary: Mapping[str, MetricScores], items: Mapping[str, Sequence[str]]
) -> tuple[PairwiseComparison, ...]:
    """Pairwise comparisons of the finished arms on the items each pair shares: all of them in a
    fixed run; in a `--until-decided` run an arm shown worse stopped early, so by item id."""
    if len(primary) < 2:
        return ()
    if len({len(ids) for ids in items.values()}) == 1:
        return tuple(compare_metric(primary))
    keyed = {
        arm: {i: v for i, v in zip(items[arm], s.per_item, strict=True) if v is not None}
        for arm, s in primary.items()
    }
    return tuple(compare_arms(keyed, binary=all(s.binary for s in primary.values())))


def _arm(run: RunData, data: ArmData, every: list[Prediction], pricing: Pricing) -> ArmEvidence:
    arm = data.arm
    if arm.status != "done":
        return ArmEvidence(arm.name, arm.status, arm.reason)
    task = run.config.task
    predictions = [p for p in every if p.repeat == 0]
    scores = score_predictions(run, predictions)
    judge = judge_scores(run.judge_metrics, arm.name, task, predictions)
    costs = [query_cost(p, pricing) for p in predictions]
    kind = str(dict(arm.params).get("arm") or "")
    traits = traits_of(arm.name, kind)
    recorded = traits.recorded
    if recorded:  # replayed answers: nothing ran on our machine; priced only by their model
        costs = [(usd, 0.0, False, models) for usd, _, _, models in costs]
    else:  # machine time net of API waits; a retrieving arm's search runs here
        priced = lambda model: pricing.api_price(model) is not None  # noqa: E731
        costs = local_machine_time(predictions, costs, priced=priced, retrieves=traits.needs_index)
    projected_usd, projected_tokens = _projection(predictions, pricing)
    api_models = tuple(sorted({m for c in costs for m in c[3]}))
    return ArmEvidence(
        arm=arm.name,
        status=arm.status,
        reason=arm.reason,
        item_ids=tuple(p.item_id for p in predictions),
        scores=scores,
        metric=PRIMARY[task],
        judge=judge,
        errors=tuple(p.error for p in predictions),
        latency_s=np.array([_latency(p) for p in predictions], dtype=np.float64),
        machine_s=machine_seconds(run, data, costs, pricing),
        api_usd=np.array([c[0] for c in costs], dtype=np.float64),
        projected_usd=projected_usd,
        tokens={
            kind: np.array(
                [sum(getattr(c, f"{kind}_tokens") for c in answer_calls(p)) for p in predictions],
                dtype=np.float64,
            )
            for kind in TOKEN_KINDS
        },
        projected_tokens=projected_tokens,
        local=any(c[2] for c in costs),
        machine=serving_machine(predictions, pricing),
        api_models=api_models,
        info=dict(dict(arm.params).get("info") or {}),
        spread=spread(run, every),
        kind=kind,
        priced=bool(api_models) or not recorded,
        repeat_means=repeat_means(run, every, [p.item_id for p in predictions]),
    )


def machine_seconds(
    run: RunData, data: ArmData, costs: list[tuple[float, float, bool, tuple[str, ...]]],
    pricing: Pricing,
) -> Array:  # fmt: skip
    """Per item, the machine seconds the arm is priced at: as measured, or as the serving
    machine's stated throughput says (`devices.py`, which refuses a GPU timing on a CPU)."""
    seconds = np.array([c[1] for c in costs], dtype=np.float64)
    if not any(c[2] for c in costs):
        return seconds
    return serving_seconds(run, data.name, data.arm.device, seconds, pricing)


def answer_calls(p: Prediction) -> tuple[Measurement, ...]:
    """The calls that answered (the judge's are stored apart, and priced apart)."""
    return p.measurements


def _latency(p: Prediction) -> float:
    """What the user waited for this item; a failure counts with the time it took."""
    if p.latency_s is not None:
        return p.latency_s
    return float(sum(c.latency_s or 0.0 for c in answer_calls(p)))


def query_cost(p: Prediction, pricing: Pricing) -> tuple[float, float, bool, tuple[str, ...]]:
    """(API dollars, machine seconds, ran locally, priced models) of one item's answer.

    Calls to priced models are at list price; a local model, a declared self-hosted endpoint
    (`serving_machine` says which machine) or a memory lookup with no call at all costs the
    item's share of the machine's wall clock (`wall_share_s`: the measured throughput). A model
    an API backend called that nothing prices raises (`Pricing.api_price`), so it is never
    costed as local machine time.
    """
    api, local, models = 0.0, not answer_calls(p), set()
    for call in answer_calls(p):
        price = None if pricing.endpoint(call.model) else pricing.api_price(call.model)
        if price is not None:
            api += call_cost(call, price)
            models.add(price.name)
        else:
            local = True
    machine = p.wall_share_s if local else 0.0
    return float(api), machine, local, tuple(sorted(models))


def serving_machine(predictions: Sequence[Prediction], pricing: Pricing) -> Machine | None:
    """The declared endpoint machine an arm's local calls ran on, when not the run's own."""
    for p in predictions:
        for call in answer_calls(p):
            machine = pricing.endpoint(call.model)
            if machine is not None:
                return machine
    return None


def _projection(
    predictions: Sequence[Prediction], pricing: Pricing
) -> tuple[Array, Mapping[str, Array]]:
    to = pricing.project_to
    if to is None or not predictions:
        return np.zeros(len(predictions)), {}
    split = project_prefixes(
        (answer_calls(p) for p in predictions),
        min_tokens=min_cacheable_tokens(to),  # the projected model's own minimum (issue 13)
    )
    usd = np.array([sum(call_cost(c.measurement, to) for c in calls) for calls in split])
    tokens = {
        kind: np.array(
            [sum(getattr(c, f"{kind}_tokens") for c in calls) for calls in split],
            dtype=np.float64,
        )
        for kind in ("input", "cache_write", "cache_read")
    }
    return usd.astype(np.float64), tokens


def freshness(run: RunData) -> tuple[FreshnessRow, ...]:
    """Before / after quality on changed facts, per arm and knowledge-base version."""
    name = PRIMARY[run.config.task]
    versions = sorted(
        {i.split.split(":", 1)[1] for i in run.items if i.split.startswith("changed:")}
    )
    out = []
    for data in run.arms:
        predictions = {p.item_id: p for p in data.predictions if p.repeat == 0}
        for version in versions:
            after = [p for i, p in predictions.items() if i.endswith(f"@{version}")]
            before = [
                predictions[i]
                for i in (p.item_id.rsplit("@", 1)[0] for p in after)
                if i in predictions
            ]
            if not after:
                continue
            score_after = score_predictions(run, after)[name]
            score_before = score_predictions(run, before)[name] if before else None
            out.append(
                FreshnessRow(
                    data.name,
                    version,
                    len(after),
                    metric_interval(score_before) if score_before else None,
                    metric_interval(score_after),
                )
            )
    return tuple(out)


def judge_cost(run: RunData, pricing: Pricing) -> JudgeCost | None:
    """The run's judging, tokens and dollars: API list price, or self-hosted machine time."""
    task = run.config.task
    calls = judge_usage(run.judge_metrics, run.judge_calls, task)
    if not calls:
        return None
    spec = run.config.backends.judge_spec
    backend = spec.backend if spec is not None else None
    model = next((c.model for c, _, _ in calls if c.model), None)
    endpoint = pricing.endpoint(model)
    price = None if endpoint is not None else pricing.api_price(model)
    seconds = sum(s for _, s, _ in calls)
    if price is not None:
        # each call at its own model's price: a batched judge's calls at the batch rate, and
        # any it asked interactively (a retry, pairwise) at the list price
        cost = sum(call_cost(c, pricing.api_price(c.model) or price) for c, _, _ in calls)
        batched = {bool(c.model and c.model.endswith(BATCH_SUFFIX)) for c, _, _ in calls}
        priced = {frozenset([True]): "api batch price", frozenset([False]): "api list price"}.get(
            frozenset(batched), "api list and batch prices"
        )
    elif endpoint is not None:
        cost, priced = seconds * endpoint.hourly / 3600.0, f"self-hosted on {endpoint.name}"
    else:
        cost, priced = seconds * pricing.self_hosted_hourly / 3600.0, "self-hosted machine time"
    tokens = {kind: sum(getattr(c, f"{kind}_tokens") for c, _, _ in calls) for kind in TOKEN_KINDS}
    rubric = "correctness" if task == "qa" else "quality"
    return JudgeCost(
        backend, model, rubric, sum(n for _, _, n in calls), len(calls), tokens, seconds, cost,
        priced,
    )  # fmt: skip
