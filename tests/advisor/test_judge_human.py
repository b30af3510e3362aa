"""The verdict on people's scores with the judge's help: PPI intervals of paired differences."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ragtune.stats.ppi import ppi_mean
from ragtune.store.records import Rating


def test_verdict_decides_on_ppi_of_the_paired_differences(
    tmp_path: Path, review_builder: Callable[..., str]
) -> None:
    from ragtune.advisor import build_document
    from ragtune.store.runstore import RunStore

    path = tmp_path / "runs.db"
    run_id = review_builder(path, n=60)  # judge: zeta_rag right on even items, omega below q30
    rated = range(40)
    # people agree with the judge on omega; on zeta they also call right the 10 items i = 1 mod 4
    # the judge called wrong, so 10 rated differences differ from the judge's (MIN_DISAGREEMENTS)
    people = {"zeta_rag": [i % 2 == 0 or i % 4 == 1 for i in rated],
              "omega_tuned": [i < 30 for i in rated]}  # fmt: skip
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"),
                                  tuple(f"q{i}" for i in rated), ("correct", "partly", "wrong"),
                                  7, "uniform")  # fmt: skip
        for arm, rights in people.items():
            for i, right in zip(rated, rights, strict=True):
                store.record_rating(Rating(run_id, review.id, "ana", f"q{i}", arm, "pointwise",
                                           "correct" if right else "wrong", ("x",)))  # fmt: skip
        doc = build_document(store, run_id)
    assert doc.verdict.metric == "human"
    # people: zeta 30/40 = 0.75 is best (20 even + 10 at 1 mod 4), omega 30/40 = 0.75 ties;
    # whichever is best, the other's row is PPI of the paired differences
    stand = {s.arm: s for s in doc.verdict.standings}
    best = next(a for a, s in stand.items() if s.status == "best")
    other = "omega_tuned" if best == "zeta_rag" else "zeta_rag"
    z = stand[other]
    assert z.test == "ppi" and z.n == 40
    judge = {
        "zeta_rag": [i % 2 == 0 for i in range(60)],
        "omega_tuned": [i < 30 for i in range(60)],
    }
    d_human = [float(people[other][i]) - float(people[best][i]) for i in rated]
    d_judge = [float(judge[other][i]) - float(judge[best][i]) for i in range(60)]
    expected = ppi_mean(d_human, d_judge[:40], d_judge[40:], confidence=0.95)
    assert expected.disagreements == 10 and expected.people_nonzero >= 10
    assert expected.decision is not None  # the floored interval (stats/ppi.py), wider than ppi
    assert expected.decision.width > expected.ppi.width
    assert (z.effect, z.ci_low, z.ci_high) == pytest.approx(
        (expected.decision.estimate, expected.decision.low, expected.decision.high)
    )
    assert "prediction-powered" in doc.verdict.correction
    assert "at least 10 rated items differ from the judge and as many" in doc.verdict.correction


def test_fewer_than_ten_disagreements_keep_peoples_own_test(review_run: tuple[Path, str]) -> None:
    """8 rated items on which people agree with the judge: PPI's correction has zero variance
    and its normal interval is not to be trusted (stats/ppi.py); people's own row stands."""
    from ragtune.advisor import build_document
    from ragtune.store.runstore import RunStore

    path, run_id = review_run
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"),
                                  tuple(f"q{i}" for i in range(8)), ("correct", "partly",
                                  "wrong"), 7, "uniform")  # fmt: skip
        for i in range(8):
            for arm, right in (("zeta_rag", i % 2 == 0), ("omega_tuned", i < 6)):
                store.record_rating(Rating(run_id, review.id, "ana", f"q{i}", arm, "pointwise",
                                           "correct" if right else "wrong", ("x",)))  # fmt: skip
        doc = build_document(store, run_id)
    stand = {s.arm: s for s in doc.verdict.standings}
    assert stand["zeta_rag"].test != "ppi" and stand["zeta_rag"].n == 8


def test_ratings_of_a_stratified_review_are_not_used_by_ppi(
    review_run: tuple[Path, str],
) -> None:
    from ragtune.advisor import build_document
    from ragtune.store.runstore import RunStore

    path, run_id = review_run
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ("zeta_rag",), ("q0", "q1", "q2"),
                                  ("correct", "partly", "wrong"), 7, "stratified")  # fmt: skip
        for i in range(3):
            store.record_rating(Rating(run_id, review.id, "ana", f"q{i}", "zeta_rag",
                                       "pointwise", "correct", ("x",)))  # fmt: skip
        doc = build_document(store, run_id)
    assert doc.human is not None and doc.human.judge_human == []
    assert doc.human.ppi_ratings == (
        "judge + people (PPI) uses no ratings (no review was drawn uniformly at random); 3 "
        "ratings of stratified reviews are left out (their items were not drawn uniformly, which "
        "PPI's correction needs)"
    )


def test_ppi_alone_never_makes_an_arm_equivalent(review_run: tuple[Path, str]) -> None:
    """Found by the attack review: when people and the judge agree on every rated item and the
    arms tie there, PPI's normal interval has zero width, [0, 0], and read as "equivalent" on
    8 rated items (its simulation: 20-90% false "equivalent" at a true difference of -margin
    with 2-50 rated items). People's own test (Tango on 8 ties: far wider than the margin)
    keeps the arm undetermined."""
    from ragtune.advisor import build_document
    from ragtune.store.runstore import RunStore

    path, run_id = review_run
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"),
                                  tuple(f"q{i}" for i in range(8)), ("correct", "partly",
                                  "wrong"), 7, "uniform")  # fmt: skip
        for i in range(8):  # both arms rated as the judge scored zeta on q0-q7
            value = "correct" if i % 2 == 0 else "wrong"
            for arm in ("zeta_rag", "omega_tuned"):
                rating = Rating(run_id, review.id, "ana", f"q{i}", arm, "pointwise", value, ("x",))
                store.record_rating(rating)
        doc = build_document(store, run_id)
    stand = {s.arm: s for s in doc.verdict.standings}
    assert all(s.status != "equivalent" for s in stand.values())
    assert doc.verdict.undetermined
