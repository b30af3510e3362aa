"""The scenario file's schema: volume, horizon, the workload (what one request is) and options
(API models, self-hosted GPUs, flat infrastructure, one-time and retraining costs), every number
a `Quantity` that may be a range.

Field docstrings are the scenario reference (`docs/reference/scenario.md`, written by
`scripts/docs.py`), so they say what a key means, its unit and its bounds.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from ragtune.cost import (
    DISTRIBUTIONS,
    Quantity,
    parse_at_least_one,
    parse_fraction,
    parse_positive,
    parse_positive_fraction,
    parse_quantity,
    parse_whole,
)


def written(q: Quantity) -> Any:
    """A quantity as a user writes it (JSON defaults in the reference): 720, [1, 3], {...}."""
    if q.dist == "fixed":
        return int(q.low) if q.low == int(q.low) else q.low
    if q.dist == "uniform":
        return [q.low, q.high]
    fields = {"mode": q.mode, "mean": q.mean, "sd": q.sd}
    return {"dist": q.dist, "low": q.low, "high": q.high} | {
        k: v for k, v in fields.items() if v is not None
    }


_QUANTITY_SCHEMA = {
    "title": "quantity",  # the reference page names the three forms once (scripts/docs.py)
    "anyOf": [
        {"type": "number"},
        {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        {
            "type": "object",
            "properties": {
                "dist": {"enum": list(DISTRIBUTIONS)},
                **{k: {"type": "number"} for k in ("low", "high", "mode", "mean", "sd")},
            },
            "additionalProperties": False,
        },
    ],
}


# A quantity field: a number, `[low, high]` or `{dist: ...}`, read by its parser, written back
# (JSON) and described (JSON schema) as a user writes it.
_OUT = PlainSerializer(written, when_used="json")
_SCHEMA = WithJsonSchema(_QUANTITY_SCHEMA)
Q = Annotated[Quantity, BeforeValidator(parse_quantity), _OUT, _SCHEMA]
QPos = Annotated[Quantity, BeforeValidator(parse_positive), _OUT, _SCHEMA]  # divisors: not 0
QFrac = Annotated[Quantity, BeforeValidator(parse_fraction), _OUT, _SCHEMA]  # shares: 0 to 1
# a divisor and a share: (0, 1]
QUtil = Annotated[Quantity, BeforeValidator(parse_positive_fraction), _OUT, _SCHEMA]
QPeak = Annotated[Quantity, BeforeValidator(parse_at_least_one), _OUT, _SCHEMA]  # >= 1
QWhole = Annotated[Quantity, BeforeValidator(parse_whole), _OUT, _SCHEMA]  # one whole number


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Volume(_Strict):
    requests_per_month: Q
    """Requests a month in the first month."""
    growth_per_month: Q = parse_quantity(0.0)
    """Growth a month: 0.05 = +5% a month, compounded over the horizon."""


class Workload(_Strict):
    """What one request is, for every option: its tokens, drawn once per Monte Carlo sample.

    An option's `api:` (and a `serving:` without `tokens_per_request`) takes each count it does
    not state from here, so options that differ only in how they serve the same requests see
    the same draws and compare on them alone: two identical options, one $10 a month dearer,
    are cheaper in 100% of samples and never cross. Unset counts are 0.
    """

    input_tokens: Q | None = None
    """The question and instructions, per request."""
    output_tokens: Q | None = None
    """The answer, per request."""
    context_tokens: Q | None = None
    """Retrieved or knowledge-base tokens per request, billed as input."""
    cached_prefix_tokens: Q | None = None
    """A cacheable prefix per request (system prompt, few-shot examples, long context)."""


class Api(_Strict):
    """Per-request tokens on a catalog model; price fields override the catalog. A token count
    left out is the scenario `workload:`'s (0 when that does not give it either)."""

    model: str
    """A model of the price catalog (`ragtune prices`)."""
    input_tokens: Q | None = None
    """The question and instructions; unset: the workload's."""
    output_tokens: Q | None = None
    """The answer; unset: the workload's."""
    context_tokens: Q | None = None
    """Retrieved or knowledge-base tokens, billed as input; unset: the workload's."""
    cached_prefix_tokens: Q | None = None
    """System prompt / few-shot / long context, cached where the model allows; unset: the
    workload's."""
    cache_hit_rate: QFrac = parse_quantity(0)
    """A fixed share of calls that read the cache, 0 to 1."""
    distinct_prefixes: QPos | None = None
    """Or model the hit rate from the volume: calls spread over this many distinct prefixes,
    each kept for the TTL after its last use. Not with `cache_hit_rate`."""
    cache_ttl: str | None = None
    """A TTL the model's catalog `cache:` offers ("5m", "1h")."""
    inference_premium: Q = parse_quantity(1)
    """Hosted fine-tune multiplier on every token (1.5 = +50%)."""
    input_per_m: Q | None = None
    """$ per million input tokens, instead of the catalog's."""
    output_per_m: Q | None = None
    """$ per million output tokens, instead of the catalog's."""
    batch: bool = False
    """The provider's batch API at the catalog's batch prices (answers within 24 hours), for
    offline work such as a backlog or nightly runs."""


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
    """A GPU of the price catalog (`ragtune prices --section gpus`)."""
    gpu_hourly: Q | None = None
    """$ per GPU-hour, instead of the catalog's."""
    tokens_per_second: QPos
    """Decode rate per concurrent stream, sustained."""
    concurrency: QPos = parse_quantity(1)
    """Concurrent streams per GPU."""
    tokens_per_request: Q | None = None
    """Every token of a request counted at the decode rate (no prefill split)."""
    input_tokens: Q | None = None
    """Prompt tokens per request, read at the prefill rate; unset: the workload's input +
    context + prefix."""
    output_tokens: Q | None = None
    """Answer tokens per request, written at the decode rate; unset: the workload's."""
    prefill_tokens_per_second: QPos | None = None
    """Measured prompt tokens a second per GPU; unset: 10x the decode rate x concurrency."""
    hours_per_month: QPos | None = None
    """GPU hours billed a month; unset: the scenario's."""
    peak_to_average: QPeak = parse_quantity(1)
    """The busiest hour's load over the average, 1 or more (1 = an even load)."""
    max_utilisation: QUtil = parse_quantity(1)
    """Headroom: the share of capacity used at peak, above 0 and at most 1."""
    min_gpus: QWhole = parse_quantity(1)
    """GPUs kept running at any volume, a whole number."""


