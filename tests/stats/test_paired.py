"""Statistics against statsmodels / scipy references and hand-computed McNemar cases."""

from __future__ import annotations

import dataclasses
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragtune.errors import RagtuneError
from ragtune.scoring.metrics import MetricScores
from ragtune.stats import paired as stats

# --- intervals -------------------------------------------------------------------------------


@pytest.mark.parametrize(("successes", "n"), [(0, 1), (0, 10), (3, 10), (10, 10), (57, 200)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(successes: int, n: int, confidence: float) -> None:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    got = stats.wilson_interval(successes, n, confidence)
    assert (got.low, got.high) == pytest.approx((low, high), abs=1e-12)
    assert got.estimate == successes / n and got.method == "wilson"


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(RagtuneError, match="at least one scored item"):
        stats.wilson_interval(0, 0)
    with pytest.raises(RagtuneError, match="11 of 10"):
        stats.wilson_interval(11, 10)
    with pytest.raises(RagtuneError, match="between 0 and 1"):
        stats.wilson_interval(1, 2, confidence=95)


def test_bootstrap_ci_close_to_scipy_percentile_bootstrap() -> None:
    from scipy.stats import bootstrap

    values = np.random.default_rng(7).gamma(2.0, 1.5, size=150)
    ref = bootstrap((values,), np.mean, method="percentile", n_resamples=20_000, random_state=1)
    got = stats.bootstrap_ci(values, 0.95, n_resamples=20_000, seed=3)
    width = ref.confidence_interval.high - ref.confidence_interval.low
    # Different random streams: the bounds agree up to Monte Carlo error (a few % of the width).
    assert got.low == pytest.approx(ref.confidence_interval.low, abs=0.05 * width)
    assert got.high == pytest.approx(ref.confidence_interval.high, abs=0.05 * width)
    assert got.estimate == pytest.approx(values.mean())


def test_bootstrap_is_seeded_and_independent_of_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    values = np.random.default_rng(0).normal(size=50)
    whole = stats.bootstrap_means(values, n_resamples=1_000, seed=5)
    assert np.array_equal(whole, stats.bootstrap_means(values, n_resamples=1_000, seed=5))
    monkeypatch.setattr(stats, "_BLOCK_CELLS", 50 * 7)  # blocks of 7 resamples
    assert np.array_equal(whole, stats.bootstrap_means(values, n_resamples=1_000, seed=5))
    assert not np.array_equal(whole, stats.bootstrap_means(values, n_resamples=1_000, seed=6))


def test_bootstrap_of_constant_scores_is_a_point() -> None:
    interval = stats.bootstrap_ci([0.5] * 20)
    assert (interval.low, interval.estimate, interval.high) == (0.5, 0.5, 0.5)


def test_bootstrap_rejects_empty_and_nan() -> None:
    with pytest.raises(RagtuneError, match="non-empty"):
        stats.bootstrap_ci([])
    with pytest.raises(RagtuneError, match="NaN"):
        stats.bootstrap_ci([0.1, float("nan")])


def test_metric_interval_picks_wilson_or_the_bounded_bootstrap_t() -> None:
    binary = MetricScores("em", 0.5, (1.0, 0.0, None, 1.0, 0.0), binary=True)
    interval = stats.metric_interval(binary)
    assert interval is not None and interval.method == "wilson"
    assert interval == stats.wilson_interval(2, 4)
    continuous = MetricScores("f1", 0.5, (0.2, 0.8, 0.5), binary=False)
    interval = stats.metric_interval(continuous)
    assert interval is not None and interval.method == "bounded_bootstrap_t"
    assert stats.metric_interval(MetricScores("macro_f1", 0.7, ())) is None


def test_a_bounded_score_never_collapses_to_a_point() -> None:
    # The slot-filling arm: invalid JSON on all 48 items, field F1 0.000 on each. The
    # percentile bootstrap printed [0.000, 0.000]; a 0/1 score would give Wilson [0, 0.074]:
    # z^2 / (48 + z^2) = 3.8415 / 51.8415 = 0.07410. The bounded interval gives the same.
    zeros = MetricScores("field_f1", 0.0, (0.0,) * 48, binary=False)
    interval = stats.metric_interval(zeros)
    assert interval is not None
    assert (interval.low, interval.high) == (0.0, pytest.approx(0.07410, abs=1e-5))
    assert interval.high == pytest.approx(stats.wilson_interval(0, 48).high)
    # Every item 0.5: half the unseen share either way, 0.5 +- 0.5 * 0.07410.
    halves = stats.metric_interval(MetricScores("f1", 0.5, (0.5,) * 48, binary=False))
    assert halves is not None and halves.low == pytest.approx(0.5 - 0.5 * 0.07410, abs=1e-5)


# --- McNemar ---------------------------------------------------------------------------------


def _pairs(
    a_only: int, b_only: int, both: int = 4, neither: int = 3
) -> tuple[list[int], list[int]]:
    a = [1] * a_only + [0] * b_only + [1] * both + [0] * neither
    b = [0] * a_only + [1] * b_only + [1] * both + [0] * neither
    return a, b


@pytest.mark.parametrize(
    ("a_only", "b_only", "expected"),
    [
        (1, 5, 14 / 64),  # 2 * (C(6,0) + C(6,1)) / 2^6
        (0, 5, 2 / 32),  # 2 * 1 / 2^5
        (5, 0, 2 / 32),
        (2, 10, 2 * (1 + 12 + 66) / 4096),
        (3, 3, 1.0),  # 2 * P(X <= 3 | n=6) > 1, clipped
        (0, 0, 1.0),  # no discordant pairs
        (0, 1, 1.0),
    ],
)
def test_mcnemar_hand_computed(a_only: int, b_only: int, expected: float) -> None:
    a, b = _pairs(a_only, b_only)
    result = stats.mcnemar_exact(a, b)
    assert result.p_value == pytest.approx(expected, rel=1e-12)
    assert result.effect == pytest.approx((a_only - b_only) / len(a))
    assert result.n == len(a) and result.test == "mcnemar_exact"


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 20), st.integers(0, 20))
def test_mcnemar_matches_statsmodels(a_only: int, b_only: int, both: int, neither: int) -> None:
    from statsmodels.stats.contingency_tables import mcnemar

    if a_only + b_only + both + neither == 0:
        return
    a, b = _pairs(a_only, b_only, both, neither)
    table = [[both, a_only], [b_only, neither]]
    expected = mcnemar(table, exact=True).pvalue
    assert stats.mcnemar_exact(a, b).p_value == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_mcnemar_large_discordant_counts_stay_exact() -> None:
    from scipy.stats import binomtest

    a, b = _pairs(400, 470)
    expected = binomtest(400, 870, 0.5).pvalue
    assert stats.mcnemar_exact(a, b).p_value == pytest.approx(expected, rel=1e-9)


