"""Read a run back from the store, score it, and price it: one summary row per arm.

Per arm: the task's metrics (recorded into the store per item and in aggregate), the primary
metric with its 95% interval and n, format validity, p50/p95 latency, tokens per query by kind,
and dollars per 1,000 queries. Calls to catalog models are priced at their list price (with
cache multipliers); calls to local models are priced as self-hosted (the item's share of measured
machine time x the self-hosted rate), and the same measured tokens are also projected onto an
API model, labelled as a projection, with each arm's cacheable prefixes priced as cache write on
first use and cache read after (`prefixes.py`). Then every pair of arms is compared on the same
items. With repeats, each arm also gets the run-to-run spread of its primary metric (mean, sd,
min, max over repeats; scores and comparisons are on repeat 0). When the run was judged, the
judge's verdicts become a per-arm metric with its interval, and the judge's own tokens and
dollars one line of their own (`RunSummary.judge`), never part of an arm's cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ragtune.cost.catalog import Catalog, ModelPrice
from ragtune.cost.formulas import api_request_cost
from ragtune.errors import RagtuneError
from ragtune.evaluation.judging import (
    JudgeCost,
    PairwiseJudge,
    judge_scores,
    judge_usage,
    pairwise_summary,
)
from ragtune.evaluation.prefixes import min_cacheable_tokens, project_prefixes
from ragtune.evaluation.scoring import PRIMARY, score
from ragtune.evaluation.stats import (
    Interval,
    PairwiseComparison,
    RepeatSpread,
    compare_arms,
    compare_metric,
    metric_interval,
    repeat_spread,
)
from ragtune.evaluation.usage import summarize_usage
from ragtune.store.records import Measurement, Metric, QueryUsage
from ragtune.store.runstore import RunStore

VALIDITY = {"classify": "invalid_label_rate", "extract": "json_valid"}


@dataclass(frozen=True)
class Pricing:
    """How measured calls become dollars; `notes` say where every rate came from."""

    catalog: Catalog
    self_hosted_hourly: float
    self_hosted_source: str
    project_to: ModelPrice | None

    def api_price(self, model: str | None) -> ModelPrice | None:
        try:
            return self.catalog.model(model) if model else None
        except RagtuneError:
            return None

    def notes(self) -> list[str]:
        lines = [f"self-hosted: ${self.self_hosted_hourly:.4f}/hour ({self.self_hosted_source})"]
        if self.project_to is not None:
            p = self.project_to
            lines.append(
                f"projection: {p.name} at ${p.input_per_m}/M in, ${p.output_per_m}/M "
                f"out ({p.source}, {p.as_of})"
            )
        return lines


def pricing_for(catalog: Catalog, self_hosted: str, project_to: str | None) -> Pricing:
    infra = catalog.infra_item(self_hosted)
    hourly = infra.monthly / 720.0  # a flat monthly machine, 720 hours
    projected = catalog.model(project_to) if project_to else None
    return Pricing(
        catalog, hourly, f"{infra.name}: ${infra.monthly}/month, {infra.source}", projected
    )


def call_cost(call: Measurement, price: ModelPrice) -> float:
    """Dollars for one measured call at a catalog model's prices (cache multipliers included)."""
    prefix = call.cache_write_tokens + call.cache_read_tokens
    hit = call.cache_read_tokens / prefix if prefix else 0.0
    return float(
        api_request_cost(
            input_per_m=price.input_per_m,
            output_per_m=price.output_per_m,
            input_tokens=call.input_tokens,
            output_tokens=call.output_tokens,
            cached_prefix_tokens=prefix,
            cache_hit_rate=hit,
            cache_write_multiplier=price.cache_write_multiplier,
            cache_read_multiplier=price.cache_read_multiplier,
        )
    )


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
    cost_per_1k: float | None = None  # measured: API list prices or self-hosted machine time
    projected_per_1k: float | None = None  # the same tokens at the projection model
    info: Mapping[str, Any] = field(default_factory=dict)  # router threshold, escalation, ...
    # The projection's prompt split (mean per query): cacheable prefixes as cache write on first
    # use and cache read after (prefixes.py), which the local model does not measure itself.
    projected_tokens: Mapping[str, float] = field(default_factory=dict)
    judge_metric: str = ""  # judge_correct (qa) | judge_score (generate), when judged
    judge_quality: Interval | None = None
    spread: RepeatSpread | None = None  # the primary metric across repeats (R > 1 only)


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
class TrainingSummary:
    """What the fine-tune cost, and so what retraining it after a change would cost again."""

    method: str
    examples: int | None
    tokens: int | None
    seconds: float | None
    cost: float | None  # machine time at the self-hosted rate
    final_loss: float | None


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


