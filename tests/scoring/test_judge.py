"""Judge prompts, reply parsers and the pairwise protocol, with rule-based judges standing in for
a model (what they decide is known, so the order randomisation and swap check can be checked)."""

from __future__ import annotations

import re

import pytest

from ragtune.backends.base import Request
from ragtune.errors import RagtuneError
from ragtune.scoring import judge as j


def _tag(prompt: str, name: str) -> str:
    match = re.search(rf"<{name}>\n(.*?)\n</{name}>", prompt, re.DOTALL)
    assert match, f"prompt has no <{name}>"
    return match.group(1)


def reference_judge(requests: list[Request]) -> list[str]:
    """Prefers the answer that contains the reference; scores 1 when an answer contains it."""
    replies = []
    for request in requests:
        reference = _tag(request.messages[-1].content, "reference").lower()
        if "<answer_A>" in request.messages[-1].content:
            a_ok = reference in _tag(request.messages[-1].content, "answer_A").lower()
            b_ok = reference in _tag(request.messages[-1].content, "answer_B").lower()
            winner = "tie" if a_ok == b_ok else "A" if a_ok else "B"
            replies.append(f'{{"reason": "compared with the reference", "winner": "{winner}"}}')
        else:
            score = int(reference in _tag(request.messages[-1].content, "answer").lower())
            replies.append(f'Sure.\n```json\n{{"reason": "checked", "score": {score}}}\n```')
    return replies


def first_position_judge(requests: list[Request]) -> list[str]:
    return ["[[A]]" for _ in requests]


CASES = [j.Case(f"q{i}", f"What is the code of item {i}?", f"code-{i}") for i in range(40)]
GOOD = [f"The code is code-{i}." for i in range(40)]
BAD = [f"I am not sure, maybe {i}." for i in range(40)]


# --- parsers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"reason": "fine", "score": 4}', 4.0),
        ('Here: {"score": "3"} done', 3.0),
        ("Score: 2", 2.0),
        ("reasoning... final score = 5.", 5.0),
        ("4", 4.0),
        ('{"score": 9}', None),  # outside the 1-5 scale: rejected, not clipped
        ("I would say it is good", None),
        ("", None),
    ],
)
def test_parse_score(reply: str, expected: float | None) -> None:
    assert j.parse_score(reply, j.QUALITY) == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"reason": "B cites the doc", "winner": "B"}', "B"),
        ('{"winner": "Answer A"}', "A"),
        ('{"winner": "tie"}', "tie"),
        ("Verdict: A", "A"),
        ("After comparing, [[B]]", "B"),
        ("[[C]]", "tie"),
        ("a", "A"),
        ("Tie.", "tie"),
        ("Both are fine I guess", None),
    ],
)
def test_parse_winner(reply: str, expected: str | None) -> None:
    assert j.parse_winner(reply) == expected


def test_prompts_carry_question_reference_answers_and_format() -> None:
    request = j.pointwise_request(CASES[0], "code-0", j.CORRECTNESS)
    assert _tag(request.messages[-1].content, "question") == CASES[0].question
    assert _tag(request.messages[-1].content, "reference") == "code-0"
    assert "integer 0 to 1" in request.messages[-1].content and request.temperature == 0.0
    no_ref = j.pointwise_request(j.Case("x", "Write a haiku."), "…", j.QUALITY)
    assert "<reference>" not in no_ref.messages[-1].content
    pair = j.pairwise_request(CASES[1], "first", "second", "accuracy")
    assert (
        _tag(pair.messages[-1].content, "answer_A") == "first"
        and _tag(pair.messages[-1].content, "answer_B") == "second"
    )
    assert "order of the answers is random" in pair.messages[-1].content


# --- pointwise -------------------------------------------------------------------------------


def test_judge_pointwise_scores_and_normalises() -> None:
    answers = [GOOD[0], BAD[1], None, GOOD[3]]
    scores = j.judge_pointwise(reference_judge, CASES[:4], answers, j.CORRECTNESS)
    assert [s.score for s in scores] == [1.0, 0.0, 0.0, 1.0]
    assert [s.normalized for s in scores] == [1.0, 0.0, 0.0, 1.0]
    assert scores[2].reply == ""  # a failed answer is not sent to the judge
    assert [s.item_id for s in scores] == ["q0", "q1", "q2", "q3"]
    metric = j.judge_metric("judge_correct", scores, j.CORRECTNESS)
    assert metric.binary and metric.value == 0.5 and metric.per_item == (1.0, 0.0, 0.0, 1.0)


def test_rubric_scale_must_be_increasing() -> None:
    with pytest.raises(RagtuneError, match="needs low < high, got 3 to 3"):
        j.Rubric("flat", "anything", low=3, high=3)


def test_judge_pointwise_unparseable_reply_is_none() -> None:
    scores = j.judge_pointwise(lambda reqs: ["no idea"] * len(reqs), CASES[:2], GOOD[:2], j.QUALITY)
    assert [s.score for s in scores] == [None, None]
    metric = j.judge_metric("judge_quality", scores, j.QUALITY)
    assert not metric.binary and metric.value is None and metric.n == 0


def test_judge_backend_must_answer_every_request() -> None:
    with pytest.raises(RagtuneError, match="returned 1 replies for 2 requests"):
        j.judge_pointwise(lambda reqs: ["1"], CASES[:2], GOOD[:2], j.QUALITY)
    with pytest.raises(RagtuneError, match="2 cases but 1 answers"):
        j.judge_pointwise(reference_judge, CASES[:2], GOOD[:1], j.QUALITY)


