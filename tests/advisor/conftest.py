"""A run store written record by record, as the runner would: no model is loaded.

The intent task (classify) scores by exact label, so each arm's accuracy is set by how many of
its answers are right. Local calls carry a machine-time share; API calls a catalog model name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ragtune.store.records import Item, LossPoint, Measurement, Prediction
from ragtune.store.runstore import RunStore

LABELS = ["billing", "bug_report", "other"]
N = 40


def make_run(
    path: Path,
    arms: dict[str, dict[str, Any]],
    *,
    advice: dict[str, Any] | None = None,
    costs: dict[str, Any] | None = None,
    training_s: float | None = 120.0,
    unavailable: dict[str, str] | None = None,
    judged: bool = False,
    copies: int = 1,
) -> tuple[RunStore, str]:
    """`arms`: name -> {correct: int of N, machine_s: float, model: str | None, tokens: int}.

    `copies` repeats the N-item pattern (same accuracies, costs and latencies): arms of equal
    quality are shown to be within 0.05 of each other only from about 75-130 identical items
    (z^2 / (n + z^2) < 0.05 at the family's z), so tests about costs between equal arms use 5."""
    store = RunStore.open(path)
    config = {
        "name": "synthetic-intents",
        "task": "classify",
        "labels": LABELS,
        "backends": {"cheap": "local:smollm2-135m", "strong": "local:smollm2-135m"},
        "pricing": {"requests_per_month": 100_000, "horizon_months": 12},
        "advice": advice or {},
        "costs": costs or {},
    }
    run = store.create_run(config, seed=0, workload="synthetic.yaml")
    items = [
        Item(f"t{i}", "test", f"message {i}", {"answer": LABELS[i % 3]}) for i in range(N * copies)
    ]
    items += [Item(f"r{i}", "train", f"example {i}", {"answer": "other"}) for i in range(600)]
    store.add_items(run.id, items)
    for name, spec in arms.items():
        store.add_arm(run.id, name, {})
        predictions = []
        for index, item in enumerate(items[: N * copies]):
            i = index % N  # each copy answers like the first
            gold = item.gold["answer"]
            answer = gold if i < spec["correct"] else next(x for x in LABELS if x != gold)
            model = spec.get("model")
            calls = (
                ()
                if spec.get("no_calls")
                else (
                    Measurement(
                        "answer", model or "smollm2-135m", spec.get("tokens", 300), 0, 0, 2, 0.5
                    ),
                )
            )
            if judged:  # an API judge's call is stored with the answer, under its own stage
                calls += (Measurement("judge", "claude-haiku-4-5", 900, 0, 0, 5, 0.4),)
            extra = {
                "answer": answer,
                "latency_s": 0.5 + 0.01 * i,
                "wall_share_s": spec.get("machine_s", 0.0),
            }
            predictions.append(
                Prediction(run.id, name, item.id, 0, answer, extra=extra, measurements=calls)
            )
        store.record_predictions(predictions)
        store.set_arm_status(run.id, name, "done")
    for name, reason in (unavailable or {}).items():
        store.add_arm(run.id, name, {})
        store.set_arm_status(run.id, name, "unavailable", reason)
    if training_s is not None and any(a.startswith("finetune") for a in arms):
        job = store.create_training_run(
            "smollm2-135m", "lora", {}, run_id=run.id, train_examples=600
        )
        store.record_losses(job.id, [LossPoint(s, 3.0 / s, "train") for s in range(1, 11)])
        store.record_losses(job.id, [LossPoint(10, 0.4, "validation")])
        store.finish_training_run(job.id, duration_s=training_s, train_tokens=50_000)
    store.finish_run(run.id)
    return store, run.id


@pytest.fixture
def run_factory(tmp_path: Path) -> Callable[..., tuple[RunStore, str]]:
    counter = iter(range(1000))
    return lambda arms, **kw: make_run(tmp_path / f"store{next(counter)}.db", arms, **kw)
