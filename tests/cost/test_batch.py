"""Batch-API prices: the catalog's batch section, `api: {batch: true}` in scenarios, by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.cost.catalog import load_catalog

EXAMPLES = Path(__file__).parents[2] / "src" / "ragtune" / "examples" / "scenarios"


def test_every_api_model_has_a_dated_batch_price_at_half_its_list_price() -> None:
    """Both providers sell their batch APIs at 50% of input and output (e.g. gpt-4o-mini:
    $0.15 -> $0.075 in, $0.60 -> $0.30 out). Anthropic's cache read in a batch is half the cache
    read (the discounts stack, documented); OpenAI lists no batch cached-input rate, so its
    entries have none and a batch prefix is plain batch input."""
    catalog = load_catalog()
    # token prices come from the price library; every batch entry names a model it prices
    api_models = [catalog.model(name) for name in catalog.batch]
    assert {m.name for m in api_models} == set(catalog.batch)
    assert all(m.origin == "genai-prices" for m in api_models)
    for model in api_models:
        batch = catalog.batch[model.name]
        assert batch.source.startswith("https://") and batch.as_of
        assert batch.turnaround_hours == 24
        assert batch.input_per_m == pytest.approx(model.input_per_m / 2)
        assert batch.output_per_m == pytest.approx(model.output_per_m / 2)
        cached = model.input_per_m * model.cache_read_multiplier
        if model.provider == "openai":
            assert batch.cached_input_per_m is None
        else:
            assert batch.cached_input_per_m == pytest.approx(cached / 2)
    priced = catalog.batch_model("gpt-4o-mini")
    assert priced is not None and priced.name == "gpt-4o-mini (batch)"
    assert (priced.input_per_m, priced.output_per_m) == (0.075, 0.30)
    # no batch cached rate: nothing is cached (plain batch input), so no read discount
    assert priced.cache_read_multiplier == pytest.approx(1.0) or priced.cache is None
    assert catalog.batch_model("gpt-4o-mini-ft") is None


def test_ragtune_cost_on_the_batch_scenario_by_hand() -> None:
    """backlog_batch.yaml: 300,000 requests/month on gpt-4o-mini, 800 input, 20 output and a
    1,200-token prefix cached 90% of the time (a read is 0.5x input, a write 1x).

    interactive, per request, in $ per million:
        800 x 0.15 + 1,200 x 0.15 x (0.9 x 0.5 + 0.1 x 1) + 20 x 0.60 = 120 + 99 + 12 = 231
        -> $0.000231 a request, x 300,000 = $69.30 a month
    batch (0.075 in, 0.30 out; OpenAI lists no cached-input rate for batch, so the prefix is
    plain batch input, issue 32):
        (800 + 1,200) x 0.075 + 20 x 0.30 = 150 + 6 = 156
        -> $0.000156 a request, $46.80 a month (the $34.65 printed before stacked a cache
        discount the price page does not list)
    """
    result = CliRunner().invoke(cli, ["cost", str(EXAMPLES / "backlog_batch.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    options = {o["name"]: o for o in json.loads(result.stdout)["options"]}
    assert options["interactive"]["request_cost"] == pytest.approx(231e-6)
    assert options["batch"]["request_cost"] == pytest.approx(156e-6)
    assert options["interactive"]["monthly"] == pytest.approx(69.30)
    assert options["batch"]["monthly"] == pytest.approx(46.80)
    assert options["batch"]["tco"] == pytest.approx(46.80 * 12)
    text = CliRunner().invoke(cli, ["cost", str(EXAMPLES / "backlog_batch.yaml")]).stdout
    assert "$46.80" in text and "$69.30" in text


def test_batch_on_a_model_without_batch_prices_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "volume: {requests_per_month: 1000}\n"
        "options:\n  tuned: {api: {model: gpt-4o-mini-ft, input_tokens: 10, batch: true}}\n"
    )
    result = CliRunner().invoke(cli, ["cost", str(path)])
    assert result.exit_code == 2
    assert "options.tuned.api.batch" in result.stderr
    assert "no batch price for this model" in result.stderr and "gpt-4o-mini-ft" in result.stderr
    assert "claude-haiku-4-5" in result.stderr  # the models that have one


def test_prices_lists_the_batch_section() -> None:
    result = CliRunner().invoke(cli, ["prices", "gpt-4o-mini", "--section", "batch"])
    assert result.exit_code == 0, result.output
    assert "batch" in result.stdout and "$0.075 in / $0.3 out per M" in result.stdout


def test_a_long_batch_prompt_gets_the_batch_discount_on_the_long_context_tier() -> None:
    """Sonnet 4.5 in a batch: half of $3 / $15 up to 200K input tokens, half of the $6 / $22.50
    tier above it (found by the attack review: the tier kept its interactive prices).
        150,000 x 1.50 + 1,000 x 7.50 = 0.225 + 0.0075 = $0.2325
        300,000 x 3.00 + 1,000 x 11.25 = 0.9 + 0.01125 = $0.91125 (interactive: $1.8225)"""
    batch = load_catalog().batch_model("claude-sonnet-4-5")
    assert batch is not None
    assert batch.usd(input_tokens=150_000, output_tokens=1_000) == pytest.approx(0.2325)
    assert batch.usd(input_tokens=300_000, output_tokens=1_000) == pytest.approx(0.91125)


def test_a_reported_cached_token_in_an_openai_batch_stacks_the_discounts_a_plan_does_not() -> None:
    """gpt-4o-mini batch $0.075 in, no batch cached rate listed; interactive read ratio 0.5.
    A run's result reporting 1,000 cached of 2,000 prompt tokens and 100 out (ASSUMED stack):
      1,000 x 0.075 + 1,000 x 0.075 x 0.5 + 100 x 0.30 = 75 + 37.5 + 30 = 142.5 -> $0.0001425
    A plan keeps no cache discount: 2,000 x 0.075 + 30 = 180 -> $0.00018."""
    catalog = load_catalog()
    run = catalog.model("gpt-4o-mini (batch)")
    assert run.usd(input_tokens=1000, output_tokens=100, cache_read_tokens=1000) == (
        pytest.approx(142.5e-6)
    )
    plan = catalog.batch_model("gpt-4o-mini")
    assert plan is not None
    assert plan.usd(input_tokens=1000, output_tokens=100, cache_read_tokens=1000) == (
        pytest.approx(180e-6)
    )
