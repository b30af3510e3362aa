"""Break-evens (issue 13): the horizon crossing next to the run-rate one, and Monte Carlo
break-evens that match a brute-force scan of each sample's cost curves."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragtune.cost.breakeven import (
    breakeven_volume,
    breakeven_volume_samples,
    horizon_breakeven,
)
from ragtune.cost.catalog import load_catalog
from ragtune.cost.model import ApiUsage, CostItem, GpuServing, Option, monthly_cost, tco
from ragtune.scenario import build_options, load_scenario, sampler

CATALOG = load_catalog()
EXAMPLES = Path(__file__).parents[2] / "src" / "ragtune" / "examples" / "scenarios"


def per_request(name: str, usd: float, *, upfront: float = 0.0, flat: float = 0.0) -> Option:
    return Option(
        name,
        api=ApiUsage("m", input_per_m=usd * 1e6, output_per_m=0.0, input_tokens=1.0),
        fixed_monthly=(CostItem("flat", flat),) if flat else (),
        one_time=(CostItem("upfront", upfront),) if upfront else (),
    )


def test_horizon_crossing_counts_the_upfront() -> None:
    """Article 003's pair: RAG $0.024/request, fine-tune $0.0225 and $5,000 up front. Run-rate:
    the fine-tune is cheaper at every volume. Over 36 months the TCOs cross at
    5,000 / (36 x 0.0015) = 92,592.6 requests/month; at 50,000 the TCOs are 0.024 x 50,000 x 36 =
    $43,200 against 0.0225 x 50,000 x 36 + 5,000 = $45,500."""
    rag, tuned = per_request("rag", 0.024), per_request("ft", 0.0225, upfront=5000)
    run_rate = breakeven_volume(rag, tuned)
    assert run_rate.volumes == () and run_rate.cheaper_below == "ft"
    over = horizon_breakeven(rag, tuned, horizon=36)
    assert over.basis == "horizon" and over.horizon == 36
    assert over.volumes == (pytest.approx(92_592.59, abs=0.01),)
    assert over.cheaper_below == "rag"
    assert tco(rag, 50_000, horizon=36) == pytest.approx(43_200)
    assert tco(tuned, 50_000, horizon=36) == pytest.approx(45_500)


def test_horizon_crossing_never_within_the_horizon() -> None:
    """A dearer-per-request option with an upfront never wins: no crossing, the other cheaper."""
    cheap, dear = per_request("cheap", 0.01), per_request("dear", 0.02, upfront=100)
    over = horizon_breakeven(cheap, dear, horizon=12)
    assert over.volumes == () and over.cheaper_below == "cheap"


def test_horizon_crossing_numeric_matches_closed_form_with_gpus() -> None:
    """A GPU option (one $2,000/month GPU, 1M requests each) against $0.003/request with a
    $6,000 upfront on the GPU side, 12 months: TCO_gpu = 6,000 + 24,000 = 30,000 below 1M;
    TCO_api = 0.003 x V x 12 = 0.036 V; crossing at 30,000 / 0.036 = 833,333."""
    serving = GpuServing(
        "g", gpu_hourly=2000 / 720, tokens_per_second=1e6 / (3600 * 720), tokens_per_request=1
    )
    gpu = Option("gpu", serving=serving, one_time=(CostItem("setup", 6000.0),))
    api = per_request("api", 0.003)
    over = horizon_breakeven(api, gpu, horizon=12)
    assert over.method == "segments"  # the exact GPU-step walk (issue 32), not a grid
    assert over.volumes[0] == pytest.approx(833_333.3, rel=1e-6)


def test_retraining_counts_the_same_in_monthly_and_tco() -> None:
    """A $100 retrain every 0.25 months over 12 months: $400 a month and 48 retrains ($4,800) in
    the TCO (it was 44 whole cycles there)."""
    option = Option(
        "ft",
        fixed_monthly=(CostItem("host", 10.0),),
        retrain_every_months=0.25,
        retrain=(CostItem("retrain", 100.0),),
    )
    assert monthly_cost(option, 1000) == pytest.approx(410)
    assert tco(option, 1000, horizon=12) == pytest.approx(12 * 410)


# --- Monte Carlo break-evens against a brute-force scan --------------------------------------

HI = 1e9  # searched range for the property test: small enough to enumerate every GPU step


def gpu_option(name: str, per_gpu: float, width: float, min_gpus: float, flat: float) -> Option:
    """`per_gpu` $/month per GPU, one GPU per `width` requests/month."""
    serving = GpuServing(
        "g",
        gpu_hourly=per_gpu / 720,
        tokens_per_second=width / (3600 * 720),
        tokens_per_request=1.0,
        min_gpus=min_gpus,
    )
    return Option(name, serving=serving, fixed_monthly=(CostItem("flat", flat),))


def brute_force(a: Option, b: Option, widths: list[float], hi: float = HI) -> float:
    """First volume where sign(a - b) differs from its sign at 1 request/month, by scanning.

    Candidates: a fine log grid plus both sides of every GPU step, so between two neighbouring
    candidates both costs are linear and no sign change can hide; then bisection. Costs that
    only touch at a step (equal there, the same sign on both sides) do not change sign.
    """
    points = [np.geomspace(1.0, hi, 20_001)]
    for w in widths:
        k = np.arange(1, int(hi / w) + 2) * w
        points += [k, k * (1 + 1e-7)]
    grid = np.unique(np.concatenate(points))
    grid = grid[grid <= hi]
    diff = np.ravel(monthly_cost(a, grid) - monthly_cost(b, grid))
    signs = sign(diff)
    # a zero followed by the starting sign is a touch on a step (equal there, never crossed)
    touch = (signs == 0) & (np.append(signs[1:], signs[0]) == signs[0])
    changed = np.nonzero((signs != signs[0]) & ~touch)[0]
    if changed.size == 0:
        return math.nan
    lo, up = grid[changed[0] - 1], grid[changed[0]]
    sign_lo = sign(diff[0])
    for _ in range(80):
        mid = (lo + up) / 2
        if sign(np.ravel(monthly_cost(a, mid) - monthly_cost(b, mid))[0]) == sign_lo:
            lo = mid
        else:
            up = mid
    return float(up)


def sign(diff: Any) -> Any:
    """Costs within a millionth of a dollar a month are a tie (as in the engine)."""
    return np.where(np.abs(diff) <= 1e-6, 0.0, np.sign(diff))


def same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or abs(x - y) <= 1e-3 * max(abs(y), 1.0)


api_args = st.tuples(st.floats(1e-5, 0.05), st.floats(0.0, 5000.0))
gpu_args = st.tuples(
    st.floats(100.0, 5000.0), st.floats(1e5, 1e7), st.sampled_from([0.0, 1.0, 2.0]),
    st.floats(0.0, 2000.0),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    a_kind=st.sampled_from(["api", "gpu"]),
    a=st.lists(st.tuples(api_args, gpu_args), min_size=3, max_size=3),
    b=st.lists(gpu_args, min_size=3, max_size=3),
)
def test_monte_carlo_breakeven_equals_brute_force(
    a_kind: str, a: list[tuple[tuple[float, float], tuple[float, ...]]], b: list[tuple[float, ...]]
) -> None:
    """For random linear and GPU-stepped options, every sample's break-even is within 0.1% of a
    brute-force scan of that sample's own cost curves (issue 13: a 256-point grid missed narrow
    windows and reported some crossings at twice, or 100,000 times, the true volume)."""

    def build(kind: str, rows: list[tuple[float, ...]], name: str) -> Option:
        if kind == "api":
            usd, flat = (np.array([r[i] for r in rows]) for i in range(2))
            return Option(
                name,
                api=ApiUsage("m", input_per_m=usd * 1e6, output_per_m=0.0, input_tokens=1.0),
                fixed_monthly=(CostItem("flat", flat),),
            )
        per_gpu, width, min_gpus, flat = (np.array([r[i] for r in rows]) for i in range(4))
        return gpu_option(name, per_gpu, width, min_gpus, flat)  # type: ignore[arg-type]

    rows_a = [row[0] if a_kind == "api" else row[1] for row in a]
    option_a, option_b = build(a_kind, rows_a, "a"), build("gpu", b, "b")
    found = breakeven_volume_samples(option_a, option_b, hi=HI)
    for i in range(3):
        one_a = build(a_kind, [rows_a[i]], "a")
        one_b = build("gpu", [b[i]], "b")
        widths = [b[i][1]] + ([rows_a[i][1]] if a_kind == "gpu" else [])
        expected = brute_force(one_a, one_b, widths)
        assert same(float(found[i]), expected), (i, found[i], expected)


def test_api_vs_selfhosted_samples_match_brute_force() -> None:
    """The bundled seed-002 scenario (GPT-4o at $0.0045/request vs a $2,642.40 A100 serving
    518k-691k requests a GPU): every one of 200 samples' break-evens matches the scan."""
    scenario = load_scenario(EXAMPLES / "api_vs_selfhosted.yaml", CATALOG)
    options = build_options(scenario, CATALOG, sampler(7, 200))
    api, gpu = options["gpt-4o"], options["llama-70b-a100"]
    found = breakeven_volume_samples(api, gpu, hi=HI)
    assert gpu.serving is not None
    widths = np.asarray(gpu.serving.capacity_per_month()) / 1200
    for i in range(0, 200, 10):
        one = Option(
            "g",
            serving=GpuServing(
                "a100", gpu_hourly=3.67, tokens_per_second=float(gpu.serving.tokens_per_second[i]),  # type: ignore[index]
                concurrency=8, tokens_per_request=1200,
            ),
        )  # fmt: skip
        assert same(float(found[i]), brute_force(api, one, [float(widths[i])]))
    # 0.0045 V = 2,642.40 at 587,200 requests: the first crossing whenever one GPU still fits
    fits = widths >= 587_200
    assert np.allclose(found[fits], 587_200, rtol=1e-9)