def summarise(store: RunStore, run_id: str, pricing: Pricing) -> RunSummary:
    """Score every finished arm, record the metrics, price the calls, compare the arms."""
    run = store.get_run(run_id)
    task = str(run.config["task"])
    items = {i.id: i for i in store.list_items(run_id)}
    rows: list[ArmSummary] = []
    primary_by_arm = {}
    judged: dict[str, dict[str, float | None]] = {}
    repeats = 1
    for arm in store.list_arms(run_id):
        if arm.status != "done":
            rows.append(ArmSummary(arm.name, arm.status, arm.reason))
            continue
        every = [p for p in store.predictions(run_id, arm.name) if items[p.item_id].split == "test"]
        predictions = [p for p in every if p.repeat == 0]
        repeats = max(repeats, 1 + max((p.repeat for p in every), default=0))
        scores = _score(run.config, predictions, items)
        _record(store, run_id, arm.name, [p.item_id for p in predictions], scores)
        judge = judge_scores(store, run_id, arm.name, task, predictions)
        if judge is not None:  # per-item verdicts are the judge's records: only the aggregate
            scores[judge.name] = judge
            judged[arm.name] = dict(
                zip((p.item_id for p in predictions), judge.per_item, strict=True)
            )
            _record_aggregate(store, run_id, arm.name, judge)
        primary = scores[PRIMARY[task]]
        primary_by_arm[arm.name] = primary
        info = dict(arm.params).get("info", {})
        row = _row(arm.name, task, predictions, scores, primary, pricing, info)
        rows.append(
            replace(
                row,
                judge_metric=judge.name if judge else "",
                judge_quality=metric_interval(judge) if judge else None,
                spread=spread(run.config, every, items),
            )
        )
    comparisons = compare_metric(primary_by_arm) if len(primary_by_arm) > 1 else []
    judge_binary = task == "qa"
    judge_comparisons = compare_arms(judged, binary=judge_binary) if len(judged) > 1 else []
    return RunSummary(
        run_id,
        task,
        tuple(rows),
        tuple(comparisons),
        tuple(pricing.notes()),
        freshness(store, run_id, items, run.config),
        training(store, run_id, pricing),
        repeats=repeats,
        judge=judge_cost(store, run_id, run.config, pricing),
        judge_comparisons=tuple(judge_comparisons),
        judge_pairwise=pairwise_summary(store, run_id),
    )


def spread(
    config: Mapping[str, Any], predictions: list[Any], items: Mapping[str, Any]
) -> RepeatSpread | None:
    """Run-to-run spread of the primary metric over the items answered in every repeat."""
    by_repeat: dict[int, dict[str, Any]] = {}
    for p in predictions:
        by_repeat.setdefault(p.repeat, {})[p.item_id] = p
    if len(by_repeat) < 2:
        return None
    common = set.intersection(*(set(r) for r in by_repeat.values()))
    order = [p.item_id for p in predictions if p.repeat == 0 and p.item_id in common]
    if not order:
        return None
    task = str(config["task"])
    per_repeat = []
    for r in sorted(by_repeat):
        primary = _score(config, [by_repeat[r][i] for i in order], items)[PRIMARY[task]]
        per_repeat.append([v if v is not None else 0.0 for v in primary.per_item])
    return repeat_spread(per_repeat)


