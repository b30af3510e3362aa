"""From a workload to a fine-tuning job: its training examples, test prompts and TuneConfig.

The finetune arm (`ragtune.running.resources.tuned_backend`) and `ragtune tune workload.yaml`
train the same way: the train split rendered as chat turns with the task's short tuned system
prompt, the test split held out of validation, hyper-parameters from the workload's `finetune`
(or `finetune_rag`) arm. Training itself is `ragtune.finetune.run.tune`; this module only
prepares its inputs and does not read files, train or price anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ragtune.config import Workload
from ragtune.data import nested_subsets
from ragtune.errors import RagtuneError
from ragtune.finetune.config import TuneConfig
from ragtune.finetune.data import Conversation, conversation
from ragtune.finetune.plan import (
    TOKEN_SAMPLE,
    WARMUP_STEPS,
    TrainingPlan,
    plan_training,
    sample_train,
)

if TYPE_CHECKING:
    from ragtune.strategies import FinetuneSettings

log = logging.getLogger(__name__)

# Used when the workload's cheap backend is not a local model (an API cannot be tuned here).
FALLBACK_BASE = "smollm2-135m"


@dataclass(frozen=True)
class WorkloadJob:
    """What `run.tune` needs for one workload."""

    config: TuneConfig
    examples: list[Conversation]  # the train split
    test: list[Conversation]  # never trained or validated on
    task: str
    available: int = 0  # train-split examples before the max_examples cap


def base_model(workload: Workload) -> str:
    """The model to tune: the workload's cheap backend when it is local, else the fallback."""
    from ragtune.backends import parse_backend_name

    cheap = workload.spec.backends.cheap
    name = parse_backend_name(cheap)
    if name.kind == "local":
        return str(name.model)
    log.warning("cheap backend %s is not local; tuning %s instead", cheap, FALLBACK_BASE)
    return FALLBACK_BASE


def tuning_settings(workload: Workload) -> FinetuneSettings:
    """The training settings of the workload's first tuned arm (finetune, finetune_rag or a
    variant of them); the arm's defaults when it has none."""
    from ragtune.strategies import FinetuneSettings

    for settings in workload.arms.values():
        if isinstance(settings, FinetuneSettings):
            return settings
    return FinetuneSettings()


def workload_job(
    workload: Workload, base: str | None = None, *, size: int | None = None, **overrides: Any
) -> WorkloadJob:
    """Examples, test prompts and config for tuning `base` (default: base_model) on `workload`.

    `size`: a learning curve's point, trained on the first `size` examples of the seeded,
    stratified nested order of train (`data.nested_subsets`) with the same hyper-parameters; a
    `max_steps` is scaled by size / the plain arm's training set, so every size trains the same
    number of epochs. `overrides` are TuneConfig fields (e.g. max_steps=3 from the command
    line); they win over the arm's settings.
    """
    from ragtune.strategies import TUNED_SYSTEM, target_text

    task = workload.spec.task
    system = TUNED_SYSTEM[task]
    train = workload.split("train")
    if not train:
        raise RagtuneError(
            f"workload {workload.spec.name!r} has no training examples (train split is empty)",
            hint="add examples with split: train, or set data.split_fractions with a train share",
        )
    p = tuning_settings(workload)
    available = len(train)
    cap = p.max_examples  # checked (>= 1) with the arm's settings
    train = sample_train(train, cap, workload.spec.seed, key=lambda e: target_text(e.target))
    max_steps = p.max_steps
    if size is not None:
        full = len(train)
        train = nested_subsets(workload.split("train"), [size], task, workload.spec.seed)[size]
        if max_steps is not None:
            max_steps = max(1, round(max_steps * len(train) / full))
    examples = [conversation(e.input, target_text(e.target), system=system) for e in train]
    test = [
        conversation(e.input, target_text(e.target), system=system) for e in workload.split("test")
    ]
    config = TuneConfig(
        base=base or base_model(workload),
        method=p.method,
        epochs=p.epochs,
        max_steps=max_steps,
        batch_size=p.batch_size,
        learning_rate=p.learning_rate,
        max_length=p.max_length,
        lora_layers=p.lora_layers,
        seed=workload.spec.seed,
        system=system,
        checkpoint_every=0,
    )
    if overrides:
        config = config.with_(**overrides)
    return WorkloadJob(config=config, examples=examples, test=test, task=task, available=available)


def estimate_plan(job: WorkloadJob, *, timed: bool = True) -> TrainingPlan:
    """The job's plan (steps, tokens) and, when `timed`, its time from a short warm-up.

    Tokens come from rendering up to TOKEN_SAMPLE examples (seeded) with the base model's
    tokenizer, scaled to the whole set. The warm-up loads the model and times WARMUP_STEPS
    optimizer steps on a sample in a throw-away folder; nothing is saved.
    """
    import random
    import tempfile

    from ragtune.backends import load_tokenizer
    from ragtune.finetune.data import split_validation
    from ragtune.finetune.recipe import Recipe
    from ragtune.finetune.render import render_all

    c = job.config
    train, _ = split_validation(job.examples, fraction=c.val_fraction, seed=c.seed, test=job.test)
    sample = random.Random(c.seed).sample(train, min(TOKEN_SAMPLE, len(train)))
    rendered, stats = render_all(load_tokenizer(c.base), sample, c.max_length)
    kept = round(len(train) * len(rendered) / max(1, len(sample)))
    epoch_tokens = round(stats.tokens * len(train) / max(1, len(sample)))
    capped = job.available > len(job.examples)
    plan = plan_training(c, kept, epoch_tokens, available=job.available, capped=capped)
    plan = replace(plan, tokens_estimated=len(sample) < len(train))
    if not timed:
        return plan
    warm = sample[: WARMUP_STEPS * c.batch_size * c.grad_accum]
    with tempfile.TemporaryDirectory(prefix="ragtune-warmup-") as out:
        recipe = Recipe(c.with_(checkpoint_every=0), out, warm, [])
        recipe.setup()
        seconds, tokens, steps = recipe.time_steps(WARMUP_STEPS)
    return plan.with_timing(seconds, tokens, steps)
