"""LLM-as-judge in the evidence run: judge every arm's answers, resumably, priced on its own.

After the arms finish, `judge_run` asks the workload's judge backend about each arm's repeat-0
answer to each test item: qa answers for correctness against the gold answer (0/1, metric
`judge_correct`), generate answers for quality on a 1-5 rubric (normalised to 0-1, metric
`judge_score`). Each verdict is a per-item metric (value None when the reply could not be
parsed; the reply and raw score in its details) and each judge call a measurement with stage
"judge" next to the prediction, so a resumed run skips items already judged and the arms' cost
never includes the judge. With `pairwise: [a, b]` the two arms are also compared head to head
(seeded random order, position swap; metric `judge_pairwise` under arm "a~b", 1 = a wins).

Failed predictions are not sent to the judge; they score 0 like every other metric scores an
error. Classify and extract tasks are not judged (their metrics are exact). Deliberately not
here: prompts and parsers (`judge.py`), intervals (`stats.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ragtune.backends import (
    Backend,
    Request,
    Response,
    ResponseCache,
    create_backend,
    parse_backend_name,
)
from ragtune.config import Judge
from ragtune.progress import bar
from ragtune.scoring import (
    CORRECTNESS,
    QUALITY,
    BackendJudge,
    Case,
    MetricScores,
    PairwiseSummary,
    PairwiseVerdict,
    Rubric,
    judge_pairwise,
    judge_pointwise,
    pointwise_request,
    summarize_pairwise,
)
from ragtune.store import JudgeCall, Measurement, Metric, RunStore

log = logging.getLogger(__name__)

# task -> (metric name, rubric)
JUDGED: dict[str, tuple[str, Rubric]] = {
    "qa": ("judge_correct", CORRECTNESS),
    "generate": ("judge_score", QUALITY),
}
PAIRWISE = "judge_pairwise"
BATCH = 16  # judge requests per backend call


def judge_run(
    store: RunStore,
    run_id: str,
    task: str,
    judge: Judge,
    *,
    cache: ResponseCache | None = None,
    seed: int = 0,
    backend: Backend | None = None,
) -> None:
    """Judge every done arm's repeat-0 test answers not judged yet (and the pairwise pair)."""
    if task not in JUDGED:
        log.info("a %s task is scored by its own metrics; the judge is not asked", task)
        return
    metric, rubric = JUDGED[task]
    complete = BackendJudge(backend or create_backend(judge.backend, cache=cache))
    constrained = is_constrained(judge)
    items = {i.id: i for i in store.list_items(run_id, split="test")}
    done = [a.name for a in store.list_arms(run_id) if a.status == "done"]
    for arm in done:
        todo = unjudged(store, run_id, arm, metric, items)
        with bar(desc=f"judge {arm}", total=len(todo), unit="item") as advance:
            for start in range(0, len(todo), BATCH):
                chunk = todo[start : start + BATCH]
                cases = [case(items[p.item_id]) for p in chunk]
                before, started = len(complete.responses), time.perf_counter()
                scores = judge_pointwise(
                    complete, cases, [p.text or "" for p in chunk], rubric, constrained=constrained
                )
                responses = complete.responses[before:]
                shares = wall_shares(responses, time.perf_counter() - started)
                for p, s, response, share in zip(chunk, scores, responses, shares, strict=True):
                    # the call first, then the verdict: the verdict marks the item judged
                    store.record_measurements(
                        run_id, arm, p.item_id, 0, [Measurement.of(response, "judge")]
                    )
                    details = {"score": s.score, "reply": s.reply[:500], "wall_share_s": share}
                    store.record_metrics(
                        [Metric(run_id, arm, metric, s.normalized, item_id=p.item_id,
                                details=details)]
                    )  # fmt: skip
                advance(len(chunk))
    if len(judge.pairwise) == 2 and all(a in done for a in judge.pairwise):
        pairwise_run(store, run_id, complete, items, judge, constrained, seed)


def is_constrained(judge: Judge) -> bool:
    """A label-constrained judge: as configured, else only a local one."""
    if judge.constrained is not None:
        return judge.constrained
    return parse_backend_name(judge.backend).kind == "local"


