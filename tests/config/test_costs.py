"""The workload's `costs:` section: labelling prices worked by hand."""

from __future__ import annotations

import pytest

from ragtune.config import Costs


def test_labelling_is_hours_at_the_rate() -> None:
    # 2,000 examples at 40/hour = 50 h; 50 h x $150/h = $7,500.
    assert Costs(hourly_rate=150, examples_per_hour=40).labelling_usd(2000) == pytest.approx(7500)


def test_a_price_per_example_wins_over_hours() -> None:
    # 100 examples x $0.50 = $50, whatever the hourly figures say.
    costs = Costs(hourly_rate=150, examples_per_hour=40, usd_per_example=0.5)
    assert costs.labelling_usd(100) == pytest.approx(50)


def test_nothing_is_guessed() -> None:
    assert Costs().labelling_usd(100) is None
    assert Costs(hourly_rate=100).labelling_usd(100) is None  # no labelling speed
    assert Costs(examples_per_hour=40).labelling_usd(100) is None  # no rate
