"""Prediction-powered inference against ppi-python's `ppi_mean_ci`, and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ragtune.errors import RagtuneError
from ragtune.stats.ppi import ppi_mean, ratings_to_halve

ppi_py = pytest.importorskip("ppi_py")


def _data(seed: int, n: int = 150, big_n: int = 2000, noise: float = 0.15):
    """A judge that tracks people: human in [0, 1], judge = human + bias + noise, clipped."""
    rng = np.random.default_rng(seed)
    truth = rng.beta(4, 2, n + big_n)
    judge = np.clip(truth + 0.08 + rng.normal(0, noise, n + big_n), 0, 1)
    return truth[:n], judge[:n], judge[n:]


@pytest.mark.parametrize("lam", [1.0, None])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_estimate_and_interval_equal_ppi_python(seed: int, lam: float | None) -> None:
    y, yhat, unrated = _data(seed)
    result = ppi_mean(y, yhat, unrated, confidence=0.95, lam=lam)
    low, high = ppi_py.ppi_mean_ci(y, yhat, unrated, alpha=0.05, lam=lam)
    point = ppi_py.ppi_mean_pointestimate(y, yhat, unrated, lam=lam)
    assert result.ppi.estimate == pytest.approx(float(np.squeeze(point)), abs=1e-6)
    assert result.ppi.low == pytest.approx(float(np.squeeze(low)), abs=1e-6)
    assert result.ppi.high == pytest.approx(float(np.squeeze(high)), abs=1e-6)


def test_narrower_than_people_alone_when_the_judge_tracks_them() -> None:
    y, yhat, unrated = _data(4)
    result = ppi_mean(y, yhat, unrated)
    assert result.ppi.width < result.human_only.width
    # the judge's +0.08 bias: judge-only is off, PPI corrects it and covers the rated mean
    assert result.judge_only.estimate - result.human_only.estimate == pytest.approx(0.08, abs=0.03)
    assert result.ppi.low < float(np.mean(y)) + 0.03 and result.ppi.high > float(np.mean(y)) - 0.03


def test_a_small_case_by_hand() -> None:
    # people [1, 0, 1, 1] and the judge [1, 0, 0, 1] on the rated items; the judge says
    # [1, 1, 0, 1] on the 4 unrated. lam = 1:
    # estimate = mean(unrated judge) 0.75 + mean(h - j) = mean([0, 0, 1, 0]) = 0.25 -> 1.0
    # var(judge unrated) = 0.1875, var(h - j) = 0.1875 (ddof 0);
    # se = sqrt(0.1875/4 + 0.1875/4) = 0.30619; half-width 1.959964 x 0.30619 = 0.60012
    result = ppi_mean([1, 0, 1, 1], [1, 0, 0, 1], [1, 1, 0, 1], lam=1.0)
    assert result.ppi.estimate == pytest.approx(1.0)
    assert result.ppi.high - result.ppi.estimate == pytest.approx(0.60012, abs=1e-5)
    assert result.human_only.estimate == pytest.approx(0.75)
    assert result.judge_only.estimate == pytest.approx(5 / 8)


def test_ratings_to_halve_by_hand() -> None:
    # var_r = 0.04 on n = 100 rated, var_f = 0.01 on N = 10,000: se^2 = 1e-6 + 4e-4 = 4.01e-4;
    # halving needs se^2 <= 1.0025e-4. The judge term at k ~ 300 is 0.01 / 9,700 = 1.03e-6,
    # leaving 9.92e-5 for people: 0.04 / (100 + k) <= 9.92e-5 at 100 + k >= 403.2, so k = 304.
    assert ratings_to_halve(0.04, 0.01, 100, 10_000) == 304
    k = 304
    assert 0.01 / (10_000 - k) + 0.04 / (100 + k) <= (0.01 / 10_000 + 0.04 / 100) / 4
    assert 0.01 / (10_000 - k + 1) + 0.04 / (100 + k - 1) > (0.01 / 10_000 + 0.04 / 100) / 4
    # when the judge term alone is over a quarter of se^2, rating cannot halve it
    assert ratings_to_halve(0.0001, 1.0, 100, 200) is None


def test_mismatched_lengths_name_the_counts() -> None:
    with pytest.raises(RagtuneError, match="3 human ratings but 2 judge scores"):
        ppi_mean([1, 0, 1], [1, 0], [1, 1])
    assert math.isfinite(ppi_mean([1, 0], [1, 0], [1, 0]).ppi.estimate)


def _rule(y: np.ndarray, yhat: np.ndarray, unrated: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per run, "equivalent" at margin 0.05: (PPI's normal interval alone, the old rule of 10
    disagreements, the verdict's rule: both counts >= 10 and the floored interval)."""
    from ragtune.stats.intervals import z_value
    from ragtune.stats.ppi import MIN_DISAGREEMENTS, decision_se, ppi_rows, tuned_lambda

    z = z_value(0.95)
    estimate, se, var_f, var_r = ppi_rows(y, yhat, unrated, tuned_lambda(y, yhat, unrated))
    differ = np.sum(np.abs(y - yhat) > 1e-9, axis=1)
    k = np.minimum(differ, np.sum(np.abs(y) > 1e-9, axis=1))
    floored = decision_se(var_f, var_r, y.shape[1], unrated.shape[1], k, z)
    normal = estimate - z * se > -0.05
    old = normal & (differ >= MIN_DISAGREEMENTS)
    return normal, old, (estimate - z * floored > -0.05) & (k >= MIN_DISAGREEMENTS)


