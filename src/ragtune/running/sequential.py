"""`ragtune run --until-decided`: rounds of items until every comparison with the best is decided.

The test items are put once in a seeded stratified order (`data.nested_order`: every prefix is a
stratified sample), capped at `sampling.max_items`, and recorded with the run, so a resumed or
re-run sequence sees the same items in the same order. Each round adds the next `sampling.batch`
items to the run; every arm still answering answers them (one store transaction per batch, as in
a fixed run, so a killed run keeps its answers and `--resume` finishes the round); then the run
is assessed: each arm's anytime-valid interval against the best (`stats.sequential_compare`), the
money spent, and whether to stop. An arm shown worse stops being answered, so its cost stops.

The assessment is not computed here: scoring and pricing a run is the evidence layer's job, so
the caller passes `assess` (the CLI passes `evidence.assess_sequential`), which reads the store
and returns an `Assessment`. That keeps one home for every figure the progress line, the report
and the verdict show. Deliberately not here: the statistics (`stats/sequential.py`), prices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ragtune.config import Sampling, Workload
from ragtune.data import Example, sequential_order
from ragtune.errors import RagtuneError
from ragtune.progress import phase
from ragtune.running.latency import measure_request_latency
from ragtune.running.runner import (
    RunOptions,
    answer_items,
    describe_arm,
    finish,
    prepare_arms,
    requested_arms,
    settings_record,
    to_example,
    to_item,
)
from ragtune.stats import SequentialComparison
from ragtune.store import RunStore
from ragtune.strategies import Arm, ArmFailed, ArmUnavailable, create_arm

log = logging.getLogger(__name__)

StopReason = Literal["decided", "max_items", "max_usd", "exhausted"]


@dataclass(frozen=True)
class SequentialPlan:
    """How the sample grows, as recorded with the run (`config.run.sequential`)."""

    batch: int
    max_items: int | None
    max_usd: float | None
    alpha: float
    margin: float
    order: tuple[str, ...]  # test item ids in the seeded stratified order, capped at max_items
    of: int  # test items in the split
    seed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "max_items": self.max_items,
            "max_usd": self.max_usd,
            "alpha": self.alpha,
            "margin": self.margin,
            "order": list(self.order),
            "of": self.of,
            "seed": self.seed,
        }

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> SequentialPlan:
        return cls(
            int(record["batch"]), record.get("max_items"), record.get("max_usd"),
            float(record["alpha"]), float(record["margin"]), tuple(record["order"]),
            int(record["of"]), int(record.get("seed", 0)),
        )  # fmt: skip


@dataclass(frozen=True)
class Assessment:
    """Where a sequential run stands after its latest round (computed by the evidence layer)."""

    items: int  # test items taken so far (whole rounds)
    rounds: int
    best: str | None
    comparisons: tuple[SequentialComparison, ...]
    answering: tuple[str, ...]  # arms that answer the next round (not shown worse)
    items_by_arm: dict[str, int]  # items each arm answered
    spent_usd: float | None  # answering (API $, measured) + labelling the items; None: unpriced
    next_round_usd: float | None  # what one more round would add, at the per-item cost so far
    stop: StopReason | None  # None: go on
    stop_text: str
    fixed_items: int | None = None  # a fixed-n plan at 80% power at the observed differences
    fixed_usd: float | None = None  # that plan's answering + labelling dollars
    labelling_priced: bool = False  # the workload prices labelled items (else $0 counted)
    plan: SequentialPlan | None = None  # the budgets and order it ran under
    # arms failing on more than the fixed-n verdict's error share: no longer answered or compared
    ineligible: tuple[str, ...] = ()


Assess = Callable[[str], Assessment]


def sequential_plan(workload: Workload, sampling: Sampling, margin: float) -> SequentialPlan:
    """The seeded stratified order of the test split, capped at `max_items`."""
    spec = workload.spec
    test = workload.split("test")
    order = sequential_order(test, spec.task, spec.seed)
    cap = len(order) if sampling.max_items is None else min(sampling.max_items, len(order))
    return SequentialPlan(
        sampling.batch, sampling.max_items, sampling.max_usd, sampling.alpha, margin,
        tuple(e.id for e in order[:cap]), len(test), spec.seed,
    )  # fmt: skip


def run_until_decided(
    workload: Workload,
    store: RunStore,
    options: RunOptions,
    assess: Assess,
    *,
    on_round: Callable[[Assessment], None] | None = None,
    source: str | None = None,
) -> str:
    """Run (or resume) the workload in rounds until `assess` says stop; return the run id."""
    spec = workload.spec
    arms = requested_arms(workload, options)
    repeats = options.repeats or spec.repeats
    by_id = {e.id: e for e in workload.split("test")}
    if options.resume:
        run = store.get_run(options.resume)
        record = (run.config.get("run") or {}).get("sequential")
        if record is None:
            raise RagtuneError(
                f"run {run.id} was not started with --until-decided",
                hint=f"resume it without --until-decided: ragtune run ... --resume {run.id}",
            )
        plan = SequentialPlan.from_json(record)
        arms = list(run.config["run"]["arms"])
        missing = [i for i in plan.order if i not in by_id]
        if missing:
            raise RagtuneError(
                f"run {run.id} recorded test item {missing[0]!r}, which the workload's test "
                "split no longer has",
                hint="resume with the workload file the run started from",
            )
    else:
        plan = sequential_plan(workload, spec.sampling, spec.advice.margin)
        config = {
            **spec.model_dump(by_alias=True),
            "json_schema": workload.json_schema,
            "price_files": [str(workload.path(p)) for p in spec.pricing.prices],
            "run": {
                "arms": arms,
                "repeats": repeats,
                "limit": None,
                "sample": None,
                "sequential": plan.to_json(),
                "carved": None if workload.carved is None else workload.carved.describe(),
            },
        }
        run = store.create_run(config, seed=spec.seed, workload=source or spec.name)
    resources, executor, cache = prepare_arms(workload, store, run.id, arms, options)
    built: dict[str, Arm] = {}
    try:
        for name in arms:
            arm = _build(store, run.id, name, workload, resources)
            if arm is not None:
                built[name] = arm
        assessment = assess(run.id)
        while True:
            taken = [to_example(i) for i in store.list_items(run.id, "test")]
            # every arm still answering finishes the round (a resumed run may be mid-way)
            for name in (a for a in assessment.answering if a in built):
                answer_items(store, run.id, name, built[name], taken, repeats, executor=executor)
            assessment = assess(run.id)
            if on_round is not None:
                on_round(assessment)
            if assessment.stop is not None:
                break
            start = len(taken)
            round_items = [by_id[i] for i in plan.order[start : start + plan.batch]]
            store.add_items(run.id, [to_item(e) for e in round_items])
    finally:
        executor.close()
    for name, arm in built.items():
        _close_arm(store, run.id, name, arm, workload, resources, spec.latency_sample)
    finish(workload, store, run.id, cache)
    return run.id


def _build(
    store: RunStore, run_id: str, name: str, workload: Workload, resources: Any
) -> Arm | None:
    """The arm, or None when it cannot run (recorded as unavailable, as a fixed run does)."""
    if store.get_arm(run_id, name).status in ("done", "unavailable", "failed"):
        return None
    try:
        with phase(f"building arm {name}"):
            arm = create_arm(name, resources, workload.arms[name])
    except ArmUnavailable as err:
        log.warning("arm %s not available: %s", name, err)
        status = "failed" if isinstance(err, ArmFailed) else "unavailable"
        store.set_arm_status(run_id, name, status, str(err))
        return None
    store.add_arm(run_id, name, {**settings_record(workload, name), "info": describe_arm(arm)})
    store.set_arm_status(run_id, name, "running")
    return arm


def _close_arm(
    store: RunStore,
    run_id: str,
    name: str,
    arm: Arm,
    workload: Workload,
    resources: Any,
    latency_sample: int,
) -> None:
    """Time a sample of the items the arm answered alone (request latency), then mark it done."""
    answered = store.completed_items(run_id, name, 0)
    items: Sequence[Example] = [
        to_example(i) for i in store.list_items(run_id, "test") if i.id in answered
    ]
    record = settings_record(workload, name)
    info = describe_arm(arm)
    timing = measure_request_latency(
        store, run_id, name, arm, items, seed=resources.seed, sample=latency_sample
    )
    store.add_arm(run_id, name, {**record, "info": {**info, "request_latency": timing.to_json()}})
    store.set_arm_status(run_id, name, "done")


__all__ = [
    "Assess",
    "Assessment",
    "SequentialPlan",
    "StopReason",
    "run_until_decided",
    "sequential_plan",
]
