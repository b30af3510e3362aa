"""People's ratings as evidence: scores with intervals, agreement, and the judge calibrated.

Scripted judge verdicts and human ratings; kappa is checked against sklearn and statsmodels,
intervals against statsmodels, and the threshold caveat at a kappa worked out by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa
from statsmodels.stats.proportion import proportion_confint

from ragtune.evidence.human_scores import human_evidence, human_label, judge_label
from ragtune.store.records import Metric, Rating

RUN = "20261129-150000-be1f"
CATS = ["correct", "partly", "wrong"]
# Ten answers of arm "a". The judge says correct on the first five, wrong on the rest; the
# reviewer differs on item 4 (partly) and item 9 (correct).
JUDGE = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
HUMAN = ["correct"] * 4 + ["partly"] + ["wrong"] * 4 + ["correct"]


def rating(arm: str, item: str, value: str, reviewer: str = "ana", mode: str = "pointwise"):
    return Rating(RUN, 1, reviewer, item, arm, mode, value, ("a", "b"))


def verdicts(arm: str, values: list[int]) -> list[Metric]:
    return [Metric(RUN, arm, "judge_correct", float(v), f"i{i}") for i, v in enumerate(values)]


def scripted(threshold: float = 0.6):
    ratings = [rating("a", f"i{i}", v) for i, v in enumerate(HUMAN)]
    return human_evidence("qa", ratings, verdicts("a", JUDGE), threshold=threshold)


def test_judge_agreement_and_kappa_match_sklearn() -> None:
    human = scripted()
    assert human is not None and human.calibration is not None
    c = human.calibration
    judge = ["correct" if v else "wrong" for v in JUDGE]
    # The QA judge says correct or wrong; people's "partly" (item 4) counts as wrong.
    people = [v if v != "partly" else "wrong" for v in HUMAN]
    # Agreement: items 0-3 and 5-8 agree: 8 of 10.
    assert c.n == 10 and c.accuracy == pytest.approx(0.8)
    # By hand: p_o = 0.8; judge margins correct .5, wrong .5; people .5, .5;
    # p_e = .25 + .25 = .5; kappa = (.8 - .5) / (1 - .5) = 0.6.
    assert c.kappa == pytest.approx(0.6)
    assert c.kappa == pytest.approx(cohen_kappa_score(judge, people))
    assert c.weighted_kappa is None  # two categories: weighted equals unweighted
    assert "partly" in c.label_rule
    # Rows are the judge, columns the people.
    assert c.table.categories == ("correct", "wrong")
    assert c.table.counts == ((4, 1), (1, 4))  # item 9: judge wrong, people right


def test_caveat_fires_below_the_threshold_only() -> None:
    kappa = 0.6
    assert not scripted(threshold=0.55).calibration.below  # 0.6 >= 0.55: no caveat
    assert not scripted(threshold=kappa).calibration.below  # at the threshold: no caveat
    assert scripted(threshold=kappa + 1e-9).calibration.below
    assert scripted(threshold=0.65).calibration.below


def test_human_score_interval_is_wilson_for_0_1_scores() -> None:
    # Arm b: 7 of 10 rated correct, 3 wrong: 0/1 scores, so a Wilson interval.
    ratings = [rating("b", f"i{i}", "correct" if i < 7 else "wrong") for i in range(10)]
    human = human_evidence("qa", ratings)
    assert human is not None
    [score] = human.scores
    low, high = proportion_confint(7, 10, alpha=0.05, method="wilson")
    assert (score.n, score.scores.value) == (10, 0.7)
    assert score.interval.method == "wilson"
    assert score.interval.low == pytest.approx(low) and score.interval.high == pytest.approx(high)


def test_partly_scores_half_and_reviewers_are_averaged() -> None:
    # Item i0: ana says correct (1), ben says partly (0.5): mean 0.75. Item i1: both wrong: 0.
    ratings = [
        rating("a", "i0", "correct"),
        rating("a", "i0", "partly", "ben"),
        rating("a", "i1", "wrong"),
        rating("a", "i1", "wrong", "ben"),
    ]
    human = human_evidence("qa", ratings)
    [score] = human.scores
    assert score.scores.per_item == (0.75, 0.0)
    assert score.interval.method == "bounded_bootstrap_t"  # not 0/1
    assert (score.reviewers, score.ratings) == (2, 4)
    # Calibration label of i0: the category nearest 0.75 is... 0.5 and 1 are equally near; the
    # tie goes to the lower (cautious) one.
    assert human_label(["correct", "partly"], CATS) == "partly"


def test_a_later_rating_replaces_the_earlier_one() -> None:
    ratings = [rating("a", "i0", "wrong"), rating("a", "i0", "correct")]
    [score] = human_evidence("qa", ratings).scores
    assert score.scores.per_item == (1.0,) and score.ratings == 1


def test_two_reviewers_cohen_three_fleiss() -> None:
    ana = ["correct", "wrong", "correct", "partly", "wrong", "correct", "wrong", "correct"]
    ben = ["correct", "wrong", "partly", "partly", "correct", "correct", "wrong", "wrong"]
    cy = ["correct", "partly", "correct", "partly", "wrong", "correct", "wrong", "correct"]
    two = [rating("a", f"i{i}", v) for i, v in enumerate(ana)]
    two += [rating("a", f"i{i}", v, "ben") for i, v in enumerate(ben)]
    agreement = human_evidence("qa", two).agreement
    assert agreement.method == "cohen" and agreement.n == 8
    assert agreement.kappa == pytest.approx(cohen_kappa_score(ana, ben, labels=CATS))
    assert agreement.cohen.accuracy == pytest.approx(5 / 8)
    three = two + [rating("a", f"i{i}", v, "cy") for i, v in enumerate(cy)]
    agreement = human_evidence("qa", three).agreement
    table, _ = aggregate_raters([list(r) for r in zip(ana, ben, cy, strict=True)])
    assert agreement.method == "fleiss"
    assert agreement.kappa == pytest.approx(sm_fleiss_kappa(table, method="fleiss"))


def test_paired_comparison_on_the_items_both_arms_were_rated() -> None:
    # a right on i0-i5, b right on i0-i1 only; b was not rated on i5: 5 common items, where
    # a is right on 5 and b on 2 -> effect 3/5 = 0.6, discordant pairs 3 (all a): the score p
    # that inverts Tango's interval (McNemar's score test) z = 3 / sqrt(3) = 1.7321,
    # p = 2 * Phi(-1.7321) = 0.0833.
    ratings = [rating("a", f"i{i}", "correct") for i in range(6)]
    ratings += [rating("b", f"i{i}", "correct" if i < 2 else "wrong") for i in range(5)]
    [c] = human_evidence("qa", ratings).comparisons
    assert (c.arm_a, c.arm_b, c.n, c.test) == ("a", "b", 5, "tango_score")
    assert c.effect == pytest.approx(0.6) and c.p_value == pytest.approx(0.0833, abs=1e-4)


def test_pairwise_counts_and_win_rate() -> None:
    values = ["a", "a", "b", "tie", "a"]
    ratings = [rating("x~y", f"i{i}", v, mode="pairwise") for i, v in enumerate(values)]
    [p] = human_evidence("qa", ratings).pairwise
    assert (p.arm_a, p.arm_b, p.n, p.wins_a, p.wins_b, p.ties) == ("x", "y", 5, 3, 1, 1)
    assert p.win_rate_a == pytest.approx((3 + 0.5) / 5)


def test_generate_rubric_labels_match_the_judge_scale() -> None:
    # The judge stores 1-5 as (v - 1) / 4: 0.75 is a 4; people's "4" scores 0.75 too.
    assert judge_label(0.75, "generate") == "4" and judge_label(0.0, "generate") == "1"
    ratings = [rating("a", "i0", "4"), rating("a", "i1", "2")]
    judge = [
        Metric(RUN, "a", "judge_score", 0.75, "i0"),
        Metric(RUN, "a", "judge_score", 1.0, "i1"),
    ]
    human = human_evidence("generate", ratings, judge)
    assert human.scores[0].scores.per_item == (0.75, 0.25)
    assert human.calibration.accuracy == 0.5 and human.calibration.n == 2


def test_an_ordinal_judge_one_step_off_is_read_by_weighted_kappa() -> None:
    # The case: people rate 1, 2, 3, 4 ten times each and the judge is one point higher
    # every time. Unweighted: p_o = 0; p_e = sum over 2, 3, 4 of .25 x .25 = .1875;
    # kappa = -.1875 / .8125 = -0.2308. Quadratic weights w = (i - j)^2 / 16: observed
    # disagreement 1/16; expected E[(i - j)^2] / 16 = (1.25 + 1.25 + 1) / 16 = 3.5 / 16;
    # weighted kappa = 1 - 1 / 3.5 = 0.7143.
    people = [str(v) for v in (1, 2, 3, 4)] * 10
    ratings = [rating("a", f"i{i}", v) for i, v in enumerate(people)]
    judge = [Metric(RUN, "a", "judge_score", int(v) / 4, f"i{i}") for i, v in enumerate(people)]
    c = human_evidence("generate", ratings, judge, threshold=0.6).calibration
    assert c is not None
    assert c.weighted_kappa == pytest.approx(0.7143, abs=1e-4)
    assert c.kappa == pytest.approx(-0.2308, abs=1e-4)
    judged = [str(int(v) + 1) for v in people]
    assert c.weighted_kappa == pytest.approx(
        cohen_kappa_score(judged, people, weights="quadratic", labels=list("12345"))
    )
    assert c.kappa == pytest.approx(cohen_kappa_score(judged, people, labels=list("12345")))
    assert not c.below  # the threshold reads the weighted kappa on the rubric
    from ragtune.advisor.human_facts import kappa_text

    assert kappa_text(c).startswith("quadratic-weighted kappa 0.71 (unweighted -0.23 [")


def test_half_point_judge_scores_go_to_the_lower_point() -> None:
    # Stored as (score - 1) / 4: 2.5 -> 0.375, 3.5 -> 0.625. Rounding half to even sent both
    # to 3; the stated rule sends each to the lower point, as people's ties are read.
    assert judge_label(0.375, "generate") == "2"
    assert judge_label(0.625, "generate") == "3"
    assert judge_label(0.6251, "generate") == "4"  # past the half point: the upper one
    assert [judge_label(v / 4, "generate") for v in range(5)] == list("12345")


def test_undefined_kappa_is_reported_with_the_raw_agreement_not_as_uncalibrated() -> None:
    # Judge and people say "correct" on all 8 answers: p_e = 1, kappa 0/0. The old caveat said
    # "not calibrated"; the agreement is 100%.
    ratings = [rating("a", f"i{i}", "correct") for i in range(8)]
    c = human_evidence("qa", ratings, verdicts("a", [1] * 8)).calibration
    assert c is not None and c.undefined and c.kappa is None and c.accuracy == 1.0
    assert not c.below

    from types import SimpleNamespace

    from ragtune.advisor.human_facts import human_notes
    from ragtune.advisor.verdict import Verdict

    notes = Verdict(volume=1.0, metric="exact_match", margin=0.05)
    human = human_evidence("qa", ratings, verdicts("a", [1] * 8))
    human_notes(notes, SimpleNamespace(human=human, arms=[]))  # type: ignore[arg-type]
    [caveat] = [x for x in notes.caveats if "judge" in x]
    assert "cannot be summarised by kappa" in caveat and "100%" in caveat
    assert "not calibrated" not in caveat


def test_no_ratings_no_evidence_and_unjudged_tasks_have_no_calibration() -> None:
    assert human_evidence("qa", []) is None
    human = human_evidence("classify", [rating("a", "i0", "correct")])
    assert human.calibration is None


def test_evidence_and_report_carry_the_ratings(review_run: tuple[Path, str]) -> None:
    """Through the store: ratings enter `evaluate` -> Evidence, the verdict uses people's scores
    (both arms rated), warns about the judge, and Markdown and JSON show the same numbers."""
    from ragtune.advisor import build_document
    from ragtune.report import render_markdown
    from ragtune.store.runstore import RunStore

    path, run_id = review_run
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"),
                                  tuple(f"q{i}" for i in range(10)), tuple(CATS), 7)  # fmt: skip
        # People: zeta_rag right on q0-q7, omega_tuned right on q0-q2 (judge: zeta right on even
        # items, omega below q6). zeta: judge and people agree on q0, q2, q4, q6 (right) and q9
        # (wrong): 5 of 10; omega: on q0-q2 and q6-q9: 7 of 10. 12 of 20 in all.
        for i in range(10):
            for arm, right in (("zeta_rag", i < 8), ("omega_tuned", i < 3)):
                store.record_rating(Rating(run_id, review.id, "ana", f"q{i}", arm, "pointwise",
                                           "correct" if right else "wrong", ("x",)))  # fmt: skip
        doc = build_document(store, run_id)
    human = doc.human
    assert human is not None and human.calibration is not None
    c = human.calibration
    assert c.n == 20 and c.accuracy == pytest.approx(12 / 20)
    judge = [("correct" if i % 2 == 0 else "wrong") for i in range(10)]
    judge += [("correct" if i < 6 else "wrong") for i in range(10)]
    people = [("correct" if i < 8 else "wrong") for i in range(10)]
    people += [("correct" if i < 3 else "wrong") for i in range(10)]
    assert c.kappa == pytest.approx(cohen_kappa_score(judge, people, labels=CATS))
    # p_o = .6; both raters say correct on 11 of 20: p_e = .55^2 + .45^2 = .505;
    # kappa = (.6 - .505) / .495 = 0.1919 < 0.6
    assert c.kappa == pytest.approx(0.095 / 0.495)
    assert c.below
    assert doc.verdict.metric == "human"
    assert any("LLM judge is not calibrated" in x for x in doc.verdict.caveats)
    scores = {s.arm: s.quality for s in human.scores}
    assert scores["zeta_rag"].estimate == 0.8 and scores["omega_tuned"].estimate == 0.3
    md = render_markdown(doc)
    assert "## Human review" in md
    assert f"zeta_rag | {scores['zeta_rag'].estimate:.3f} [{scores['zeta_rag'].low:.3f}" in md
    assert f"agreement {c.accuracy * 100:.1f}%, Cohen's kappa {c.kappa:.2f} [" in md
    # judge correct: people correct 7, wrong 4; judge wrong: people correct 4, wrong 5
    assert "| correct | 7 | 4 |" in md and "| wrong | 4 | 5 |" in md


def test_arms_people_did_not_all_rate_keep_the_automatic_metric(
    review_run: tuple[Path, str],
) -> None:
    from ragtune.advisor import build_document
    from ragtune.store.runstore import RunStore

    path, run_id = review_run
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ("zeta_rag",), ("q0", "q1"),
                                  tuple(CATS), 7)  # fmt: skip
        for item in ("q0", "q1"):
            store.record_rating(Rating(run_id, review.id, "ana", item, "zeta_rag", "pointwise",
                                       "correct", ("zeta_rag",)))  # fmt: skip
        doc = build_document(store, run_id)
    assert doc.verdict.metric != "human"
    [note] = [c for c in doc.verdict.caveats if c.startswith("People's blind ratings")]
    # 2 of 2 correct: Wilson [0.342, 1.000]
    assert "zeta_rag 1.000 [0.342, 1.000], n=2" in note and "not every finished arm" in note


@pytest.mark.parametrize(("threshold", "caveat"), [(0.55, False), (0.6, False), (0.65, True)])
def test_the_verdict_caveat_at_the_threshold(threshold: float, caveat: bool) -> None:
    """kappa = 0.6 (worked out above): a caveat only when the threshold is above it."""
    from types import SimpleNamespace

    from ragtune.advisor.human_facts import human_notes
    from ragtune.advisor.verdict import Verdict

    verdict = Verdict(volume=1.0, metric="exact_match", margin=0.05)
    human_notes(verdict, SimpleNamespace(human=scripted(threshold), arms=[]))  # type: ignore[arg-type]
    notes = [c for c in verdict.caveats if "LLM judge is not calibrated" in c]
    assert bool(notes) == caveat
    if caveat:
        assert notes[0].startswith(
            "The LLM judge is not calibrated: on 10 answers people rated it agrees with them on "
            "80%, Cohen's kappa 0.60 ["
        )
        assert "below the 0.65 this workload requires" in notes[0]


def test_a_stored_rating_outside_the_scale_names_review_item_and_value() -> None:
    """Review finding F6: a rating "1.5" written to the store by hand used to fail on a bare
    KeyError '1.5'; now the error names the review, the item, the arm and the value."""
    from ragtune.errors import RagtuneError

    ratings = [rating("a", "i0", "correct"), rating("a", "i1", "1.5")]
    with pytest.raises(RagtuneError, match=r"review 1: .*item 'i1' \(arm 'a'.*'1.5', not one of"):
        human_evidence("qa", ratings, verdicts("a", JUDGE))
    with pytest.raises(RagtuneError, match=r"pairwise rating of item 'i2'.*'maybe'"):
        human_evidence("qa", [rating("a~b", "i2", "maybe", mode="pairwise")])
