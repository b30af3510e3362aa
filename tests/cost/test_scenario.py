"""Scenario files: validation reports every problem at once; options build at points and samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ragtune.cost.catalog import load_catalog
from ragtune.cost.model import monthly_cost
from ragtune.cost.quantity import parse_quantity
from ragtune.errors import RagtuneError, ValidationError
from ragtune.scenario import (
    analyse_scenario,
    build_options,
    load_scenario,
    parse_scenario,
    sampler,
)

CATALOG = load_catalog()
EXAMPLES = Path(__file__).parents[2] / "src" / "ragtune" / "examples" / "scenarios"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_example_loads_and_builds(path: Path) -> None:
    scenario = load_scenario(path, CATALOG)
    options = build_options(scenario, CATALOG)
    assert options
    for option in options.values():
        assert monthly_cost(option, 1000.0) >= 0


def test_all_problems_reported_at_once_with_paths_and_suggestions() -> None:
    text = """
volume: {requests_per_month: -5}
horizon_months: abc
options:
  a: {api: {model: claude-haiku-35, input_tokens: [5, 1], outptu_tokens: 3}}
  b: {route: [{option: zz, share: 0.5}]}
  c: {serving: {gpu: a101, tokens_per_second: 10, tokens_per_request: 100}}
"""
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, CATALOG, source="bad.yaml")
    message = str(info.value)
    paths = [p.path for p in info.value.problems]
    assert "volume.requests_per_month" in paths
    assert "horizon_months" in paths
    assert "options.a.api.input_tokens" in paths
    assert "options.a.api.outptu_tokens" in paths
    assert "options.a.api.model" in paths
    assert "options.b.route.0.option" in paths
    assert "options.c.serving.gpu" in paths
    # the suggestions name the nearest models (the price library also knows newer Haikus)
    assert "did you mean" in message and "'claude-haiku-4-5'" in message
    assert message.startswith("bad.yaml: 7 problems found")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("- just\n- a list\n", "expected a mapping"),
        ("volume: {requests_per_month: 1\n", "not valid YAML"),
        (
            "volume: {requests_per_month: ten}\noptions: {a: {fixed_monthly: [{amount: 1}]}}",
            "requests_per_month",
        ),
        ("volume: {requests_per_month: 10}\noptions: {}", "options"),
        (
            "volume: {requests_per_month: 10}\noptions: {a: {description: nothing}}",
            "needs at least one of",
        ),
        (
            "volume: {requests_per_month: 10}\n"
            "options: {a: {api: {model: gpt-4o, input_tokens: true}}}",
            "true/false",
        ),
    ],
)
def test_bad_scenarios_give_clear_errors(text: str, expected: str) -> None:
    with pytest.raises(RagtuneError) as info:
        parse_scenario(text, CATALOG)
    assert expected in str(info.value)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(RagtuneError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.yaml", CATALOG)


def test_training_without_price_is_reported() -> None:
    text = """
volume: {requests_per_month: 10}
options:
  a:
    api: {model: gpt-4o}
    one_time: {training: {tokens: 1000, model: gpt-4o}}
"""
    with pytest.raises(ValidationError, match="no training price"):
        parse_scenario(text, CATALOG)


def test_router_cycle_is_an_error() -> None:
    text = """
volume: {requests_per_month: 10}
options:
  a: {route: [{option: b, share: 1}]}
  b: {route: [{option: a, share: 1}]}
"""
    scenario = parse_scenario(text, CATALOG)
    with pytest.raises(RagtuneError, match="cycle"):
        build_options(scenario, CATALOG)


def test_sampled_build_carries_arrays_and_point_build_the_mean() -> None:
    text = """
volume: {requests_per_month: [1000, 3000]}
options:
  a: {api: {model: gpt-4o, input_tokens: [100, 300], output_tokens: 10}}
