"""Options (ways to serve a workload) and their monthly cost and total cost of ownership.

An `Option` is built from independent parts: per-request API usage, self-hosted GPU serving,
flat monthly items, one-time items and a retraining cycle. A router is an option whose `parts`
send shares of the volume to other options. Volumes are requests per month. Amounts may be
numpy arrays of Monte Carlo samples; month axes are put first so they broadcast against them.

Deliberately not here: where the numbers come from (see `ragtune.scenario` and the catalog).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ragtune.cost import formulas as f
from ragtune.cost.formulas import Num


@dataclass(frozen=True)
class CostItem:
    """A named amount with a note saying how it was computed (shown in reports)."""

    name: str
    amount: Num
    note: str = ""


@dataclass(frozen=True)
class ApiUsage:
    """Per-request tokens on a priced API model (see `formulas.api_request_cost`)."""

    model: str
    input_per_m: Num
    output_per_m: Num
    input_tokens: Num = 0.0
    output_tokens: Num = 0.0
    context_tokens: Num = 0.0
    cached_prefix_tokens: Num = 0.0
    cache_hit_rate: Num = 0.0
    cache_write_multiplier: Num = 1.0
    cache_read_multiplier: Num = 1.0
    inference_premium: Num = 1.0
    min_cacheable_tokens: Num = 0.0  # shorter prefixes are plain input (catalog `cache:`)
    # Set: the hit rate follows the volume (`formulas.cache_hit_rate`) instead of `cache_hit_rate`.
    distinct_prefixes: Num | None = None
    cache_ttl_minutes: Num = 5.0
    # A prompt longer than this is billed at the long-context prices (catalog `long_context`).
    long_context_from: Num = math.inf
    long_input_per_m: Num = 0.0
    long_output_per_m: Num = 0.0

    @property
    def volume_dependent(self) -> bool:
        """True when the per-request cost changes with volume (a TTL-modelled hit rate)."""
        return self.distinct_prefixes is not None

    def hit_rate(self, volume: Num | None = None) -> Num:
        """The cache hit rate at `volume` requests/month (the fixed rate when not modelled)."""
        if self.distinct_prefixes is None:
            return self.cache_hit_rate
        if volume is None:
            raise ValueError("this API usage's hit rate depends on the volume: pass one")
        return f.cache_hit_rate(
            requests_per_month=volume,
            distinct_prefixes=self.distinct_prefixes,
            ttl_minutes=self.cache_ttl_minutes,
        )

    def request_cost(self, volume: Num | None = None) -> Num:
        return f.api_request_cost(
            input_per_m=self.input_per_m,
            output_per_m=self.output_per_m,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            context_tokens=self.context_tokens,
            cached_prefix_tokens=self.cached_prefix_tokens,
            cache_hit_rate=self.hit_rate(volume),
            cache_write_multiplier=self.cache_write_multiplier,
            cache_read_multiplier=self.cache_read_multiplier,
            inference_premium=self.inference_premium,
            min_cacheable_tokens=self.min_cacheable_tokens,
            long_context_from=self.long_context_from,
            long_input_per_m=self.long_input_per_m,
            long_output_per_m=self.long_output_per_m,
        )


# Prefill (reading the prompt) runs as one batched pass that is bound by the GPU's arithmetic;
# decode (writing the answer) is one step per token bound by memory bandwidth. A roofline from
# NVIDIA's datasheets (A100: 312 TFLOP/s bf16, 2.0 TB/s; H100 SXM: 989 TFLOP/s, 3.35 TB/s) puts
# a GPU's prefill rate at 4x (a 4-bit 70B model on one A100) to 15x and more (an 8B model on
# an H100) its batched decode rate. 10x is the default when a serving gives no measured
# `prefill_tokens_per_second`; measure yours (vLLM's `vllm bench serve` reports both).
PREFILL_SPEEDUP = 10.0


@dataclass(frozen=True)
class GpuServing:
    """Self-hosted serving on rented GPUs, sized for the volume (see `formulas.gpus_needed`).

    A request costs GPU time in two phases: `prefill_tokens` read at `prefill_tokens_per_second`
    (the GPU's batched prompt rate) and `tokens_per_request` written at `tokens_per_second` per
    stream x `concurrency`. With no prefill tokens every token is counted at decode speed (the
    older, cautious sizing: a RAG-shaped request of 3,000 tokens in and 300 out is then sized as
    3,300 decode tokens, 5.5x the GPU time it takes at a 10x prefill rate).
    """

    gpu: str
    gpu_hourly: Num
    tokens_per_second: Num  # decode, per concurrent stream, sustained
    tokens_per_request: Num  # tokens each request writes (or, with no prefill split, all tokens)
    concurrency: Num = 1.0
    hours_per_month: Num = 720.0
    peak_to_average: Num = 1.0
    max_utilisation: Num = 1.0
    min_gpus: Num = 1.0
    prefill_tokens: Num = 0.0  # prompt tokens per request, read at the prefill rate
    prefill_tokens_per_second: Num | None = None  # per GPU; None: PREFILL_SPEEDUP x decode

    def capacity_per_month(self) -> Num:
        """Decode tokens one GPU writes in the hours it is rented."""
        return self.tokens_per_second * self.concurrency * 3600.0 * self.hours_per_month

    def seconds_per_request(self) -> Num:
        """GPU-seconds one request takes: its prompt at the prefill rate, its answer at decode."""
        decode_rate = self.tokens_per_second * self.concurrency
        prefill_rate = (
            self.prefill_tokens_per_second
            if self.prefill_tokens_per_second is not None
            else PREFILL_SPEEDUP * decode_rate
        )
        return self.tokens_per_request / decode_rate + self.prefill_tokens / prefill_rate

    def seconds_per_month(self) -> Num:
        return 3600.0 * self.hours_per_month

    def requests_per_gpu(self) -> Num:
        """Requests a month one more GPU adds: the width of one GPU step in volume."""
        return (
            self.seconds_per_month()
            * self.max_utilisation
            / (self.seconds_per_request() * self.peak_to_average)
        )

    def gpus(self, volume: Num) -> Num:
        return f.gpus_needed(
            demand=volume * self.seconds_per_request(),
            capacity=self.seconds_per_month(),
            peak_to_average=self.peak_to_average,
            max_utilisation=self.max_utilisation,
            min_gpus=self.min_gpus,
        )

    def monthly_cost(self, volume: Num) -> Num:
        return f.gpu_monthly_cost(
            gpu_hourly=self.gpu_hourly, hours_per_month=self.hours_per_month, gpus=self.gpus(volume)
        )

    def utilisation(self, volume: Num) -> Num:
        return f.utilisation(
            demand=volume * self.seconds_per_request(),
            capacity=self.seconds_per_month(),
            gpus=self.gpus(volume),
        )


@dataclass(frozen=True)
class Part:
    """A share of a router's volume sent to another option (cascade: the cheap arm sees all)."""

    option: Option
    share: Num


@dataclass(frozen=True)
class Option:
    """One way to serve the workload, with every cost it brings."""

    name: str
    api: ApiUsage | None = None
    serving: GpuServing | None = None
    fixed_monthly: tuple[CostItem, ...] = ()
    one_time: tuple[CostItem, ...] = ()
    retrain_every_months: Num | None = None
    retrain: tuple[CostItem, ...] = ()
    parts: tuple[Part, ...] = field(default=())

    def request_cost(self, volume: Num | None = None) -> Num:
        """API dollars per request at `volume` (GPU serving is priced by capacity, not here).

        `volume` matters only when a hit rate is modelled from the cache TTL; linear options
        answer without it.
        """
        own = self.api.request_cost(volume) if self.api else 0.0
        return own + sum(
            (
                p.share * p.option.request_cost(None if volume is None else p.share * volume)
                for p in self.parts
            ),
            0.0,
        )

    def upfront(self) -> Num:
        own = _total(self.one_time)
        return own + sum((p.option.upfront() for p in self.parts), 0.0)

    def retrain_cost(self) -> Num:
        return _total(self.retrain)


def _total(items: tuple[CostItem, ...]) -> Num:
    return sum((item.amount for item in items), 0.0)


def monthly_cost(option: Option, volume: Num, *, amortise_retraining: bool = True) -> Num:
    """Run-rate dollars per month at `volume` requests per month.

    API usage scales linearly (or, with a TTL-modelled cache hit rate, gets cheaper per request as
    volume grows); GPUs step up with volume; flat items do not move. With `amortise_retraining`, a
    retraining cycle every N months adds cost/N per month (article 004's "retraining every 1 to 3
    months" maintenance), for the option and every option it routes to, however deeply nested.
    The TCO adds up these same months, so monthly and TCO agree.
    """
    cost = option.api.request_cost(volume) * volume if option.api else 0.0 * volume
    if option.serving is not None:
        cost = cost + option.serving.monthly_cost(volume)
    cost = cost + _total(option.fixed_monthly)
    for part in option.parts:
        cost = cost + monthly_cost(part.option, part.share * volume, amortise_retraining=False)
    if amortise_retraining:
        cost = cost + retraining_monthly(option)
    return cost


def retraining_monthly(option: Option) -> Num:
    """Amortised retraining a month: the option's own cycle plus every routed part's, recursively
    (a router whose part is itself a router keeps the inner parts' retraining)."""
    own = (
        option.retrain_cost() / option.retrain_every_months
        if option.retrain_every_months is not None
        else 0.0
    )
    return own + sum((retraining_monthly(p.option) for p in option.parts), 0.0)


def monthly_breakdown(option: Option, volume: float) -> list[CostItem]:
    """The run-rate at `volume`, item by item, for tables and reports (point values only)."""
    items: list[CostItem] = []
    if option.api is not None:
        per_request = option.api.request_cost(volume)
        items.append(
            CostItem(
                f"API ({option.api.model})",
                per_request * volume,
                f"{volume:,.0f} requests x ${float(per_request):.6f}",
            )
        )
    if option.serving is not None:
        s = option.serving
        items.append(
            CostItem(
                f"GPU ({s.gpu})",
                s.monthly_cost(volume),
                f"{float(s.gpus(volume)):.0f} GPU x ${float(s.gpu_hourly):.2f}/h x "
                f"{float(s.hours_per_month):.0f} h",
            )
        )
    items.extend(option.fixed_monthly)
    if option.retrain_every_months is not None:
        items.append(
            CostItem(
                "retraining (amortised)",
                option.retrain_cost() / option.retrain_every_months,
                f"${float(option.retrain_cost()):,.0f} every "
                f"{float(option.retrain_every_months):g} months",
            )
        )
    for part in option.parts:
        for item in monthly_breakdown(part.option, float(part.share) * volume):
            items.append(CostItem(f"{part.option.name}: {item.name}", item.amount, item.note))
    return items


def month_volumes(volume: Num, growth: Num, horizon: int) -> Num:
    """Requests in each month of the horizon, month axis first: volume x (1 + growth)^m."""
    months = np.arange(horizon, dtype=np.float64).reshape((horizon,) + (1,) * np.ndim(volume))
    return np.asarray(volume) * (1.0 + np.asarray(growth)) ** months


def cumulative_cost(
    option: Option, volume: Num, *, growth: Num = 0.0, horizon: int = 12
) -> NDArray[np.float64]:
    """Cumulative spend at the end of each month: upfront + the monthly run-rate so far.

    Article 003's TCO over a horizon and article 004's payback both read off this curve. The
    months are `monthly_cost`'s, retraining amortised included, so a retrain every 0.25 months
    is 48 retrains over 12 months in both the monthly figure and the TCO.
    """
    volumes = month_volumes(volume, growth, horizon)
    run = np.cumsum(monthly_cost(option, volumes), axis=0)
    return np.asarray(option.upfront() + run, dtype=np.float64)


def is_linear(option: Option) -> bool:
    """True when monthly cost is flat + per-request x volume (no GPU steps, no TTL hit rate)."""
    api_linear = option.api is None or not option.api.volume_dependent
    return option.serving is None and api_linear and all(is_linear(p.option) for p in option.parts)


def total_volume(volume: Num, growth: Num, horizon: int) -> Num:
    """Requests over the horizon: volume x sum of (1 + g)^m for m < H, a geometric series."""
    g = np.asarray(growth, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        series = np.where(np.abs(g) < 1e-12, float(horizon), np.expm1(horizon * np.log1p(g)) / g)
    return volume * series


def tco(option: Option, volume: Num, *, growth: Num = 0.0, horizon: int = 12) -> Num:
    """Total cost of ownership over `horizon` months (the last point of the cumulative curve).

    Linear options need no month-by-month walk: upfront + flat (retraining amortised) x H +
    per-request x total volume. Other options step or curve with volume, so they walk the months.
    """
    if not is_linear(option):
        if not np.any(growth):  # every month alike: no need to walk them
            return option.upfront() + horizon * monthly_cost(option, volume)
        return cumulative_cost(option, volume, growth=growth, horizon=horizon)[-1]
    flat = monthly_cost(option, 0.0)
    run = flat * horizon + option.request_cost() * total_volume(volume, growth, horizon)
    return option.upfront() + run
