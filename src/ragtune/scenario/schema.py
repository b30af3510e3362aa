"""What-if scenario files (`ragtune cost scenario.yaml`): schema, validation and option building.

A scenario names the volume, horizon and a set of options (API models, self-hosted GPUs, flat
infrastructure, one-time and retraining costs). Validation reports every problem at once with
its field path. `build_options` turns the validated scenario into cost-engine `Option`s, either
at point values or with Monte Carlo sample arrays, through one code path (`draw`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pydantic
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ragtune.cost import (
    Analysis,
    ApiUsage,
    Catalog,
    CostItem,
    GpuServing,
    Option,
    Part,
    Quantity,
    Samples,
    analyse,
    breakeven_sample_size,
    parse_fraction,
    parse_positive,
    parse_positive_fraction,
    parse_quantity,
)
from ragtune.cost import formulas as f
from ragtune.errors import (
    Problem,
    RagtuneError,
    ValidationError,
    problem_from_pydantic,
    read_user_file,
    suggest,
)

Q = Annotated[Quantity, BeforeValidator(parse_quantity)]
QPos = Annotated[Quantity, BeforeValidator(parse_positive)]  # divisors: zero is an error
QFrac = Annotated[Quantity, BeforeValidator(parse_fraction)]  # shares and rates: 0 to 1
QUtil = Annotated[Quantity, BeforeValidator(parse_positive_fraction)]  # divisor and share: (0, 1]


class Draw:
    """How inputs become numbers: point values (`point`) or Monte Carlo samples (`sampler`).

    Every call with the same `Quantity` object gives the same values, so an input that several
    options share (the scenario's `hourly_rate`, `hours_per_month`, the volume) is drawn once per
    sample and every option sees that same draw: common random numbers. Two options that differ
    only by a fixed amount then compare the same way in every sample.
    """

    def __call__(self, q: Quantity) -> Any:
        raise NotImplementedError

    def reciprocal_mean(self, q: Quantity) -> Any:
        """Values of `q` for an input that is used as 1/q (a cadence, a rate that divides)."""
        return self(q)


class PointDraw(Draw):
    """Each input's mean; for an input used as 1/q, 1/E[1/q] so the effect is its mean.

    Retraining every [1, 3] months costs E[1/N] = ln(3)/2 = 0.549 cycles a month, not 1/2.
    """

    def __call__(self, q: Quantity) -> float:
        return q.central()

    def reciprocal_mean(self, q: Quantity) -> float:
        return 1.0 / q.mean_reciprocal()


class SampleDraw(Draw):
    """`n` seeded samples of each uncertain input, drawn once per `Quantity` (see `Draw`)."""

    def __init__(self, seed: int, n: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = n
        self.drawn: dict[int, tuple[Quantity, Any]] = {}

    def __call__(self, q: Quantity) -> Any:
        if not q.uncertain:
            return q.central()
        key = id(q)
        if key not in self.drawn:  # the Quantity is kept with its draw so its id stays unique
            self.drawn[key] = (q, q.sample(self.rng, self.n))
        return self.drawn[key][1]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Volume(_Strict):
    requests_per_month: Q
    growth_per_month: Q = parse_quantity(0.0)  # 0.05 = +5% a month


class Api(_Strict):
    """Per-request tokens on a catalog model; price fields override the catalog."""

    model: str
    input_tokens: Q = parse_quantity(0)
    output_tokens: Q = parse_quantity(0)
    context_tokens: Q = parse_quantity(0)  # retrieved or knowledge-base tokens, billed as input
    cached_prefix_tokens: Q = parse_quantity(0)  # system prompt / few-shot / long context
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
    gpu: str
    gpu_hourly: Q | None = None
    tokens_per_second: QPos  # per concurrent stream
    concurrency: QPos = parse_quantity(1)
    tokens_per_request: Q
    hours_per_month: QPos | None = None  # defaults to the scenario's
    peak_to_average: QPos = parse_quantity(1)
    max_utilisation: QUtil = parse_quantity(1)
    min_gpus: Q = parse_quantity(1)


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


def load_scenario(path: str | Path, catalog: Catalog) -> Scenario:
    """Read and validate a scenario file, reporting every problem at once."""
    path = Path(path)
    text = read_user_file(
        path,
        "scenario file",
        hint="check the path, or start from one of src/ragtune/examples/scenarios/*.yaml",
    )
    return parse_scenario(text, catalog, source=str(path))


def parse_scenario(text: str, catalog: Catalog, *, source: str = "scenario") -> Scenario:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RagtuneError(
            f"{source} is not valid YAML: {err}",
            hint="fix the line shown; YAML needs consistent indentation",
        ) from err
    if data is None:
        raise RagtuneError(
            f"{source} is empty", hint="a scenario needs at least `volume:` and `options:`"
        )
    if not isinstance(data, dict):
        raise RagtuneError(
            f"{source}: expected a mapping at the top level, got {type(data).__name__}"
        )
    return validate_scenario(data, catalog, source=source)


def validate_scenario(
    data: dict[str, Any], catalog: Catalog, *, source: str = "scenario"
) -> Scenario:
    """A `Scenario` from a parsed mapping (YAML or a JSON body), or every problem at once."""
    problems = check_references(data, catalog)
    try:
        scenario = Scenario.model_validate(data)
    except pydantic.ValidationError as err:
        problems = [problem_from_pydantic(e) for e in err.errors()] + problems
        raise ValidationError(source, problems) from None
    problems += _check_trainings(scenario, catalog)
    problems += _check_caches(scenario, catalog)
    if problems:
        raise ValidationError(source, problems)
    return scenario


def check_references(data: dict[str, Any], catalog: Catalog) -> list[Problem]:
    """Catalog names, route targets and compare pairs that do not exist.

    Runs on the raw mapping, so these are reported together with schema problems.
    """
    problems: list[Problem] = []

    def need(section: str, name: Any, where: str) -> None:
        if not isinstance(name, str):
            return
        if not catalog.has(section, name):
            hint = suggest(name, catalog.names(section))
            problems.append(
                Problem(where, f"unknown {section.rstrip('s')} in the price catalog; {hint}", name)
            )

    options = data.get("options")
    if not isinstance(options, dict):
        return problems
    names = set(options)
    for name, spec in options.items():
        if not isinstance(spec, dict):
            continue
        at = f"options.{name}"
        need("models", _get(spec, "api", "model"), f"{at}.api.model")
        problems += _check_batch(spec, at, catalog)
        need("gpus", _get(spec, "serving", "gpu"), f"{at}.serving.gpu")
        need("embeddings", _get(spec, "embedding", "model"), f"{at}.embedding.model")
        for where in ("one_time", "retrain"):
            need("models", _get(spec, where, "training", "model"), f"{at}.{where}.training.model")
            need("gpus", _get(spec, where, "training", "gpu"), f"{at}.{where}.training.gpu")
        for i, item in enumerate(_list(spec.get("fixed_monthly"))):
            need("infra", _get(item, "infra"), f"{at}.fixed_monthly.{i}.infra")
            if isinstance(item, dict) and item.get("infra") is None and item.get("amount") is None:
                problems.append(Problem(f"{at}.fixed_monthly.{i}", "give `amount` or `infra`"))
        for i, route in enumerate(_list(spec.get("route"))):
            target = _get(route, "option")
            if isinstance(target, str) and (target not in names or target == name):
                others = sorted(str(n) for n in names - {name})
                problems.append(
                    Problem(
                        f"{at}.route.{i}.option",
                        f"must name another option; {suggest(target, others)}",
                        target,
                    )
                )
        if not any(spec.get(k) for k in ("api", "serving", "fixed_monthly", "route")):
            problems.append(
                Problem(at, "an option needs at least one of api, serving, fixed_monthly or route")
            )
    for i, pair in enumerate(_list(data.get("compare"))):
        for side in _list(pair):
            if isinstance(side, str) and side not in names:
                problems.append(
                    Problem(
                        f"compare.{i}",
                        f"unknown option; {suggest(side, sorted(map(str, names)))}",
                        side,
                    )
                )
    return problems


def _check_batch(spec: dict[str, Any], at: str, catalog: Catalog) -> list[Problem]:
    """`api.batch: true` needs a batch price for the model in the catalog."""
    model = _get(spec, "api", "model")
    if _get(spec, "api", "batch") is not True or not isinstance(model, str):
        return []
    if not catalog.has("models", model) or catalog.batch_model(model) is not None:
        return []  # an unknown model is reported once, as such
    return [
        Problem(
            f"{at}.api.batch",
            "the price catalog has no batch price for this model; batch prices exist for "
            + ", ".join(catalog.names("batch"))
            + " (or add one under `batch:` in a --prices file)",
            model,
        )
    ]


def _get(mapping: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _check_trainings(scenario: Scenario, catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    for name, spec in scenario.options.items():
        for training, where in (
            (spec.one_time.training if spec.one_time else None, "one_time"),
            (spec.retrain.training if spec.retrain else None, "retrain"),
        ):
            if training is not None:
                problems += _check_training(training, f"options.{name}.{where}.training", catalog)
    return problems


def _check_caches(scenario: Scenario, catalog: Catalog) -> list[Problem]:
    """Cache settings the model's provider does not offer, or that contradict each other."""
    problems: list[Problem] = []
    for name, spec in scenario.options.items():
        api = spec.api
        if api is None:
            continue
        at = f"options.{name}.api"
        if api.distinct_prefixes is not None and "cache_hit_rate" in api.model_fields_set:
            problems.append(
                Problem(
                    at,
                    "give cache_hit_rate (a fixed rate) or distinct_prefixes (the rate follows "
                    "the volume and the cache TTL), not both",
                )
            )
        if api.cache_ttl is None:
            continue
        try:
            policy = catalog.model(api.model).cache
        except RagtuneError:
            continue  # already reported as an unknown name
        offered = [t.name for t in policy.ttls] if policy else []
        if api.cache_ttl not in offered:
            allowed = ", ".join(offered) if offered else "none: this model has no prompt cache"
            problems.append(
                Problem(
                    f"{at}.cache_ttl",
                    f"not offered for {api.model}; offered: {allowed}",
                    api.cache_ttl,
                )
            )
    return problems


def _check_training(training: Training, at: str, catalog: Catalog) -> list[Problem]:
    hosted = training.tokens is not None
    rented = training.hours is not None
    if training.amount is None and hosted == rented:
        return [
            Problem(
                at,
                "give either tokens (+ model or price_per_m), hours (+ gpu or "
                "gpu_hourly), or amount",
            )
        ]
    if hosted and training.price_per_m is None:
        if training.model is None:
            return [
                Problem(
                    at, "hosted training needs `model` (with a training price) or `price_per_m`"
                )
            ]
        try:
            if catalog.model(training.model).training_per_m is None:
                return [
                    Problem(
                        f"{at}.model",
                        "this catalog model has no training price; use a "
                        "fine-tunable one (e.g. gpt-4o-mini-ft) or set "
                        "price_per_m",
                        training.model,
                    )
                ]
        except RagtuneError:
            return []  # already reported as an unknown name
    if rented and training.gpu is None and training.gpu_hourly is None:
        return [Problem(at, "GPU training needs `gpu` or `gpu_hourly`")]
    return []


point = PointDraw()


def sampler(seed: int, n: int) -> Draw:
    """A fresh `SampleDraw`: `n` samples per uncertain input, shared inputs drawn once."""
    return SampleDraw(seed, n)


def build_options(scenario: Scenario, catalog: Catalog, draw: Draw = point) -> dict[str, Option]:
    """Cost-engine options for every scenario option, routers last (they refer to the others)."""
    built: dict[str, Option] = {}
    pending = dict(scenario.options)
    while pending:
        progressed = False
        for name, spec in list(pending.items()):
            if all(r.option in built for r in spec.route):
                built[name] = _build(name, spec, scenario, catalog, draw, built)
                del pending[name]
                progressed = True
        if not progressed:
            raise RagtuneError(
                f"options route to each other in a cycle: {', '.join(pending)}",
                hint="a router's route must end at options without routes",
            )
    return {name: built[name] for name in scenario.options}


def _build(
    name: str,
    spec: OptionSpec,
    sc: Scenario,
    catalog: Catalog,
    draw: Draw,
    built: dict[str, Option],
) -> Option:
    rate = draw(sc.hourly_rate)
    hours_per_month = draw(sc.hours_per_month)
    api = _api(spec.api, catalog, draw) if spec.api else None
    serving = _serving(spec.serving, catalog, draw, hours_per_month) if spec.serving else None
    fixed = [_item(it, catalog, draw) for it in spec.fixed_monthly]
    if spec.embedding is not None:
        e = spec.embedding
        tokens = draw(e.docs_per_month) * draw(e.tokens_per_doc)
        fixed.append(
            CostItem(
                f"embeddings ({e.model})",
                f.embedding_cost(tokens=tokens, price_per_m=catalog.embedding(e.model).per_m),
                "changed documents re-embedded each month",
            )
        )
    maintenance = spec.maintenance_hours_per_month
    if maintenance.uncertain or maintenance.central() > 0:
        fixed.append(
            CostItem(
                "maintenance",
                f.labour_cost(hours=draw(maintenance), hourly_rate=rate),
                f"{maintenance.central():g} h/month x ${float(np.mean(rate)):g}/h",
            )
        )
    one_time = _one_time(spec.one_time, catalog, draw, rate) if spec.one_time else ()
    retrain_every: Any = None
    retrain: tuple[CostItem, ...] = ()
    if spec.retrain is not None:
        r = spec.retrain
        retrain_every = draw.reciprocal_mean(r.every_months)
        items = [
            CostItem("retrain: data", f.labour_cost(hours=draw(r.data_hours), hourly_rate=rate)),
            CostItem("retrain: evaluation", draw(r.eval_cost)),
            CostItem(
                "retrain: deploy", f.labour_cost(hours=draw(r.deploy_hours), hourly_rate=rate)
            ),
        ]
        if r.training is not None:
            items.append(_training(r.training, catalog, draw, "retrain: compute"))
        retrain = tuple(items)
    parts = tuple(Part(built[r.option], draw(r.share)) for r in spec.route)
    return Option(
        name=name,
        api=api,
        serving=serving,
        fixed_monthly=tuple(fixed),
        one_time=one_time,
        retrain_every_months=retrain_every,
        retrain=retrain,
        parts=parts,
    )


def _api(spec: Api, catalog: Catalog, draw: Draw) -> ApiUsage:
    price = catalog.model(spec.model)
    if spec.batch:
        price = catalog.batch_model(spec.model) or price  # checked when loading
    write, ttl_minutes, min_tokens = price.cache_write_multiplier, 5.0, 0.0
    if price.cache is not None:
        ttl = price.cache.ttl(spec.cache_ttl)  # checked when loading
        write, ttl_minutes = ttl.write_multiplier, ttl.minutes
        min_tokens = float(price.cache.min_prefix_tokens)
    return ApiUsage(
        model=price.name,
        input_per_m=draw(spec.input_per_m) if spec.input_per_m is not None else price.input_per_m,
        output_per_m=draw(spec.output_per_m)
        if spec.output_per_m is not None
        else price.output_per_m,
        input_tokens=draw(spec.input_tokens),
        output_tokens=draw(spec.output_tokens),
        context_tokens=draw(spec.context_tokens),
        cached_prefix_tokens=draw(spec.cached_prefix_tokens),
        cache_hit_rate=draw(spec.cache_hit_rate),
        cache_write_multiplier=write,
        cache_read_multiplier=price.cache_read_multiplier,
        inference_premium=draw(spec.inference_premium),
        min_cacheable_tokens=min_tokens,
        distinct_prefixes=draw(spec.distinct_prefixes)
        if spec.distinct_prefixes is not None
        else None,
        cache_ttl_minutes=ttl_minutes,
    )


def _serving(spec: Serving, catalog: Catalog, draw: Draw, hours_per_month: Any) -> GpuServing:
    gpu = catalog.gpu(spec.gpu)
    return GpuServing(
        gpu=gpu.name,
        gpu_hourly=draw(spec.gpu_hourly) if spec.gpu_hourly is not None else gpu.hourly,
        tokens_per_second=draw(spec.tokens_per_second),
        concurrency=draw(spec.concurrency),
        tokens_per_request=draw(spec.tokens_per_request),
        hours_per_month=draw(spec.hours_per_month)
        if spec.hours_per_month is not None
        else hours_per_month,
        peak_to_average=draw(spec.peak_to_average),
        max_utilisation=draw(spec.max_utilisation),
        min_gpus=draw(spec.min_gpus),
    )


def _item(spec: Item, catalog: Catalog, draw: Draw) -> CostItem:
    if spec.infra is not None:
        infra = catalog.infra_item(spec.infra)
        amount = draw(spec.amount) if spec.amount is not None else infra.monthly
        return CostItem(spec.name or infra.name, amount, infra.source)
    return CostItem(spec.name or "item", draw(spec.amount))  # type: ignore[arg-type]


def _one_time(spec: OneTimeSpec, catalog: Catalog, draw: Draw, rate: Any) -> tuple[CostItem, ...]:
    items: list[CostItem] = []
    if spec.curation is not None:
        c = spec.curation
        hours = (
            draw(c.hours)
            if c.hours is not None
            else f.curation_hours(
                examples=draw(c.examples),
                examples_per_hour=draw.reciprocal_mean(c.examples_per_hour),
            )
            if c.examples and c.examples_per_hour
            else 0.0
        )
        items.append(
            CostItem(
                "data curation",
                f.labour_cost(
                    hours=hours,
                    hourly_rate=draw(c.hourly_rate) if c.hourly_rate is not None else rate,
                ),
            )
        )
    if spec.training is not None:
        items.append(_training(spec.training, catalog, draw, "training compute"))
    items.append(
        CostItem(
            "evaluation set-up", f.labour_cost(hours=draw(spec.eval_setup_hours), hourly_rate=rate)
        )
    )
    items.append(
        CostItem("pipeline", f.labour_cost(hours=draw(spec.pipeline_hours), hourly_rate=rate))
    )
    items += [_item(it, catalog, draw) for it in spec.other]
    return tuple(items)


def _training(spec: Training, catalog: Catalog, draw: Draw, name: str) -> CostItem:
    if spec.amount is not None:
        return CostItem(name, draw(spec.amount))
    if spec.tokens is not None:
        if spec.price_per_m is not None:
            price: Any = draw(spec.price_per_m)
        else:
            price = catalog.model(spec.model or "").training_per_m  # checked when loading
        return CostItem(
            name,
            f.training_cost_tokens(
                tokens=draw(spec.tokens), price_per_m=price, epochs=draw(spec.epochs)
            ),
        )
    hourly = (
        draw(spec.gpu_hourly) if spec.gpu_hourly is not None else catalog.gpu(spec.gpu or "").hourly
    )
    return CostItem(
        name,
        f.gpu_compute_cost(
            gpu_hourly=hourly, hours=draw(spec.hours or parse_quantity(0)), gpus=draw(spec.gpus)
        ),
    )


def analyse_scenario(
    scenario: Scenario,
    catalog: Catalog,
    *,
    volume: float | None = None,
    samples: int | None = None,
    pairs: list[tuple[str, str]] | None = None,
) -> Analysis:
    """Point estimates for every option, plus a Monte Carlo when any input is uncertain.

    `pairs` replaces the scenario's `compare` list. Every option is built from one seeded draw,
    so shared inputs are common random numbers across options (see `Draw`).
    """
    options = build_options(scenario, catalog, point)
    base_volume = volume if volume is not None else scenario.volume.requests_per_month.central()
    n = samples if samples is not None else scenario.samples
    sampled = None
    if scenario.uncertain() and n > 0:
        draw = sampler(scenario.seed, n)
        s_volume = draw(scenario.volume.requests_per_month) if volume is None else volume
        crossing = None
        m = breakeven_sample_size(options)
        if n > m:
            crossing = build_options(scenario, catalog, sampler(scenario.seed + 1, m))
        sampled = Samples(
            options=build_options(scenario, catalog, draw),
            volume=np.broadcast_to(np.asarray(s_volume, dtype=np.float64), (n,)),
            growth=draw(scenario.volume.growth_per_month),
            crossing_options=crossing,
        )
    return analyse(
        options,
        volume=base_volume,
        growth=scenario.volume.growth_per_month.central(),
        horizon=scenario.horizon_months,
        samples=sampled,
        pairs=pairs or [(a, b) for a, b in scenario.compare] or None,
    )