def test_mcnemar_rejects_non_binary_and_misaligned() -> None:
    with pytest.raises(RagtuneError, match="0/1 outcomes"):
        stats.mcnemar_exact([0.5, 1.0], [1.0, 0.0])
    with pytest.raises(RagtuneError, match="same items, got 2 and 3"):
        stats.mcnemar_exact([1, 0], [1, 0, 1])


# --- paired bootstrap ------------------------------------------------------------------------


def test_paired_bootstrap_interval_close_to_scipy() -> None:
    from scipy.stats import bootstrap

    rng = np.random.default_rng(11)
    a = rng.uniform(size=120)
    b = np.clip(a - 0.05 + rng.normal(scale=0.1, size=120), 0, 1)

    def mean_diff(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(x - y, axis=axis)

    ref = bootstrap(
        (a, b), mean_diff, paired=True, method="percentile", n_resamples=20_000, random_state=2
    ).confidence_interval
    got = stats.paired_bootstrap(a, b, n_resamples=20_000, seed=4)
    width = ref.high - ref.low
    assert got.interval.low == pytest.approx(ref.low, abs=0.05 * width)
    assert got.interval.high == pytest.approx(ref.high, abs=0.05 * width)
    assert got.effect == pytest.approx(np.mean(a - b))
    assert got.p_value < 0.01  # a clear shift of 0.05 on 120 items with noise 0.1


def test_paired_bootstrap_p_agrees_with_interval_and_with_a_paired_t_test() -> None:
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(3)
    for shift in (0.0, 0.02, 0.05, 0.2):
        a = rng.normal(size=200)
        b = a - shift + rng.normal(scale=0.3, size=200)
        got = stats.paired_bootstrap(a, b, seed=1)
        excludes_zero = got.interval.low > 0 or got.interval.high < 0
        assert excludes_zero == (got.p_value < 0.05) or abs(got.p_value - 0.05) < 0.01
        # For a mean of 200 roughly normal differences the bootstrap and t-test p's are close.
        assert got.p_value == pytest.approx(ttest_rel(a, b).pvalue, abs=0.03)


def test_paired_bootstrap_identical_arms() -> None:
    got = stats.paired_bootstrap([0.3, 0.7, 0.1], [0.3, 0.7, 0.1])
    assert got.p_value == 1.0 and got.effect == 0.0
    assert (got.interval.low, got.interval.high) == (0.0, 0.0)


# --- Holm ------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_holm_matches_statsmodels(p_values: list[float]) -> None:
    import gc

    from statsmodels.stats.multitest import multipletests

    # multipletests calls gc.collect() on every call (statsmodels 0.14), which in a test worker
    # holding loaded models costs 0.1-0.6 s: 100 examples took 37-64 s. The comparison is the same
    # without the collection, so it is switched off for the call only.
    with mock.patch.object(gc, "collect", lambda *args: 0):
        expected = multipletests(p_values, method="holm")[1]
    assert stats.holm(p_values) == pytest.approx(list(expected), abs=1e-12)


def test_holm_worked_example() -> None:
    # sorted 0.01, 0.02, 0.04 -> 3 x 0.01, 2 x 0.02, max(0.04, 0.04)
    assert stats.holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert stats.holm([]) == []


# --- all pairs -------------------------------------------------------------------------------


def test_compare_arms_binary_uses_tango_and_holm() -> None:
    rng = np.random.default_rng(0)
    n = 80
    scores = {
        "prompt": (rng.uniform(size=n) < 0.4).astype(float).tolist(),
        "rag": (rng.uniform(size=n) < 0.8).astype(float).tolist(),
        "finetune": (rng.uniform(size=n) < 0.45).astype(float).tolist(),
    }
    rows = stats.compare_arms(scores)
    assert [(r.arm_a, r.arm_b) for r in rows] == [
        ("prompt", "rag"),
        ("prompt", "finetune"),
        ("rag", "finetune"),
    ]
    raw = [r.p_value for r in rows]
    assert [r.p_holm for r in rows] == pytest.approx(stats.holm(raw))
    for r in rows:
        assert r.test == "tango_score" and r.n == n
        direct = stats.paired_test(scores[r.arm_a], scores[r.arm_b])
        assert r.p_value == direct.p_value
        # p and interval agree: significant at 0.05 exactly when the 95% interval excludes 0
        assert (r.p_value < 0.05) == (r.ci_low > 0 or r.ci_high < 0)
        assert r.effect == pytest.approx(r.mean_a - r.mean_b)
        assert r.ci_low <= r.effect <= r.ci_high
    assert rows[0].significant() and rows[0].effect < 0  # rag clearly beats prompt
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].p_value = 0.5  # type: ignore[misc]


