"""One summary row per arm: means and intervals of the Evidence's per-item arrays.

Per arm: each metric's mean, the primary metric with its 95% interval and n, format validity,
errors (count and share), p50/p95 latency (failed items included with the time they took),
tokens per query by kind, and dollars per 1,000 queries. Those dollars come from the one pricing
path (`pricing.py`): API calls at list price; local arms on a flat self-hosted machine sized for
the volume shown (`RunSummary.volume`), so a local arm's $/1k is its monthly cost at that volume
divided by the volume, the same figure the report's table, chart and verdict use. The projection
prices the same measured tokens on an API model with each arm's cacheable prefixes priced as
cache write on first use and cache read after.

Reads Evidence only: nothing here touches the store, so `ragtune run`, `runs show`, `runs
compare` and the report print the same numbers. Deliberately not here: scoring and per-item
pricing (`evidence.py`), printing (the CLI).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ragtune.cost import Option
from ragtune.evidence.devices import device_notes
from ragtune.evidence.evidence import (
    ArmEvidence,
    CostDraws,
    Evidence,
    FreshnessRow,
    TrainingSummary,
    evaluate,
)
from ragtune.evidence.hosted_pricing import dedicated_endpoint
from ragtune.evidence.lifecycle import migration
from ragtune.evidence.people import PeopleCosts, people_costs, retrains_per_month
from ragtune.evidence.pricing import Pricing, arm_option, per_1k, per_request, pricing_for
from ragtune.evidence.rundata import load_run
from ragtune.evidence.scores import validity
from ragtune.evidence.traits import traits_of
from ragtune.running import JudgeCost, PairwiseJudge
from ragtune.stats import Interval, PairwiseComparison, RepeatSpread, metric_interval
from ragtune.store import RunStore
from ragtune.strategies import Traits

__all__ = [
    "ArmSummary",
    "FreshnessRow",
    "Pricing",
    "RunSummary",
    "TrainingSummary",
    "arm_option_of",
    "pricing_for",
    "summarise",
    "summary_of",
]

# An arm failing on more than this share of its items is not eligible for the verdict.
MAX_ERROR_SHARE = 0.10


@dataclass(frozen=True)
class ArmSummary:
    arm: str
    status: str
    reason: str | None
    n: int = 0
    errors: int = 0
    metric: str = ""
    quality: Interval | None = None
    metrics: Mapping[str, float | None] = field(default_factory=dict)
    validity: float | None = None
    latency_p50: float | None = None
    latency_p95: float | None = None
    tokens: Mapping[str, float] = field(default_factory=dict)  # mean per query, by kind
    # At `volume` requests/month: API list prices, plus (local arms) the flat machine sized for
    # that volume, divided by it. A local arm's figure therefore depends on the volume.
    cost_per_1k: float | None = None
    projected_per_1k: float | None = None  # the same tokens at the projection model
    info: Mapping[str, Any] = field(default_factory=dict)  # router threshold, escalation, ...
    # The projection's prompt split (mean per query): cacheable prefixes as cache write on first
    # use and cache read after (prefixes.py), which the local model does not measure itself.
    projected_tokens: Mapping[str, float] = field(default_factory=dict)
    judge_metric: str = ""  # judge_correct (qa) | judge_score (generate), when judged
    judge_quality: Interval | None = None
    spread: RepeatSpread | None = None  # the primary metric across repeats (R > 1 only)
    volume: float | None = None  # requests/month `cost_per_1k` is priced at
    local: bool = False  # runs (partly) on the self-hosted machine
    kind: str = ""  # the arm class (a variant's `arm:`); "" when the name is the class
    priced: bool = True  # False: recorded answers with no catalog model (cost unknown)

    @property
    def traits(self) -> Traits:
        return traits_of(self.arm, self.kind)

    @property
    def error_share(self) -> float:
        return self.errors / self.n if self.n else 0.0

    @property
    def eligible(self) -> bool:
        """Few enough failures to be recommended (see MAX_ERROR_SHARE)."""
        return self.error_share <= MAX_ERROR_SHARE


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    task: str
    arms: tuple[ArmSummary, ...]
    comparisons: tuple[PairwiseComparison, ...]
    pricing_notes: tuple[str, ...]
    freshness: tuple[FreshnessRow, ...] = ()
    training: tuple[TrainingSummary, ...] = ()
    repeats: int = 1
    judge: JudgeCost | None = None  # priced apart: never part of an arm's $/1k
    judge_comparisons: tuple[PairwiseComparison, ...] = ()  # every pair on the judge metric
    judge_pairwise: tuple[PairwiseJudge, ...] = ()  # head-to-head verdicts, when configured
    volume: float = 100_000.0  # requests/month the $/1k figures are priced at
    # where the machine that measured differs from the serving machine it is priced as
    machine_notes: tuple[str, ...] = ()

    @property
    def error_arms(self) -> list[ArmSummary]:
        return [a for a in self.arms if a.errors]


def summarise(store: RunStore, run_id: str, pricing: Pricing) -> RunSummary:
    """Read, evaluate and summarise a run at `pricing` (its volume); writes nothing."""
    return summary_of(evaluate(load_run(store, run_id), pricing))


def train_examples(evidence: Evidence) -> int | None:
    """Examples the fine-tune learnt from (what curation labels), when a fine-tune ran."""
    return next((t.examples for t in evidence.training if t.examples), None)


def arm_people(evidence: Evidence, arm: ArmEvidence) -> PeopleCosts:
    """The workload's people and data costs that apply to `arm` (`people.py`)."""
    return people_costs(
        evidence.run.config.costs, arm.traits, train_examples=train_examples(evidence)
    )


