"""LLM-as-judge: prompt builders, reply parsers, and the two protocols that use them.

- pointwise: one answer scored against a rubric (e.g. QA correctness 0/1, generation quality
  1-5), with the reference answer when there is one;
- pairwise: two arms' answers to the same question, shown in a seeded random order; a share of
  items (all by default) is judged again with the order swapped, and a verdict that flips with
  the position counts as a tie. Consistency and first-position win rates measure position bias.

The judge is any `Complete` callable: a batch of backend `Request`s in, one reply string per
request out. `BackendJudge` adapts a real `Backend` and adds up the judge's usage and latency, so
the judge is priced apart from the arms. `constrained=True` asks for the bare score or letter as a
label-constrained request, which small local judges follow far more reliably than JSON.
Deliberately not here: choosing the judge model, statistics.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ragtune.backends import Backend, Request, Response, Usage
from ragtune.errors import RagtuneError
from ragtune.scoring.metrics import MetricScores

Complete = Callable[[list[Request]], list[str]]

# A reason plus a small JSON object fits comfortably; a constrained answer is one label.
_MAX_TOKENS = 200


class BackendJudge:
    """A `Backend` as a `Complete` callable that adds up what the judge's calls cost."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.usage = Usage()
        self.calls = 0
        self.latency_s = 0.0  # wall time waited, summed over batches
        self.responses: list[Response] = []  # every call, in order, for per-item records

    def __call__(self, requests: list[Request]) -> list[str]:
        responses = self.backend.generate(requests)
        self.calls += len(responses)
        self.responses.extend(responses)
        for response in responses:
            self.usage = self.usage + response.usage
        if responses:  # calls in a batch (or in flight together) overlap: the longest is waited
            self.latency_s += max(r.latency.total_s for r in responses)
        return [r.text for r in responses]


@dataclass(frozen=True)
class Rubric:
    """What a pointwise judge scores, on an integer scale from `low` to `high`."""

    name: str
    criteria: str
    low: int = 1
    high: int = 5

    def __post_init__(self) -> None:
        if self.high <= self.low:
            raise RagtuneError(
                f"rubric {self.name!r} needs low < high, got {self.low} to {self.high}",
                hint="e.g. low: 1, high: 5 (or 0 and 1 for a correct/incorrect rubric)",
            )


CORRECTNESS = Rubric(
    "correctness",
    "Score 1 if the answer states the same facts as the reference answer (wording may differ, "
    "extra correct detail is fine); score 0 if it contradicts the reference, misses its key "
    "fact, or does not answer.",
    low=0,
    high=1,
)
QUALITY = Rubric(
    "quality",
    "Score how well the answer does the task: 5 = complete, correct, clear and well formed; "
    "3 = usable with noticeable gaps or errors; 1 = wrong, off-task or unusable.",
)

_SYSTEM = (
    "You are a strict, impartial evaluator. Judge only what is asked. "
    "Reply with one JSON object and nothing else."
)
_SYSTEM_BARE = "You are a strict, impartial evaluator. Judge only what is asked."


@dataclass(frozen=True)
class Case:
    """What the judge sees for one item."""

    item_id: str
    question: str
    reference: str | None = None


@dataclass(frozen=True)
class JudgeScore:
    """A pointwise judgement; `score` None when the reply could not be parsed."""

    item_id: str
    score: float | None
    normalized: float | None  # (score - low) / (high - low), in [0, 1]
    reply: str


def pointwise_request(
    case: Case, answer: str, rubric: Rubric, *, constrained: bool = False
) -> Request:
    """A prompt asking for {"reason": ..., "score": <low..high>} (or the bare score)."""
    reference = f"\n<reference>\n{case.reference}\n</reference>\n" if case.reference else "\n"
    body = (
        f"Criteria ({rubric.name}): {rubric.criteria}\n\n"
        f"<question>\n{case.question}\n</question>\n{reference}"
        f"<answer>\n{answer}\n</answer>\n\n"
    )
    if constrained:
        scale = tuple(str(i) for i in range(rubric.low, rubric.high + 1))
        prompt = body + f"Reply with the score only, an integer {rubric.low} to {rubric.high}."
        return Request.ask(prompt, system=_SYSTEM_BARE, max_tokens=_MAX_TOKENS, labels=scale)
    prompt = body + (
        f'Reply as JSON: {{"reason": "<one sentence>", "score": <integer {rubric.low} to '
        f"{rubric.high}>}}"
    )
    return Request.ask(prompt, system=_SYSTEM, max_tokens=_MAX_TOKENS)


