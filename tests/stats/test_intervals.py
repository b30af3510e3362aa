"""Paired intervals that never collapse: Tango, Newcombe (the reference), the bounded bootstrap-t.

Expected values are worked by hand in the comments, checked against statsmodels / scipy, or
(the Cavo et al. 2012 table) those of the worked example in Fagerland, Lydersen & Laake,
"Statistical Analysis of Contingency Tables" (2017), ch. 8, whose companion R package
(contingencytables) has the same formulas; Tango's bounds are also checked independently by
putting them back into the score equation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from ragtune.stats import intervals as paired
from ragtune.stats import paired as stats

# Cavo et al. (2012): complete response before and after consolidation therapy, 161 patients:
# both 59, before only 6, after only 16, neither 80.
CAVO = (59, 6, 16, 80)


def test_no_discordant_items_on_10_is_undetermined() -> None:
    # The acceptance case: both arms right on all 10 items. Wilson's bound for 0 of 10
    # events is z^2 / (n + z^2) = 1.959964^2 / (10 + 1.959964^2) = 3.841459 / 13.841459 =
    # 0.277533, so both Tango's and Newcombe's interval are [-0.2775, +0.2775].
    for method in (paired.tango_paired, paired.newcombe_paired):
        estimate, low, high = method(10, 0, 0, 0, 0.95)
        assert estimate == 0
        assert low == pytest.approx(-0.277533, abs=1e-6)
        assert high == pytest.approx(0.277533, abs=1e-6)
    # 100 identical items: 3.841459 / 103.841459 = 0.036993, inside a 0.05 margin.
    assert paired.tango_paired(100, 0, 0, 0, 0.95)[1] == pytest.approx(-0.036993, abs=1e-6)


def test_the_cavo_table_matches_the_published_intervals() -> None:
    # Fagerland et al. (2017), section 8.5, the Cavo table: difference -10/161 = -0.0621;
    # Newcombe square-and-add -0.1186 to -0.0046; Tango asymptotic score -0.1240 to -0.0054.
    estimate, low, high = paired.newcombe_paired(*CAVO, 0.95)
    assert estimate == pytest.approx(-10 / 161)
    assert (low, high) == (pytest.approx(-0.1186, abs=1e-4), pytest.approx(-0.0046, abs=1e-4))
    estimate, low, high = paired.tango_paired(*CAVO, 0.95)
    assert (low, high) == (pytest.approx(-0.1240, abs=1e-4), pytest.approx(-0.0054, abs=1e-4))


def test_tango_bounds_solve_the_score_equation() -> None:
    # At each bound d the score statistic (b - c - n d) / sqrt(n (2 q + d (1 - d))) is -/+ z,
    # q the constrained ML share of c-only items (Tango 1998, eq. 3), written out here again.
    both, b, c, neither = 40, 7, 2, 11
    n = both + b + c + neither
    z = 1.959964

    def score(d: float) -> float:
        bb = -b - c + (2 * n - b + c) * d
        cc = -c * d * (1 - d)
        q = (math.sqrt(bb * bb - 8 * n * cc) - bb) / (4 * n)
        return (b - c - n * d) / math.sqrt(n * (2 * q + d * (1 - d)))

    _, low, high = paired.tango_paired(both, b, c, neither, 0.95)
    assert score(low) == pytest.approx(z, abs=1e-6)
    assert score(high) == pytest.approx(-z, abs=1e-6)


@pytest.mark.parametrize(("b", "c"), [(6, 10), (1, 12), (0, 5), (9, 9), (30, 4)])
def test_tango_p_is_mcnemars_score_test_and_inverts_the_interval(b: int, c: int) -> None:
    table = [[50, b], [c, 20]]
    p = paired.tango_p(b, c)
    assert p == pytest.approx(mcnemar(table, exact=False, correction=False).pvalue, abs=1e-12)
    if b != c:
        # the interval at confidence 1 - p has a bound at 0 (to the bisection's precision)
        _, low, high = paired.tango_paired(50, b, c, 20, 1 - p)
        assert min(abs(low), abs(high)) == pytest.approx(0, abs=1e-9)


def test_wilson_bounds_match_statsmodels() -> None:
    for k, n in ((0, 10), (3, 10), (10, 10), (17, 48)):
        expected = proportion_confint(k, n, alpha=0.05, method="wilson")
        got = paired.wilson_bounds(k, n, paired.z_value(0.95))
        assert got == pytest.approx(expected, abs=1e-12)


def test_bounded_mean_is_wilson_on_zero_one_data_at_the_ends() -> None:
    # All 0 of 48, all 1 of 48: exactly Wilson's bounds (the unseen share); no spread to resample.
    assert paired.bounded_mean([0.0] * 48, 0.95) == (0.0, 0.0, pytest.approx(0.074100, abs=1e-6))
    assert paired.bounded_mean([1.0] * 48, 0.95)[1] == pytest.approx(1 - 0.074100, abs=1e-6)


def test_bounded_mean_is_close_to_the_t_interval_on_spread_symmetric_data() -> None:
    from scipy import stats as scipy_stats

    rng = np.random.default_rng(3)
    values = rng.uniform(0.2, 0.8, 200)
    mean, low, high = paired.bounded_mean(values, 0.95, seed=1)
    t_low, t_high = scipy_stats.t.interval(
        0.95, 199, loc=values.mean(), scale=scipy_stats.sem(values)
    )
    # Bootstrap-t of symmetric data is the t interval up to resampling noise (~3% of the width).
    width = t_high - t_low
    assert low == pytest.approx(t_low, abs=0.03 * width)
    assert high == pytest.approx(t_high, abs=0.03 * width)
    assert paired.bounded_mean(values, 0.95, seed=1) == (mean, low, high)  # seeded


def test_bounded_mean_corrects_for_skew() -> None:
    # 300 differences, 10% at -0.5 and the rest 0: left-skewed. The t interval is symmetric; the
    # bootstrap-t's lower bound lies further out than its upper one (the skew, Hall 1992 ch. 3).
    d = np.array([-0.5] * 30 + [0.0] * 270)
    mean, low, high = paired.bounded_mean(d, 0.95, paired.DIFFERENCE_BOUNDS, seed=0)
    assert mean == pytest.approx(-0.05)
    assert mean - low > high - mean


def test_bounded_mean_test_p_inverts_the_interval() -> None:
    rng = np.random.default_rng(5)
    for shift in (0.02, 0.05, 0.1):
        d = rng.uniform(-0.3, 0.3, 80) + shift
        p = paired.bounded_mean_test(d, 0.95, paired.DIFFERENCE_BOUNDS, seed=2)[3]
        for confidence in (0.9, 0.95, 0.99):
            _, low, high = paired.bounded_mean(d, confidence, paired.DIFFERENCE_BOUNDS, seed=2)
            excludes = low > 0 or high < 0
            if abs(p - (1 - confidence)) > 0.005:  # away from the edge, where quantiles differ
                assert excludes == (p < 1 - confidence)
    assert paired.bounded_mean_test([0.0] * 30, 0.95, paired.DIFFERENCE_BOUNDS)[3] == 1.0
    # All 30 differences +0.2: no spread; the unseen-extremes bound reaches 0 where
    # z^2 / (n + z^2) = 0.2 / 1.2, i.e. z^2 = 30 * 0.2 = 6, z = 2.4495: p = 2 * Phi(-2.4495).
    expected = 2 * 0.5 * math.erfc(math.sqrt(6) / math.sqrt(2))
    p = paired.bounded_mean_test([0.2] * 30, 0.95, paired.DIFFERENCE_BOUNDS)[3]
    assert p == pytest.approx(expected)


def test_paired_test_agrees_with_its_interval_and_checks_its_input() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        a = (rng.uniform(size=60) < 0.7).astype(float)
        b = (rng.uniform(size=60) < 0.55).astype(float)
        result = stats.paired_test(a, b)
        assert result.test == "tango_score"
        assert (result.p_value < 0.05) == (result.interval.low > 0 or result.interval.high < 0)
    with pytest.raises(Exception, match="same items"):
        stats.paired_test([1, 0], [1, 0, 1])