"""
    scenario = parse_scenario(text, CATALOG)
    assert scenario.uncertain()
    point = build_options(scenario, CATALOG)["a"]
    sampled = build_options(scenario, CATALOG, sampler(0, 5000))["a"]
    assert point.api is not None and sampled.api is not None
    assert point.api.input_tokens == 200
    assert np.shape(sampled.api.input_tokens) == (5000,)
    assert abs(float(np.mean(sampled.request_cost())) - float(point.request_cost())) < 1e-5


@pytest.mark.parametrize(
    ("raw", "central"),
    [
        (5, 5.0),
        ([2, 4], 3.0),
        ({"dist": "triangular", "low": 0, "mode": 3, "high": 6}, 3.0),
        ({"dist": "normal", "mean": 10, "sd": 1}, 10.0),
    ],
)
def test_quantity_forms(raw: object, central: float) -> None:
    assert parse_quantity(raw).central() == pytest.approx(central)


@pytest.mark.parametrize(
    "raw",
    [
        -1,
        [3, 1],
        [1, 2, 3],
        "abc",
        {"dist": "zipf", "low": 1, "high": 2},
        {"dist": "triangular", "low": 0, "high": 1},
        {"dist": "lognormal", "low": 0, "high": 1},
    ],
)
def test_bad_quantities(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_quantity(raw)


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), "nan", "inf", [1, float("inf")]])
def test_non_finite_quantities_are_rejected(raw: object) -> None:
    with pytest.raises(ValueError, match="finite"):
        parse_quantity(raw)


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("tokens_per_second: 0", "options.gpu.serving.tokens_per_second"),
        ("concurrency: 0", "options.gpu.serving.concurrency"),
        ("max_utilisation: 0", "options.gpu.serving.max_utilisation"),
    ],
)
def test_zero_divisors_are_validation_errors_not_crashes(field: str, where: str) -> None:
    """A zero throughput or utilisation would divide by zero in the cost: reject it up front."""
    text = (
        "volume: {requests_per_month: 1000}\n"
        "options:\n"
        "  gpu:\n"
        "    serving: {gpu: a100-gcp, tokens_per_second: 30, tokens_per_request: 500, "
        f"{field}}}\n"
    ).replace(
        "tokens_per_second: 30, tokens_per_request: 500, tokens_per_second: 0",
        "tokens_per_request: 500, tokens_per_second: 0",
    )
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, CATALOG)
    assert where in [p.path for p in info.value.problems]
    assert "must be > 0" in str(info.value)


def test_retraining_every_zero_months_is_rejected() -> None:
    text = (
        "volume: {requests_per_month: 1000}\n"
        "options:\n  a:\n    api: {model: gpt-4o}\n    retrain: {every_months: 0}\n"
    )
    with pytest.raises(ValidationError, match=r"retrain\.every_months"):
        parse_scenario(text, CATALOG)


# --- issue 13: common random numbers, fractions, cache settings, nonlinear point estimates -----

TWINS = """
volume: {requests_per_month: 50000}
hourly_rate: [100, 200]
samples: 2000
options:
  a:
    api: {model: claude-3-5-haiku, input_tokens: 500, output_tokens: 100}
    maintenance_hours_per_month: 10
  b:
    api: {model: claude-3-5-haiku, input_tokens: 500, output_tokens: 100}
    maintenance_hours_per_month: 12
"""


def test_shared_inputs_are_common_random_numbers() -> None:
    """Two identical Haiku options, 10 h vs 12 h of maintenance at one uncertain hourly rate:
    a is cheaper by 2 h x rate in every sample, so P(a cheaper) = 100% (independent draws of the
    rate for each option gave 74%)."""
    scenario = parse_scenario(TWINS, CATALOG)
    result = analyse_scenario(scenario, CATALOG)
    assert result.pairs[0].p_a_cheaper == 1.0
    options = build_options(scenario, CATALOG, sampler(0, 500))
    gap = monthly_cost(options["b"], 50_000) - monthly_cost(options["a"], 50_000)
    rate = gap / 2.0  # the same draw of the rate on both sides
    assert np.all((rate >= 100) & (rate <= 200))


@pytest.mark.parametrize(
    ("line", "where", "value"),
    [
        ("cache_hit_rate: 90", "options.a.api.cache_hit_rate", "90"),
        ("cache_hit_rate: [0.5, 95]", "options.a.api.cache_hit_rate", "95"),
    ],
)
def test_fractions_above_one_are_rejected_with_a_suggestion(
    line: str, where: str, value: str
) -> None:
    """`cache_hit_rate: 90` meant 90%: with a 5,000-token prefix on Sonnet 4.5 it priced a
    request at -$1.53 (5,000 x 3 x (90 x 0.1 - 89 x 1.25) / 1M). Now an error naming the field,
    the value, the range and the fix."""
    text = (
        "volume: {requests_per_month: 100000}\noptions:\n  a:\n"
        f"    api: {{model: claude-sonnet-4-5, cached_prefix_tokens: 5000, {line}}}\n"
    )
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, CATALOG)
    message = str(info.value)
    assert where in message and f"{value} is not a fraction" in message
    assert "0 to 1" in message and f"did you mean {float(value) / 100:g}?" in message


def test_route_share_and_max_utilisation_are_capped_at_one() -> None:
    text = """