def test_compare_arms_aligns_on_common_item_ids_and_is_seeded() -> None:
    scores = {
        "a": {"q1": 0.9, "q2": 0.4, "q3": 0.7, "q4": None},
        "b": {"q2": 0.1, "q3": 0.6, "q1": 0.5, "q4": 0.2, "q5": 1.0},
        "c": {"x": 0.5},
    }
    rows = stats.compare_arms(scores, seed=9)
    ab = rows[0]
    assert ab.test == "bounded_bootstrap_t" and ab.n == 3  # q4 unscored in a, q5 missing
    assert ab.effect == pytest.approx((0.4 + 0.3 + 0.1) / 3)
    assert ab.mean_a == pytest.approx((0.9 + 0.4 + 0.7) / 3)
    ac = rows[1]
    assert ac.n == 0 and ac.test == "none" and ac.p_holm == 1.0
    assert rows == stats.compare_arms(scores, seed=9)
    wider = {arm: np.random.default_rng(i).uniform(size=30).tolist() for i, arm in enumerate("ab")}
    assert stats.compare_arms(wider, seed=10) == stats.compare_arms(wider, seed=10)
    assert stats.compare_arms(wider, seed=10)[0].ci_low != stats.compare_arms(wider)[0].ci_low


def test_compare_arms_binary_can_be_forced() -> None:
    rows = stats.compare_arms({"a": [1, 0, 1], "b": [0, 0, 1]}, binary=False)
    assert rows[0].test == "bounded_bootstrap_t"


def test_compare_metric_uses_the_metrics_binary_flag() -> None:
    from ragtune.scoring.metrics import score_qa

    golds = ["paris", "rome", "oslo", "bern"]
    by_arm = {
        "prompt": score_qa(["paris", "milan", "oslo", "x"], golds),
        "rag": score_qa(["paris", "rome", "oslo", "bern"], golds),
    }
    (em,) = stats.compare_metric({arm: s["exact_match"] for arm, s in by_arm.items()})
    assert em.test == "tango_score" and em.n == 4 and em.effect == pytest.approx(-0.5)
    # 2 discordant pairs, both for rag: the score p that inverts Tango's interval is McNemar's
    # z = 2 / sqrt(2) = 1.4142, p = 2 * Phi(-1.4142) = 0.1573 (the exact test's is 2 * 1/4 = 0.5;
    # both say "not significant", and this one agrees with the interval shown beside it).
    assert em.p_value == pytest.approx(0.1573, abs=1e-4)
    assert em.ci_low < 0 < em.ci_high
    (f1,) = stats.compare_metric({arm: s["token_f1"] for arm, s in by_arm.items()}, seed=1)
    assert f1.test == "bounded_bootstrap_t"
    with pytest.raises(RagtuneError, match="per-item metric over the same items"):
        stats.compare_metric(
            {"a": MetricScores("macro_f1", 0.5, ()), "b": MetricScores("macro_f1", 0.6, ())}
        )
    with pytest.raises(RagtuneError, match="per-item metric over the same items"):
        stats.compare_metric({"a": by_arm["rag"]["exact_match"], "b": by_arm["rag"]["token_f1"]})