class Item(_Strict):
    """A named amount, or a catalog infra entry (`infra: hetzner-cx42`)."""

    name: str | None = None
    """Shown in the breakdown."""
    amount: Q | None = None
    """Dollars (a month, or once)."""
    infra: str | None = None
    """An infra entry of the price catalog; `amount` overrides its price."""


class Training(_Strict):
    """One training run: hosted (tokens x epochs x $/M) or on rented GPUs (hours x $/h)."""

    tokens: Q | None = None
    """Training-set tokens (hosted training)."""
    epochs: Q = parse_quantity(1)
    """Passes over the training set."""
    model: str | None = None
    """A catalog model with a training price."""
    price_per_m: Q | None = None
    """$ per million training tokens, instead of the catalog's."""
    gpu: str | None = None
    """A catalog GPU (training on rented GPUs)."""
    gpu_hourly: Q | None = None
    """$ per GPU-hour, instead of the catalog's."""
    hours: Q | None = None
    """Hours of training on rented GPUs."""
    gpus: Q = parse_quantity(1)
    """GPUs used at once."""
    amount: Q | None = None
    """A known total instead."""


class Curation(_Strict):
    """Labelling a training set: hours, or examples at a labelling rate."""

    examples: Q | None = None
    """Examples to label."""
    examples_per_hour: QPos | None = None
    """Labelling rate per person (article 002: 30-50)."""
    hours: Q | None = None
    """Or the hours directly."""
    hourly_rate: Q | None = None
    """$ an hour for labelling; unset: the scenario's `hourly_rate`."""


class OneTimeSpec(_Strict):
    """Costs paid once, up front."""

    curation: Curation | None = None
    """Building the training set."""
    training: Training | None = None
    """The first training run."""
    eval_setup_hours: Q = parse_quantity(0)
    """Building the evaluation."""
    pipeline_hours: Q = parse_quantity(0)
    """Training or indexing pipeline."""
    other: list[Item] = []
    """Anything else paid once."""


class Retrain(_Strict):
    """A retraining cycle, amortised over its cadence in the monthly cost and the TCO."""

    every_months: QPos
    """Months between retrains (a range is priced by the mean of 1/x)."""
    data_hours: Q = parse_quantity(0)
    """Preparing fresh data, per cycle."""
    training: Training | None = None
    """The training run, per cycle."""
    eval_cost: Q = parse_quantity(0)
    """Dollars of evaluation, per cycle."""
    deploy_hours: Q = parse_quantity(0)
    """Deploying the new model, per cycle."""


class Embedding(_Strict):
    """Changed documents re-embedded each month."""

    model: str
    """An embedding model of the price catalog."""
    docs_per_month: Q
    """Documents changed or added a month."""
    tokens_per_doc: Q
    """Tokens per document."""


class Route(_Strict):
    """A share of a router's volume sent to another option."""

    option: str
    """Another option of this scenario (a router may route to a router)."""
    share: QFrac
    """Fraction of requests this option sees, 0 to 1 (a cascade's first arm sees 1.0)."""


class OptionSpec(_Strict):
    """One way to serve the workload, with every cost it brings."""

    description: str = ""
    """Shown next to the option."""
    api: Api | None = None
    """Per-request API usage."""
    serving: Serving | None = None
    """Self-hosted GPUs sized for the volume."""
    fixed_monthly: list[Item] = []
    """Flat monthly items: amounts or catalog infra."""
    one_time: OneTimeSpec | None = None
    """Upfront costs."""
    retrain: Retrain | None = None
    """A retraining cycle."""
    embedding: Embedding | None = None
    """Re-embedding changed documents."""
    maintenance_hours_per_month: Q = parse_quantity(0)
    """Upkeep at the scenario's `hourly_rate`."""
    route: list[Route] = []
    """A router: shares of the volume sent to other options."""


class Scenario(_Strict):
    """A what-if scenario: `ragtune cost scenario.yaml`."""

    name: str = "scenario"
    """Shown in the output."""
    description: str = ""
    """What the scenario compares."""
    volume: Volume
    """Requests a month and their growth."""
    workload: Workload = Workload()
    """What one request is, shared by every option and drawn once per sample."""
    horizon_months: int = Field(12, ge=1, le=240)
    """Months the TCO and the horizon break-even cover."""
    hours_per_month: QPos = parse_quantity(720)
    """GPU hours billed a month (24 h x 30 days, the articles' convention)."""
    hourly_rate: Q = parse_quantity(150)
    """Loaded engineering $ an hour, for every `*_hours` field."""
    samples: int = Field(10_000, ge=100, le=2_000_000)
    """Monte Carlo samples when any input is a range or distribution."""
    seed: int = 0
    """Seed of the Monte Carlo draws."""
    options: dict[str, OptionSpec] = Field(min_length=1)
    """The options compared, by name."""
    compare: list[tuple[str, str]] = []
    """Break-even pairs; empty = every pair."""

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
