"""Non-inferiority by confidence interval, the k - 1 comparison family, and items needed.

Per-item outcomes are built with known discordance, so every expected figure is worked by hand
in a comment; the items-needed formula is checked against a direct simulation of the same test.
The intervals themselves (Tango, bounded bootstrap-t) are checked in `test_paired.py`, and the
promise they keep at a true difference of -margin in `test_simulation.py`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar

from ragtune.errors import RagtuneError
from ragtune.stats.intervals import tango_paired
from ragtune.stats.noninferiority import compare_with_best, family_confidence, items_needed


def paired(n: int, best_only: int, arm_only: int, both: int) -> tuple[list[float], list[float]]:
    """(arm, best) 0/1 outcomes: `best_only` items only the best gets right, `arm_only` only the
    arm, `both` both; the rest neither."""
    arm = [0.0] * best_only + [1.0] * arm_only + [1.0] * both
    best = [1.0] * best_only + [0.0] * arm_only + [1.0] * both
    rest = n - len(arm)
    return arm + [0.0] * rest, best + [0.0] * rest


def test_absence_of_evidence_is_undetermined_not_equivalent() -> None:
    # The case: n=100, best 0.80, cheap 0.76; 10 items only the best gets right, 6 only
    # the cheap arm. The p inverts Tango's interval; at 0 it is McNemar's score test,
    # z = (6 - 10) / sqrt(16) = -1, p = 2 * Phi(-1) = 0.3173, not significant. The paired CI
    # of (cheap - best) is about -0.04 +- 1.96 * 0.4 / 10 = [-0.12, +0.04]: its lower bound is
    # past -0.05, so non-inferiority is NOT shown. The old rule called this "equivalent".
    cheap, best = paired(100, best_only=10, arm_only=6, both=70)
    assert np.mean(best) == 0.80 and np.mean(cheap) == 0.76
    (result,) = compare_with_best({"best": best, "cheap": cheap}, "best", margin=0.05)
    table = [[70, 6], [10, 14]]  # rows: cheap right / wrong; columns: best right / wrong
    assert result.p_value == pytest.approx(mcnemar(table, exact=False, correction=False).pvalue)
    assert result.p_value == pytest.approx(0.3173, abs=1e-4)
    assert result.test == "tango_score"
    assert result.effect == pytest.approx(-0.04)
    assert result.ci_low == pytest.approx(-0.12, abs=0.015)
    assert result.ci_high == pytest.approx(0.04, abs=0.015)
    assert result.status == "undetermined"
    # Items needed: per-item differences are +1 (6), -1 (10), 0 (84); mean -0.04, sample sd
    # sqrt((6 * 1.04^2 + 10 * 0.96^2 + 84 * 0.04^2) / 99) = sqrt(15.84 / 99) = 0.4.
    # n = ((z_.975 + z_.80) * 0.4 / (-0.04 + 0.05))^2 = (2.801585 * 40)^2 = 12,558.2 -> 12,559.
    assert result.items_needed == 12_559
    assert result.more_items == 12_559 - 100


def test_interval_above_minus_margin_is_equivalent() -> None:
    # n=200, best-only 4, arm-only 2: effect -0.01, sd = sqrt((2 * 1.01^2 + 4 * 0.99^2 +
    # 194 * 0.01^2) / 199) = 0.1735; half-width 1.96 * 0.1735 / sqrt(200) = 0.024, so the CI is
    # about [-0.034, +0.014], wholly above -0.05: shown to be at most 5 points worse.
    arm, best = paired(200, best_only=4, arm_only=2, both=150)
    (result,) = compare_with_best({"best": best, "arm": arm}, "best", margin=0.05)
    assert result.effect == pytest.approx(-0.01)
    assert -0.05 < result.ci_low < -0.02
    assert result.status == "equivalent"
    assert result.items_needed is None and result.more_items == 0


def test_interval_below_minus_margin_is_inferior() -> None:
    # best-only 30 of 100, nothing the other way: effect -0.30, CI about [-0.39, -0.21].
    arm, best = paired(100, best_only=30, arm_only=0, both=50)
    (result,) = compare_with_best({"best": best, "arm": arm}, "best", margin=0.05)
    assert result.ci_high < -0.05
    assert result.status == "inferior"


def test_holm_family_is_the_comparisons_with_the_best() -> None:
    # 8 arms on 200 items: one arm misses 12 items the best gets right and gets 1 it misses; six
    # arms match the best exactly. Score p (McNemar's, Tango's at 0): z = 11 / sqrt(13) = 3.0509,
    # p = 2 * Phi(-3.0509) = 0.002281. Holm over the 7 comparisons with the best: 7 * 0.002281 =
    # 0.01597 (< 0.05). Over all 28 pairs it would be 28 * 0.002281 = 0.0639, "not worse".
    worse, best = paired(200, best_only=12, arm_only=1, both=60)
    scores = {"best": best, "worse": worse} | {f"same{i}": list(best) for i in range(6)}
    results = {r.arm: r for r in compare_with_best(scores, "best", margin=0.05)}
    assert len(results) == 7
    assert results["worse"].p_value == pytest.approx(0.002281, abs=1e-6)
    assert results["worse"].p_holm == pytest.approx(7 * results["worse"].p_value)
    assert results["worse"].family == 7
    assert results["worse"].status != "equivalent"
    # The interval is Bonferroni-adjusted to 1 - 0.05 / 7 = 0.99286 per comparison, z = 2.6901.
    assert results["worse"].confidence == pytest.approx(1 - 0.05 / 7)
    # The six identical arms: no discordant item in 200, so the bound is z^2 / (n + z^2) =
    # 7.2366 / 207.2366 = 0.0349 either side: shown to be within 0.05. (On 100 items it would be
    # 7.2366 / 107.2366 = 0.0675: not shown, at this family size.)
    for i in range(6):
        assert results[f"same{i}"].ci_low == pytest.approx(-0.0349, abs=1e-4)
        assert results[f"same{i}"].status == "equivalent"


def _simulated_power(
    p_arm_only: float, p_best_only: float, n: int, margin: float, confidence: float, seed: int
) -> float:
    """Share of simulated studies of n paired 0/1 items whose Tango interval shows
    non-inferiority: the test `compare_with_best` runs, simulated directly on the counts."""
    rng = np.random.default_rng(seed)
    probs = np.array([p_arm_only, p_best_only, 1 - p_arm_only - p_best_only])
    shown = 0
    simulations = 1_000
    for _ in range(simulations):
        arm_only, best_only, concordant = (int(c) for c in rng.multinomial(n, probs))
        if tango_paired(concordant, arm_only, best_only, 0, confidence)[1] > -margin:
            shown += 1
    return shown / simulations


@pytest.mark.parametrize(
    ("arm_only", "best_only", "expected"),
    [
        # effect 0, sd 0.4: n = (2.801585 * 0.4 / 0.05)^2 = 502.3 -> 503
        (0.08, 0.08, 503),
        # effect -0.02, sd sqrt(0.12 - 0.02^2) = 0.34583: n = (2.801585 * 0.34583 / 0.03)^2
        # = 1043.0 -> 1,044 (ceil of 1043.02)
        (0.05, 0.07, 1_044),
        # the case as a population (arm-only 6%, best-only 10%): effect -0.04, sd
        # sqrt(0.16 - 0.04^2) = 0.39799: n = (2.801585 * 0.39799 / 0.01)^2 = 12,432.4 -> 12,433
        # (the verdict's 12,559 uses the sample's sd, 0.4, of the 100 items observed)
        (0.06, 0.10, 12_433),
    ],
)
def test_items_needed_matches_a_direct_simulation(
    arm_only: float, best_only: float, expected: int
) -> None:
    effect = arm_only - best_only
    sd = math.sqrt(arm_only + best_only - effect**2)
    n = items_needed(effect, sd, margin=0.05, confidence=0.95)
    assert n == expected
    # Within 15%: power is under 80% at 0.85 n and over 80% at 1.15 n in a direct simulation
    # (normal theory: 73% and 85%; 1,000 simulations put the Monte Carlo error near 1.3 points).
    assert _simulated_power(arm_only, best_only, int(0.85 * n), 0.05, 0.95, seed=1) < 0.8
    assert _simulated_power(arm_only, best_only, math.ceil(1.15 * n), 0.05, 0.95, seed=2) > 0.8


def test_items_needed_edge_cases() -> None:
    assert items_needed(-0.05, 0.3, margin=0.05, confidence=0.95) is None  # at the margin: never
    assert items_needed(-0.10, 0.3, margin=0.05, confidence=0.95) is None
    assert items_needed(0.0, 0.0, margin=0.05, confidence=0.95) == 1
    # margin 0 ("at least as good"): an arm no better than the best can never be shown so
    assert items_needed(0.0, 0.3, margin=0.0, confidence=0.95) is None
    with pytest.raises(RagtuneError, match="margin must be >= 0"):
        items_needed(0.0, 0.3, margin=-0.01, confidence=0.95)


def test_family_confidence_and_errors() -> None:
    assert family_confidence(0.05, 1) == pytest.approx(0.95)
    assert family_confidence(0.05, 4) == pytest.approx(0.9875)
    with pytest.raises(RagtuneError, match="alpha must be in"):
        family_confidence(0.0, 3)
    with pytest.raises(RagtuneError, match="has no scores"):
        compare_with_best({"a": [1.0]}, "b", margin=0.05)
    with pytest.raises(RagtuneError, match="share no scored items"):
        compare_with_best({"a": {"x": 1.0}, "b": {"y": 1.0}}, "b", margin=0.05)


def test_continuous_scores_never_collapse_to_a_point() -> None:
    # field F1-like scores: the arm is 0.01 lower on every item, so the difference has no
    # spread. The old percentile bootstrap gave [-0.01, -0.01] and "equivalent" at any n. The
    # bounded interval holds a share f = z^2 / (n + z^2) of unseen items at either bound of
    # [-1, 1]. n=50: f = 3.8415 / 53.8415 = 0.07135, low = -0.01 - 0.99 * 0.07135 = -0.0806:
    # undetermined. n=300: f = 3.8415 / 303.8415 = 0.012643, low = -0.01 - 0.99 * 0.012643 =
    # -0.02252, high = -0.01 + 1.01 * 0.012643 = +0.00277: equivalent.
    for n, low, high, status in ((50, -0.0806, 0.0621, "undetermined"),
                                 (300, -0.02252, 0.00277, "equivalent")):  # fmt: skip
        best = [0.5 + 0.4 * i / n for i in range(n)]
        arm = [b - 0.01 for b in best]
        (result,) = compare_with_best({"best": best, "arm": arm}, "best", margin=0.05)
        assert result.test == "bounded_bootstrap_t"
        assert result.ci_low == pytest.approx(low, abs=1e-4)
        assert result.ci_high == pytest.approx(high, abs=1e-4)
        assert result.status == status


def test_a_handful_of_ratings_is_undetermined_by_construction() -> None:
    # People's scores go through the same rule. Three items each rated correct (1) for both
    # arms: Tango's interval is +- z^2 / (3 + z^2) = 3.8415 / 6.8415 = 0.5615. Five items rated
    # correct or partly (1, .5, 1, 1, .5), the same for both arms: the differences are all 0,
    # and the bounded interval holds the unseen share 3.8415 / 8.8415 = 0.4345 either side.
    (three,) = compare_with_best({"best": [1.0] * 3, "arm": [1.0] * 3}, "best", margin=0.05)
    assert three.status == "undetermined" and three.ci_low == pytest.approx(-0.5615, abs=1e-4)
    # Items needed: the differences have no spread, so the normal formula says 1; no interval
    # here decides on fewer than n > z^2 (1 - m) / (0 + m) = 3.8415 * 0.95 / 0.05 = 72.99 -> 73
    # items (at 73: 3.8415 / 76.8415 = 0.04999 < 0.05; at 72: 0.0507).
    assert three.items_needed == 73 and three.more_items == 70
    (at_72,) = compare_with_best({"best": [1.0] * 72, "arm": [1.0] * 72}, "best", margin=0.05)
    (at_73,) = compare_with_best({"best": [1.0] * 73, "arm": [1.0] * 73}, "best", margin=0.05)
    assert (at_72.status, at_73.status) == ("undetermined", "equivalent")
    rated = [1.0, 0.5, 1.0, 1.0, 0.5]
    (five,) = compare_with_best({"best": rated, "arm": list(rated)}, "best", margin=0.05)
    assert five.status == "undetermined" and five.ci_low == pytest.approx(-0.4345, abs=1e-4)


def test_items_needed_is_also_given_at_a_difference_of_zero() -> None:
    # The n=100 case above: 10 best-only, 6 arm-only items. At the observed -0.04 it takes
    # 12,559 items; if the arms are equal the per-item spread is the discordance alone,
    # sqrt(16 / 100) = 0.4, and n = (2.801585 * 0.4 / 0.05)^2 = 502.33 -> 503 (above the 73 no
    # interval here decides below).
    cheap, best = paired(100, best_only=10, arm_only=6, both=70)
    (result,) = compare_with_best({"best": best, "cheap": cheap}, "best", margin=0.05)
    assert (result.items_needed, result.items_needed_at_zero) == (12_559, 503)
    assert result.more_items_at_zero == 403
    # 8 best-only, none the other way: the observed -0.08 is past -0.05, so at the observed
    # difference no number of items would do (None); at 0 the spread is sqrt(8 / 100) and
    # n = (2.801585 * 0.28284 / 0.05)^2 = 251.16 -> 252.
    cheap, best = paired(100, best_only=8, arm_only=0, both=70)
    (hopeless,) = compare_with_best({"best": best, "cheap": cheap}, "best", margin=0.05)
    assert hopeless.status == "undetermined"
    assert (hopeless.items_needed, hopeless.items_needed_at_zero) == (None, 252)
    assert (hopeless.more_items, hopeless.more_items_at_zero) == (None, 152)


def test_the_figure_at_zero_is_honest_when_the_best_is_picked_on_the_same_items() -> None:
    # Four equally good arms (each right on an item with p = 0.8, independently), n = 200, the
    # best picked as the highest mean on the same items. The truth for one comparison: the
    # arms differ on 2 * 0.8 * 0.2 = 0.32 of the items, the family of 3 gives
    # z = z(1 - 0.05 / 6) = 2.3940, and n = ((2.3940 + 0.8416) * sqrt(0.32) / 0.05)^2 = 1,340.
    # Picking the best on these items makes the others look worse, so the figure at the
    # observed difference is far above it (or "never"); the figure at 0 stays near it.
    rng = np.random.default_rng(7)
    observed, at_zero = [], []
    for _ in range(60):
        outcomes = (rng.random((4, 200)) < 0.8).astype(float)
        arms = {f"a{k}": list(outcomes[k]) for k in range(4)}
        best = max(arms, key=lambda a: float(np.mean(arms[a])))
        for r in compare_with_best(arms, best, margin=0.05):
            if r.status == "undetermined":
                observed.append(r.items_needed if r.items_needed is not None else math.inf)
                at_zero.append(r.items_needed_at_zero)
    assert len(at_zero) > 100
    assert float(np.median(observed)) > 3 * 1_340
    assert float(np.median(at_zero)) == pytest.approx(1_340, rel=0.1)
