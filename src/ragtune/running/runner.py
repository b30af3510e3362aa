"""The evidence run: every arm answers the same test items; everything lands in the run store.

`run_workload` records the run (resolved config, versions, seed, machine) and its items (all of
the test split, or the `--limit` sample with its seed and ids, so `--resume` and re-pricing use
the same items), builds
the resources the arms need, then runs each arm over the items in batches. Each batch is one
store transaction, so a process killed mid-arm keeps every finished batch and `--resume`
continues with the items not yet answered. An arm that cannot run is recorded as unavailable
with its reason, and the run goes on. Each arm is stored with its settings and what it ran with
(its system prompt, instructions file and model), so variants of one arm can be told apart.
When the workload names a judge, the judge then scores the arms' answers (`judging.py`,
resumable too). Scoring and pricing read the store afterwards
(`summary.py`); nothing here computes a metric.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ragtune.backends import ResponseCache, default_cache_path, from_hardware, measuring_device
from ragtune.config import REQUEST_SAMPLE, Workload, batched_backends
from ragtune.data import Example, Limit, Sample, sample_test
from ragtune.errors import RagtuneError
from ragtune.finetune import HostedResult
from ragtune.progress import bar, phase
from ragtune.running.batch import (
    Poller,
    batch_arm,
    batch_info,
    batch_judge,
    batch_workload,
    label_batch_latency,
    wrap_batched,
)
from ragtune.running.batch_plan import check_batch_prices
from ragtune.running.executors import (
    ArmJob,
    Executor,
    ExecutorOptions,
    InProcess,
    ShardResult,
    check_executor,
    create_executor,
)
from ragtune.running.freshness import run_freshness
from ragtune.running.judge_run import judge_run
from ragtune.running.latency import measure_request_latency
from ragtune.running.prefixes import record_calls
from ragtune.running.resources import build_resources
from ragtune.store import Item, KbVersion, LossPoint, Measurement, RunStore
from ragtune.store import Prediction as StoredPrediction
from ragtune.strategies import (
    BATCH,
    Arm,
    ArmFailed,
    ArmSettings,
    ArmUnavailable,
    Prediction,
    create_arm,
    settings_for,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    arms: tuple[str, ...] | None = None  # None: every arm in the workload
    limit: Limit | None = None  # None: the workload's `limit:` (None there too: every item)
    repeats: int | None = None  # None: the workload's
    resume: str | None = None  # run id to continue
    use_cache: bool = True  # the SQLite response cache (re-runs hit it)
    cache_path: Path | None = None  # None: $RAGTUNE_CACHE_DIR/responses.sqlite
    work_root: Path = Path(".ragtune") / "runs"  # indexes and adapters, per run
    freshness: bool = True  # re-ask changed questions after each later knowledge version
    executor: str | None = None  # "inprocess" | "ray"; None: the workload's `executor:`
    executor_options: ExecutorOptions = field(default_factory=ExecutorOptions)  # Ray's
    batch: bool = False  # `--batch`: every API backend and the judge through batch APIs
    # how batches are waited for (tests pass a sleep that returns at once)
    batch_sleep: Callable[[float], None] = time.sleep


def requested_arms(workload: Workload, options: RunOptions) -> list[str]:
    """The arms `options` asks for (default: every arm of the workload), each one it has."""
    spec = workload.spec
    arms = list(options.arms or spec.arms)
    unknown = [a for a in arms if a not in spec.arms]
    if unknown:
        raise RagtuneError(
            f"arm(s) {', '.join(unknown)} are not in the workload",
            hint=f"the workload's arms: {', '.join(spec.arms)}",
        )
    return arms


def run_workload(
    workload: Workload, store: RunStore, options: RunOptions, *, source: str | None = None
) -> str:
    """Run (or resume) the workload's arms and return the run id."""
    workload = batch_workload(
        workload, store, resume=options.resume, flag=options.batch, executor=options.executor
    )
    check_batch_prices(workload, flag=options.batch)  # before anything is submitted
    spec = workload.spec
    arms = requested_arms(workload, options)
    repeats = options.repeats or spec.repeats
    check_executor(options.executor or spec.executor, options.executor_options)
    if options.resume:
        run = store.get_run(options.resume)
        items = [to_example(i) for i in store.list_items(run.id) if i.split == "test"]
        log.info("resuming run %s: %s", run.id, store.prediction_counts(run.id))
    else:
        limit = options.limit or spec.test_limit
        items, sample = sample_test(workload.split("test"), limit, spec.task, spec.seed)
        log.info("evaluating %s", sample.describe())
        config = {
            **spec.model_dump(by_alias=True),
            "json_schema": workload.json_schema,  # resolved, so scoring never rereads files
            # resolved next to the workload file once, so every reader prices the run the same
            "price_files": [str(workload.path(p)) for p in spec.pricing.prices],
            "run": {
                "arms": arms,
                "repeats": repeats,
                "limit": None if limit is None else str(limit),
                "sample": sample_record(sample),
                "carved": None if workload.carved is None else workload.carved.describe(),
            },
        }
        run = store.create_run(config, seed=spec.seed, workload=source or spec.name)
        store.add_items(run.id, [to_item(e) for e in items])
    resources, executor, cache = prepare_arms(workload, store, run.id, arms, options)
    poller = Poller(
        spec.backends.api, sleep=options.batch_sleep, resumed=options.resume is not None
    )
    try:
        for name in arms:
            run_arm(
                store, run.id, name, workload, resources, items, repeats, executor,
                latency_sample=spec.latency_sample, poller=poller,
            )  # fmt: skip
    finally:
        executor.close()
    if options.freshness:
        run_freshness(
            store, run.id, workload, resources, arms, {e.id for e in items},
            answer_items=answer_items, record_kb_version=record_kb_version, to_item=to_item,
        )  # fmt: skip
    finish(workload, store, run.id, cache, poller)
    return run.id


