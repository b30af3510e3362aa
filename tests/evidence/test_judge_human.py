"""Judge + people on a stored run: the three estimates of each arm's human score, in the report."""

from __future__ import annotations

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