volume: {requests_per_month: 1000}
options:
  a: {api: {model: gpt-4o}}
  gpu:
    serving: {gpu: a100, tokens_per_second: 30, tokens_per_request: 500, max_utilisation: 70}
  r:
    route: [{option: a, share: 15}]
"""
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, CATALOG)
    found = {p.path: p.message for p in info.value.problems}
    assert "did you mean 0.7?" in found["options.gpu.serving.max_utilisation"]
    assert "did you mean 0.15?" in found["options.r.route.0.share"]


def test_ttl_modelled_hit_rate_and_the_one_hour_option() -> None:
    """Sonnet 4.5, one 5,000-token prefix, 8,640 requests/month (one per 5 minutes):
    5m: $0.0078459 a request (hit 63.2%); 1h: $0.0015002 (hit 99.9994%, writes at 2x)."""
    base = (
        "volume: {requests_per_month: 8640}\noptions:\n  a:\n"
        "    api: {model: claude-sonnet-4-5, cached_prefix_tokens: 5000, distinct_prefixes: 1"
    )
    five = build_options(parse_scenario(base + "}\n", CATALOG), CATALOG)["a"]
    hour = build_options(parse_scenario(base + ", cache_ttl: 1h}\n", CATALOG), CATALOG)["a"]
    assert five.request_cost(8640) == pytest.approx(0.0078459, abs=1e-7)
    assert hour.request_cost(8640) == pytest.approx(0.0015002, abs=1e-7)
    with pytest.raises(ValidationError, match=r"cache_ttl: not offered for gpt-4o; offered: 5m"):
        parse_scenario(
            "volume: {requests_per_month: 1}\noptions:\n  a:\n"
            "    api: {model: gpt-4o, cached_prefix_tokens: 2000, distinct_prefixes: 1, "
            "cache_ttl: 1h}\n",
            CATALOG,
        )
    with pytest.raises(ValidationError, match="not both"):
        parse_scenario(base + ", cache_hit_rate: 0.5}\n", CATALOG)


def test_point_estimate_of_a_cadence_is_the_mean_of_its_effect() -> None:
    """Retraining ($300) every uniform [1, 3] months: E[1/N] = ln(3) / 2 = 0.549306 cycles a
    month, $164.79 a month (the mean cadence, 2 months, gave $150)."""
    text = (
        "volume: {requests_per_month: 1000}\noptions:\n  a:\n    api: {model: gpt-4o}\n"
        "    retrain: {every_months: [1, 3], eval_cost: 300}\n"
    )
    option = build_options(parse_scenario(text, CATALOG), CATALOG)["a"]
    assert option.retrain_cost() / option.retrain_every_months == pytest.approx(164.79, abs=0.01)
    assert parse_quantity([1, 3]).mean_reciprocal() == pytest.approx(np.log(3) / 2)
    # and the Monte Carlo mean agrees with it
    sampled = build_options(parse_scenario(text, CATALOG), CATALOG, sampler(1, 200_000))["a"]
    assert np.mean(300 / sampled.retrain_every_months) == pytest.approx(164.79, rel=0.005)


def test_a_prompt_longer_than_the_window_is_refused_and_long_prompts_pay_the_tier() -> None:
    """Issue 32: a 300K-token prompt on gpt-4o (128K window) cannot be sent, so the scenario is
    refused naming the option; a 251,000-token Sonnet 4.5 prompt (above its 200K tier) costs
    251,000 x $6/M + 500 x $22.50/M = $1.506 + $0.01125 = $1.51725 a request, x 1,000
    requests = $1,517.25 a month."""
    too_long = """
name: long
volume: {requests_per_month: 1000}
options:
  a: {api: {model: gpt-4o, input_tokens: 300000, output_tokens: 500}}
"""
    with pytest.raises(ValidationError) as info:
        parse_scenario(too_long, CATALOG, source="long.yaml")
    [problem] = info.value.problems
    assert problem.path == "options.a.api" and "128,000" in problem.message
    tiered = too_long.replace("gpt-4o", "claude-sonnet-4-5").replace("300000", "251000")
    scenario = parse_scenario(tiered, CATALOG, source="long.yaml")
    [option] = build_options(scenario, CATALOG).values()
    assert float(monthly_cost(option, 1000)) == pytest.approx(1517.25)
