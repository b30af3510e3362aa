"""The judge in the run: verdicts per item as metrics with intervals, resumable, priced apart.

The judge here stands in for a paid API (anthropic:claude-haiku-4-5): it replies like one, from
the prompt it is given, and counts its calls. The real local judge runs in test_judge_run_local.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from ragtune.backends.base import Latency, Request, Response, Usage
from ragtune.config import Judge
from ragtune.evidence.summary import summarise
from ragtune.running.judge_run import judge_run
from ragtune.stats.paired import wilson_interval


class RecordedApiJudge:
    """Replies as Claude would to ragtune's judge prompts: correct when the answer holds the
    reference; pairwise, the answer holding the reference wins, whichever position it is in."""

    name = "anthropic:claude-haiku-4-5"
    model = "claude-haiku-4-5"

    def __init__(self, quality: int = 4) -> None:
        self.calls = 0
        self.quality = quality

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        self.calls += len(requests)
        return [self._reply(r.messages[-1].content) for r in requests]

    def _reply(self, prompt: str) -> Response:
        ref = re.search(r"<reference>\n(.*?)\n</reference>", prompt, re.S)
        reference = ref.group(1) if ref else ""
        if "<answer_A>" in prompt:
            a = re.search(r"<answer_A>\n(.*?)\n</answer_A>", prompt, re.S).group(1)  # type: ignore[union-attr]
            b = re.search(r"<answer_B>\n(.*?)\n</answer_B>", prompt, re.S).group(1)  # type: ignore[union-attr]
            winner = (
                "A"
                if reference in a and reference not in b
                else "B"
                if reference in b and reference not in a
                else "tie"
            )
            body: dict[str, object] = {"reason": "checked", "winner": winner}
        elif "correctness" in prompt:
            answer = re.search(r"<answer>\n(.*?)\n</answer>", prompt, re.S).group(1)  # type: ignore[union-attr]
            body = {"reason": "compared", "score": int(reference in answer)}
        else:
            body = {"reason": "fine", "score": self.quality}
        return Response(json.dumps(body), "stop", Usage(input_tokens=100, output_tokens=20),
                        Latency(0.5), self.name, self.model)  # fmt: skip

    def close(self) -> None:
        pass


JUDGE = Judge(backend="anthropic:claude-haiku-4-5")
PER_CALL = (100 * 1.00 + 20 * 5.00) / 1e6  # claude-haiku-4-5 list prices


def test_qa_answers_are_judged_per_item_with_a_wilson_interval(
    store: Any, make_run: Any, pricing: Any
) -> None:
    run_id = make_run(
        store,
        {"prompt": ["2016", "Paris", "blue", "41", "yes", None],
         "rag": ["It was 2016", "Berlin", "blue", "42", "yes", "Maren"]},
        judge="anthropic:claude-haiku-4-5",
    )  # fmt: skip
    before = {a.arm: a for a in summarise(store, run_id, pricing).arms}
    judge = RecordedApiJudge()
    judge_run(store, run_id, "qa", JUDGE, backend=judge)
    assert judge.calls == 11  # the failed prediction is not sent to the judge
    summary = summarise(store, run_id, pricing)
    arms = {a.arm: a for a in summary.arms}
    assert arms["prompt"].judge_metric == "judge_correct"
    assert arms["prompt"].metrics["judge_correct"] == pytest.approx(3 / 6)  # the error scores 0
    assert arms["prompt"].judge_quality == wilson_interval(3, 6)
    assert arms["rag"].judge_quality == wilson_interval(6, 6)
    verdicts = store.metrics(run_id, arm="rag", name="judge_correct", per_item=True)
    assert len(verdicts) == 6 and all(v.details and "reply" in v.details for v in verdicts)
    judge_calls = store.judge_calls(run_id)  # in their own table, never among the arms' calls
    assert len(judge_calls) == 11
    assert not [m for p in store.predictions(run_id) for m in p.measurements if m.stage == "judge"]
    # the judge is priced apart: the arms' tokens and $/1k are what they were before judging
    for name, arm in arms.items():
        assert arm.cost_per_1k == pytest.approx(before[name].cost_per_1k)
        assert arm.projected_per_1k == pytest.approx(before[name].projected_per_1k)
        assert arm.tokens == before[name].tokens
    cost = summary.judge
    assert cost is not None and cost.priced == "api list price"
    assert (cost.calls, cost.judgements) == (11, 11)
    assert cost.tokens == {"input": 1100, "cache_write": 0, "cache_read": 0, "output": 220}
    assert cost.cost == pytest.approx(11 * PER_CALL)
    assert [(c.arm_a, c.arm_b, c.test) for c in summary.judge_comparisons] == [
        ("prompt", "rag", "tango_score")
    ]


def test_a_resumed_run_judges_only_what_is_not_judged_yet(store: Any, make_run: Any) -> None:
    run_id = make_run(store, {"prompt": ["2016", "Berlin", "x", "42", "no", "Maren"]})
    judge = RecordedApiJudge()
    judge_run(store, run_id, "qa", JUDGE, backend=judge)
    assert judge.calls == 6
    judge_run(store, run_id, "qa", JUDGE, backend=judge)
    assert judge.calls == 6  # nothing asked again
    # an arm finished later (a resumed run) is judged on its own items only
    store.add_arm(run_id, "fewshot")
    store.record_predictions(
        [replace(p, arm="fewshot") for p in store.predictions(run_id, "prompt")]
    )
    store.set_arm_status(run_id, "fewshot", "done")
    judge_run(store, run_id, "qa", JUDGE, backend=judge)
    assert judge.calls == 12


def test_generate_is_scored_on_the_quality_rubric_normalised(
    store: Any, make_run: Any, pricing: Any
) -> None:
    run_id = make_run(store, {"prompt": ["a summary", "another"]}, task="generate",
                      golds=("the summary", "the other"))  # fmt: skip
    judge_run(store, run_id, "generate", JUDGE, backend=RecordedApiJudge(quality=4))
    [arm] = summarise(store, run_id, pricing).arms
    assert arm.judge_metric == "judge_score"
    assert arm.metrics["judge_score"] == pytest.approx(0.75)  # 4 on 1-5
    assert arm.judge_quality is not None and arm.judge_quality.method == "bounded_bootstrap_t"


def test_classify_is_not_judged(store: Any, make_run: Any) -> None:
    run_id = make_run(store, {"prompt": ["billing", "bug"]}, task="classify",
                      golds=("billing", "bug"))  # fmt: skip
    judge = RecordedApiJudge()
    judge_run(store, run_id, "classify", JUDGE, backend=judge)
    assert judge.calls == 0


def test_pairwise_judge_with_position_swap(store: Any, make_run: Any, pricing: Any) -> None:
    run_id = make_run(
        store,
        {"rag": ["2016", "Berlin", "blue", "no idea", "yes", "Maren"],
         "finetune": ["2015", "Berlin", "red", "42", "yes", "Maren"]},
    )  # fmt: skip
    judge = RecordedApiJudge()
    pair = Judge(backend=JUDGE.backend, pairwise=["rag", "finetune"])
    judge_run(store, run_id, "qa", pair, backend=judge)
    assert judge.calls == 12 + 6 * 2  # pointwise for both arms, pairwise twice (swapped)
    summary = summarise(store, run_id, pricing)
    [pj] = summary.judge_pairwise
    assert (pj.arm_a, pj.arm_b) == ("rag", "finetune")
    s = pj.summary
    assert (s.n, s.wins_a, s.wins_b, s.ties) == (6, 2, 1, 3)
    assert s.consistency == 1.0  # this judge follows the answers, not their positions
    assert summary.judge is not None and summary.judge.calls == 24
    assert summary.judge.cost == pytest.approx(24 * PER_CALL)
    judge_run(store, run_id, "qa", pair, backend=judge)
    assert judge.calls == 24  # resumable: nothing judged twice


def test_the_judge_sees_every_accepted_answer() -> None:
    from types import SimpleNamespace

    from ragtune.running.judge_run import case

    many = case(
        SimpleNamespace(id="q", input="Capital?", gold={"answer": ["Paris", "City of Paris"]})
    )
    assert many.reference == "Any of these answers is correct:\n- Paris\n- City of Paris"
    one = case(SimpleNamespace(id="q", input="Capital?", gold={"answer": ["Paris"]}))
    assert one.reference == "Paris"
    assert case(SimpleNamespace(id="q", input="?", gold={"answer": []})).reference is None
    assert case(SimpleNamespace(id="q", input="?", gold={"answer": "A"})).reference == "A"