def _simulate(rated: int, judge_error: float, seed: int, runs: int = 1000) -> tuple[float, float]:
    """Share of runs reading "equivalent" at a true paired difference of exactly -0.05 (a false
    decision): (PPI's normal interval alone, with the verdict's rule). People's paired
    differences are -1/0/+1 on 10% discordant items; the judge calls a tie on `judge_error` of
    the items (a judge that misses differences); 1,000 unrated judged items. The bigger grid is
    benchmarks/bench_ppi.py."""
    rng = np.random.default_rng(seed)
    up, down = (0.10 - 0.05) / 2, (0.10 + 0.05) / 2  # mean up - down = -0.05
    people = rng.choice([-1.0, 0.0, 1.0], size=(runs, rated + 1000), p=[down, 0.9, up])
    judge = np.where(rng.random(people.shape) < judge_error, 0.0, people)
    normal, _, rule = _rule(people[:, :rated], judge[:, :rated], judge[:, rated:])
    return float(normal.mean()), float(rule.mean())


@pytest.mark.parametrize("judge_error", [0.2, 0.5])
@pytest.mark.parametrize("rated", [8, 30, 300])
def test_small_samples_decide_only_with_enough_disagreements(
    rated: int, judge_error: float
) -> None:
    """PPI's normal interval reads "equivalent" far too often on few ratings (its correction
    term's variance is 0 when people and the judge agree on every rated item); with the
    verdict's rule the false "equivalent" share is within simulation error of 2.5% (1,000
    runs: 3 standard errors is 1.5 points) at every size."""
    normal, rule = _simulate(rated, judge_error, seed=rated * 10 + int(judge_error * 10))
    assert rule <= 0.025 + 3 * math.sqrt(0.025 * 0.975 / 1000)
    if rated == 8:  # side by side: without the rule, the promise is broken
        assert normal > 0.30
    if rated == 30:
        assert normal > 0.08


def test_people_who_tie_on_every_rated_item_leave_the_decision_to_people() -> None:
    """Review finding F1, by hand: 30 rated items on which people rate both arms the same (every
    paired difference 0) and a noisy judge differs from them on 12 (6 at +1, 6 at -1). The
    judge's differences are uncorrelated with people's (cov 0), so tuned lam = 0, the correction
    h - 0 x j is 0 everywhere, and PPI's interval is [0, 0]: "equivalent" at any margin. 12
    disagreements passed the old rule; people's non-zero count is 0, so now it is not decisive
    (people's own test stands: for 30 ties that is undetermined at margin 0.05)."""
    y = [0.0] * 30
    yhat = [0.0] * 18 + [1.0] * 6 + [-1.0] * 6
    unrated = list(np.random.default_rng(0).choice([-1.0, 0.0, 1.0], 2000, p=[0.2, 0.6, 0.2]))
    result = ppi_mean(y, yhat, unrated)
    assert result.lam == 0.0 and result.ppi.width == 0.0
    assert result.disagreements == 12 and result.people_nonzero == 0
    assert not result.decisive
    assert result.ratings_to_halve is None  # no width to halve: cannot say