_JSON_OBJECT = re.compile(r"\{.*?\}", re.DOTALL)
_SCORE = re.compile(r"\bscore\W{0,3}(-?\d+(?:\.\d+)?)", re.IGNORECASE)


def _json_field(reply: str, key: str) -> object | None:
    for block in _JSON_OBJECT.findall(reply):
        try:
            value = json.loads(block)
        except ValueError:
            continue
        if isinstance(value, dict) and key in value:
            return value[key]
    return None


def parse_score(reply: str, rubric: Rubric) -> float | None:
    """The score in a judge reply: a JSON "score", else "score: N", else a bare number.

    Scores outside the rubric's scale are rejected (None), not clipped.
    """
    value = _json_field(reply, "score")
    if value is None:
        match = _SCORE.search(reply)
        value = match.group(1) if match else reply.strip().strip(".")
    try:
        score = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return score if rubric.low <= score <= rubric.high else None


def judge_pointwise(
    complete: Complete,
    cases: Sequence[Case],
    answers: Sequence[str | None],
    rubric: Rubric,
    *,
    constrained: bool = False,
) -> list[JudgeScore]:
    """Score each answer; a missing answer (failed call) scores the rubric's minimum unjudged."""
    if len(cases) != len(answers):
        raise RagtuneError(f"judge: {len(cases)} cases but {len(answers)} answers")
    asked = [i for i, a in enumerate(answers) if a is not None]
    requests = [
        pointwise_request(cases[i], answers[i] or "", rubric, constrained=constrained)
        for i in asked
    ]
    replies = _complete(complete, requests)
    by_index = dict(zip(asked, replies, strict=True))
    out = []
    span = rubric.high - rubric.low
    for i, case in enumerate(cases):
        if i not in by_index:
            out.append(JudgeScore(case.item_id, rubric.low, 0.0, ""))
            continue
        score = parse_score(by_index[i], rubric)
        norm = None if score is None else (score - rubric.low) / span
        out.append(JudgeScore(case.item_id, score, norm, by_index[i]))
    return out


def judge_metric(name: str, scores: Sequence[JudgeScore], rubric: Rubric) -> MetricScores:
    """Normalised judge scores as a metric; unparsed replies are unscored (None), not zero."""
    per_item = tuple(s.normalized for s in scores)
    applicable = [x for x in per_item if x is not None]
    value = sum(applicable) / len(applicable) if applicable else None
    return MetricScores(name, value, per_item, binary=rubric.high - rubric.low == 1)


# --- pairwise --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairwiseVerdict:
    """Arm a against arm b on one item. Winners are "a", "b", "tie", or None (unparseable).

    `first` is the verdict in the randomised order; `swapped` the verdict with the answers'
    positions exchanged (None if not checked). When both exist and disagree, `winner` is "tie".
    """

    item_id: str
    winner: str | None
    a_shown_first: bool
    first: str | None
    swapped: str | None
    replies: tuple[str, ...]

    @property
    def consistent(self) -> bool | None:
        if self.swapped is None or self.first is None:
            return None
        return self.first == self.swapped

    @property
    def score(self) -> float | None:
        """1 if a wins, 0.5 for a tie, 0 if b wins: a per-item outcome for paired statistics."""
        return {"a": 1.0, "tie": 0.5, "b": 0.0}.get(self.winner) if self.winner else None


@dataclass(frozen=True)
class PairwiseSummary:
    n: int
    wins_a: int
    wins_b: int
    ties: int
    unparsed: int
    win_rate_a: float | None  # ties count half, unparsed left out
    consistency: float | None  # share of swap-checked items judged the same both ways
    first_position_wins: float | None  # share of decisive replies picking the first answer


def pairwise_request(
    case: Case, first: str, second: str, criteria: str, *, constrained: bool = False
) -> Request:
    """A prompt showing two answers as A and B, asking for {"reason": ..., "winner": A|B|tie}."""
    reference = f"\n<reference>\n{case.reference}\n</reference>\n" if case.reference else "\n"
    body = (
        f"Criteria: {criteria}\n\n<question>\n{case.question}\n</question>\n{reference}"
        f"<answer_A>\n{first}\n</answer_A>\n\n<answer_B>\n{second}\n</answer_B>\n\n"
        "The order of the answers is random and says nothing about their quality. "
    )
    if constrained:
        prompt = body + "Reply with the better answer's letter only: A, B, or tie."
        return Request.ask(
            prompt, system=_SYSTEM_BARE, max_tokens=_MAX_TOKENS, labels=("A", "B", "tie")
        )
    prompt = body + 'Reply as JSON: {"reason": "<one sentence>", "winner": "A" or "B" or "tie"}'
    return Request.ask(prompt, system=_SYSTEM, max_tokens=_MAX_TOKENS)


