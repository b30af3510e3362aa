"""Runs written straight into a real SQLite store, for tests of scoring, judging and comparing
that need no model: items, predictions (with their calls) and the run's config, as `ragtune run`
would have recorded them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from ragtune.cost.catalog import load_catalog
from ragtune.evaluation.summary import Pricing, pricing_for
from ragtune.store.records import Item, Measurement, Prediction
from ragtune.store.runstore import RunStore

SeedRun = Callable[..., str]


def seed_run(
    store: RunStore,
    answers: Mapping[str, Sequence[str | None]],
    *,
    task: str = "qa",
    golds: Sequence[str] = ("2016", "Berlin", "blue", "42", "yes", "Maren"),
    ids: Sequence[str] | None = None,
    judge: Any = None,
    repeat_answers: Mapping[str, Sequence[Sequence[str | None]]] | None = None,
    call: Measurement | None = None,
    notes: Mapping[str, Any] | None = None,
) -> str:
    """A finished run: one test item per gold answer; `answers[arm][i]` None = a failed call.

    `repeat_answers[arm]` gives the answers of repeats 1, 2, ...; every answer is one local
    call (`call`) with a note (`notes`) as the runner stores them.
    """
    ids = list(ids or [f"q{i}" for i in range(len(golds))])
    config = {
        "task": task,
        "labels": sorted(set(golds)) if task == "classify" else None,
        "backends": {"cheap": "local:smollm2-135m", "judge": judge},
        "pricing": {"self_hosted": "hetzner-cx42", "project_to": "claude-haiku-4-5"},
    }
    run = store.create_run(config, seed=0, workload="test")
    store.add_items(
        run.id,
        [
            Item(i, "test", f"question {n} about {g}?", {"answer": g, "doc_ids": []})
            for n, (i, g) in enumerate(zip(ids, golds, strict=True))
        ],
    )
    call = call or Measurement("answer", "smollm2-135m", 120, 0, 0, 8, 0.4)
    for arm, texts in answers.items():
        store.add_arm(run.id, arm)
        rounds = [texts, *((repeat_answers or {}).get(arm, ()))]
        for repeat, round_texts in enumerate(rounds):
            store.record_predictions(
                [
                    Prediction(
                        run.id, arm, item_id, repeat, text, (),
                        None if text is not None else "backend failed",
                        {"answer": text, "latency_s": 0.4, "wall_share_s": 0.1,
                         "calls": dict(notes or {})},
                        (call,) if text is not None else (),
                    )
                    for item_id, text in zip(ids, round_texts, strict=True)
                ]
            )  # fmt: skip
        store.set_arm_status(run.id, arm, "done")
    store.finish_run(run.id)
    return run.id


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore.open(tmp_path / "runs.db")


@pytest.fixture
def pricing() -> Pricing:
    return pricing_for(load_catalog(), "hetzner-cx42", "claude-haiku-4-5")


@pytest.fixture
def make_run() -> SeedRun:
    """`make_run(store, {"prompt": ["2016", None, ...]}, task=..., ...)` -> run id."""
    return seed_run
