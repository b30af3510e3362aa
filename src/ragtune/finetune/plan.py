"""Before a fine-tune starts: examples, steps, tokens and how long it will take.

A 10,000-example train split with `epochs: 1` is ~1,250 steps: most of an hour on a laptop CPU.
A user should learn that before it starts, and be able to cap it:

- `sample_train` caps the train split at `max_examples`: a seeded sample, stratified by label
  (each label keeps its share of the sample to within one example, largest remainders first);
- `steps_for` / `examples_seen` are the step arithmetic the recipe itself uses (one home);
- `TrainingPlan` holds the counts, and once a few steps have been timed (the recipe's own first
  steps, or `ragtune check`'s warm-up on a sample) the estimated time: planned tokens x measured
  seconds per token, the first step left out (allocations, thread start-up).

Deliberately not here: training (`recipe.py`), where the examples come from (`workload.py`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ragtune.finetune.config import TuneConfig

T = TypeVar("T")

WARMUP_STEPS = 3  # timed steps before an estimate: the first is discarded, two are measured
# `ragtune check` renders at most this many examples to count tokens (a seeded sample, scaled
# up): rendering 10,000 chat examples would take longer than the check itself should.
TOKEN_SAMPLE = 1000


def sample_train(
    examples: Sequence[T], max_examples: int | None, seed: int, key: Callable[[T], str]
) -> list[T]:
    """At most `max_examples` of `examples`, stratified by `key` (the label), seeded.

    Each stratum gets floor(n x share); the examples left over go to the strata with the
    largest remainders (ties by stratum name), so the sample's label shares match the split's
    to within one example. Order within the result follows the input order.
    """
    if max_examples is None or max_examples >= len(examples):
        return list(examples)
    strata: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        strata.setdefault(key(example), []).append(i)
    total = len(examples)
    quota = {k: max_examples * len(v) / total for k, v in strata.items()}
    take = {k: math.floor(q) for k, q in quota.items()}
    left = max_examples - sum(take.values())
    for k in sorted(strata, key=lambda k: (-(quota[k] - take[k]), k))[:left]:
        take[k] += 1
    rng = random.Random(seed)
    chosen: list[int] = []
    for k in sorted(strata):
        chosen += rng.sample(strata[k], take[k])
    return [examples[i] for i in sorted(chosen)]


def steps_for(n_examples: int, config: TuneConfig) -> tuple[int, int]:
    """(steps per epoch, total steps) for `n_examples` training examples."""
    micro = math.ceil(n_examples / config.batch_size)
    per_epoch = max(1, math.ceil(micro / config.grad_accum))
    return per_epoch, config.max_steps or math.ceil(config.epochs * per_epoch)


def examples_seen(steps: int, n_examples: int, config: TuneConfig) -> int:
    """Examples the optimizer has seen after `steps` (an example seen twice counts twice)."""
    per_epoch, _ = steps_for(n_examples, config)
    epochs, rest = divmod(steps, per_epoch)
    return epochs * n_examples + min(n_examples, rest * config.grad_accum * config.batch_size)


@dataclass(frozen=True)
class TrainingPlan:
    """A fine-tune's size before it runs, and its estimated time once steps were timed."""

    available: int  # train-split examples before the max_examples cap
    examples: int  # examples trained on (after the cap, the validation split, drops)
    steps: int
    steps_per_epoch: int
    epoch_tokens: int  # tokens of one pass over the examples
    capped: bool = False  # max_examples sampled the train split
    tokens_estimated: bool = False  # epoch_tokens scaled up from a rendered sample
    seconds_per_token: float | None = None  # measured on timed steps
    timed_steps: int = 0

    @property
    def epochs(self) -> float:
        return self.steps / self.steps_per_epoch

    @property
    def tokens(self) -> int:
        """Tokens processed over every step (what hosted fine-tuning bills)."""
        return round(self.epoch_tokens * self.epochs)

    @property
    def estimated_s(self) -> float | None:
        return None if self.seconds_per_token is None else self.tokens * self.seconds_per_token

    def seen(self, config: TuneConfig) -> int:
        return examples_seen(self.steps, self.examples, config)

    def with_timing(self, seconds: float, tokens: int, steps: int) -> TrainingPlan:
        from dataclasses import replace

        rate = seconds / tokens if tokens > 0 and seconds > 0 else None
        return replace(self, seconds_per_token=rate, timed_steps=steps)

    def describe(self, config: TuneConfig) -> str:
        """One line: 'fine-tune plan: 1,250 steps (1.00 epochs), 10,000 of 10,003 examples ...'."""
        about = "~" if self.tokens_estimated else ""
        text = (
            f"fine-tune plan: {self.steps:,} steps ({self.epochs:.2f} epochs of "
            f"{self.steps_per_epoch:,}), {self.examples:,} training examples "
            f"({self.available:,} in the train split{', capped' if self.capped else ''}; "
            f"validation held out), {self.seen(config):,} examples seen, "
            f"{about}{self.tokens:,} tokens"
        )
        if self.estimated_s is not None:
            rate = 1 / self.seconds_per_token if self.seconds_per_token else 0.0
            text += (
                f"; estimated {format_duration(self.estimated_s)} "
                f"(from {self.timed_steps} timed steps at {rate:,.1f} tokens/s)"
            )
        return text

    def to_json(self, config: TuneConfig) -> dict[str, Any]:
        return {
            "available": self.available,
            "capped": self.capped,
            "examples": self.examples,
            "examples_seen": self.seen(config),
            "steps": self.steps,
            "epochs": round(self.epochs, 4),
            "tokens": self.tokens,
            "tokens_estimated": self.tokens_estimated,
            "estimated_s": self.estimated_s,
            "timed_steps": self.timed_steps,
        }


def plan_training(
    config: TuneConfig,
    n_examples: int,
    epoch_tokens: int,
    *,
    available: int | None = None,
    capped: bool = False,
) -> TrainingPlan:
    per_epoch, steps = steps_for(n_examples, config)
    return TrainingPlan(
        available=available if available is not None else n_examples,
        examples=n_examples,
        capped=capped,
        steps=steps,
        steps_per_epoch=per_epoch,
        epoch_tokens=epoch_tokens,
    )


def format_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
