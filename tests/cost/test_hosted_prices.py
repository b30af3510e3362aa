"""Hosted fine-tuning prices (`cost/hosted_finetuning.yaml`) and the bundled Together-vs-Haiku
scenario, every figure worked out by hand from the file's rates."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.cost import (
    endpoint_monthly,
    load_hosted,
    monthly_cost,
    training_cost,
)
from ragtune.cost.breakeven import breakeven_volume, horizon_breakeven
from ragtune.cost.catalog import load_catalog
from ragtune.errors import RagtuneError
from ragtune.scenario import build_options, load_scenario

SCENARIO = Path(__file__).parents[2] / "src/ragtune/examples/scenarios/together_8b_vs_haiku.yaml"
HOSTED = load_hosted()


def test_every_figure_has_a_source_and_a_read_date() -> None:
    rates = [*HOSTED.training, *HOSTED.serverless, *HOSTED.endpoints.values()]
    assert rates
    for rate in rates:
        assert rate.source.startswith("https://") and rate.as_of == "2026-12-07"


def test_training_brackets_by_size_method_and_lora() -> None:
    # Together: an 8B base is in "up to 16B"; a 70B base in "up to 100B"
    assert HOSTED.training_rate("together", 8).per_m == 0.48
    assert HOSTED.training_rate("together", 8, lora=False).per_m == 0.54
    assert HOSTED.training_rate("together", 8, method="dpo").per_m == 1.20
    assert HOSTED.training_rate("together", 70).per_m == 2.90
    assert HOSTED.training_rate("fireworks", 8).per_m == 0.50
    # 1.2M trained tokens x $0.48/M = $0.576
    assert training_cost(1_200_000, HOSTED.training_rate("together", 8)) == pytest.approx(0.576)
    with pytest.raises(RagtuneError, match="no SFT LoRA training rate for a 405B base"):
        HOSTED.training_rate("together", 405)
    with pytest.raises(RagtuneError, match="add `params_b: 8`"):
        HOSTED.params_b("someone/unknown-model")


def test_endpoints_per_minute_and_per_gpu_second() -> None:
    together = HOSTED.endpoint("together", "1x_nvidia_h100_80gb_sxm")
    assert together.billed == "per minute" and together.hourly == pytest.approx(3.36)  # 0.056x60
    # 24 h x 30 days x $3.36 = $2,419.20 a replica-month; 8 h a day, 2 replicas: $1,612.80
    assert endpoint_monthly(together, hours_per_day=24, replicas=1) == pytest.approx(2419.20)
    assert endpoint_monthly(together, hours_per_day=8, replicas=2) == pytest.approx(1612.80)
    fireworks = HOSTED.endpoint("fireworks", None)
    # $3.89 a GPU-hour, metered by the second: 3.89 / 3600 = $0.00108056 a GPU-second
    assert fireworks.billed == "per GPU-second" and fireworks.unit_price == pytest.approx(
        0.00108056, rel=1e-5
    )
    assert fireworks.max_adapters == 100
    with pytest.raises(RagtuneError, match="offered: 1x_nvidia_h100_80gb_sxm"):
        HOSTED.endpoint("together", "8x_b200")


def test_replicas_follow_measured_latency_and_volume() -> None:
    """The run prices an endpoint as serving sized by the arm's measured latency: a replica
    has 24 h x 30 days x 3,600 s = 2,592,000 seconds a month; at 0.5 s a request and at most
    50% busy it answers 2,592,000 x 0.5 / 0.5 = 2,592,000 requests a month."""
    from ragtune.evidence.hosted_pricing import HostedServingCost

    cost = HostedServingCost("together", "1x_nvidia_h100_80gb_sxm", 3.36, 24.0, 1, "")
    serving = cost.serving(0.5, 0.5)
    assert serving.gpus(2_592_000) == 1 and serving.gpus(2_592_001) == 2
    assert serving.monthly_cost(2_592_001) == pytest.approx(2 * 2419.20)
    # 3 replicas always up bill 3 x 2,419.20 even when idle
    idle = HostedServingCost("together", "1x_nvidia_h100_80gb_sxm", 3.36, 24.0, 3, "")
    assert idle.serving(0.5, 0.5).monthly_cost(10) == pytest.approx(7257.60)


def test_the_bundled_scenario_finds_the_volume_at_which_the_endpoint_pays() -> None:
    """Haiku 4.5: 1,000 x $1/M + 200 x $5/M = $0.002 a request. The endpoint: $3.36/hour x 720
    hours = $2,419.20 a month. Run-rate break-even: 2,419.20 / 0.002 = 1,209,600 requests/month.
    One replica holds 60 x 16 x 3,600 x 720 x 0.6 / 1,200 = 1,244,160 requests/month, so a
    second replica (another $2,419.20) flips it back at 1,244,160 until 2 x 1,209,600 =
    2,419,200. Over 12 months the $2.88 tune (2M x 3 epochs x $0.48/M) moves the first
    crossing to (12 x 2,419.20 + 2.88) / (12 x 0.002) = 1,209,720."""
    catalog = load_catalog()
    options = build_options(load_scenario(SCENARIO, catalog), catalog)
    haiku, endpoint = options["haiku-4.5"], options["together-8b-endpoint"]
    assert monthly_cost(haiku, 1_000_000) == pytest.approx(2000.0)
    assert monthly_cost(endpoint, 1_000_000) == pytest.approx(2419.20)
    run_rate = breakeven_volume(haiku, endpoint)
    assert run_rate.cheaper_below == "haiku-4.5"
    assert run_rate.volumes[:3] == pytest.approx((1_209_600, 1_244_160, 2_419_200))
    over = horizon_breakeven(haiku, endpoint, horizon=12)
    assert over.volumes[0] == pytest.approx(1_209_720)


def test_ragtune_cost_prints_the_volume(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["cost", str(SCENARIO)])
    assert result.exit_code == 0, result.output
    assert "haiku-4.5 is cheaper below 1,209,600 requests/month" in result.output
    assert "together-8b-endpoint above" in result.output


def test_a_scenario_naming_unknown_hosted_hardware_is_an_error_naming_the_field(
    tmp_path: Path,
) -> None:
    text = SCENARIO.read_text().replace("1x_nvidia_h100_80gb_sxm", "9x_imaginary")
    (tmp_path / "s.yaml").write_text(text)
    result = CliRunner().invoke(cli, ["cost", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2
    assert "options.together-8b-endpoint.serving.gpu" in result.output + result.stderr
    assert "9x_imaginary" in result.output + result.stderr
