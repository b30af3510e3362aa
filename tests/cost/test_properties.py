"""Property tests (hypothesis): break-even and Monte Carlo behave as cost curves must."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ragtune.cost.breakeven import (
    breakeven_volume,
    breakeven_volume_samples,
    payback_months,
)
from ragtune.cost.model import ApiUsage, CostItem, GpuServing, Option, monthly_cost, tco
from ragtune.cost.quantity import parse_quantity

price = st.floats(0.01, 100.0)
tokens = st.floats(1.0, 20_000.0)
fixed = st.floats(0.0, 50_000.0)
volume = st.floats(1.0, 1e9)


def api_option(
    name: str, p_in: float, p_out: float, t_in: float, t_out: float, flat: float = 0.0
) -> Option:
    usage = ApiUsage(
        "m", input_per_m=p_in, output_per_m=p_out, input_tokens=t_in, output_tokens=t_out
    )
    return Option(name, api=usage, fixed_monthly=(CostItem("flat", flat),) if flat else ())


@given(price, price, tokens, tokens, volume, st.floats(1.01, 10.0))
def test_monthly_cost_is_monotonic_in_price_and_volume(
    p_in: float, p_out: float, t_in: float, t_out: float, v: float, k: float
) -> None:
    base = api_option("a", p_in, p_out, t_in, t_out)
    dearer = api_option("b", p_in * k, p_out * k, t_in, t_out)
    assert monthly_cost(dearer, v) >= monthly_cost(base, v)
    assert monthly_cost(base, v * k) >= monthly_cost(base, v)


@given(price, tokens, fixed, price, tokens, fixed)
# found by Hypothesis (2026-12-07): flat fees a float's last digit apart crossed at 1.7e-12 requests
@example(1.0, 2.0, 0.01, 1.0, 1.0, 0.010000000000000002)
def test_linear_breakeven_is_where_the_cost_lines_meet(
    pa: float, ta: float, fa: float, pb: float, tb: float, fb: float
) -> None:
    a = api_option("a", pa, 0.0, ta, 0.0, fa)
    b = api_option("b", pb, 0.0, tb, 0.0, fb)
    crossing = breakeven_volume(a, b)
    if crossing.first is None:
        # never crossing: one option is cheaper (or equal) at every volume
        lo, hi = 1.0, 1e12
        sign_lo = np.sign(monthly_cost(a, lo) - monthly_cost(b, lo))
        sign_hi = np.sign(monthly_cost(a, hi) - monthly_cost(b, hi))
        assert sign_lo * sign_hi >= 0
        return
    v = crossing.first
    ca, cb = monthly_cost(a, v), monthly_cost(b, v)
    assert abs(ca - cb) <= 1e-6 * max(ca, cb, 1.0)
    below, above = v * 0.5, v * 2.0
    cheaper_below = "a" if monthly_cost(a, below) < monthly_cost(b, below) else "b"
    cheaper_above = "a" if monthly_cost(a, above) < monthly_cost(b, above) else "b"
    assert crossing.cheaper_below == cheaper_below
    assert cheaper_above != cheaper_below


@given(st.floats(0.5, 20.0), st.floats(10.0, 100.0), st.floats(100.0, 5000.0), price, tokens)
@settings(max_examples=60, deadline=None)
def test_numeric_breakeven_with_gpu_steps_changes_the_cheaper_option(
    hourly: float, tps: float, tpr: float, p_in: float, t_in: float
) -> None:
    gpu = Option(
        "gpu",
        serving=GpuServing(
            "g", gpu_hourly=hourly, tokens_per_second=tps, tokens_per_request=tpr, concurrency=4
        ),
    )
    api = api_option("api", p_in, 0.0, t_in, 0.0)
    crossing = breakeven_volume(api, gpu)
    for v in crossing.volumes:
        before = np.sign(monthly_cost(api, v * (1 - 1e-9)) - monthly_cost(gpu, v * (1 - 1e-9)))
        after = np.sign(monthly_cost(api, v * (1 + 1e-9)) - monthly_cost(gpu, v * (1 + 1e-9)))
        assert before != after


@given(price, tokens, fixed, price, tokens, fixed)
@settings(max_examples=50, deadline=None)
def test_sampled_breakeven_matches_point_solve(
    pa: float, ta: float, fa: float, pb: float, tb: float, fb: float
) -> None:
    a = api_option("a", pa, 0.0, ta, 0.0, fa)
    b = api_option("b", pb, 0.0, tb, 0.0, fb)
    point = breakeven_volume(a, b).first
    sampled = breakeven_volume_samples(
        api_option("a", np.full(3, pa), 0.0, ta, 0.0, fa),  # type: ignore[arg-type]
        api_option("b", np.full(3, pb), 0.0, tb, 0.0, fb),  # type: ignore[arg-type]
    )
    if point is None or point < 1.0:
        return
    assert np.allclose(sampled, point, rtol=1e-6)


@given(st.floats(100.0, 1e6), st.floats(0.001, 0.1), st.floats(0.0001, 0.05), volume)
def test_payback_equals_upfront_over_monthly_saving(
    upfront: float, dear: float, cheap: float, v: float
) -> None:
    base = api_option("base", dear * 1e6, 0.0, 1.0, 0.0)
    tuned = Option(
        "tuned",
        api=ApiUsage("m", input_per_m=cheap * 1e6, output_per_m=0.0, input_tokens=1.0),
        one_time=(CostItem("u", upfront),),
    )
    months = payback_months(tuned, base, v, max_months=10_000)
    saving = (dear - cheap) * v
    if saving <= 0:
        assert np.isnan(months)
    elif upfront / saving <= 10_000:
        expected = upfront / saving
        assert abs(months - expected) <= 1e-6 * (1 + expected)


@given(st.floats(1.0, 1e6), st.floats(0.0, 0.2), st.integers(1, 60))
def test_tco_grows_with_horizon_and_growth(v: float, g: float, h: int) -> None:
    option = api_option("a", 3.0, 15.0, 1000.0, 200.0, 10.0)
    assert tco(option, v, growth=g, horizon=h + 1) >= tco(option, v, growth=g, horizon=h)
    assert tco(option, v, growth=g, horizon=h) >= tco(option, v, growth=0.0, horizon=h) - 1e-9


@given(st.floats(0.0, 1e6), st.floats(0.0, 1e6))
@settings(max_examples=50)
def test_monte_carlo_percentiles_are_ordered_and_inside_the_range(a: float, b: float) -> None:
    low, high = sorted((a, b))
    q = parse_quantity([low, high])
    samples = q.sample(np.random.default_rng(0), 2000)
    p10, p50, p90 = np.percentile(samples, [10, 50, 90])
    assert low <= p10 <= p50 <= p90 <= high or low == high


@given(st.floats(0.1, 10.0), st.floats(1.01, 5.0))
@settings(max_examples=30, deadline=None)
def test_monte_carlo_bands_move_up_with_price(p_low: float, k: float) -> None:
    """A dearer price range gives higher P10/P50/P90 and lowers P(dearer is cheaper)."""
    from ragtune.cost.analysis import Samples, analyse

    rng = np.random.default_rng(1)
    p = parse_quantity([p_low, p_low * 2]).sample(rng, 4000)
    cheap = api_option("cheap", p, 0.0, 1000.0, 0.0)  # type: ignore[arg-type]
    dear = api_option("dear", p * k, 0.0, 1000.0, 0.0)  # type: ignore[arg-type]
    point = {
        "cheap": api_option("cheap", p_low * 1.5, 0.0, 1000.0, 0.0),
        "dear": api_option("dear", p_low * 1.5 * k, 0.0, 1000.0, 0.0),
    }
    samples = Samples({"cheap": cheap, "dear": dear}, np.full(4000, 1e5), 0.0)
    result = analyse(point, volume=1e5, growth=0.0, horizon=12, samples=samples)
    c, d = (o.monthly_band for o in result.options)
    assert c is not None and d is not None
    assert d.p10 >= c.p10 and d.p50 >= c.p50 and d.p90 >= c.p90
    assert result.pairs[0].p_a_cheaper == 1.0  # cheap beats dear in every sample