def unjudged(
    store: RunStore, run_id: str, arm: str, metric: str, items: Mapping[str, Any]
) -> list[Any]:
    """The arm's repeat-0 answers the judge has not scored yet (failed answers are not sent)."""
    judged = {m.item_id for m in store.metrics(run_id, arm=arm, name=metric, per_item=True)}
    return [
        p
        for p in store.predictions(run_id, arm, repeat=0)
        if p.error is None and p.item_id in items and p.item_id not in judged
    ]


def judge_requests(store: RunStore, run_id: str, task: str, judge: Judge) -> list[Request]:
    """Every pointwise request `judge_run` is about to send, in order (for a batch)."""
    if task not in JUDGED:
        return []
    metric, rubric = JUDGED[task]
    items = {i.id: i for i in store.list_items(run_id, split="test")}
    out = []
    for arm in (a.name for a in store.list_arms(run_id) if a.status == "done"):
        for p in unjudged(store, run_id, arm, metric, items):
            request = pointwise_request(
                case(items[p.item_id]), p.text or "", rubric, constrained=is_constrained(judge)
            )
            out.append(request)
    return out


def case(item: Any) -> Case:
    """What the judge sees: the question and the gold answer; a list of accepted answers is
    shown whole, one per line, since any of them is right (the metrics take the best match)."""
    gold = (item.gold or {}).get("answer")
    if isinstance(gold, list | tuple):
        accepted = [str(g) for g in gold if g not in (None, "")]
        if len(accepted) > 1:
            lines = "\n".join(f"- {g}" for g in accepted)
            return Case(item.id, str(item.input), f"Any of these answers is correct:\n{lines}")
        gold = accepted[0] if accepted else None
    return Case(item.id, str(item.input), None if gold in (None, "") else str(gold))


def wall_shares(responses: Sequence[Response], wall_s: float) -> list[float]:
    """Machine time per judge call: fresh calls split the wall time; a cached call is priced at
    its recorded latency over the batch (what computing it cost), not at ~0."""
    fresh = [r for r in responses if not r.cached]
    share = wall_s / len(fresh) if fresh else 0.0
    return [r.latency.total_s / len(responses) if r.cached else share for r in responses]


def pairwise_run(
    store: RunStore,
    run_id: str,
    complete: BackendJudge,
    items: Mapping[str, Any],
    judge: Judge,
    constrained: bool,
    seed: int,
) -> None:
    """Arm a against arm b on the items both answered; the verdicts are stored under "a~b"."""
    a, b = judge.pairwise
    key = f"{a}~{b}"
    judged = {m.item_id for m in store.metrics(run_id, arm=key, name=PAIRWISE, per_item=True)}
    answers = [
        {p.item_id: p.text for p in store.predictions(run_id, arm, repeat=0) if p.error is None}
        for arm in (a, b)
    ]
    todo = [i for i in items if i in answers[0] and i in answers[1] and i not in judged]
    with bar(desc=f"judge {a} vs {b}", total=len(todo), unit="item") as advance:
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            before, started = len(complete.responses), time.perf_counter()
            verdicts = judge_pairwise(
                complete,
                [case(items[i]) for i in chunk],
                [answers[0][i] or "" for i in chunk],
                [answers[1][i] or "" for i in chunk],
                seed=seed,
                constrained=constrained,
            )
            responses = complete.responses[before:]
            shares = iter(wall_shares(responses, time.perf_counter() - started))
            calls = iter(responses)
            metrics = []
            for v in verdicts:  # one call per verdict, two when swap-checked, in order
                mine = [next(calls) for _ in v.replies]
                usage = [Measurement.of(r, "judge") for r in mine]
                details = {
                    "first": v.first,
                    "swapped": v.swapped,
                    "a_shown_first": v.a_shown_first,
                    "replies": [r[:300] for r in v.replies],
                    "model": mine[0].model if mine else None,
                    "calls": len(mine),
                    "tokens": [sum(getattr(m, k) for m in usage) for k in TOKEN_FIELDS],
                    "wall_share_s": sum(next(shares) for _ in mine),
                }
                metrics.append(Metric(run_id, key, PAIRWISE, v.score, v.item_id, None, details))
            store.record_metrics(metrics)
            advance(len(chunk))


