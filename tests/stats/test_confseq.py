"""The hedged betting confidence sequence, against confseq's betting_mart and by hand.

Reference values were printed by `confseq.betting.betting_mart(x, m, alpha=0.05)` and
`betting_cs(x, alpha=0.05, breaks=20000)` from confseq 0.0.11 (its pure-Python module, loaded
from the sdist: the package's C++ part needs Boost and does not build here), on the sequence X
below.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ragtune.stats.confseq import betting_cs, capital_at, difference_cs, plugin_bets

X = np.array([1, 0.5, 1, 1, 0.5, 0.5, 1, 1, 1, 0.5, 1, 1, 0.5, 1, 1, 1, 0.5, 1, 1, 1] * 3)

# betting_mart(X, m)[[0, 9, 19, 59]]: the hedged capital max(K+/2, K-/2) at t = 1, 10, 20, 60
CONFSEQ_MART = {
    0.5: [0.75, 5.6953125, 145.96463012695312, 4912444.459873048],
    0.6: [0.6666666666666667, 1.9835729648258251, 16.648723916325714, 16132.955494261816],
    0.7: [0.6071428571428572, 0.86518336381748, 3.004565432287044, 108.49381742182389],
    0.9: [0.5277777777777778, 1.0894601010520306, 0.7250737579573313, 2.4311620815062955],
}
# betting_cs(X, breaks=20000) at t = 10, 20, 60 (a grid of 1/20000, so ends agree to 1e-4)
CONFSEQ_CS = [(0.4087, 0.99945), (0.5905, 0.97095), (0.7382, 0.92585)]


@pytest.mark.parametrize("m", sorted(CONFSEQ_MART))
def test_capital_equals_confseq_betting_mart(m: float) -> None:
    up, down = capital_at(X, m, 0.05)
    hedged = np.maximum(up, down)[[0, 9, 19, 59]]
    assert hedged == pytest.approx(CONFSEQ_MART[m], rel=1e-9)


def test_first_bet_by_hand() -> None:
    # t = 1: s2_0 = 1/4, l_1 = sqrt(2 log 40 / (1/4 x 1 x log 2)) = sqrt(42.58) = 6.525;
    # at m = 0.5 the upward bet is truncated to c / m = 1, so K+_1 = 1 + 1 x (1 - 0.5) = 1.5
    # and the hedged capital is 1.5 / 2 = 0.75 (confseq's first value above).
    assert plugin_bets(X, 0.05)[0] == pytest.approx(
        math.sqrt(2 * math.log(40) / (0.25 * math.log(2)))
    )
    up, _ = capital_at(X, 0.5, 0.05)
    assert up[0] == pytest.approx(0.75)


def test_interval_equals_confseq_betting_cs() -> None:
    got = betting_cs(X, 0.05, [10, 20, 60])
    for (low, high), (ref_low, ref_high) in zip(got, CONFSEQ_CS, strict=True):
        assert low == pytest.approx(ref_low, abs=1e-4)
        assert high == pytest.approx(ref_high, abs=1e-4)


def test_ends_are_where_the_capital_crosses_one_over_alpha() -> None:
    ((low, high),) = betting_cs(X, 0.05, [60])
    for end in (low, high):
        up, down = capital_at(X, end, 0.05)
        assert max(up[-1], down[-1]) == pytest.approx(20, rel=1e-6)


def test_intervals_never_widen_and_cover_the_mean_of_a_fair_coin() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, 2000).astype(float)
    cs = betting_cs(x, 0.05, range(50, 2001, 50))
    lows, highs = [c[0] for c in cs], [c[1] for c in cs]
    assert lows == sorted(lows) and highs == sorted(highs, reverse=True)
    assert all(low < 0.5 < high for low, high in cs)
    # a sequence pays for looking at every n: at 2,000 fair coins the width is about 0.12,
    # wider than Wald's fixed-n 2 x 1.96 x 0.5 / sqrt(2000) = 0.044
    assert 0.044 < highs[-1] - lows[-1] < 0.2


def test_differences_map_to_the_unit_scale_and_back() -> None:
    diffs = 2 * X - 1  # X in [0, 1] -> [-1, 1]
    ((low, high),) = difference_cs(diffs, 0.05, [60])
    ((ulow, uhigh),) = betting_cs(X, 0.05, [60])
    assert (low, high) == pytest.approx((2 * ulow - 1, 2 * uhigh - 1))


def test_observations_outside_the_unit_interval_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        betting_cs([0.5, 1.5], 0.05)