# --- repeats ---------------------------------------------------------------------------------


def test_repeat_spread_worked_example() -> None:
    spread = stats.repeat_spread([[1, 0, 1, 1], [1, 1, 1, 0], [1, 0, 1, 0]])
    assert spread.means == pytest.approx((0.75, 0.75, 0.5))
    assert spread.mean == pytest.approx(2 / 3)
    assert spread.sd == pytest.approx(np.std([0.75, 0.75, 0.5], ddof=1))
    assert (spread.min, spread.max) == (0.5, 0.75)
    assert spread.item_flip_rate == 0.5  # items 2 and 4 change between repeats
    per_item_sd = [0.0, np.std([0, 1, 0], ddof=1), 0.0, np.std([1, 0, 0], ddof=1)]
    assert spread.mean_item_sd == pytest.approx(np.mean(per_item_sd))


def test_repeat_spread_single_repeat_and_bad_shape() -> None:
    spread = stats.repeat_spread([[0.2, 0.4]])
    assert spread.sd == 0.0 and spread.item_flip_rate == 0.0 and spread.mean == pytest.approx(0.3)
    with pytest.raises(RagtuneError, match="same non-empty item list"):
        stats.repeat_spread([])
    with pytest.raises(RagtuneError, match="same non-empty item list"):
        stats.repeat_spread([[1, 0], [1]])


def test_mean_over_repeats_keeps_items_scored_every_time() -> None:
    means = stats.mean_over_repeats([{"a": 1, "b": 0, "c": 1}, {"a": 0, "b": 0}, [1, 1]])
    assert means == {}  # positional keys "0", "1" share nothing with "a", "b"
    means = stats.mean_over_repeats([{"a": 1, "b": 0, "c": 1}, {"a": 0, "b": None, "c": 1}])
    assert means == {"a": 0.5, "c": 1.0}
    assert stats.mean_over_repeats([]) == {}


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_properties(counts: tuple[int, int]) -> None:
    k, n = counts
    interval = stats.wilson_interval(k, n)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0
    mirror = stats.wilson_interval(n - k, n)
    assert interval.low == pytest.approx(1 - mirror.high, abs=1e-12)
    wider = stats.wilson_interval(k, n, confidence=0.99)
    assert wider.low <= interval.low + 1e-12 and wider.high >= interval.high - 1e-12


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_mcnemar_is_symmetric_in_the_arms(pairs: list[tuple[bool, bool]]) -> None:
    a = [float(x) for x, _ in pairs]
    b = [float(y) for _, y in pairs]
    ab, ba = stats.mcnemar_exact(a, b, n_resamples=200), stats.mcnemar_exact(b, a, n_resamples=200)
    assert ab.p_value == ba.p_value and ab.effect == pytest.approx(-ba.effect)
    assert 0.0 < ab.p_value <= 1.0


def test_unpaired_bootstrap_matches_scipy_two_sample_percentile_interval() -> None:
    """Two independent samples (runs over different items): the interval of the difference of
    means agrees with scipy's two-sample percentile bootstrap up to resampling noise."""
    from scipy import stats as scipy_stats

    from ragtune.stats.paired import unpaired_bootstrap

    rng = np.random.default_rng(7)
    a, b = rng.normal(0.7, 0.2, 60), rng.normal(0.5, 0.2, 45)
    ours = unpaired_bootstrap(a.tolist(), b.tolist(), n_resamples=20_000, seed=3)
    ref = scipy_stats.bootstrap(
        (a, b),
        lambda x, y, axis=-1: np.mean(x, axis=axis) - np.mean(y, axis=axis),
        method="percentile",
        n_resamples=20_000,
        random_state=np.random.default_rng(5),
    ).confidence_interval
    assert ours.effect == pytest.approx(a.mean() - b.mean())
    assert ours.interval.low == pytest.approx(ref.low, abs=0.01)
    assert ours.interval.high == pytest.approx(ref.high, abs=0.01)
    assert ours.p_value < 0.001 and ours.test == "unpaired_bootstrap" and ours.n == 45
    same = unpaired_bootstrap([0.0, 1.0] * 10, [1.0, 0.0] * 10)
    assert same.p_value > 0.5