def prepare_arms(
    workload: Workload, store: RunStore, run_id: str, arms: Sequence[str], options: RunOptions
) -> tuple[Any, Executor, ResponseCache | None]:
    """Register the arms, build the resources they need (index, fine-tune, backends) and the
    executor that answers their items: what a fixed and a sequential run share."""
    spec = workload.spec
    finished = {a.name for a in store.list_arms(run_id) if a.status in ("done", "unavailable")}
    for name in arms:
        if name not in finished:
            store.add_arm(run_id, name, settings_record(workload, name))
    work_dir = options.work_root / run_id
    cache = ResponseCache(options.cache_path) if options.use_cache else None
    resources = build_resources(
        workload,
        arms,
        work_dir,
        cache=cache,
        on_training=lambda result, **facts: record_training(store, run_id, result, **facts),
    )
    wrap_batched(resources, batched_backends(spec))
    if resources.index is not None and spec.knowledge is not None and not options.resume:
        record_kb_version(store, run_id, spec.knowledge.name, spec.knowledge.path, resources)
    record_calls(resources)  # cacheable prefixes and batch sizes, for pricing
    executor = create_executor(
        options.executor or spec.executor,
        options.executor_options,
        workload=workload,
        arms=list(arms),
        work_dir=work_dir,
        cache_path=(options.cache_path or default_cache_path()) if options.use_cache else None,
        run_id=run_id,
    )
    return resources, executor, cache


def finish(
    workload: Workload,
    store: RunStore,
    run_id: str,
    cache: ResponseCache | None,
    poller: Poller | None = None,
) -> None:
    """The judge scores the stored answers (when the workload names one; through a batch when
    `backends.judge.batch`); the run is finished."""
    spec = workload.spec
    judge = spec.backends.judge_spec
    if judge is not None:
        backend = batch_judge(
            store, run_id, spec, judge, cache, poller or Poller(spec.backends.api)
        )
        judge_run(store, run_id, spec.task, judge, cache=cache, seed=spec.seed, backend=backend)
    store.finish_run(run_id)


def sample_record(sample: Sample) -> dict[str, Any]:
    """How the run's test items were chosen, for the stored config and the report."""
    return {
        "n": sample.n,
        "of": sample.of,
        "mode": sample.mode,
        "seed": sample.seed,
        "stratified_by": sample.stratified_by,
        "ids": list(sample.ids),
        "text": sample.describe(),
    }


def settings_record(workload: Workload, name: str) -> dict[str, Any]:
    """An arm's stored settings: typed, defaults filled in, instructions as the text used."""
    settings = workload.arms[name]
    record = settings.model_dump(mode="json")
    if name in workload.instruction_files:
        record["instructions_file"] = workload.instruction_files[name]
    return record


def describe_arm(arm: Arm) -> dict[str, Any]:
    """What an arm runs with, as the report shows it: its class, model and system prompt."""
    system = getattr(arm, "system", None)
    info = dict(getattr(arm, "info", None) or {})
    return {
        "arm": getattr(arm, "name", None),
        "model": arm.backend.name,
        **({"prompt": system()} if callable(system) else {}),
        **info,
    }


def record_kb_version(store: RunStore, run_id: str, label: str, path: str, resources: Any) -> None:
    """The indexed knowledge base, fingerprinted by its chunks' content hashes."""
    chunks = resources.index.chunks()
    digest = hashlib.sha256("".join(sorted(c.hash for c in chunks)).encode()).hexdigest()
    documents = len({c.doc_id for c in chunks})
    store.add_kb_version(KbVersion(run_id, label, path, digest[:16], documents, len(chunks)))


