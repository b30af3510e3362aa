"""A validated scenario through the cost engine: `build_options` turns it into cost-engine
`Option`s, either at point values or with Monte Carlo sample arrays, through one code path
(`draw`); `analyse_scenario` prices them and finds the break-evens.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ragtune.cost import (
    Analysis,
    ApiUsage,
    Catalog,
    CostItem,
    GpuServing,
    ModelPrice,
    Option,
    Part,
    Quantity,
    Samples,
    analyse,
    breakeven_sample_size,
    hosted_reference,
    load_hosted,
    parse_quantity,
)
from ragtune.cost import formulas as f
from ragtune.errors import (
    RagtuneError,
)
from ragtune.scenario.schema import (
    Api,
    Item,
    OneTimeSpec,
    OptionSpec,
    Scenario,
    Serving,
    Training,
    Workload,
)


class Draw:
    """How inputs become numbers: point values (`point`) or Monte Carlo samples (`sampler`).

    Every call with the same `Quantity` object gives the same values, so an input that several
    options share (the scenario's `hourly_rate`, `hours_per_month`, the volume, the `workload:`
    token counts) is drawn once per sample and every option sees that same draw: common random
    numbers. Two options that differ only by a fixed amount then compare the same way in every
    sample. An input passed with a `role` (a request's token counts) is drawn from that role's
    shared uniforms, so options that state their own counts for the same requests (YAML anchors,
    or ranges that differ) move together too.
    """

    def __call__(self, q: Quantity, role: str | None = None) -> Any:
        raise NotImplementedError

    def reciprocal_mean(self, q: Quantity) -> Any:
        """Values of `q` for an input that is used as 1/q (a cadence, a rate that divides)."""
        return self(q)


class PointDraw(Draw):
    """Each input's mean; for an input used as 1/q, 1/E[1/q] so the effect is its mean.

    Retraining every [1, 3] months costs E[1/N] = ln(3)/2 = 0.549 cycles a month, not 1/2.
    """

    def __call__(self, q: Quantity, role: str | None = None) -> float:
        return q.central()

    def reciprocal_mean(self, q: Quantity) -> float:
        return 1.0 / q.mean_reciprocal()


class SampleDraw(Draw):
    """`n` seeded samples of each uncertain input, drawn once per `Quantity` (see `Draw`)."""

    def __init__(self, seed: int, n: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = n
        self.drawn: dict[int, tuple[Quantity, Any]] = {}
        self.uniforms: dict[str, Any] = {}

    def __call__(self, q: Quantity, role: str | None = None) -> Any:
        if not q.uncertain:
            return q.central()
        if role is not None:
            if role not in self.uniforms:
                self.uniforms[role] = self.rng.random(self.n)
            return q.quantile(self.uniforms[role])
        key = id(q)
        if key not in self.drawn:  # the Quantity is kept with its draw so its id stays unique
            self.drawn[key] = (q, q.sample(self.rng, self.n))
        return self.drawn[key][1]


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
    api = _api(spec.api, sc.workload, catalog, draw) if spec.api else None
    serving = (
        _serving(spec.serving, sc.workload, catalog, draw, hours_per_month)
        if spec.serving
        else None
    )
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


TOKENS = ("input_tokens", "output_tokens", "context_tokens", "cached_prefix_tokens")
ZERO = parse_quantity(0)


def _tokens(own: Quantity | None, shared: Quantity | None, role: str, draw: Draw) -> Any:
    """A request's token count: the option's own, else the workload's, else 0; drawn from the
    role's common random numbers either way."""
    q = own if own is not None else shared if shared is not None else ZERO
    return draw(q, role)


def _api(spec: Api, workload: Workload, catalog: Catalog, draw: Draw) -> ApiUsage:
    price = catalog.model(spec.model)
    if spec.batch:
        price = catalog.batch_model(spec.model) or price  # checked when loading
    write, ttl_minutes, min_tokens = price.cache_write_multiplier, 5.0, 0.0
    if price.cache is not None:
        ttl = price.cache.ttl(spec.cache_ttl)  # checked when loading
        write, ttl_minutes = ttl.write_multiplier, ttl.minutes
        min_tokens = float(price.cache.min_prefix_tokens)
    tokens = {
        name: _tokens(getattr(spec, name), getattr(workload, name), name, draw) for name in TOKENS
    }
    return ApiUsage(
        model=price.name,
        input_per_m=draw(spec.input_per_m) if spec.input_per_m is not None else price.input_per_m,
        output_per_m=draw(spec.output_per_m)
        if spec.output_per_m is not None
        else price.output_per_m,
        **tokens,
        cache_hit_rate=draw(spec.cache_hit_rate),
        cache_write_multiplier=write,
        cache_read_multiplier=price.cache_read_multiplier,
        inference_premium=draw(spec.inference_premium),
        min_cacheable_tokens=min_tokens,
        distinct_prefixes=draw(spec.distinct_prefixes)
        if spec.distinct_prefixes is not None
        else None,
        cache_ttl_minutes=ttl_minutes,
        **_long_context(price, spec),
    )


def _long_context(price: ModelPrice, spec: Api) -> dict[str, float]:
    """The model's long-context tier (catalog), unless the scenario states its own prices."""
    tier = price.long_context
    if tier is None or spec.input_per_m is not None or spec.output_per_m is not None:
        return {}
    return {
        "long_context_from": float(tier.threshold),
        "long_input_per_m": tier.input_per_m,
        "long_output_per_m": tier.output_per_m,
    }


def _serving(
    spec: Serving, workload: Workload, catalog: Catalog, draw: Draw, hours_per_month: Any
) -> GpuServing:
    # `together:HARDWARE` / `fireworks:HARDWARE`: a dedicated endpoint at the provider's rate
    gpu = load_hosted().endpoint_named(spec.gpu) if hosted_reference(spec.gpu) else None
    hourly = gpu.hourly if gpu is not None else catalog.gpu(spec.gpu).hourly
    if spec.tokens_per_request is not None:  # every token at decode speed
        decode, prefill = draw(spec.tokens_per_request, "tokens_per_request"), 0.0
    else:  # checked when loading: the serving or the workload gives the counts
        decode = _tokens(spec.output_tokens, workload.output_tokens, "output_tokens", draw)
        if spec.input_tokens is not None:
            prefill = draw(spec.input_tokens, "input_tokens")
        else:
            prefill = sum(
                (
                    _tokens(None, getattr(workload, n), n, draw)
                    for n in TOKENS
                    if n != "output_tokens"
                ),
                0.0,
            )
    return GpuServing(
        gpu=spec.gpu if gpu is not None else catalog.gpu(spec.gpu).name,
        gpu_hourly=draw(spec.gpu_hourly) if spec.gpu_hourly is not None else hourly,
        tokens_per_second=draw(spec.tokens_per_second),
        concurrency=draw(spec.concurrency),
        tokens_per_request=decode,
        prefill_tokens=prefill,
        prefill_tokens_per_second=draw(spec.prefill_tokens_per_second)
        if spec.prefill_tokens_per_second is not None
        else None,
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
            model = spec.model or ""
            price = (  # `together:BASE`: the provider's bracket rate; else the catalog's -ft
                load_hosted().training_named(model).per_m
                if hosted_reference(model)
                else catalog.model(model).training_per_m  # checked when loading
            )
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