_WINNER = re.compile(r"\b(?:winner|verdict)\W{0,4}(A|B|tie)\b", re.IGNORECASE)
_BRACKETED = re.compile(r"\[\[(A|B|tie|C)\]\]", re.IGNORECASE)


def parse_winner(reply: str) -> str | None:
    """ "A", "B" or "tie" from a judge reply (JSON "winner", "winner: A", "[[A]]", or bare)."""
    value = _json_field(reply, "winner")
    if not isinstance(value, str):
        match = _WINNER.search(reply) or _BRACKETED.search(reply)
        value = match.group(1) if match else reply.strip().strip(".\"'*")
    value = re.sub(r"^(ANSWER|RESPONSE)[\s_]*", "", value.strip(" .\"'*").upper())
    return {"A": "A", "B": "B", "TIE": "tie", "C": "tie"}.get(value)


def _to_arm(position_winner: str | None, a_first: bool) -> str | None:
    if position_winner in (None, "tie"):
        return position_winner
    return "a" if (position_winner == "A") == a_first else "b"


def judge_pairwise(
    complete: Complete,
    cases: Sequence[Case],
    answers_a: Sequence[str],
    answers_b: Sequence[str],
    *,
    criteria: str = QUALITY.criteria,
    seed: int = 0,
    swap_share: float = 1.0,
    constrained: bool = False,
) -> list[PairwiseVerdict]:
    """Compare arm a's and arm b's answer per item, in a seeded random order, swap-checked."""
    if not len(cases) == len(answers_a) == len(answers_b):
        raise RagtuneError(
            f"judge: {len(cases)} cases, {len(answers_a)} and {len(answers_b)} answers"
        )
    if not 0.0 <= swap_share <= 1.0:
        raise RagtuneError(f"swap_share must be between 0 and 1, got {swap_share}")
    plans = []
    for case in cases:
        rng = random.Random(f"{seed}:{case.item_id}")  # same order for an item on every rerun
        plans.append((rng.random() < 0.5, rng.random() < swap_share))
    requests, slots = [], []
    for i, (case, (a_first, check)) in enumerate(zip(cases, plans, strict=True)):
        for flip in (False, True) if check else (False,):
            show_a_first = a_first != flip
            shown = (answers_a[i], answers_b[i]) if show_a_first else (answers_b[i], answers_a[i])
            requests.append(pairwise_request(case, *shown, criteria, constrained=constrained))
            slots.append(i)
    replies = _complete(complete, requests)
    per_item: dict[int, list[str]] = {}
    for i, reply in zip(slots, replies, strict=True):
        per_item.setdefault(i, []).append(reply)
    out = []
    for i, (case, (a_first, _)) in enumerate(zip(cases, plans, strict=True)):
        got = per_item[i]
        first = _to_arm(parse_winner(got[0]), a_first)
        swapped = _to_arm(parse_winner(got[1]), not a_first) if len(got) > 1 else None
        if first is None or swapped is None:
            winner = first if first is not None else swapped
        else:  # a verdict that follows the position rather than the answers is no verdict
            winner = first if first == swapped else "tie"
        out.append(PairwiseVerdict(case.item_id, winner, a_first, first, swapped, tuple(got)))
    return out


def summarize_pairwise(verdicts: Sequence[PairwiseVerdict]) -> PairwiseSummary:
    """Win counts, win rate of arm a, swap consistency and first-position bias."""
    winners = [v.winner for v in verdicts]
    scores = [s for s in (v.score for v in verdicts) if s is not None]
    checked = [v.consistent for v in verdicts if v.consistent is not None]
    positions = []  # 1 if a decisive reply chose the answer shown first
    for v in verdicts:
        for verdict, a_first in ((v.first, v.a_shown_first), (v.swapped, not v.a_shown_first)):
            if verdict in ("a", "b"):
                positions.append(float((verdict == "a") == a_first))
    return PairwiseSummary(
        n=len(verdicts),
        wins_a=winners.count("a"),
        wins_b=winners.count("b"),
        ties=winners.count("tie"),
        unparsed=winners.count(None),
        win_rate_a=sum(scores) / len(scores) if scores else None,
        consistency=sum(checked) / len(checked) if checked else None,
        first_position_wins=sum(positions) / len(positions) if positions else None,
    )


def _complete(complete: Complete, requests: list[Request]) -> list[str]:
    if not requests:
        return []
    replies = list(complete(requests))
    if len(replies) != len(requests):
        raise RagtuneError(
            f"the judge backend returned {len(replies)} replies for {len(requests)} requests",
            hint="a Complete callable must return one reply per request, in order",
        )
    return replies