TOKEN_FIELDS = ("input_tokens", "cache_write_tokens", "cache_read_tokens", "output_tokens")


# --- reading the verdicts back -----------------------------------------------------------------


def judge_scores(
    verdicts: Sequence[Metric], arm: str, task: str, predictions: Sequence[Any]
) -> MetricScores | None:
    """The judge metric over `predictions` (in order): errors 0, unjudged or unparsed None.

    `verdicts` are the run's per-item judge metrics as stored (every arm's, any judge metric).
    """
    if task not in JUDGED:
        return None
    name, rubric = JUDGED[task]
    mine = {m.item_id: m.value for m in verdicts if m.arm == arm and m.name == name}
    if not mine:
        return None
    per_item = tuple(0.0 if p.error else mine.get(p.item_id) for p in predictions)
    scored = [v for v in per_item if v is not None]
    value = sum(scored) / len(scored) if scored else None
    return MetricScores(name, value, per_item, binary=rubric.high - rubric.low == 1)


@dataclass(frozen=True)
class JudgeCost:
    """What judging the run cost, priced apart from the arms (never in an arm's $/1k)."""

    backend: str | None
    model: str | None
    rubric: str
    calls: int
    judgements: int  # pointwise verdicts plus pairwise verdicts
    tokens: Mapping[str, int]  # totals by kind: input, cache_write, cache_read, output
    seconds: float  # machine time (wall shares), what a local judge is priced on
    cost: float | None  # dollars for the whole run's judging
    priced: str  # "api list price" | "self-hosted machine time"


@dataclass(frozen=True)
class PairwiseJudge:
    arm_a: str
    arm_b: str
    summary: PairwiseSummary


def pairwise_summary(verdicts: Sequence[Metric]) -> tuple[PairwiseJudge, ...]:
    """Win rates and position-swap consistency for each judged pair of arms."""
    by_pair: dict[str, list[PairwiseVerdict]] = {}
    for m in (m for m in verdicts if m.name == PAIRWISE):
        d = dict(m.details or {})
        winner = {1.0: "a", 0.5: "tie", 0.0: "b"}.get(m.value) if m.value is not None else None
        verdict = PairwiseVerdict(
            m.item_id or "", winner, bool(d.get("a_shown_first")), d.get("first"),
            d.get("swapped"), tuple(d.get("replies") or ()),
        )  # fmt: skip
        by_pair.setdefault(m.arm, []).append(verdict)
    out = []
    for key, pair in sorted(by_pair.items()):
        a, _, b = key.partition("~")
        out.append(PairwiseJudge(a, b, summarize_pairwise(pair)))
    return tuple(out)


def judge_usage(
    verdicts: Sequence[Metric], calls: Sequence[JudgeCall], task: str
) -> list[tuple[Measurement, float, int]]:
    """Every judgement of the run, as (usage, machine seconds, calls).

    `calls` are the judge's stored calls (pointwise, repeat 0); `verdicts` carry each verdict's
    machine-time share and the pairwise judgements' calls.
    """
    out: list[tuple[Measurement, float, int]] = []
    if task in JUDGED:
        name = JUDGED[task][0]
        shares = {
            (m.arm, m.item_id): float((m.details or {}).get("wall_share_s") or 0.0)
            for m in verdicts
            if m.name == name
        }
        for c in calls:
            if c.repeat == 0:
                out.append((c.call, shares.get((c.arm, c.item_id), 0.0), 1))
    for m in (m for m in verdicts if m.name == PAIRWISE):
        d = dict(m.details or {})
        tokens = list(d.get("tokens") or [0, 0, 0, 0])
        out.append(
            (
                Measurement(
                    "judge",
                    d.get("model"),
                    int(tokens[0]),
                    int(tokens[1]),
                    int(tokens[2]),
                    int(tokens[3]),
                ),
                float(d.get("wall_share_s") or 0.0),
                int(d.get("calls") or 1),
            )
        )
    return out
