"""The training-cost record and its pricing through the cost engine's formulas and catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.errors import RagtuneError
from ragtune.finetune.cost import (
    TrainingCost,
    describe_hardware,
    estimate_hardware_cost,
    estimate_hosted_cost,
    price_with_catalog,
)

RUN = TrainingCost(
    tokens=2_000_000,
    epochs=3.0,
    wall_seconds=7200.0,
    hardware="cuda: A100",
    device_type="cuda",
    trained_tokens=500_000,
    steps=300,
)


def test_derived_numbers() -> None:
    assert RUN.tokens_processed == 6_000_000
    assert RUN.hours == 2.0
    assert RUN.tokens_per_second == pytest.approx(6_000_000 / 7200)


def test_prices_follow_the_formulas() -> None:
    assert estimate_hardware_cost(RUN, 3.67) == pytest.approx(7.34)  # 2 h x $3.67
    assert estimate_hosted_cost(RUN, 8.0) == pytest.approx(48.0)  # 6M tokens x $8/M
    with pytest.raises(RagtuneError):
        estimate_hardware_cost(RUN, -1)


def test_catalog_prices_by_name() -> None:
    prices = price_with_catalog(RUN, gpu="h100-on-demand", model="gpt-4o-mini-ft")
    assert prices == {
        "gpu:h100-on-demand": pytest.approx(2 * 2.99),
        "hosted:gpt-4o-mini-ft": pytest.approx(6 * 3.00),
    }
    with pytest.raises(RagtuneError, match="unknown gpu"):
        price_with_catalog(RUN, gpu="abacus")
    with pytest.raises(RagtuneError, match="no training price"):
        price_with_catalog(RUN, model="gpt-4o")


def test_record_round_trips(tmp_path: Path) -> None:
    RUN.save(tmp_path / "cost.json")
    assert TrainingCost.load(tmp_path / "cost.json") == RUN
    assert describe_hardware("cpu", 2).startswith("cpu: ") and "(2 threads)" in describe_hardware(
        "cpu", 2
    )
    assert describe_hardware("cpu", 1).endswith("(1 thread)")
