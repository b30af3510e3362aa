"""The cost formulas, one function per cost centre, each citing where it comes from.

Every argument may be a float or a numpy array (Monte Carlo samples); results broadcast. Units are
spelt out in names: `_per_m` is dollars per million tokens, `_hourly` dollars per hour, `tokens`
counts are per request unless the name says otherwise. This module does not know about options,
scenarios or horizons (see `model.py`), nor where prices come from (see `catalog.py`).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

Num: TypeAlias = float | NDArray[np.float64]

MILLION = 1_000_000.0
SECONDS_PER_DAY = 86_400.0
DAYS_PER_MONTH = 30.0  # the articles' convention ($60/day -> $1,800/month); override by hours
# gpus_needed: a ratio within 1e-9 of a whole number is that number. Float products of the inputs
# err by ~1e-16 relative; no real demand is sized to a billionth of a GPU.
GPU_ROUNDING = 1e-9


def api_request_cost(
    *,
    input_per_m: Num,
    output_per_m: Num,
    input_tokens: Num = 0.0,
    output_tokens: Num = 0.0,
    context_tokens: Num = 0.0,
    cached_prefix_tokens: Num = 0.0,
    cache_hit_rate: Num = 0.0,
    cache_write_multiplier: Num = 1.0,
    cache_read_multiplier: Num = 1.0,
    inference_premium: Num = 1.0,
    min_cacheable_tokens: Num = 0.0,
    long_context_from: Num = np.inf,
    long_input_per_m: Num = 0.0,
    long_output_per_m: Num = 0.0,
) -> Num:
    """Dollars for one API request.

    tokens x price / 1M for uncached input (question, instructions, retrieved or knowledge-base
    context: articles 000 and 001 bill those at the base input price) and output. A cacheable
    prefix is written at `cache_write_multiplier` x input price on a miss and read at
    `cache_read_multiplier` x on a hit (Anthropic: 1.25x / 0.1x; OpenAI: no write surcharge, a
    cached-input discount), which is what moves the break-even in article 003. A hosted fine-tune
    bills every token at `inference_premium` x the base price (article 001: 1.5-3x; article 003:
    +20-50%). A prefix shorter than the model's `min_cacheable_tokens` is not cached at all: the
    provider bills it as plain input, with no write surcharge and no read discount.

    Long context: a request whose prompt (input + context + prefix) exceeds `long_context_from`
    tokens is billed at `long_input_per_m` / `long_output_per_m` for all of its tokens, the cache
    multipliers applying to the long input price (Anthropic's pricing page, "long context
    pricing": Sonnet 4.5 above 200K input tokens costs $6 / $22.50 per M instead of $3 / $15).
    """
    if np.any(np.isfinite(long_context_from)):
        prompt = np.asarray(input_tokens + context_tokens + cached_prefix_tokens)
        long = prompt > np.asarray(long_context_from)
        input_per_m = np.where(long, long_input_per_m, input_per_m)
        output_per_m = np.where(long, long_output_per_m, output_per_m)
        if not np.ndim(input_per_m):
            input_per_m, output_per_m = float(input_per_m), float(output_per_m)
    cached = np.where(
        np.asarray(cached_prefix_tokens) >= np.asarray(min_cacheable_tokens),
        cached_prefix_tokens,
        0.0,
    )
    uncached_input = (input_tokens + context_tokens + cached_prefix_tokens - cached) * input_per_m
    prefix_rate = cache_hit_rate * cache_read_multiplier + (1.0 - cache_hit_rate) * (
        cache_write_multiplier
    )
    prefix = cached * input_per_m * prefix_rate
    output = output_tokens * output_per_m
    return (uncached_input + prefix + output) * inference_premium / MILLION


MINUTES_PER_MONTH = DAYS_PER_MONTH * 24 * 60


def cache_hit_rate(*, requests_per_month: Num, distinct_prefixes: Num, ttl_minutes: Num) -> Num:
    """Share of calls that find their prefix still cached: 1 - exp(-calls per prefix per TTL).

    A provider keeps a prefix for `ttl_minutes` after its last use (Anthropic: 5 minutes, or 1
    hour at a dearer write). With calls spread evenly over `distinct_prefixes` prefixes and
    arriving at random (Poisson) through a 30-day month, the gap before a call to its prefix's
    previous call is exponential with rate lambda = volume / (prefixes x minutes per month), so
    P(gap < TTL) = 1 - exp(-lambda x TTL). At one call per prefix per TTL that is 63%; at 100
    calls a month on one prefix with a 5-minute TTL it is 1.2% (nearly every call is a write).
    This is what a measured "1 - distinct prefixes / calls" becomes at another volume.
    """
    per_ttl = np.asarray(requests_per_month) * np.asarray(ttl_minutes)
    per_ttl = per_ttl / (np.asarray(distinct_prefixes) * MINUTES_PER_MONTH)
    rate = -np.expm1(-per_ttl)
    return rate if np.ndim(rate) else float(rate)


def training_cost_tokens(*, tokens: Num, price_per_m: Num, epochs: Num = 1.0) -> Num:
    """Hosted fine-tuning: tokens in the training set x epochs x training price per token.

    Article 001: 1,000 examples x 2,000 tokens = 2M tokens at ~$8/M = ~$16 a run.
    """
    return tokens * epochs * price_per_m / MILLION


def gpu_compute_cost(*, gpu_hourly: Num, hours: Num, gpus: Num = 1.0) -> Num:
    """Rented GPU time: GPUs x hours x $/hour (article 002: LoRA 6-10 h on one A100 = $22-37)."""
    return gpus * hours * gpu_hourly


def gpu_monthly_cost(*, gpu_hourly: Num, hours_per_month: Num, gpus: Num = 1.0) -> Num:
    """A reserved GPU costs its hours whether used or not (article 002: A100 $3.67/h x 720 h)."""
    return gpus * gpu_hourly * hours_per_month


def serving_capacity_per_day(*, tokens_per_second: Num, concurrency: Num = 1.0) -> Num:
    """Tokens one GPU serves per day: per-stream tokens/s x concurrent streams x 86,400 s.

    Article 002: 30-40 tokens/s per request x 8 concurrent = 240-320 tokens/s; 320 tokens/s is
    27.6M tokens/day (the article's 830M is a month's worth at 30 days).
    """
    return tokens_per_second * concurrency * SECONDS_PER_DAY


def gpus_needed(
    *,
    demand: Num,
    capacity: Num,
    peak_to_average: Num = 1.0,
    max_utilisation: Num = 1.0,
    min_gpus: Num = 1.0,
) -> Num:
    """GPUs to serve the peak rate with headroom: ceil(peak demand / (capacity x max utilisation)).

    `demand` and `capacity` are tokens over the same period (a day, a month). Demand is an average;
    `peak_to_average` scales it to the busiest hour and `max_utilisation` keeps queueing latency
    bounded. The ratio is rounded up after a relative tolerance of `GPU_ROUNDING` so that a
    demand that fits exactly (508,032 requests x 1,000 tokens on 35 tok/s x 8 streams x 720 h at
    70%: exactly one GPU) is not pushed to two by floating-point error in the product.
    """
    ratio = demand * peak_to_average / (capacity * max_utilisation)
    needed = np.ceil(ratio * (1.0 - GPU_ROUNDING))
    return np.maximum(needed, min_gpus)


def utilisation(*, demand: Num, capacity: Num, gpus: Num = 1.0) -> Num:
    """Average share of the GPUs' capacity the volume uses (article 002's "1.5%" is really 43%)."""
    return demand / (capacity * gpus)


def effective_cost_per_m(*, monthly_cost: Num, tokens_per_month: Num) -> Num:
    """Dollars per million tokens actually served: monthly spend / monthly tokens (article 002)."""
    return monthly_cost * MILLION / tokens_per_month


def labour_cost(*, hours: Num, hourly_rate: Num) -> Num:
    """Engineering or annotation time x loaded hourly rate (article 004: 20-80 h x $100-200)."""
    return hours * hourly_rate


def curation_hours(*, examples: Num, examples_per_hour: Num) -> Num:
    """Labelling time for a training set (article 002: 30-50 examples/hour per annotator)."""
    return examples / examples_per_hour


def embedding_cost(*, tokens: Num, price_per_m: Num) -> Num:
    """Embedding API spend (article 001: 10,000 docs x 500 tokens at $0.02/M = $0.10)."""
    return tokens * price_per_m / MILLION
