"""Exact crossings of GPU-stepped options (issue 32): the printed run-rate and horizon break-evens
come from the segment walk, and equal a brute-force scan that visits both sides of every GPU step,
so windows a few requests wide are not missed as the old 4,096-point grid missed them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ragtune.cost.breakeven import breakeven_volume, breakeven_volume_samples, horizon_breakeven
from ragtune.cost.catalog import load_catalog
from ragtune.cost.formulas import GPU_ROUNDING
from ragtune.cost.model import ApiUsage, CostItem, GpuServing, Option, monthly_cost, tco
from ragtune.cost.segments import POINT
from ragtune.scenario import build_options, load_scenario, point

CATALOG = load_catalog()
EXAMPLES = Path(__file__).parents[2] / "src" / "ragtune" / "examples" / "scenarios"
HI = 1e9  # small enough to list every GPU step of the widths drawn below


def api(name: str, usd: float, *, flat: float = 0.0, upfront: float = 0.0) -> Option:
    return Option(
        name,
        api=ApiUsage("m", input_per_m=usd * 1e6, output_per_m=0.0, input_tokens=1.0),
        fixed_monthly=(CostItem("flat", flat),) if flat else (),
        one_time=(CostItem("upfront", upfront),) if upfront else (),
    )


def gpu(
    name: str, per_gpu: float, width: float, *, min_gpus: float = 1.0, flat: float = 0.0,
    upfront: float = 0.0,
) -> Option:  # fmt: skip
    """`per_gpu` $/month per GPU, one GPU per `width` requests/month."""
    serving = GpuServing(
        "g",
        gpu_hourly=per_gpu / 720,
        tokens_per_second=width / (3600 * 720),
        tokens_per_request=1.0,
        min_gpus=min_gpus,
    )
    return Option(
        name,
        serving=serving,
        fixed_monthly=(CostItem("flat", flat),) if flat else (),
        one_time=(CostItem("upfront", upfront),) if upfront else (),
    )


def sign(diff: np.ndarray) -> np.ndarray:
    return np.where(np.abs(diff) <= 1e-6, 0.0, np.sign(diff))


def scan(diff, steps: list[float], hi: float = HI) -> list[float]:  # type: ignore[no-untyped-def]
    """Every sign change of `diff` in [1, hi], by brute force: a 20,001-point log grid plus, for
    every GPU step (a billionth past k x width, where `gpus_needed` adds the GPU), points a
    trillionth either side of it and a ten-millionth before it, so between neighbouring points
    both costs are linear and no change wider than a trillionth hides; each bracket then
    bisected 100 times. As in the engine, a
    sign held over no more than `POINT` of the volume (costs that touch at a step) is no change,
    nor is one reached only at `hi`."""
    points = [np.geomspace(1.0, hi, 20_001)]
    for s in steps:
        at = np.arange(1, int(hi / s) + 2) * s / (1 - GPU_ROUNDING)
        points += [at * (1 - 1e-7), at * (1 - 1e-12), at * (1 + 1e-12)]
    grid = np.unique(np.concatenate(points))
    grid = grid[grid <= hi]
    signs = sign(np.ravel(diff(grid)))
    # a tie at one grid point between two signs (or at `hi`) is where the costs touch or cross:
    # judged by its neighbours (a tie band is ~2e-6 / slope wide, wider than POINT at low volume)
    lone = signs == 0
    lone[1:-1] &= (signs[:-2] != 0) & (signs[2:] != 0)
    lone[0], lone[-1] = False, bool(lone[-1] and signs[-2] != 0)
    grid, signs = grid[~lone], signs[~lone]
    kept: list[tuple[float, float]] = []  # (volume, sign just above it)
    for i in np.nonzero(signs[1:] != signs[:-1])[0][:40]:
        lo, up, s_lo = grid[i], grid[i + 1], signs[i]
        for _ in range(100):
            mid = (lo + up) / 2
            lo, up = (mid, up) if sign(np.ravel(diff(np.array([mid]))))[0] == s_lo else (lo, mid)
        volume = float(up)
        if kept and volume - kept[-1][0] <= POINT * volume:
            volume = kept.pop()[0]
        if signs[i + 1] != (kept[-1][1] if kept else signs[0]):
            kept.append((volume, signs[i + 1]))
    if kept and kept[-1][0] >= hi * (1 - POINT):
        kept.pop()
    return [v for v, _ in kept]


def agree(walked: tuple[float, ...], scanned: list[float]) -> bool:
    """The first four (what the CLI prints) agree to a millionth."""
    a, b = list(walked[:4]), scanned[:4]
    return len(a) == len(b) and all(abs(x - y) <= 1e-6 * y for x, y in zip(a, b, strict=True))


def test_api_vs_selfhosted_twelve_month_crossing_is_the_first_window() -> None:
    """Bundled seed-002 scenario at point values, gpt-4o vs llama-70b-a100 over 12 months.
    By hand: GPT-4o 1,000 in x $2.50/M + 200 out x $10/M = $0.0045/request, so its TCO is
    0.054 V. The A100 costs $3.67 x 720 = $2,642.40 a month, $31,708.80 over 12 months, and
    serves 35 tok/s x 8 x 3,600 x 720 / 1,200 = 604,800 requests a month. Upfront: curation
    5,000 examples x E[1/U(30, 50)] = 5,000 x ln(5/3)/20 = 127.706 h x $40 = $5,108.24, plus
    training 8 h x $3.67 = $29.36: $5,137.60. For V in (5 x 604,800, 6 x 604,800] = (3,024,000,
    3,628,800] six GPUs cost 5,137.60 + 6 x 31,708.80 = $195,390.40, equal to 0.054 V at
    V = 3,618,340.7: a 10,459-request window before the seventh GPU, which the old grid
    skipped (it printed 5,379,941)."""
    scenario = load_scenario(EXAMPLES / "api_vs_selfhosted.yaml", CATALOG)
    options = build_options(scenario, CATALOG, point)
    a, b = options["gpt-4o"], options["llama-70b-a100"]
    over = horizon_breakeven(a, b, horizon=12)
    assert over.method == "segments"
    assert over.volumes[0] == pytest.approx(195_390.40 / 0.054, rel=1e-6)
    assert over.volumes[1] == pytest.approx(6 * 604_800, rel=1e-6)  # the seventh GPU
    assert over.cheaper_below == "gpt-4o" and over.cheaper_after[:2] == ("llama-70b-a100", "gpt-4o")
    tco_gap = lambda v: tco(a, v, horizon=12) - tco(b, v, horizon=12)  # noqa: E731
    assert over.volumes[:4] == pytest.approx(scan(tco_gap, [604_800.0], hi=1e7)[:4], rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    per_gpu=st.floats(200.0, 5000.0),
    width=st.floats(2e5, 5e6),
    min_gpus=st.sampled_from([0.0, 1.0, 3.0]),
    gap=st.floats(1e-7, 1e-2),
    flat=st.floats(0.0, 500.0),
)
def test_narrow_windows_before_every_gpu_step(
    per_gpu: float, width: float, min_gpus: float, gap: float, flat: float
) -> None:
    """An API priced so that it meets the GPU option a relative `gap` below each GPU step: the
    API is dearer only on (k w (1 - gap), k w], a window as narrow as 1e-7 of the volume. By
    hand, with price p = per_gpu / (w (1 - gap)) and the same flat on both sides, the GPU
    option's k GPUs cost k x per_gpu = p V at V = k w (1 - gap). The walk finds the first
    windows exactly as the brute-force scan does."""
    price = per_gpu / (width * (1 - gap))
    a = api("api", price, flat=flat)
    b = gpu("gpu", per_gpu, width, min_gpus=min_gpus, flat=flat)
    walked = breakeven_volume(a, b, hi=HI)
    scanned = scan(lambda v: monthly_cost(a, v) - monthly_cost(b, v), [width])
    assert agree(walked.volumes, scanned), (walked.volumes[:4], scanned[:4])
    k = max(min_gpus, 1.0)
    assert walked.volumes[0] == pytest.approx(k * width * (1 - gap), rel=1e-9)


gpu_args = st.tuples(
    st.floats(100.0, 5000.0), st.floats(1e5, 1e7), st.sampled_from([0.0, 1.0, 2.0]),
    st.floats(0.0, 2000.0), st.floats(0.0, 20_000.0),
)  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(
    a_kind=st.sampled_from(["api", "gpu"]),
    usd=st.floats(1e-5, 0.05),
    a_args=gpu_args,
    b_args=gpu_args,
    horizon=st.sampled_from([6, 12]),
    growth=st.sampled_from([0.0, 0.04]),
    near=st.one_of(st.none(), st.floats(1e-7, 1e-2)),
)
def test_printed_crossings_equal_a_brute_force_scan(
    a_kind: str,
    usd: float,
    near: float | None,
    a_args: tuple[float, float, float, float, float],
    b_args: tuple[float, float, float, float, float],
    horizon: int,
    growth: float,
) -> None:
    """Random stepped GPU scenarios: the first four run-rate and horizon crossings (what
    `ragtune cost` prints) equal a brute-force scan's, to a millionth. Over the horizon with
    growth g, month m's GPU steps sit at width / (1 + g)^m, so the scan visits all of them.
    With `near`, the API's price puts its line a relative `near` below each of b's GPU steps
    (narrow windows, shifted by the random flat and upfront amounts)."""
    per_gpu, width, min_gpus, flat, upfront = a_args
    # a fee within a hair of the engine's $0.000001 tie makes "equal" a coin toss of float error
    # on either path (two equal GPU options a $0.000001 flat apart); no price is that small
    assume(all(x == 0.0 or x >= 1e-3 for x in (flat, upfront, *b_args[3:])))
    if near is not None:
        usd = b_args[0] / (b_args[1] * (1 - near))
    a = (
        api("a", usd, flat=flat, upfront=upfront)
        if a_kind == "api"
        else gpu("a", per_gpu, width, min_gpus=min_gpus, flat=flat, upfront=upfront)
    )
    b = gpu("b", b_args[0], b_args[1], min_gpus=b_args[2], flat=b_args[3], upfront=b_args[4])
    widths = [b_args[1]] + ([width] if a_kind == "gpu" else [])
    run_rate = breakeven_volume(a, b, hi=HI)
    scanned = scan(lambda v: monthly_cost(a, v) - monthly_cost(b, v), widths)
    assert agree(run_rate.volumes, scanned), (run_rate.volumes[:4], scanned[:4])

    over = horizon_breakeven(a, b, horizon=horizon, growth=growth, hi=HI)
    month_steps = [w / (1 + growth) ** m for w in widths for m in range(horizon)]
    gap = lambda v: (  # noqa: E731
        tco(a, v, growth=growth, horizon=horizon) - tco(b, v, growth=growth, horizon=horizon)
    )
    scanned = scan(gap, sorted(set(month_steps)))
    assert agree(over.volumes, scanned), (over.volumes[:4], scanned[:4])


def test_identical_gpu_options_are_equal_everywhere_without_walking_every_step() -> None:
    """Two identical GPU options: their steps cancel, the difference is 0 at every volume."""
    a, b = gpu("a", 2000.0, 1e5), gpu("b", 2000.0, 1e5)
    found = breakeven_volume(a, b)
    assert found.volumes == () and found.cheaper_below is None


def test_equal_at_low_volume_then_the_faster_gpu_is_cheaper() -> None:
    """Two $2,000/month GPU options, one serving 100,000 requests a GPU, the other 150,000. Both
    run one GPU up to 100,000 requests: equal. Above it the slow one adds a second GPU ($4,000
    against $2,000): the fast one is cheaper, until 150,000 where it adds its second GPU and
    they tie again ($4,000 each) up to 200,000."""
    slow, fast = gpu("slow", 2000.0, 1e5), gpu("fast", 2000.0, 1.5e5)
    found = breakeven_volume(slow, fast, hi=1e6)
    assert found.cheaper_below is None
    assert found.volumes[0] == pytest.approx(1e5, rel=1e-6)
    assert found.cheaper_after[0] == "fast"
    assert found.volumes[1] == pytest.approx(1.5e5, rel=1e-6) and found.cheaper_after[1] is None
    assert not math.isnan(found.volumes[0])


def test_costs_that_only_touch_on_every_gpu_step_never_cross() -> None:
    """An API at $0.001 a request against a $100/month GPU serving 100,000 requests with no
    minimum: on (100,000 (k - 1), 100,000 k] the GPU option costs $100 k and the API 0.001 V,
    which reaches $100 k only at V = 100,000 k, where the GPU adds its next one. So the API is
    never dearer: they touch at every step and the cheaper option never changes. (`gpus_needed`
    adds the GPU a billionth past the step, leaving a sliver where the API is dearer by at most
    $0.001 x 1e9 x 1e-9 = $0.000001 x k; that is rounding, not a window.) Found by Hypothesis
    (seed 20261209): the walk printed 100,000, 100,000.0001, 200,000, ... as crossings."""
    a, b = api("api", 0.001), gpu("gpu", 100.0, 1e5, min_gpus=0.0)
    for found in (
        breakeven_volume(a, b, hi=HI),
        horizon_breakeven(a, b, horizon=6, hi=HI),
        horizon_breakeven(a, b, horizon=12, growth=0.04, hi=HI),
    ):
        assert found.volumes == () and found.cheaper_below == "api"
    assert np.isnan(breakeven_volume_samples(a, b, hi=HI)).all()


def test_a_flat_fee_turns_the_touches_into_real_windows() -> None:
    """The same pair with a $50/month flat fee on the API: 0.001 V + 50 passes $100 k at
    V = 100,000 k - 50,000, so the GPU option is cheaper on (50,000, 100,000], (150,000,
    200,000], ...: a real window of 50,000 requests before every step, and the walk lists them."""
    a, b = api("api", 0.001, flat=50.0), gpu("gpu", 100.0, 1e5, min_gpus=0.0)
    found = breakeven_volume(a, b, hi=HI)
    assert found.volumes[:4] == pytest.approx([5e4, 1e5, 1.5e5, 2e5], rel=1e-6)
    assert found.cheaper_after[:4] == ("gpu", "api", "gpu", "api")
    assert breakeven_volume_samples(a, b, hi=HI)[0] == pytest.approx(5e4, rel=1e-6)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # costs touching at each step's bottom-left corner: on (100,000 (k - 1), 100,000 k] the
        # GPU costs $100 k and the API 0.001 V + 100 >= $100 k, equal only just past each step
        (api("api", 0.001, flat=100.0), gpu("gpu", 100.0, 1e5, min_gpus=0.0)),
        # a is $100 cheaper everywhere, but its third GPU comes a float's step before b's
        (gpu("a", 100.0, 1e6, flat=100.0), gpu("b", 200.0, 1.5e6, min_gpus=2.0, flat=100.0)),
        # the GPU is dearer for half a request (5e-9 of the volume) just past its step at 1e8
        (
            gpu("gpu", 1e5, 1e8),
            api("api", 0.001, flat=2e5 - 0.001 * 1e8 / (1 - GPU_ROUNDING) - 5e-4),
        ),
    ],
)
def test_the_monte_carlo_walk_merges_slivers_after_a_step_as_the_printed_walk_does(
    a: Option, b: Option
) -> None:
    """Found by a reviewer: the per-sample walk reported a change at the step itself (100,000.0001,
    3,000,000.003, 1e8) where the printed walk, rightly, lists none. Both walks finish within
    their segment limits here (hi = 3e7, 1e7 and 3e8)."""
    for hi in (3e7, 1e7, 3e8):
        assert breakeven_volume(a, b, hi=hi).volumes == ()
        assert np.isnan(breakeven_volume_samples(a, b, hi=hi)).all()


def test_a_touch_exactly_at_hi_is_no_crossing_for_either_walk() -> None:
    """The touching pair above (API $0.001 a request, $100 GPU per 100,000) with hi = 3e7, a step:
    the costs meet at hi and nothing beyond it is compared, so no change in either walk (the
    per-sample walk reported 3e7)."""
    a, b = api("api", 0.001), gpu("gpu", 100.0, 1e5, min_gpus=0.0)
    for hi in (3e7, 3e7 + 1):
        assert breakeven_volume(a, b, hi=hi).volumes == ()
        assert np.isnan(breakeven_volume_samples(a, b, hi=hi)).all()