def to_item(example: Example) -> Item:
    """Stored items keep the gold documents next to the answer (citation hit rate needs them)."""
    gold = {"answer": example.target, "doc_ids": list(example.doc_ids)}
    return Item(example.id, example.split or "test", example.input, gold)


def to_example(item: Item) -> Example:
    gold = item.gold or {}
    return Example(
        item.id, str(item.input), gold.get("answer"), item.split, tuple(gold.get("doc_ids", ()))
    )


def run_arm(
    store: RunStore,
    run_id: str,
    name: str,
    workload: Workload | Mapping[str, Any],
    resources: Any,
    items: Sequence[Example],
    repeats: int,
    executor: Executor | None = None,
    latency_sample: int = REQUEST_SAMPLE,
    poller: Poller | None = None,
) -> None:
    """One arm over every item and repeat, skipping what the store already holds, then
    `latency_sample` of its items timed alone for request latency. An arm on a batched backend
    first has its requests answered by a batch (`batch.py`), waited for with `poller`."""
    if store.get_arm(run_id, name).status in ("done", "unavailable"):
        return
    # the workload's typed settings, or an arm's settings given directly (tests, callers)
    settings: ArmSettings = (
        workload.arms[name] if isinstance(workload, Workload) else settings_for(name, workload)
    )
    started = time.perf_counter()
    try:
        with phase(f"building arm {name}"):
            arm = create_arm(name, resources, settings)
    except ArmUnavailable as err:
        log.warning("arm %s not available: %s", name, err)
        status = "failed" if isinstance(err, ArmFailed) else "unavailable"
        store.set_arm_status(run_id, name, status, str(err))
        return
    log.debug("arm %s built in %.1f s", name, time.perf_counter() - started)
    record = (
        settings_record(workload, name)
        if isinstance(workload, Workload)
        else settings.model_dump(mode="json")
    )
    store.add_arm(run_id, name, {**record, "info": describe_arm(arm)})
    store.set_arm_status(run_id, name, "running")
    batch = batch_arm(store, run_id, name, arm, items, repeats, poller or Poller())
    # a batched arm's answers are already here: the wrappers serving them live in this process
    answer_items(store, run_id, name, arm, items, repeats, executor=None if batch else executor)
    # what its machine seconds were timed on, so pricing can refuse another kind of machine
    store.set_arm_device(run_id, name, measuring_device(arm.backend).to_json())
    info = describe_arm(arm)  # before timing, which asks the arm again
    timing = measure_request_latency(
        store, run_id, name, arm, items, seed=resources.seed, sample=latency_sample
    )
    info = {**info, "request_latency": timing.to_json()}
    if batch is not None:
        info["batch"] = batch_info(store, run_id, name, batch)
        label_batch_latency(store, run_id, name, info["batch"]["turnaround_s"])
    store.add_arm(run_id, name, {**record, "info": info})
    store.set_arm_status(run_id, name, "done")


def answer_items(
    store: RunStore,
    run_id: str,
    name: str,
    arm: Arm,
    items: Sequence[Example],
    repeats: int = 1,
    label: str | None = None,
    executor: Executor | None = None,
) -> None:
    """The arm answers every item not yet in the store, one store transaction per batch.

    `executor` answers the batches (shards): this process by default, or Ray workers; each
    finished shard is written here, so what is stored does not depend on where it was answered.

    Repeat r asks with seed `workload seed + r`: the seed is part of the response-cache key, so
    a repeat is answered afresh rather than replayed from repeat 0 (repeat 0 keeps the seed, and
    so the cache, of a run without repeats). With greedy decoding (temperature 0, the default) a
    local model answers the same each time, so its spread is 0 and only latency varies; API
    models vary even at temperature 0, and sampling arms vary by seed.
    """
    resources = getattr(arm, "resources", None)
    base_seed = resources.seed if resources is not None else 0
    executor = executor or InProcess()
    try:
        for repeat in range(repeats):
            if resources is not None:
                resources.seed = base_seed + repeat
            done = store.completed_items(run_id, name, repeat)
            todo = [e for e in items if e.id not in done]
            desc = label or f"{name} (repeat {repeat + 1}/{repeats})"
            with bar(desc=desc, total=len(items), unit="item") as advance:
                advance(len(items) - len(todo))

                def write(shard: ShardResult, repeat: int = repeat, advance: Any = advance) -> None:
                    batch = stored_batch(run_id, name, repeat, shard.predictions, shard.wall_s)
                    store.record_predictions(batch)
                    advance(len(shard.predictions))

                shards = [todo[start : start + BATCH] for start in range(0, len(todo), BATCH)]
                executor.answer(arm, ArmJob(name, base_seed + repeat), shards, write)
    finally:
        if resources is not None:
            resources.seed = base_seed


