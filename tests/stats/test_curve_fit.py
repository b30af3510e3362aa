"""The learning-curve fit on data drawn from a known power law, and the cases where it must refuse
to extrapolate (too few sizes, no gain, a poor fit)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ragtune.errors import RagtuneError
from ragtune.stats.curve_fit import describe_reach, fit_power_law, learning_curve

# The truth: quality(n) = 0.9 - 2 / sqrt(n)  (a = 0.9, b = 2, c = 0.5).
A, B, C = 0.9, 2.0, 0.5


def truth(n: float) -> float:
    return A - B * n ** (-C)


def outcomes(sizes: list[int], items: int, seed: int) -> np.ndarray:
    """0/1 per item and size: item i is right at size n when u_i < truth(n), so an item learnt at
    a small size stays learnt (nested, like a model trained on a superset). The u_i are
    stratified uniforms (one per 1/items slice, shuffled), so each size's observed quality is
    within 1/items of the truth, and the bootstrap still sees real item-level noise."""
    rng = np.random.default_rng(seed)
    u = (rng.permutation(items) + rng.random(items)) / items
    return np.stack([(u < truth(n)).astype(float) for n in sizes], axis=1)


def test_fit_recovers_a_noise_free_law_exactly() -> None:
    sizes = [250, 1000, 4000]
    a, b, c = (v[0] for v in fit_power_law(sizes, np.array([[truth(n) for n in sizes]])))
    # The grid holds c within one 1.4% step of 0.5; a and b follow from the least squares.
    assert c == pytest.approx(C, rel=0.015)
    assert a == pytest.approx(A, abs=0.01) and b == pytest.approx(B, rel=0.05)


@pytest.mark.parametrize("sizes", [[250, 1000, 4000], [100, 300, 1000, 3000]])
def test_fit_recovers_the_exponent_and_the_projection_covers_the_truth(sizes: list[int]) -> None:
    scores = outcomes(sizes, items=3_000, seed=7)
    # truth(250) = 0.9 - 2/15.81 = 0.7735; truth(1000) = 0.8368; truth(4000) = 0.8684.
    curve = learning_curve(sizes, scores, target=0.88, seed=3)
    assert curve.status == "fitted", curve.message
    assert curve.exponent is not None
    assert curve.exponent.value == pytest.approx(C, rel=0.10)  # the acceptance: within 10%
    assert curve.exponent.low <= C <= curve.exponent.high
    for p in curve.projections:  # 2x and 4x the largest size
        assert p.quality.low <= truth(p.size) <= p.quality.high, (p, truth(p.size))
    assert [p.size for p in curve.projections] == [2 * sizes[-1], 4 * sizes[-1]]
    # Reaching 0.88: (2 / (0.9 - 0.88))^2 = 100^2 = 10,000 examples.
    assert curve.size_for_target is not None
    assert curve.size_for_target.low <= 10_000 <= curve.size_for_target.high
    assert "reaches 0.880 at about" in (describe_reach(curve) or "")


def test_a_target_above_the_asymptote_is_never_reached() -> None:
    sizes = [250, 1000, 4000]
    curve = learning_curve(sizes, outcomes(sizes, 3_000, seed=7), target=0.97, seed=3)
    assert curve.size_for_target is not None and math.isinf(curve.size_for_target.value)
    assert "never reaches 0.970" in (describe_reach(curve) or "")


def test_a_flat_curve_is_no_gain_from_more_data() -> None:
    rng = np.random.default_rng(0)
    right = (rng.random(400) < 0.7).astype(float)
    flat = np.stack([right, right, right], axis=1)  # the same items right at every size
    curve = learning_curve([250, 1000, 4000], flat)
    assert curve.status == "no_gain"
    assert curve.message.startswith("no gain from more data")
    assert curve.projections == () and curve.exponent is None
    # Independent noise around the same 0.7: the gain's interval straddles 0, still no gain.
    noisy = (rng.random((400, 3)) < 0.7).astype(float)
    assert learning_curve([250, 1000, 4000], noisy).status == "no_gain"


def test_a_point_far_off_the_curve_is_a_poor_fit() -> None:
    # 0.50, 0.80, 0.60, 0.90 on 2,000 items: rising overall, but the third point is ~0.2 below
    # any increasing power law through the others, about 20 standard errors (se ~ 0.011).
    n_items = 2_000
    quality = [0.5, 0.8, 0.6, 0.9]
    scores = np.stack([np.arange(n_items) < q * n_items for q in quality], axis=1).astype(float)
    curve = learning_curve([100, 300, 1000, 3000], scores)
    assert curve.status == "poor_fit"
    assert "fits poorly" in curve.message and curve.projections == ()


def test_too_few_sizes_and_bad_shapes() -> None:
    two = learning_curve([250, 1000], outcomes([250, 1000], 200, seed=1))
    assert two.status == "too_few_points"
    assert [p.size for p in two.points] == [250, 1000]
    with pytest.raises(RagtuneError, match="distinct positive"):
        learning_curve([250, 250, 1000], np.zeros((10, 3)))
    with pytest.raises(RagtuneError, match="one score per test item"):
        learning_curve([250, 1000, 4000], np.zeros((10, 2)))
    with pytest.raises(RagtuneError, match="no fitted curve"):
        two.predict(500)


def test_points_are_sorted_by_size_with_their_intervals() -> None:
    sizes = [4000, 250, 1000]  # any order in, sorted out
    scores = outcomes(sizes, 3_000, seed=7)
    curve = learning_curve(sizes, scores)
    assert [p.size for p in curve.points] == [250, 1000, 4000]
    for p in curve.points:  # each observed quality within 1/3000 of the truth, inside its CI
        assert p.quality.value == pytest.approx(truth(p.size), abs=1 / 3_000 + 1e-9)
        assert p.quality.low <= p.quality.value <= p.quality.high
    assert curve.predict(4000) == pytest.approx(truth(4000), abs=0.005)


def test_a_curve_rising_linearly_in_log_n_never_projects_above_the_maximum() -> None:
    # Issue 28: 0.60, 0.75, 0.90 at 100, 200, 400 on 400 items rises by 0.15 per doubling, a
    # straight line in log n. Without a ceiling the least squares puts the exponent on its grid
    # bound (c = 0.01) with a = 22.4, b = 22.8, and projects 22.39 - 22.82 x 800^-0.01 = 1.045
    # at 2x: above the metric's maximum of 1.
    sizes = [100, 200, 400]
    free = [v[0] for v in fit_power_law(sizes, np.array([[0.6, 0.75, 0.9]]))]
    assert free[2] == 0.01 and free[0] - free[1] * 800 ** -free[2] > 1.04
    # With a <= 1 (the limit of a - b n^-c, b >= 0) nothing can pass 1.0: not the projections,
    # their bootstrap intervals, nor the drawn band.
    rng = np.random.default_rng(0)
    u = (rng.permutation(400) + rng.random(400)) / 400
    scores = np.stack([(u < q).astype(float) for q in (0.6, 0.75, 0.9)], axis=1)
    curve = learning_curve(sizes, scores)
    assert curve.status == "fitted" and curve.asymptote == 1.0
    ceilings = [p.quality.high for p in (*curve.projections, *curve.band)]
    assert ceilings and max(ceilings) <= 1.0
    assert [p.size for p in curve.projections] == [800, 1600]
    assert 0.9 < curve.projections[0].quality.value < curve.projections[1].quality.value <= 1.0


def test_the_residual_check_runs_for_three_points() -> None:
    # 0.50, 0.90, 0.60 at 100, 300, 1000 on 2,000 items: the last beats the first (a gain), but
    # no increasing power law passes near the middle point, ~0.2 off at se ~ 0.011: a poor fit,
    # where three points used to be reported as "always fitting exactly".
    n_items = 2_000
    quality = [0.5, 0.9, 0.6]
    scores = np.stack([np.arange(n_items) < q * n_items for q in quality], axis=1).astype(float)
    curve = learning_curve([100, 300, 1000], scores)
    assert curve.status == "poor_fit" and "standard errors" in curve.message
    assert curve.projections == ()
    # a three-point law that does fit says how far its worst point is, never "always exactly"
    good = learning_curve([250, 1000, 4000], outcomes([250, 1000, 4000], 2_000, seed=3))
    assert good.status == "fitted" and "always fit exactly" not in good.message
    assert "standard errors)" in good.message
