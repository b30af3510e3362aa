"""One run read back from the store, typed and frozen: what every reader of a run starts from.

`load_run(store, run_id)` reads the run once: its config re-validated against the workload
schema (`RunConfig`), items in order, every arm with its predictions and their calls, the judge's
verdicts, training jobs with their loss curves, knowledge-base versions, and people's reviews and
ratings. `evaluate` in `evidence.py` turns this into numbers; nothing here scores, prices or
writes.

Deliberately not here: SQL (the store), interpretation (evidence, summary, advisor).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from ragtune.config import Advice, Backends, Costs, Pricing
from ragtune.errors import Problem, RagtuneError, ValidationError
from ragtune.running import JUDGED, PAIRWISE
from ragtune.store import (
    Arm,
    Item,
    JudgeCall,
    KbVersion,
    LossPoint,
    Metric,
    Prediction,
    Rating,
    Review,
    RunStore,
    TrainingRun,
)


class RunConfig(BaseModel):
    """The parts of the stored workload config that reading a run depends on, re-validated.

    The store keeps `WorkloadSpec.model_dump()` plus the resolved JSON schema and (since this
    release) the price files resolved next to the workload file; fields a reader does not need
    (data paths, arm settings) are kept as stored but not checked here.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    name: str = "workload"
    task: Literal["qa", "classify", "extract", "generate"]
    labels: list[str] | None = None
    json_schema: dict[str, Any] | None = None
    backends: Backends = Backends()
    pricing: Pricing = Pricing()
    advice: Advice = Advice()
    costs: Costs = Costs()  # labelling price, engineering hours (per-arm TCO)
    # Absolute paths of `pricing.prices`, resolved next to the workload file when the run
    # started; None for runs stored before they were recorded (resolved from `Run.workload`).
    price_files: tuple[str, ...] | None = Field(None)

    @property
    def local_only(self) -> bool:
        """Every answering backend is a local model (the judge does not answer)."""
        return all(str(b).startswith("local:") for b in (self.backends.cheap, self.backends.strong))


@dataclass(frozen=True)
class TrainingJob:
    """A fine-tune of the run with its loss curves (train and validation)."""

    record: TrainingRun
    train_curve: tuple[LossPoint, ...]
    validation_curve: tuple[LossPoint, ...]


@dataclass(frozen=True)
class ArmData:
    """One arm: its status and params, and its predictions (every split, every repeat)."""

    arm: Arm
    predictions: tuple[Prediction, ...]

    @property
    def name(self) -> str:
        return self.arm.name


@dataclass(frozen=True)
class RunData:
    """A whole run as stored; `raw_config` is the stored dict, for display only."""

    id: str
    created: str
    workload: str | None
    status: str
    seed: int
    versions: Mapping[str, str]
    machine: Mapping[str, Any]
    config: RunConfig
    raw_config: Mapping[str, Any]
    items: tuple[Item, ...]
    arms: tuple[ArmData, ...]
    judge_metrics: tuple[Metric, ...] = ()  # the judge's per-item verdicts (pointwise, pairwise)
    judge_calls: tuple[JudgeCall, ...] = ()  # the judge's calls, one per judged prediction
    training: tuple[TrainingJob, ...] = ()
    kb_versions: tuple[KbVersion, ...] = ()
    reviews: tuple[Review, ...] = ()  # blind human reviews of the run (`ragtune review`)
    ratings: tuple[Rating, ...] = ()  # what the reviewers said, in the order they said it
    _by_id: Mapping[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def item(self, item_id: str) -> Item:
        return self._by_id[item_id]

    def workload_root(self) -> Path | None:
        """The folder of the workload file, when the run recorded where it was."""
        return Path(self.workload).resolve().parent if self.workload else None


def load_run(
    store: RunStore, run_id: str, *, from_positions: Mapping[str, int] | None = None
) -> RunData:
    """Read one run (an id or a unique prefix of one) from the store. `from_positions` (arm ->
    item position): only those arms' first-repeat answers to items from that position on, for
    a reader that keeps the earlier ones (`evidence.SequentialAssessor`); other arms get none."""
    run = store.get_run(run_id)
    try:
        config = RunConfig.model_validate(dict(run.config))
    except pydantic.ValidationError as err:
        problems = [
            Problem(".".join(str(p) for p in e["loc"]), e["msg"], repr(e.get("input")))
            for e in err.errors()
        ]
        raise ValidationError(f"the stored config of run {run.id}", problems) from None
    items = tuple(store.list_items(run.id))
    predictions: dict[str, list[Prediction]] = {}
    if from_positions is None:
        for p in store.predictions(run.id):
            predictions.setdefault(p.arm, []).append(p)
    else:
        for arm, start in from_positions.items():
            predictions[arm] = store.predictions(run.id, arm, 0, from_position=start)
    arms = tuple(ArmData(a, tuple(predictions.get(a.name, ()))) for a in store.list_arms(run.id))
    judged = {name for name, _ in JUDGED.values()} | {PAIRWISE}
    verdicts = tuple(m for m in store.metrics(run.id, per_item=True) if m.name in judged)
    jobs = tuple(
        TrainingJob(
            t,
            tuple(store.loss_curve(t.id, "train")),
            tuple(store.loss_curve(t.id, "validation")),
        )
        for t in store.list_training_runs(run.id)
    )
    return RunData(
        id=run.id,
        created=run.created,
        workload=run.workload,
        status=run.status,
        seed=run.seed,
        versions=dict(run.versions),
        machine=dict(run.machine),
        config=config,
        raw_config=dict(run.config),
        items=items,
        arms=arms,
        judge_metrics=verdicts,
        judge_calls=tuple(store.judge_calls(run.id)),
        training=jobs,
        kb_versions=tuple(store.kb_versions(run.id)),
        reviews=tuple(store.reviews(run.id)),
        ratings=tuple(store.ratings(run.id)),
        _by_id={i.id: i for i in items},
    )


def price_files(run: RunData) -> list[Path]:
    """The run's own price files; one that cannot be found is an error, never skipped."""
    files = run.config.pricing.prices
    if not files:
        return []
    if run.config.price_files is not None:
        paths = [Path(p) for p in run.config.price_files]
    else:  # runs stored before the resolved paths were recorded
        root = run.workload_root()
        if root is None:
            raise RagtuneError(
                f"run {run.id} names price files {files} but not its workload file",
                hint="re-run the workload with `ragtune run` so the price files are recorded",
            )
        paths = [root / f for f in files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise RagtuneError(
            f"run {run.id} was priced with {', '.join(missing)}, which no longer exist(s)",
            hint="put the price file back where it was, or re-run the workload",
        )
    return paths
