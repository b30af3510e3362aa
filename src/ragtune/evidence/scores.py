"""Scores of a run's predictions: every metric of the task, format validity, and the primary
metric across repeats (its spread, and each item's mean). Kept apart from `evidence.py`, which
assembles the per-arm arrays, so the sequential assessment can score a round without them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ragtune.evidence.rundata import RunData
from ragtune.scoring import PRIMARY, MetricScores, score
from ragtune.stats import RepeatSpread, repeat_spread
from ragtune.store import Prediction

VALIDITY = {"classify": "invalid_label_rate", "extract": "json_valid"}


def score_predictions(run: RunData, predictions: Sequence[Prediction]) -> dict[str, MetricScores]:
    """Every metric of the run's task over `predictions` (failed ones score as wrong)."""
    golds = [run.item(p.item_id).gold or {} for p in predictions]
    return score(
        run.config.task,
        [None if p.error else p.answer for p in predictions],
        [g.get("answer") for g in golds],
        labels=run.config.labels,
        schema=run.config.json_schema,
        citations=[list(p.citations) for p in predictions],
        gold_documents=[g.get("doc_ids", []) for g in golds],
    )


def validity(task: str, scores: Mapping[str, MetricScores]) -> float | None:
    """Share of answers in a valid format (a known label, parseable JSON), where it applies."""
    name = VALIDITY.get(task)
    if name is None or scores[name].value is None:
        return None
    value = float(scores[name].value or 0.0)
    return 1.0 - value if name == "invalid_label_rate" else value


def spread(run: RunData, predictions: Sequence[Prediction]) -> RepeatSpread | None:
    """Run-to-run spread of the primary metric over the items answered in every repeat."""
    by_repeat: dict[int, dict[str, Prediction]] = {}
    for p in predictions:
        by_repeat.setdefault(p.repeat, {})[p.item_id] = p
    if len(by_repeat) < 2:
        return None
    common = set.intersection(*(set(r) for r in by_repeat.values()))
    order = [p.item_id for p in predictions if p.repeat == 0 and p.item_id in common]
    if not order:
        return None
    name = PRIMARY[run.config.task]
    per_repeat = []
    for r in sorted(by_repeat):
        primary = score_predictions(run, [by_repeat[r][i] for i in order])[name]
        per_repeat.append([v if v is not None else 0.0 for v in primary.per_item])
    return repeat_spread(per_repeat)


def repeat_means(
    run: RunData, predictions: Sequence[Prediction], order: Sequence[str]
) -> tuple[float, ...]:
    """Per item of `order`, the primary metric's mean over the repeats it was run in (a failed
    answer scores 0); () with a single repeat."""
    by_repeat: dict[int, dict[str, Prediction]] = {}
    for p in predictions:
        by_repeat.setdefault(p.repeat, {})[p.item_id] = p
    if len(by_repeat) < 2:
        return ()
    name = PRIMARY[run.config.task]
    totals = dict.fromkeys(order, 0.0)
    counts = dict.fromkeys(order, 0)
    for answers in by_repeat.values():
        ids = [i for i in order if i in answers]
        primary = score_predictions(run, [answers[i] for i in ids])[name]
        for i, v in zip(ids, primary.per_item, strict=True):
            totals[i] += v if v is not None else 0.0
            counts[i] += 1
    return tuple(totals[i] / max(1, counts[i]) for i in order)