def from_cache(p: Prediction) -> bool:
    """Every model call of this prediction was served by the response cache."""
    return bool(p.calls) and all(c.cached for c in p.calls)


def stored_batch(
    run_id: str, arm: str, repeat: int, predictions: Sequence[Prediction], wall_s: float
) -> list[StoredPrediction]:
    """A batch's records, each with its share of machine time (`wall_share_s`).

    Freshly computed predictions split the batch's wall time. A prediction the response cache
    answered cost ~0 s now, but self-hosting it would cost what computing it did: its share is
    each call's recorded latency (the whole original batch's wall time) over that call's batch
    size, which is the original share when the cache was filled by the same items in the same
    batches (a re-run of the same workload).
    """
    fresh = [p for p in predictions if not from_cache(p)]
    fresh_share = wall_s / len(fresh) if fresh else 0.0
    out = []
    for p in predictions:
        if from_cache(p):
            share = sum(c.latency_s / max(1, c.batch or len(predictions)) for c in p.calls)
        else:
            share = fresh_share
        out.append(stored(run_id, arm, repeat, p, share))
    return out


def stored(
    run_id: str, arm: str, repeat: int, p: Prediction, wall_share_s: float = 0.0
) -> StoredPrediction:
    """The store's record of a prediction: one measurement per model call.

    `wall_share_s` is this item's share of its batch's wall time: what self-hosted serving is
    priced on (a batch's responses each report the whole batch's latency, so latencies cannot
    simply be summed). Each call keeps its cacheable-prefix note (see `prefixes.py`).
    """
    extra = {"confidence": p.confidence, "escalated": p.escalated}
    calls = tuple(
        Measurement(
            c.stage,
            c.model,
            c.usage.input_tokens,
            c.usage.cache_write_tokens,
            c.usage.cache_read_tokens,
            c.usage.output_tokens,
            c.latency_s,
            c.ttft_s,
            c.cached,
            c.prefix,
            c.prefix_share,
            c.batch,
        )
        for c in p.calls
    )
    return StoredPrediction(
        run_id,
        arm,
        p.item_id,
        repeat,
        None if p.error else p.text,
        p.citations,
        p.error,
        extra,
        calls,
        answer=p.answer,
        latency_s=p.latency_s,
        wall_share_s=wall_share_s,
        from_cache=from_cache(p),
    )


def record_training(
    store: RunStore, run_id: str, result: Any, *, train_set: int | None = None
) -> None:
    """Keep the fine-tune's loss curve and cost with the run, for the report; `train_set`: the
    examples it was given (a learning curve's size), so each size is priced by its own run."""
    if isinstance(result, HostedResult):
        record_hosted_training(store, run_id, result)
        return
    params = result.to_json()
    if train_set is not None:
        params["train_set"] = train_set
    training = store.create_training_run(
        base_model=str(result.out_dir),
        method=result.method,
        params=params,
        run_id=run_id,
        train_examples=result.train_examples,
    )
    points = []
    log_path = Path(result.out_dir) / "log.jsonl"
    for line in log_path.read_text().splitlines() if log_path.exists() else []:
        record = json.loads(line)
        if "train_loss" in record:
            points.append(
                LossPoint(
                    int(record["step"]), float(record["train_loss"]), "train", record.get("epoch")
                )
            )
        if "val_loss" in record:
            points.append(LossPoint(int(record["step"]), float(record["val_loss"]), "validation"))
    store.record_losses(training.id, points)
    cost = result.cost
    store.finish_training_run(
        training.id,
        duration_s=cost.wall_seconds,
        output_path=str(result.weights),
        train_tokens=int(cost.tokens_processed),
        device=from_hardware(cost.device_type, cost.hardware).to_json(),
    )


def record_hosted_training(store: RunStore, run_id: str, result: HostedResult) -> None:
    """A hosted job: its id, billed tokens, epochs and wall time (the provider keeps no curve
    ragtune reads; its events are in the run's log)."""
    training = store.create_training_run(
        base_model=result.base,
        method=f"hosted:{result.provider}",
        params=result.to_json(),
        run_id=run_id,
        train_examples=result.train_examples,
    )
    store.finish_training_run(
        training.id,
        duration_s=result.wall_seconds,
        output_path=result.fine_tuned_model,
        train_tokens=result.trained_tokens,
    )