def test_noisy_judge_and_rare_people_differences_simulated() -> None:
    """The reviewer's model (a2c_zero_var.py): people find the arm worse on 5.5% of items and
    better on 0.5% (truth -0.05); the judge says a random -1/0/+1 on half the items. 50 rated,
    2,000 judged, 1,000 runs: the old rule (10 disagreements) reads "equivalent" in 5-8% of runs
    (the runs where people's differences are all or nearly all 0); the verdict's rule, which
    also needs 10 non-zero differences for people, within 3 standard errors of 2.5% (here 0:
    such runs are left to people's own test)."""
    rng = np.random.default_rng(29)
    h = rng.choice([-1.0, 0.0, 1.0], size=(1000, 2050), p=[0.055, 0.94, 0.005])
    j = np.where(rng.random(h.shape) < 0.5, rng.choice([-1.0, 0.0, 1.0], size=h.shape), h)
    _, old, rule = _rule(h[:, :50], j[:, :50], j[:, 50:])
    assert old.mean() > 0.04
    assert rule.mean() <= 0.025 + 3 * math.sqrt(0.025 * 0.975 / 1000)


def test_the_floored_standard_error_by_hand() -> None:
    """var_f 0.02 on N 1,000, var_r 0.09 (ddof 0) on n 100 with k = 12 (the smaller count),
    z 1.96: people's term 0.09 x 100/99 / 100 x (12 + 2 x 1.96^2) / 12 = 9.0909e-4 x 1.64027
    = 1.49115e-3; plus 0.02 / 1000 = 2e-5: se = sqrt(1.51115e-3) = 0.038873. At k = 10,000 the
    floor is 1.000768: se = sqrt(9.09789e-4 + 2e-5) = 0.0304925."""
    from ragtune.stats.ppi import decision_se

    assert decision_se(0.02, 0.09, 100, 1000, 12, 1.96)[0] == pytest.approx(0.038873, abs=1e-6)
    assert decision_se(0.02, 0.09, 100, 1000, 10_000, 1.96)[0] == pytest.approx(0.0304925, abs=1e-6)


def test_ratings_to_halve_reads_unbiased_variances() -> None:
    """Review finding F5: `ppi_mean` passes ddof-1 variances. people [1, 0, 1, 1], judge
    [1, 0, 0, 1], unrated judge [1, 1, 0, 1], lam 1: var(h - j) = 0.1875 ddof 0 -> 0.25 ddof 1;
    var(unrated) 0.1875 -> 0.25. The figure equals `ratings_to_halve(0.25, 0.25, 4, 4)`."""
    result = ppi_mean([1, 0, 1, 1], [1, 0, 0, 1], [1, 1, 0, 1], lam=1.0)
    assert result.ratings_to_halve == ratings_to_halve(0.25, 0.25, 4, 4)
    assert ratings_to_halve(0.0, 0.0, 4, 4) is None


def test_disagreements_counted_on_the_rated_items() -> None:
    # people [1, 0, 1, 0.5] and the judge [1, 1, 1, 0]: two items differ (q1, q3)
    result = ppi_mean([1, 0, 1, 0.5], [1, 1, 1, 0], [1, 0, 1])
    assert result.disagreements == 2 and not result.decisive


def test_ratings_to_halve_needs_the_people_term_over_three_times_the_judge_term() -> None:
    # se^2 = var_f / N + var_r / n. Halving it with k more ratings (N fixed, to first order):
    # var_r / (n + k) <= var_r / (4n) - 3 var_f / (4N), possible only if var_r / n > 3 var_f / N.
    # var_r = 0.03, n = 100 (3e-4) against var_f = 0.1, N = 1,000 (3 x 1e-4): exactly at the
    # edge, and taking ratings from the unrated items only shrinks N: never.
    assert ratings_to_halve(0.03, 0.1, 100, 1000) is None
    # var_r = 0.031: n + k >= 0.031 / (0.031/400 - 0.3/4000) = 0.031 / 2.5e-6 = 12,400, more
    # than the 1,000 judged items there are to rate: not by ratings alone
    assert ratings_to_halve(0.031, 0.1, 100, 1000) is None
    # var_r = 0.2, n = 100 (people term 2e-3) and var_f = 10, N = 100,000 (judge term 1e-4):
    # n + k >= 0.2 / (5e-4 - 7.5e-5) = 470.6, k = 371 to first order; the N - k judged items
    # left make the judge term 10 / 99,629 = 1.0037e-4, one rating more: 372
    assert ratings_to_halve(0.2, 10, 100, 100_000) == 372
    # the same people but var_f = 0.1 on N = 1,000: rating k items leaves 1,000 - k judged, and
    # 0.1 / (1000 - k) + 0.2 / (100 + k) never gets under 5.25e-4 (its least, ~5.3e-4 near
    # k = 550): the judge's term grows as fast as people's falls
    assert ratings_to_halve(0.2, 0.1, 100, 1000) is None