def judge_cost(
    store: RunStore, run_id: str, config: Mapping[str, Any], pricing: Pricing
) -> JudgeCost | None:
    """The run's judging, tokens and dollars: API list price, or self-hosted machine time."""
    calls = judge_usage(store, run_id, str(config["task"]))
    if not calls:
        return None
    judge = (config.get("backends") or {}).get("judge")
    backend = judge.get("backend") if isinstance(judge, dict) else judge
    model = next((c.model for c, _, _ in calls if c.model), None)
    price = pricing.api_price(model)
    seconds = sum(s for _, s, _ in calls)
    if price is not None:
        cost, priced = sum(call_cost(c, price) for c, _, _ in calls), "api list price"
    else:
        cost, priced = seconds * pricing.self_hosted_hourly / 3600.0, "self-hosted machine time"
    tokens = {
        kind: sum(getattr(c, f"{kind}_tokens") for c, _, _ in calls)
        for kind in ("input", "cache_write", "cache_read", "output")
    }
    rubric = "correctness" if config["task"] == "qa" else "quality"
    return JudgeCost(
        backend, model, rubric, sum(n for _, _, n in calls), len(calls), tokens, seconds, cost,
        priced,
    )  # fmt: skip


def _score(config: Mapping[str, Any], predictions: list[Any], items: Mapping[str, Any]) -> Any:
    golds = [items[p.item_id].gold or {} for p in predictions]
    return score(
        str(config["task"]),
        [None if p.error else (p.extra or {}).get("answer") for p in predictions],
        [g.get("answer") for g in golds],
        labels=config.get("labels"),
        schema=_schema(config),
        citations=[list(p.citations) for p in predictions],
        gold_documents=[g.get("doc_ids", []) for g in golds],
    )


def freshness(
    store: RunStore, run_id: str, items: Mapping[str, Any], config: Mapping[str, Any]
) -> tuple[FreshnessRow, ...]:
    """Before / after accuracy on changed facts, per arm and knowledge-base version."""
    task = str(config["task"])
    versions = sorted(
        {i.split.split(":", 1)[1] for i in items.values() if i.split.startswith("changed:")}
    )
    out = []
    for arm in store.list_arms(run_id):
        predictions = {p.item_id: p for p in store.predictions(run_id, arm.name) if p.repeat == 0}
        for version in versions:
            after = [p for i, p in predictions.items() if i.endswith(f"@{version}")]
            before = [
                predictions[i]
                for i in (p.item_id.rsplit("@", 1)[0] for p in after)
                if i in predictions
            ]
            if not after:
                continue
            score_after = _score(config, after, items)[PRIMARY[task]]
            score_before = _score(config, before, items)[PRIMARY[task]] if before else None
            out.append(
                FreshnessRow(
                    arm.name,
                    version,
                    len(after),
                    metric_interval(score_before) if score_before else None,
                    metric_interval(score_after),
                )
            )
    return tuple(out)


def training(store: RunStore, run_id: str, pricing: Pricing) -> tuple[TrainingSummary, ...]:
    out = []
    for t in store.list_training_runs(run_id):
        curve = store.loss_curve(t.id, "validation") or store.loss_curve(t.id, "train")
        cost = None if t.duration_s is None else t.duration_s * pricing.self_hosted_hourly / 3600
        out.append(
            TrainingSummary(
                t.method,
                t.train_examples,
                t.train_tokens,
                t.duration_s,
                cost,
                curve[-1].loss if curve else None,
            )
        )
    return tuple(out)


def _schema(config: Mapping[str, Any]) -> Any:
    schema = config.get("json_schema")
    return schema if isinstance(schema, dict) else None


def _record_aggregate(store: RunStore, run_id: str, arm: str, s: Any) -> None:
    interval = metric_interval(s)
    details = (
        None
        if interval is None
        else {"low": interval.low, "high": interval.high, "method": interval.method, "n": s.n}
    )
    store.record_metrics([Metric(run_id, arm, s.name, s.value, details=details)])


def _record(store: RunStore, run_id: str, arm: str, item_ids: list[str], scores: Any) -> None:
    metrics = []
    for name, s in scores.items():
        interval = metric_interval(s) if s.per_item else None
        details = (
            None
            if interval is None
            else {"low": interval.low, "high": interval.high, "method": interval.method, "n": s.n}
        )
        metrics.append(Metric(run_id, arm, name, s.value, details=details))
        metrics += [
            Metric(run_id, arm, name, v, item_id=i)
            for i, v in zip(item_ids, s.per_item, strict=False)
            if v is not None
        ]
    store.record_metrics(metrics)