# --- pairwise --------------------------------------------------------------------------------


def test_pairwise_finds_the_better_arm_whatever_the_order() -> None:
    answers_a = [GOOD[i] if i % 4 else BAD[i] for i in range(40)]  # a is right on 30 items
    verdicts = j.judge_pairwise(reference_judge, CASES, answers_a, BAD, seed=1)
    assert [v.winner for v in verdicts] == ["tie" if i % 4 == 0 else "a" for i in range(40)]
    assert all(v.consistent for v in verdicts)
    assert all(len(v.replies) == 2 for v in verdicts)
    summary = j.summarize_pairwise(verdicts)
    assert (summary.wins_a, summary.wins_b, summary.ties, summary.unparsed) == (30, 0, 10, 0)
    assert summary.win_rate_a == pytest.approx((30 + 10 * 0.5) / 40)
    assert summary.consistency == 1.0
    assert summary.first_position_wins == pytest.approx(0.5)  # an unbiased judge
    assert [v.score for v in verdicts[:2]] == [0.5, 1.0]


def test_order_is_random_seeded_and_tied_to_the_item() -> None:
    verdicts = j.judge_pairwise(reference_judge, CASES, GOOD, BAD, seed=3)
    shown = [v.a_shown_first for v in verdicts]
    assert 10 <= sum(shown) <= 30  # both orders are used
    again = j.judge_pairwise(reference_judge, CASES[::-1], GOOD[::-1], BAD[::-1], seed=3)
    assert [v.a_shown_first for v in again[::-1]] == shown  # per item, not per position
    other = j.judge_pairwise(reference_judge, CASES, GOOD, BAD, seed=4)
    assert [v.a_shown_first for v in other] != shown
    assert all(v.winner == "a" for v in verdicts + again + other)


def test_position_biased_judge_is_caught_by_the_swap_check() -> None:
    verdicts = j.judge_pairwise(first_position_judge, CASES, GOOD, BAD, seed=0)
    assert all(v.winner == "tie" and v.consistent is False for v in verdicts)
    summary = j.summarize_pairwise(verdicts)
    assert summary.consistency == 0.0 and summary.first_position_wins == 1.0
    assert summary.ties == 40 and summary.win_rate_a == 0.5


def test_without_swap_check_the_biased_judge_follows_the_random_order() -> None:
    verdicts = j.judge_pairwise(first_position_judge, CASES, GOOD, BAD, seed=0, swap_share=0.0)
    assert all(len(v.replies) == 1 and v.swapped is None and v.consistent is None for v in verdicts)
    assert [v.winner for v in verdicts] == ["a" if v.a_shown_first else "b" for v in verdicts]
    summary = j.summarize_pairwise(verdicts)
    assert summary.consistency is None and summary.first_position_wins == 1.0


def test_partial_swap_share_and_bad_inputs() -> None:
    verdicts = j.judge_pairwise(reference_judge, CASES, GOOD, BAD, swap_share=0.5)
    checked = sum(v.swapped is not None for v in verdicts)
    assert 8 <= checked <= 32
    with pytest.raises(RagtuneError, match="between 0 and 1"):
        j.judge_pairwise(reference_judge, CASES, GOOD, BAD, swap_share=2)
    with pytest.raises(RagtuneError, match="40 cases, 40 and 39 answers"):
        j.judge_pairwise(reference_judge, CASES, GOOD, BAD[:-1])


def test_unparseable_first_reply_falls_back_to_the_swapped_one() -> None:
    calls = iter(["gibberish", '{"winner": "A"}'])
    verdicts = j.judge_pairwise(
        lambda reqs: [next(calls) for _ in reqs], CASES[:1], GOOD[:1], BAD[:1]
    )
    (v,) = verdicts
    assert v.first is None and v.swapped is not None and v.winner == v.swapped
    assert j.summarize_pairwise(verdicts).unparsed == 0


# --- with a real local model -----------------------------------------------------------------


@pytest.mark.slow
def test_local_model_as_constrained_judge_through_the_backend_protocol() -> None:
    import torch

    from ragtune.backends.registry import create_backend

    torch.set_num_threads(2)
    backend = create_backend("local:smollm2-135m")
    try:
        judge = j.BackendJudge(backend)
        cases = [
            j.Case("q1", "What is the capital of France?", "Paris"),
            j.Case("q2", "How many legs does a spider have?", "8"),
        ]
        good = ["Paris is the capital of France.", "A spider has eight legs."]
        bad = ["I don't know.", "Six."]
        verdicts = j.judge_pairwise(judge, cases, good, bad, constrained=True)
        summary = j.summarize_pairwise(verdicts)
        # Label-constrained replies always parse; what the 135M model prefers is not asserted.
        assert summary.unparsed == 0 and summary.n == 2
        assert all(v.first in ("a", "b", "tie") and v.swapped is not None for v in verdicts)
        assert summary.consistency is not None and 0.0 <= summary.consistency <= 1.0
        scores = j.judge_pointwise(judge, cases, good, j.CORRECTNESS, constrained=True)
        assert all(s.score in (0.0, 1.0) for s in scores)
        assert judge.calls == 6  # 2 items x 2 orders, then 2 pointwise
        assert judge.usage.input_tokens > 100 and judge.usage.output_tokens >= judge.calls
        assert judge.latency_s > 0 and len(judge.responses) == 6
    finally:
        backend.close()
