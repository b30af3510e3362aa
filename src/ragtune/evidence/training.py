"""What a run's fine-tuning cost: local jobs as machine time at the self-hosted rate, hosted jobs
as billed (trained tokens x the catalog's training price), and so what a retrain would cost again.

Training runs at two layers, on purpose: `store/training.py` writes and reads the records; this
module prices them. Deliberately not here: the arms' per-item evidence (`evidence.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ragtune.errors import RagtuneError
from ragtune.evidence.devices import training_rate
from ragtune.evidence.hosted_pricing import hosted_training_cost, is_hosted, serving_cost
from ragtune.evidence.pricing import Pricing
from ragtune.evidence.rundata import RunData


@dataclass(frozen=True)
class TrainingSummary:
    """What the fine-tune cost, and so what retraining it after a change would cost again."""

    method: str
    examples: int | None  # examples seen in training (a capped or short run sees fewer)
    tokens: int | None
    seconds: float | None
    cost: float | None  # machine time at the self-hosted rate; hosted: billed tokens x price
    final_loss: float | None
    basis: str = ""  # how `cost` was priced, with the price's source and date
    train_set: int | None = None  # examples it was given (a learning curve's size); old runs: None


def training(run: RunData, pricing: Pricing) -> tuple[TrainingSummary, ...]:
    out = []
    for job in run.training:
        t = job.record
        if t.method.startswith("hosted:"):
            out.append(hosted_training(t, pricing))
            continue
        curve = job.validation_curve or job.train_curve
        hourly, rate = training_rate(t.device, pricing)  # the GPU it ran on, or the machine's
        cost = None if t.duration_s is None else t.duration_s * hourly / 3600
        out.append(
            TrainingSummary(
                t.method,
                # examples the optimizer saw (runs since issue 16), else the split's size
                (t.params or {}).get("examples_seen") or t.train_examples,
                t.train_tokens,
                t.duration_s,
                cost,
                curve[-1].loss if curve else None,
                basis="" if t.duration_s is None else f"{t.duration_s:,.0f} s on {rate}",
                train_set=(t.params or {}).get("train_set"),
            )
        )
    return tuple(out)


def hosted_training(t: Any, pricing: Pricing) -> TrainingSummary:
    """A hosted job priced as billed: the provider's trained tokens (every epoch already counted)
    x the catalog's training price for the base model's fine-tuned variant."""
    from ragtune.cost import training_cost_tokens

    tokens = t.train_tokens
    if is_hosted(t.params):  # Together / Fireworks: the bracket's rate, not a catalog -ft entry
        try:
            cost, basis = hosted_training_cost(t.params, tokens)
        except RagtuneError as err:
            cost, basis = None, f"not priced: {err.message}"
        endpoint = serving_cost(t.params)
        if endpoint is not None:
            basis += f"; served on {endpoint.basis}"
        return TrainingSummary(t.method, t.train_examples, tokens, t.duration_s, cost, None, basis)
    try:
        price = pricing.catalog.tuned(t.base_model)
    except RagtuneError as err:
        cost, basis = None, f"not priced: {err.message}"
    else:
        cost = (
            None
            if tokens is None or price.training_per_m is None
            else float(training_cost_tokens(tokens=tokens, price_per_m=price.training_per_m))
        )
        basis = (
            f"{tokens or 0:,} trained tokens x ${price.training_per_m}/M ({price.name}, "
            f"{price.source}, {price.as_of}); job {dict(t.params).get('job_id')}"
        )
    return TrainingSummary(t.method, t.train_examples, tokens, t.duration_s, cost, None, basis)
