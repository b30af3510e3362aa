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


def _simulate(rated: int, judge_error: float, seed: int, runs: int = 1000) -> tuple[float, float]:
    """Share of runs reading "equivalent" at a true paired difference of exactly -0.05 (a false
    decision): (PPI's normal interval alone, with the MIN_DISAGREEMENTS rule). People's paired
    differences are -1/0/+1 on 10% discordant items; the judge calls a tie on `judge_error` of
    the items (a judge that misses differences); 1,000 unrated judged items. The bigger grid is
    benchmarks/bench_ppi.py."""
    from ragtune.stats.intervals import z_value
    from ragtune.stats.ppi import MIN_DISAGREEMENTS, ppi_rows, tuned_lambda

    rng = np.random.default_rng(seed)
    up, down = (0.10 - 0.05) / 2, (0.10 + 0.05) / 2  # mean up - down = -0.05
    people = rng.choice([-1.0, 0.0, 1.0], size=(runs, rated + 1000), p=[down, 0.9, up])
    judge = np.where(rng.random(people.shape) < judge_error, 0.0, people)
    y, yhat, unrated = people[:, :rated], judge[:, :rated], judge[:, rated:]
    estimate, se, _, _ = ppi_rows(y, yhat, unrated, tuned_lambda(y, yhat, unrated))
    equivalent = estimate - z_value(0.95) * se > -0.05
    differ = np.sum(np.abs(y - yhat) > 1e-9, axis=1) >= MIN_DISAGREEMENTS
    return float(equivalent.mean()), float((equivalent & differ).mean())


@pytest.mark.parametrize("judge_error", [0.2, 0.5])
@pytest.mark.parametrize("rated", [8, 30, 300])
def test_small_samples_decide_only_with_enough_disagreements(
    rated: int, judge_error: float
) -> None:
    """PPI's normal interval reads "equivalent" far too often on few ratings (its correction
    term's variance is 0 when people and the judge agree on every rated item); with the rule
    that at least 10 rated items differ, the false "equivalent" share is within simulation error
    of 2.5% (1,000 runs: 3 standard errors is 1.5 points) at every size."""
    normal, rule = _simulate(rated, judge_error, seed=rated * 10 + int(judge_error * 10))
    assert rule <= 0.025 + 3 * math.sqrt(0.025 * 0.975 / 1000)
    if rated == 8:  # side by side: without the rule, the promise is broken
        assert normal > 0.30
    if rated == 30:
        assert normal > 0.08


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
