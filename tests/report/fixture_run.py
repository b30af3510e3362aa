"""The report fixture, made by a real `build_document` call on a run written through the store.

`python tests/report/fixture_run.py` rewrites `fixture_document.json`; `test_fixture.py` fails
when the file is no longer what `build_document` makes (a field renamed, a number changed), so
the report and web tests always render a document the advisor can actually produce.

The run has what every section needs: a self-hosted arm with one failed item, an API arm with a
hostile name (HTML, a pipe, an ampersand), a fine-tuned arm with loss curves and a knowledge
update, a router with its calibration curve, an unavailable arm, and an API key in the config
(which no rendering may show). The clock-dependent fields are pinned.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).with_name("fixture_document.json")
HOSTILE = '<script>alert("x")</script>&|rag'
LABELS = ["billing", "bug_report", "other"]
N = 40
RUN_ID = "20261129-120000-f1x7"
PINNED = {"generated": "2026-11-29T12:00:00+00:00"}
TODAY = date(2026, 12, 7)  # model lifecycles are read on this day


ARMS: dict[str, dict[str, Any]] = {
    "prompt": {"correct": 30, "machine_s": 0.4, "tokens": 300, "failed": 1},
    HOSTILE: {"correct": 36, "model": "claude-haiku-4-5", "tokens": 500},
    "finetune": {"correct": 34, "machine_s": 0.2, "tokens": 60, "changed": 3},
    "router": {"correct": 35, "machine_s": 0.3, "tokens": 200, "changed": 8},
}
# Nine arms (five API models, four self-hosted) for the chart-readability test: many cost lines
# and break-evens, several of them at the same volume (self-hosted arms share one machine).
WIDE: dict[str, dict[str, Any]] = {
    "prompt": {"correct": 30, "machine_s": 0.4, "tokens": 300},
    "fewshot": {"correct": 31, "machine_s": 0.6, "tokens": 900},
    "finetune": {"correct": 34, "machine_s": 0.2, "tokens": 60},
    "rag-local": {"correct": 33, "machine_s": 0.5, "tokens": 1200},
    "haiku": {"correct": 36, "model": "claude-haiku-4-5", "tokens": 500},
    "sonnet": {"correct": 37, "model": "claude-sonnet-4-5", "tokens": 400},
    "gpt-4o-mini": {"correct": 32, "model": "gpt-4o-mini", "tokens": 800},
    "gpt-4.1-mini": {"correct": 33, "model": "gpt-4.1-mini", "tokens": 300},
    "gpt-5-mini": {"correct": 35, "model": "gpt-5-mini", "tokens": 600},
}


def build(store_path: Path, arms: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The fixture document (as JSON values) of a run written to a new store at `store_path`
    (`arms`: another set of arms than the fixture's, such as `WIDE`)."""
    from ragtune.advisor import build_document
    from ragtune.store.records import Item, LossPoint, Measurement, Prediction
    from ragtune.store.runstore import RunStore

    config = {
        "name": "fixture-intents",
        "task": "classify",
        "labels": LABELS,
        "backends": {"cheap": "local:smollm2-135m", "strong": "local:smollm2-135m"},
        "arms": {"fewshot": {"k": 4}, "prompt": {"max_tokens": 16}},
        "pricing": {"requests_per_month": 100_000, "horizon_months": 12},
        "advice": {"knowledge_changes_per_month": 2, "latency_budget_s": 2.0},
        "service": {"api_key": "sk-live-abcdefghijklmnopqrstu", "timeout_s": 30},
    }
    arms = ARMS if arms is None else arms
    with RunStore.open(store_path) as store:
        run = store.create_run(
            config,
            seed=0,
            workload="fixture.yaml",
            versions={"ragtune": "0.0.0-fixture", "python": "3.11"},
            machine={"cpu": "fixture", "cores": 2},
            run_id=RUN_ID,
        )
        items = [Item(f"t{i}", "test", f"message {i}", {"answer": LABELS[i % 3]}) for i in range(N)]
        changed = [
            Item(f"t{i}@v2", "changed:v2", f"message {i}", {"answer": LABELS[(i + 1) % 3]})
            for i in range(10)
        ]
        train = [Item(f"r{i}", "train", f"example {i}", {"answer": "other"}) for i in range(600)]
        store.add_items(run.id, items + changed + train)
        for name, spec in arms.items():
            params = {"info": _router_info()} if name == "router" else {}
            store.add_arm(run.id, name, params)
            predictions = []
            for i, item in enumerate(items):
                failed = i >= N - spec.get("failed", 0)
                gold = item.gold["answer"]
                answer = gold if i < spec["correct"] else next(x for x in LABELS if x != gold)
                call = Measurement(
                    "answer", spec.get("model") or "smollm2-135m", spec["tokens"], 0, 0, 2,
                    0.3 + 0.01 * i,
                )  # fmt: skip
                extra = {"answer": answer, "latency_s": 0.3 + 0.01 * i,
                         "wall_share_s": spec.get("machine_s", 0.0)}  # fmt: skip
                predictions.append(
                    Prediction(run.id, name, item.id, 0, None if failed else answer, (),
                               "backend failed" if failed else None, extra,
                               () if failed else (call,))
                )  # fmt: skip
            for j, item in enumerate(changed):
                right = j < spec.get("changed", 0)
                gold = item.gold["answer"]
                answer = gold if right else next(x for x in LABELS if x != gold)
                extra = {"answer": answer, "latency_s": 0.3, "wall_share_s": 0.1}
                predictions.append(Prediction(run.id, name, item.id, 0, answer, extra=extra))
            store.record_predictions(predictions)
            store.set_arm_status(run.id, name, "done")
        store.add_arm(run.id, "rag", {})
        store.set_arm_status(run.id, "rag", "unavailable", "peft is not installed")
        job = store.create_training_run("smollm2-135m", "lora", {}, run_id=run.id,
                                        train_examples=600)  # fmt: skip
        store.record_losses(job.id, [LossPoint(s, 3.0 / s, "train") for s in range(1, 11)])
        store.record_losses(job.id, [LossPoint(10, 0.4, "validation")])
        store.finish_training_run(job.id, duration_s=120.0, train_tokens=50_000)
        store.finish_run(run.id)
        doc = build_document(store, run.id, today=TODAY).to_json()
    doc.update(PINNED)
    doc["run"]["created"] = "2026-11-29T12:00:00.000+00:00"
    return doc


def _router_info() -> dict[str, Any]:
    curve = [[0.2, 0.1, 0.80], [0.5, 0.3, 0.85], [0.8, 0.6, 0.88], [0.95, 0.9, 0.9]]
    return {"threshold": 0.5, "escalation_rate": 0.3, "curve": curve}


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        doc = build(Path(folder) / "fixture.db")
    FIXTURE.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {FIXTURE}\n")


if __name__ == "__main__":
    main()
