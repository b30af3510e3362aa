"""Scenario files: validation reports every problem at once; options build at points and samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ragtune.cost.catalog import load_catalog
from ragtune.cost.model import monthly_cost
from ragtune.cost.quantity import parse_quantity
from ragtune.errors import RagtuneError, ValidationError
from ragtune.scenario import build_options, load_scenario, parse_scenario, sampler

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
    assert "did you mean 'claude-haiku-4-5'" in message or "claude-3-5-haiku" in message
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
