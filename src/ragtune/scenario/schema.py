"""The scenario file's schema: volume, horizon, the workload (what one request is) and options
(API models, self-hosted GPUs, flat infrastructure, one-time and retraining costs), every number
a `Quantity` that may be a range.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ragtune.cost import (
    Quantity,
    parse_at_least_one,
    parse_fraction,
    parse_positive,
    parse_positive_fraction,
    parse_quantity,
    parse_whole,
)

Q = Annotated[Quantity, BeforeValidator(parse_quantity)]
QPos = Annotated[Quantity, BeforeValidator(parse_positive)]  # divisors: zero is an error
QFrac = Annotated[Quantity, BeforeValidator(parse_fraction)]  # shares and rates: 0 to 1
QUtil = Annotated[Quantity, BeforeValidator(parse_positive_fraction)]  # divisor and share: (0, 1]
QPeak = Annotated[Quantity, BeforeValidator(parse_at_least_one)]  # a peak over an average: >= 1
QWhole = Annotated[Quantity, BeforeValidator(parse_whole)]  # whole things (GPUs): one integer


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Volume(_Strict):
    requests_per_month: Q
    growth_per_month: Q = parse_quantity(0.0)  # 0.05 = +5% a month


class Workload(_Strict):
    """What one request is, for every option: its tokens, drawn once per Monte Carlo sample.

    An option's `api:` (and a `serving:` without `tokens_per_request`) takes each count it does
    not state from here, so options that differ only in how they serve the same requests see
    the same draws and compare on them alone: two identical options, one $10 a month dearer,
    are cheaper in 100% of samples and never cross. Unset counts are 0.
    """

    input_tokens: Q | None = None  # the question and instructions
    output_tokens: Q | None = None  # the answer
    context_tokens: Q | None = None  # retrieved or knowledge-base tokens, billed as input
    cached_prefix_tokens: Q | None = None  # system prompt / few-shot / long context


class Api(_Strict):
    """Per-request tokens on a catalog model; price fields override the catalog. A token count
    left out is the scenario `workload:`'s (0 when that does not give it either)."""

    model: str
    input_tokens: Q | None = None
    output_tokens: Q | None = None
    context_tokens: Q | None = None  # retrieved or knowledge-base tokens, billed as input
    cached_prefix_tokens: Q | None = None  # system prompt / few-shot / long context
    cache_hit_rate: QFrac = parse_quantity(0)  # a fixed share of calls that read the cache
    # Or model the hit rate from the volume: calls spread over this many distinct prefixes, each
    # kept for the TTL after its last use (`formulas.cache_hit_rate`). Not with cache_hit_rate.
    distinct_prefixes: QPos | None = None
    cache_ttl: str | None = None  # a TTL the model's catalog `cache:` offers ("5m", "1h")
    inference_premium: Q = parse_quantity(1)  # hosted fine-tune multiplier on every token
    input_per_m: Q | None = None
    output_per_m: Q | None = None
    # The provider's batch API: the catalog's batch prices (half the list price at OpenAI and
    # Anthropic) for answers within 24 hours; for offline work such as a backlog or nightly runs.
    batch: bool = False


class Serving(_Strict):
    """Self-hosted serving on rented GPUs, sized for the volume.

    A request's GPU time is its prompt at the prefill rate plus its answer at the decode rate:
    `input_tokens` (default: the workload's input + context + prefix) at
    `prefill_tokens_per_second` per GPU (default: 10x the decode rate, see
    `cost.model.PREFILL_SPEEDUP`), and `output_tokens` (default: the workload's) at
    `tokens_per_second` per stream x `concurrency`. `tokens_per_request` instead counts every
    token at the decode rate (the older, cautious sizing).
    """

    gpu: str
    gpu_hourly: Q | None = None
    tokens_per_second: QPos  # decode, per concurrent stream
    concurrency: QPos = parse_quantity(1)
    tokens_per_request: Q | None = None  # all tokens at decode speed (no prefill split)
    input_tokens: Q | None = None  # prompt tokens, read at the prefill rate
    output_tokens: Q | None = None  # answer tokens, written at the decode rate
    prefill_tokens_per_second: QPos | None = None  # per GPU, measured
    hours_per_month: QPos | None = None  # defaults to the scenario's
    peak_to_average: QPeak = parse_quantity(1)
    max_utilisation: QUtil = parse_quantity(1)
    min_gpus: QWhole = parse_quantity(1)


class Item(_Strict):
    """A named amount, or a catalog infra entry (`infra: hetzner-cx42`)."""

    name: str | None = None
    amount: Q | None = None
    infra: str | None = None


class Training(_Strict):
    """One training run: hosted (tokens x epochs x $/M) or on rented GPUs (hours x $/h)."""

    tokens: Q | None = None
    epochs: Q = parse_quantity(1)
    model: str | None = None  # catalog model with training_per_m
    price_per_m: Q | None = None
    gpu: str | None = None
    gpu_hourly: Q | None = None
    hours: Q | None = None
    gpus: Q = parse_quantity(1)
    amount: Q | None = None  # a known total instead


class Curation(_Strict):
    examples: Q | None = None
    examples_per_hour: QPos | None = None
    hours: Q | None = None
    hourly_rate: Q | None = None


class OneTimeSpec(_Strict):
    curation: Curation | None = None
    training: Training | None = None
    eval_setup_hours: Q = parse_quantity(0)
    pipeline_hours: Q = parse_quantity(0)
    other: list[Item] = []


class Retrain(_Strict):
    every_months: QPos
    data_hours: Q = parse_quantity(0)
    training: Training | None = None
    eval_cost: Q = parse_quantity(0)
    deploy_hours: Q = parse_quantity(0)


class Embedding(_Strict):
    model: str
    docs_per_month: Q
    tokens_per_doc: Q


class Route(_Strict):
    option: str
    share: QFrac  # fraction of requests this option sees (cascade: the first arm sees 1.0)


class OptionSpec(_Strict):
    description: str = ""
    api: Api | None = None
    serving: Serving | None = None
    fixed_monthly: list[Item] = []
    one_time: OneTimeSpec | None = None
    retrain: Retrain | None = None
    embedding: Embedding | None = None
    maintenance_hours_per_month: Q = parse_quantity(0)
    route: list[Route] = []


class Scenario(_Strict):
    name: str = "scenario"
    description: str = ""
    volume: Volume
    workload: Workload = Workload()
    horizon_months: int = Field(12, ge=1, le=240)
    hours_per_month: QPos = parse_quantity(720)  # 24 h x 30 days, the articles' convention
    hourly_rate: Q = parse_quantity(150)  # loaded engineering $/h for every *_hours field
    samples: int = Field(10_000, ge=100, le=2_000_000)
    seed: int = 0
    options: dict[str, OptionSpec] = Field(min_length=1)
    compare: list[tuple[str, str]] = []  # break-even pairs; empty = every pair

    def uncertain(self) -> bool:
        """True when any input is a range or distribution (then a Monte Carlo runs)."""
        return any(q.uncertain for q in _quantities(self))


def _quantities(model: Any) -> list[Quantity]:
    found: list[Quantity] = []
    if isinstance(model, Quantity):
        found.append(model)
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            found += _quantities(getattr(model, name))
    elif isinstance(model, list | tuple):
        for item in model:
            found += _quantities(item)
    elif isinstance(model, dict):
        for item in model.values():
            found += _quantities(item)
    return found
