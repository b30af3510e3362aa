"""Judge-vs-human and human-vs-human agreement, checked against sklearn and statsmodels and one
worked example."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from ragtune.errors import RagtuneError
from ragtune.stats.agreement import cohen_kappa, confusion, fleiss_kappa


def test_worked_example() -> None:
    # 10 items, judge vs person, correct (c) / wrong (w):
    #            person c  person w
    #   judge c     5         2
    #   judge w     1         2
    # p_o = 7/10 = 0.7; judge says c on 0.7, person on 0.6: p_e = 0.7*0.6 + 0.3*0.4 = 0.54;
    # kappa = (0.7 - 0.54) / (1 - 0.54) = 0.16 / 0.46 = 0.347826.
    judge = ["c"] * 7 + ["w"] * 3
    person = ["c"] * 5 + ["w"] * 2 + ["c"] * 1 + ["w"] * 2
    result = cohen_kappa(judge, person)
    assert result.n == 10 and result.accuracy == pytest.approx(0.7)
    assert result.kappa == pytest.approx(0.16 / 0.46)
    assert result.table.categories == ("c", "w")
    assert result.table.counts == ((5, 2), (1, 2))
    assert result.kappa_low < result.kappa < result.kappa_high


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kappa_and_its_interval_match_sklearn_and_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = ["correct", "partly", "wrong"]
    human = rng.choice(labels, size=120, p=[0.5, 0.2, 0.3])
    # a judge that agrees 75% of the time and guesses otherwise
    judge = np.where(rng.random(120) < 0.75, human, rng.choice(labels, size=120))
    result = cohen_kappa(list(judge), list(human), categories=labels)
    assert result.kappa == pytest.approx(cohen_kappa_score(judge, human, labels=labels))
    reference = sm_cohens_kappa(np.asarray(result.table.counts))
    assert result.kappa == pytest.approx(reference.kappa)
    half = 1.959964 * reference.std_kappa
    assert result.kappa_low == pytest.approx(reference.kappa - half, abs=1e-5)
    assert result.kappa_high == pytest.approx(reference.kappa + half, abs=1e-5)


def test_fleiss_kappa_matches_statsmodels() -> None:
    rng = np.random.default_rng(5)
    truth = rng.choice(3, size=40)
    ratings = [[t if rng.random() < 0.8 else rng.choice(3) for _ in range(3)] for t in truth]
    table = np.zeros((40, 3))
    for i, r in enumerate(ratings):
        for label in r:
            table[i, label] += 1
    assert fleiss_kappa(ratings) == pytest.approx(sm_fleiss_kappa(table, method="fleiss"))


def test_two_raters_fleiss_equals_its_own_formula_by_hand() -> None:
    # 4 items, 2 raters: agree on items 1-3 (a,a), (b,b), (a,a), disagree on item 4 (a,b).
    # P_i = 1, 1, 1, 0 -> mean 0.75; shares: a 5/8, b 3/8 -> chance 25/64 + 9/64 = 34/64.
    # kappa = (0.75 - 0.53125) / (1 - 0.53125) = 0.21875 / 0.46875 = 0.466667.
    assert fleiss_kappa([["a", "a"], ["b", "b"], ["a", "a"], ["a", "b"]]) == pytest.approx(
        0.21875 / 0.46875
    )


def test_bad_input_is_explained() -> None:
    with pytest.raises(RagtuneError, match="same items, got 2 and 1"):
        confusion(["a", "b"], ["a"])
    with pytest.raises(RagtuneError, match="not among the categories"):
        confusion(["a", "x"], ["a", "a"], categories=["a", "b"])
    with pytest.raises(RagtuneError, match="undefined"):
        cohen_kappa(["a", "a"], ["a", "a"])
    with pytest.raises(RagtuneError, match="same number"):
        fleiss_kappa([["a", "b"], ["a"]])


def test_weighted_kappa_matches_sklearn_quadratic() -> None:
    from ragtune.stats.agreement import weighted_kappa

    scores = {str(v): (v - 1) / 4 for v in range(1, 6)}
    rng = np.random.default_rng(4)
    a = [str(v) for v in rng.integers(1, 6, 60)]
    b = [str(min(5, max(1, int(v) + int(rng.integers(-1, 2))))) for v in a]
    expected = cohen_kappa_score(a, b, weights="quadratic", labels=list("12345"))
    assert weighted_kappa(a, b, scores) == pytest.approx(expected)
    # one category on both sides: 0/0, an error rather than a number
    with pytest.raises(RagtuneError, match="weighted kappa is undefined"):
        weighted_kappa(["3"] * 5, ["3"] * 5, scores)
