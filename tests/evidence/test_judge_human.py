"""Judge + people on a stored run: the three estimates of each arm's human score, in the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ragtune.store.records import Rating

ppi_py = pytest.importorskip("ppi_py")


def test_report_shows_judge_only_human_only_and_ppi(review_run: tuple[Path, str]) -> None:
    from ragtune.advisor import build_document
    from ragtune.report import render_html, render_markdown
    from ragtune.store.runstore import RunStore

    path, run_id = review_run  # 12 items; the judge: zeta_rag right on even items
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ("zeta_rag",),
                                  tuple(f"q{i}" for i in range(10)), ("correct", "partly",
                                  "wrong"), 7, "uniform")  # fmt: skip
        for i in range(10):  # people: right on q0-q7, wrong on q8, q9
            store.record_rating(Rating(run_id, review.id, "ana", f"q{i}", "zeta_rag",
                                       "pointwise", "correct" if i < 8 else "wrong",
                                       ("zeta_rag",)))  # fmt: skip
        doc = build_document(store, run_id)
    assert doc.human is not None
    (row,) = doc.human.judge_human
    # judge only: 6 of the 12 items right = 0.5; human only: 8 of 10 = 0.8
    assert row.judge_only.estimate == pytest.approx(0.5) and row.judge_only.n == 12
    assert row.human_only.estimate == pytest.approx(0.8) and row.human_only.n == 10
    # PPI from ppi-python on the same arrays: rated q0-q9 (people, judge), unrated q10, q11
    people = np.array([1.0] * 8 + [0.0] * 2)
    judge = np.array([1.0, 0.0] * 5)
    unrated = np.array([1.0, 0.0])
    low, high = ppi_py.ppi_mean_ci(people, judge, unrated, alpha=0.05)
    point = ppi_py.ppi_mean_pointestimate(people, judge, unrated)
    assert row.ppi.estimate == pytest.approx(float(np.squeeze(point)), abs=1e-6)
    assert (row.ppi.low, row.ppi.high) == pytest.approx(
        (float(np.squeeze(low)), float(np.squeeze(high))), abs=1e-6
    )
    md = render_markdown(doc)
    assert "Judge + people: three estimates" in md
    assert f"| zeta_rag | 0.500 [{row.judge_only.low:.3f}, {row.judge_only.high:.3f}] n=12 |" in md
    assert "judge-human" in render_html(doc)


def test_uniform_review_sample_and_the_ratings_that_would_halve_it(
    review_run: tuple[Path, str],
) -> None:
    """`ragtune review --uniform` draws a plain uniform sample (what PPI needs), and once people
    have rated, prints each arm's PPI estimate and the ratings that would halve its interval."""
    from click.testing import CliRunner

    import ragtune.cli  # noqa: F401  (registers every command)
    from ragtune.cli.main import cli
    from ragtune.evidence import load_run, plan_review
    from ragtune.stats.ppi import ppi_mean
    from ragtune.store.runstore import RunStore

    path, run_id = review_run
    with RunStore.open(path) as store:
        run = load_run(store, run_id)
    plan = plan_review(run, sample=6, arms=("zeta_rag",), uniform=True)
    assert plan.stratified_by is None and len(set(plan.items)) == 6
    # the same seed draws the same uniform sample; every item can be drawn (12 of 12 over seeds)
    assert plan_review(run, sample=6, arms=("zeta_rag",), uniform=True).items == plan.items
    seen = {i for s in range(40) for i in plan_review(run, sample=6, uniform=True, seed=s).items}
    assert len(seen) == 12
    args = ["review", run_id, "--sample", "6", "--arms", "zeta_rag", "--uniform", "--no-serve",
            "--store", str(path)]  # fmt: skip
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0 and "6 items, uniformly random" in first.stderr
    with RunStore.open(path) as store:
        (review,) = store.reviews(run_id)
        for item in review.items:  # people agree with the judge except on q2
            right = int(item[1:]) % 2 == 0 and item != "q2"
            store.record_rating(Rating(run_id, review.id, "ana", item, "zeta_rag", "pointwise",
                                       "correct" if right else "wrong", ("zeta_rag",)))  # fmt: skip
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0
    rated = sorted(review.items, key=lambda i: int(i[1:]))
    unrated = [f"q{i}" for i in range(12) if f"q{i}" not in review.items]
    people = [1.0 if int(i[1:]) % 2 == 0 and i != "q2" else 0.0 for i in rated]
    judge = [1.0 if int(i[1:]) % 2 == 0 else 0.0 for i in rated]
    result = ppi_mean(people, judge, [1.0 if int(i[1:]) % 2 == 0 else 0.0 for i in unrated])
    p = result.ppi
    line = (
        f"judge + people (PPI) for zeta_rag: {p.estimate:.3f} [{p.low:.3f}, {p.high:.3f}] from "
        "6 ratings and 12 judged answers; "
    )
    assert line in again.stderr, again.stderr
    more = result.ratings_to_halve
    assert (f"{more:,} more ratings" if more is not None else "would not halve") in again.stderr