@dataclass(frozen=True)
class QueryCost:
    """One answered query's measured cost: API dollars and self-hosted machine seconds."""

    api_usd: float  # list-price dollars of calls to catalog models
    machine_s: float  # its share of machine time, when anything ran on our machine
    local: bool  # a local model answered, or nothing was called (a memory hit runs locally)
    api_models: tuple[str, ...]  # the catalog models it called

    def usd(self, pricing: Pricing) -> float:
        return self.api_usd + self.machine_s * pricing.self_hosted_hourly / 3600.0


def query_cost(p: Any, pricing: Pricing) -> QueryCost:
    """Price one prediction's answering calls (never the judge's)."""
    priced = [(c, pricing.api_price(c.model)) for c in answer_calls(p)]
    api = sum(call_cost(c, price) for c, price in priced if price is not None)
    local = not priced or any(price is None for _, price in priced)
    machine = float((p.extra or {}).get("wall_share_s") or 0.0) if local else 0.0
    models = tuple(sorted({price.name for _, price in priced if price is not None}))
    return QueryCost(api, machine, local, models)


def answer_calls(p: Any) -> tuple[Measurement, ...]:
    """The calls that answered (the judge's calls are priced apart, never as the arm's)."""
    return tuple(c for c in p.measurements if c.stage != "judge")


def query_usage(p: Any) -> QueryUsage:
    """One answered query's tokens and latency; a memory hit counts with zero calls, so token
    means are per query, not per model call. Latency is what the user waited (`latency_s`)."""
    calls = answer_calls(p)
    return QueryUsage(
        p.item_id, p.repeat,
        sum(c.input_tokens for c in calls), sum(c.cache_write_tokens for c in calls),
        sum(c.cache_read_tokens for c in calls), sum(c.output_tokens for c in calls),
        (p.extra or {}).get("latency_s"), next((c.ttft_s for c in calls if c.stage == "answer"),
                                               None),
        len(calls), any(c.cached for c in calls),
    )  # fmt: skip


def _row(
    name: str,
    task: str,
    predictions: list[Any],
    scores: Any,
    primary: Any,
    pricing: Pricing,
    info: Mapping[str, Any],
) -> ArmSummary:
    ok = [p for p in predictions if p.error is None]
    usage = summarize_usage([query_usage(p) for p in ok])
    tokens = {
        "input": usage.input_tokens,
        "cache_write": usage.cache_write_tokens,
        "cache_read": usage.cache_read_tokens,
        "output": usage.output_tokens,
    }
    measured = [query_cost(p, pricing).usd(pricing) for p in ok]
    projected: list[float] = []
    projected_tokens: dict[str, float] = {}
    if pricing.project_to is not None and ok:
        split = project_prefixes(
            ((answer_calls(p), dict((p.extra or {}).get("calls") or {})) for p in ok),
            min_tokens=min_cacheable_tokens(pricing.project_to),
        )
        projected = [
            sum(call_cost(c.measurement, pricing.project_to) for c in calls) for calls in split
        ]
        projected_tokens = {
            kind: float(
                np.mean([sum(getattr(c, f"{kind}_tokens") for c in calls) for calls in split])
            )
            for kind in ("input", "cache_write", "cache_read")
        } | {"output": tokens["output"]}
    validity_metric = VALIDITY.get(task)
    validity = None
    if validity_metric and scores[validity_metric].value is not None:
        value = scores[validity_metric].value
        validity = 1.0 - value if validity_metric == "invalid_label_rate" else value
    return ArmSummary(
        arm=name,
        status="done",
        reason=None,
        n=len(predictions),
        errors=len(predictions) - len(ok),
        metric=primary.name,
        quality=metric_interval(primary),
        metrics={k: v.value for k, v in scores.items()},
        validity=validity,
        latency_p50=usage.latency_p50_s,
        latency_p95=usage.latency_p95_s,
        tokens=tokens,
        cost_per_1k=1000 * float(np.mean(measured)) if measured else None,
        projected_per_1k=1000 * float(np.mean(projected)) if projected else None,
        info=info,
        projected_tokens=projected_tokens,
    )
