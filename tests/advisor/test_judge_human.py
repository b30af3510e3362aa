"""The verdict on people's scores with the judge's help: PPI intervals of paired differences."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.stats.ppi import ppi_mean
from ragtune.store.records import Rating


def test_verdict_decides_on_ppi_of_the_paired_differences(review_run: tuple[Path, str]) -> None:
    from ragtune.advisor import build_document
    from ragtune.store.runstore import RunStore

    path, run_id = review_run  # 12 items; judge: zeta_rag right on even items, omega below q6
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"),
                                  tuple(f"q{i}" for i in range(8)), ("correct", "partly",
                                  "wrong"), 7)  # fmt: skip
        # people agree with the judge on every rated item (q0-q7)
        for i in range(8):
            for arm, right in (("zeta_rag", i % 2 == 0), ("omega_tuned", i < 6)):
                store.record_rating(Rating(run_id, review.id, "ana", f"q{i}", arm, "pointwise",
                                           "correct" if right else "wrong", ("x",)))  # fmt: skip
        doc = build_document(store, run_id)
    assert doc.verdict.metric == "human"
    # people: omega 6/8 = 0.75 is best, zeta 4/8 = 0.5
    stand = {s.arm: s for s in doc.verdict.standings}
    assert stand["omega_tuned"].status == "best"
    z = stand["zeta_rag"]
    assert z.test == "ppi" and z.n == 8
    # by hand: differences zeta - omega per item, people = judge on q0-q7:
    # q0..q7 -> [0, -1, 0, -1, 0, -1, 1, 0]; unrated q8..q11 (judge): zeta [1, 0, 1, 0],
    # omega [0, 0, 0, 0] -> [1, 0, 1, 0]
    rated = [0, -1, 0, -1, 0, -1, 1, 0]
    expected = ppi_mean(rated, rated, [1, 0, 1, 0], confidence=0.95).ppi
    assert (z.effect, z.ci_low, z.ci_high) == pytest.approx(
        (expected.estimate, expected.low, expected.high)
    )
    assert "prediction-powered" in doc.verdict.correction


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
                                  "wrong"), 7)  # fmt: skip
        for i in range(8):  # both arms rated as the judge scored zeta on q0-q7
            value = "correct" if i % 2 == 0 else "wrong"
            for arm in ("zeta_rag", "omega_tuned"):
                rating = Rating(run_id, review.id, "ana", f"q{i}", arm, "pointwise", value, ("x",))
                store.record_rating(rating)
        doc = build_document(store, run_id)
    stand = {s.arm: s for s in doc.verdict.standings}
    assert all(s.status != "equivalent" for s in stand.values())
    assert doc.verdict.undetermined