def test_ppi_population_is_the_review_frame(
    tmp_path: Path, review_builder: Callable[..., str]
) -> None:
    """Review finding F3: a third reviewed arm failed on q0-q14, so a uniform review of all
    three arms draws from q15-q39 only (its frame, 25 items). PPI's unrated items are the frame
    less the rated ones: 25 - 10 = 15 per arm, not the 30 judged items outside the rated ten
    (q0-q14 could never be rated)."""
    from ragtune.evidence import human_evidence, load_run, plan_review, review_frames
    from ragtune.store.records import Metric, Prediction
    from ragtune.store.runstore import RunStore

    path = tmp_path / "runs.db"
    run_id = review_builder(path, n=40)
    with RunStore.open(path) as store:
        store.add_arm(run_id, "third")
        store.record_predictions(
            Prediction(run_id, "third", f"q{i}", 0, None if i < 15 else f"a {i}",
                       answer=None if i < 15 else str(i), latency_s=0.1,
                       error="timeout" if i < 15 else None)
            for i in range(40)
        )  # fmt: skip
        store.set_arm_status(run_id, "third", "done")
        store.record_metrics(
            Metric(run_id, "third", "judge_correct", 1.0, item_id=f"q{i}") for i in range(15, 40)
        )
        run = load_run(store, run_id)
        plan = plan_review(run, sample=10)
        assert plan.sampling == "uniform" and len(plan.arms) == 3
        assert review_frames(run) == {}  # no review yet
        review = store.add_review(run_id, plan.mode, plan.arms, plan.items, plan.scale,
                                  plan.seed, plan.sampling)  # fmt: skip
        for item in plan.items:
            for arm in plan.arms:
                store.record_rating(Rating(run_id, review.id, "ana", item, arm, "pointwise",
                                           "correct", plan.arms))  # fmt: skip
        run = load_run(store, run_id)
    frames = review_frames(run)
    assert frames[review.id] == frozenset(f"q{i}" for i in range(15, 40))
    human = human_evidence(run.config.task, run.ratings, run.judge_metrics, seed=run.seed,
                           reviews=run.reviews, frames=frames)  # fmt: skip
    assert human is not None
    found = {e.arm: (e.rated, e.unrated) for e in human.judge_human}
    assert found["zeta_rag"] == (10, 15) and found["omega_tuned"] == (10, 15)
    assert set(human.judge_items["zeta_rag"]) == frames[review.id]


def test_ppi_kept_to_the_frame_covers_the_frame_mean() -> None:
    """The reviewer's model (a3b_frame_bias.py), vectorised: 1,000 judged items, the 300 hard
    ones outside the frame (people 30% right, judge 80%), the 700 others people 80% right and
    the judge right 90% of the time; 100 rated, uniform over the frame. With every judged item
    unrated, PPI claims the mean over all 1,000 but its correction saw none of the hard items:
    its interval covers that mean in ~0% of 2,000 runs. Kept to the frame it estimates the
    frame's mean and covers it in 95-97.5% (a little above 95%:
    the frame's mean is of a finite set, 100 of whose 700 items are rated, and PPI's variance
    does not credit that; 2,000 runs, one standard error 0.5 points)."""
    from ragtune.stats.intervals import z_value
    from ragtune.stats.ppi import ppi_rows, tuned_lambda

    rng = np.random.default_rng(3)
    runs, frame, hard = 2000, 700, 300
    human = (rng.random((runs, frame)) < 0.8).astype(float)
    judge = np.where(rng.random((runs, frame)) < 0.9, human, 1 - human)
    hard_judge = (rng.random((runs, hard)) < 0.8).astype(float)
    hard_human = (rng.random((runs, hard)) < 0.3).astype(float)
    order = np.argsort(rng.random((runs, frame)), axis=1)  # a uniform draw per run
    h, j = np.take_along_axis(human, order, 1), np.take_along_axis(judge, order, 1)
    y, yhat, unrated = h[:, :100], j[:, :100], j[:, 100:]
    frame_mean, all_mean = human.mean(axis=1), np.hstack([human, hard_human]).mean(axis=1)
    z = z_value(0.95)
    cases = (
        (unrated, frame_mean, 0.94, 0.975),
        (np.hstack([unrated, hard_judge]), all_mean, 0, 0.05),
    )
    for rest, truth, lo, hi in cases:
        estimate, se, _, _ = ppi_rows(y, yhat, rest, tuned_lambda(y, yhat, rest))
        covered = np.mean((estimate - z * se <= truth) & (truth <= estimate + z * se))
        assert lo <= covered <= hi


def test_page_note_when_every_item_of_the_frame_is_rated(
    tmp_path: Path, review_builder: Callable[..., str]
) -> None:
    """Review finding F6: a uniform review of all 12 judged items, every answer rated, leaves
    PPI no unrated item: the note says the estimate is people's own, not "once at least 2 items
    are rated"."""
    from ragtune.evidence import load_run, plan_review, review_ppi
    from ragtune.store.runstore import RunStore

    path = tmp_path / "runs.db"
    run_id = review_builder(path, n=12)
    with RunStore.open(path) as store:
        plan = plan_review(load_run(store, run_id), sample=12)
        review = store.add_review(run_id, plan.mode, plan.arms, plan.items, plan.scale,
                                  plan.seed, plan.sampling)  # fmt: skip
        for item in plan.items:
            for arm in plan.arms:
                store.record_rating(Rating(run_id, review.id, "ana", item, arm, "pointwise",
                                           "correct", plan.arms))  # fmt: skip
        run = load_run(store, run_id)
    note = review_ppi(run, review)
    assert note is not None and note.more is None
    assert "every item this review can draw from is rated" in note.text
    assert "once every answer" not in note.text