def arm_option_of(evidence: Evidence, arm: ArmEvidence, draws: CostDraws | None = None) -> Option:
    """The arm as the cost engine sees it: its mean per-query amounts (or bootstrap means), a
    tuned arm's training cost and retraining cycle, and the people costs that apply to it.

    A tuned arm is retrained after each knowledge change only when its knowledge lives in its
    weights (`finetune`); `finetune_rag` learns a change from its index, as the freshness check
    runs it. A stated drift cadence (`costs.retrain_every_months`) applies to every tuned arm.
    An arm whose model shuts down inside the horizon carries its forced migration as a one-time
    cost (`lifecycle.py`).
    """
    config = evidence.run.config
    traits = arm.traits
    tuned = traits.tuned
    rate = retrains_per_month(config.costs, traits, config.advice.knowledge_changes_per_month)
    people = arm_people(evidence, arm)
    option = arm_option(
        arm.arm,
        api_usd=draws.api_usd if draws is not None else float(np.mean(arm.api_usd)),
        machine_s=(
            None
            if not arm.local
            else draws.machine_s
            if draws is not None
            else float(np.mean(arm.machine_s))
        ),
        api_models=arm.api_models,
        machine=arm.machine or evidence.pricing.machine,
        training_usd=evidence.training_usd_for(arm.arm) if tuned else None,
        retrain_every_months=1.0 / rate if rate else None,
    )
    endpoint = dedicated_endpoint(evidence.run) if tuned else None
    if endpoint is not None:  # a Together / Fireworks endpoint: billed by its running time
        latency = float(np.mean(arm.latency_s)) if arm.latency_s.size else 1.0
        option = replace(
            option,
            serving=endpoint.serving(latency, evidence.pricing.machine.max_utilisation),
        )
    moved = migration(evidence, arm)
    if moved is not None:
        option = replace(option, one_time=(*option.one_time, moved.item()))
    if not (people.one_time or people.monthly or people.per_retrain):
        return option
    every = 1.0 / rate if rate else None
    return replace(
        option,
        one_time=option.one_time + people.one_time,
        fixed_monthly=option.fixed_monthly + people.monthly,
        retrain=option.retrain + (people.per_retrain if every else ()),
        retrain_every_months=every,
    )


def projection_option_of(
    evidence: Evidence, arm: ArmEvidence, draws: CostDraws | None = None
) -> Option:
    """The arm's measured tokens answered by the projection model at its list prices."""
    to = evidence.pricing.project_to
    assert to is not None
    usd = draws.projected_usd if draws is not None else float(np.mean(arm.projected_usd))
    return Option(f"{arm.arm} @ {to.name}", api=per_request(to.name, usd))


def summary_of(evidence: Evidence, volume: float | None = None) -> RunSummary:
    """The per-arm table at `volume` requests/month (default: the workload's)."""
    at = float(volume if volume is not None else evidence.pricing.volume) or 1.0
    rows = [_row(evidence, a, at) for a in evidence.arms]
    notes = evidence.pricing.notes()
    if volume is not None:
        notes[0] = notes[0].replace(
            f"{evidence.pricing.volume:,.0f} requests", f"{at:,.0f} requests"
        )
    return RunSummary(
        evidence.run.id,
        evidence.task,
        tuple(rows),
        evidence.comparisons,
        tuple(notes),
        evidence.freshness,
        evidence.training,
        repeats=evidence.repeats,
        judge=evidence.judge,
        judge_comparisons=evidence.judge_comparisons,
        judge_pairwise=evidence.judge_pairwise,
        volume=at,
        machine_notes=tuple(
            device_notes(
                evidence.run, evidence.pricing, [a.arm for a in evidence.done() if a.local]
            )
        ),
    )


def _mean(values: np.ndarray[Any, Any]) -> float:
    return float(np.mean(values)) if values.size else 0.0


def _percentile(values: np.ndarray[Any, Any], q: float) -> float | None:
    return float(np.percentile(values, q)) if values.size else None


def _row(evidence: Evidence, a: ArmEvidence, volume: float) -> ArmSummary:
    if not a.done:
        return ArmSummary(a.arm, a.status, a.reason)
    tokens = {kind: _mean(v) for kind, v in a.tokens.items()}
    projected_tokens = (
        {kind: _mean(v) for kind, v in a.projected_tokens.items()} | {"output": tokens["output"]}
        if a.projected_tokens
        else {}
    )
    has_items = a.n > 0
    cost = per_1k(arm_option_of(evidence, a), volume) if has_items and a.priced else None
    projected = (
        1000 * _mean(a.projected_usd)
        if has_items and evidence.pricing.project_to is not None
        else None
    )
    return ArmSummary(
        arm=a.arm,
        status=a.status,
        reason=a.reason,
        n=a.n,
        errors=a.error_count,
        metric=a.metric,
        quality=a.interval(),
        metrics={k: v.value for k, v in a.scores.items()}
        | ({a.judge.name: a.judge.value} if a.judge else {}),
        validity=validity(evidence.task, a.scores),
        latency_p50=_percentile(a.latency_s, 50),
        latency_p95=_percentile(a.latency_s, 95),
        tokens=tokens,
        cost_per_1k=cost,
        projected_per_1k=projected,
        info=a.info,
        projected_tokens=projected_tokens,
        judge_metric=a.judge.name if a.judge else "",
        judge_quality=metric_interval(a.judge) if a.judge else None,
        spread=a.spread,
        volume=volume,
        local=a.local,
        kind=a.kind,
        priced=a.priced,
    )
