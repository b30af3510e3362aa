"""Cost formulas as providers bill them (issue 13): cache minimums, cache lifetime, GPU sizing.

Every expected value is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import pytest

from ragtune.cost import formulas as f
from ragtune.cost.catalog import load_catalog
from ragtune.cost.model import ApiUsage, GpuServing, Option, monthly_cost

CATALOG = load_catalog()


def test_a_prefix_below_the_models_minimum_is_plain_input() -> None:
    """claude-haiku-4-5 ($1/M in, $5/M out) caches nothing below 4,096 tokens. A 2,000-token
    few-shot prefix and 200 output tokens: 2,000 x 1 + 200 x 5 = 3,000 micro-dollars = $3.00 per 1k
    queries, whatever the hit rate. Ignoring the minimum at a 90% hit rate would give
    2,000 x (0.9 x 0.1 + 0.1 x 1.25) = 430 + 1,000 = $1.43 per 1k."""
    haiku = CATALOG.model("claude-haiku-4-5")
    assert haiku.cache is not None and haiku.cache.min_prefix_tokens == 4096
    args = dict(
        input_per_m=1.0,
        output_per_m=5.0,
        cached_prefix_tokens=2000,
        output_tokens=200,
        cache_hit_rate=0.9,
        cache_write_multiplier=1.25,
        cache_read_multiplier=0.1,
    )
    assert f.api_request_cost(**args, min_cacheable_tokens=4096) == pytest.approx(0.0030)
    assert f.api_request_cost(**args, min_cacheable_tokens=0) == pytest.approx(0.00143)
    # at the minimum it is cached: 4,096 x (0.09 + 0.125) = 880.64 + 1,000 micro-dollars
    args["cached_prefix_tokens"] = 4096
    assert f.api_request_cost(**args, min_cacheable_tokens=4096) == pytest.approx(0.00188064)


@pytest.mark.parametrize(
    ("model", "minimum"),
    [
        ("claude-sonnet-4-5", 1024),
        ("claude-opus-4-1", 1024),
        ("claude-3-5-sonnet", 1024),
        ("claude-3-haiku", 2048),
        ("claude-3-5-haiku", 2048),
        ("claude-haiku-4-5", 4096),
        ("claude-opus-4-5", 4096),
        ("gpt-4o", 1024),
        ("gpt-5-mini", 1024),
    ],
)
def test_catalog_minimums_per_model(model: str, minimum: int) -> None:
    """Anthropic's prompt-caching page and OpenAI's prompt-caching guide, read 2026-11-29."""
    cache = CATALOG.model(model).cache
    assert cache is not None and cache.min_prefix_tokens == minimum
    assert cache.source.startswith("https://") and cache.as_of == "2026-11-29"


def test_cache_hit_rate_follows_volume_and_ttl() -> None:
    """One prefix, 5-minute TTL, 30-day month of 43,200 minutes.
    100 calls/month: 1 - exp(-100 x 5 / 43,200) = 1 - exp(-0.011574) = 0.011507 (nearly all
    writes). 8,640 calls/month (one per TTL): 1 - exp(-1) = 0.632121. 1-hour TTL at 720 calls a
    month (one an hour): 0.632121 too. 10 prefixes need 10x the calls for the same rate."""
    rate = f.cache_hit_rate
    assert rate(requests_per_month=100, distinct_prefixes=1, ttl_minutes=5) == pytest.approx(
        0.011507, abs=1e-6
    )
    assert rate(requests_per_month=8640, distinct_prefixes=1, ttl_minutes=5) == pytest.approx(
        0.632121, abs=1e-6
    )
    assert rate(requests_per_month=720, distinct_prefixes=1, ttl_minutes=60) == pytest.approx(
        0.632121, abs=1e-6
    )
    assert rate(requests_per_month=86_400, distinct_prefixes=10, ttl_minutes=5) == pytest.approx(
        0.632121, abs=1e-6
    )


def test_one_hour_ttl_has_its_own_write_price() -> None:
    """Sonnet 4.5 ($3/M), a 5,000-token prefix on one prefix at 8,640 calls/month.
    5m (write 1.25x): hit 0.632121; 0.015 x (0.632121 x 0.1 + 0.367879 x 1.25) = $0.0078459.
    1h (write 2x): hit 1 - exp(-12) = 0.999994; 0.015 x (0.0999994 + 0.0000123) = $0.0015002."""
    sonnet = CATALOG.model("claude-sonnet-4-5")
    assert sonnet.cache is not None
    five, hour = sonnet.cache.ttl("5m"), sonnet.cache.ttl("1h")
    assert (five.minutes, five.write_multiplier) == (5, 1.25)
    assert (hour.minutes, hour.write_multiplier) == (60, 2.0)

    def usage(ttl: float, write: float) -> ApiUsage:
        return ApiUsage(
            "claude-sonnet-4-5",
            input_per_m=3.0,
            output_per_m=15.0,
            cached_prefix_tokens=5000,
            cache_write_multiplier=write,
            cache_read_multiplier=0.1,
            min_cacheable_tokens=1024,
            distinct_prefixes=1,
            cache_ttl_minutes=ttl,
        )

    assert usage(5, 1.25).request_cost(8640) == pytest.approx(0.0078459, abs=1e-7)
    assert usage(60, 2.0).request_cost(8640) == pytest.approx(0.0015002, abs=1e-7)
    # at 100 calls a month the 5-minute cache is nearly always a write: ~1.25 x $0.015
    assert usage(5, 1.25).request_cost(100) == pytest.approx(
        0.015 * (0.0011507 + 0.98856 * 1.25), rel=1e-4
    )


def test_gpus_needed_does_not_round_up_float_error() -> None:
    """35 tok/s x 8 streams x 3,600 s x 720 h = 725,760,000 tokens a GPU-month; at 70%,
    508,032,000. 508,032 requests x 1,000 tokens is exactly that: 1 GPU (the float ratio is
    1.0000000000000002, which ceil made 2 GPUs, +$3.67 x 720 = $2,642.40 a month)."""
    demand, capacity = 508_032 * 1000.0, 35 * 8 * 3600 * 720.0
    assert demand / (capacity * 0.7) > 1.0  # the float error being guarded against
    assert f.gpus_needed(demand=demand, capacity=capacity, max_utilisation=0.7) == 1
    serving = GpuServing(
        "a100-gcp", gpu_hourly=3.67, tokens_per_second=35, concurrency=8,
        tokens_per_request=1000, max_utilisation=0.7,
    )  # fmt: skip
    assert monthly_cost(Option("gpu", serving=serving), 508_032) == pytest.approx(2642.40)
    # one more request does need a second GPU
    assert monthly_cost(Option("gpu", serving=serving), 508_033) == pytest.approx(5284.80)
