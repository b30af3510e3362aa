"""RunStore API on real SQLite files: runs, arms, items, predictions, metrics, training, KB."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ragtune.errors import RagtuneError
from ragtune.store import (
    Item,
    KbVersion,
    LossPoint,
    Measurement,
    Metric,
    Prediction,
    RunStore,
)

CONFIG = {"task": "qa", "arms": ["prompt", "rag"], "data": {"test": "qa.jsonl"}}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    s = RunStore.open(tmp_path / "runs.db")
    yield s
    s.close()


def _setup_run(store: RunStore, n_items: int = 3) -> str:
    run = store.create_run(CONFIG, seed=7, workload="workload.yaml", run_id="r1")
    store.add_arm(run.id, "prompt", {"k": 0})
    store.add_arm(run.id, "rag", {"top_k": 4})
    store.add_items(
        run.id, [Item(f"q{i}", "test", {"question": f"Q{i}?"}, f"A{i}") for i in range(n_items)]
    )
    return run.id


def test_open_uses_wal_and_creates_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "runs.db"
    with RunStore.open(path) as store:
        assert store.path == path
        assert store._read("PRAGMA journal_mode")[0][0] == "wal"
        assert store._read("PRAGMA foreign_keys")[0][0] == 1


def test_create_and_get_run(store: RunStore) -> None:
    run = store.create_run(CONFIG, seed=42, workload="w.yaml")
    got = store.get_run(run.id)
    assert got == run
    assert got.config == CONFIG and got.seed == 42 and got.status == "running"
    assert got.versions["python"] and "numpy" in got.versions
    assert got.machine["cpu_count"] >= 1
    assert store.get_run(run.id[:15]) == run  # a unique prefix is enough
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.seed = 1  # type: ignore[misc]


def test_list_runs_newest_first_and_errors_for_unknown_or_ambiguous(store: RunStore) -> None:
    a = store.create_run({}, seed=1, run_id="20260101-000000-aaaa")
    b = store.create_run({}, seed=2, run_id="20260101-000000-aaab")
    assert [r.id for r in store.list_runs()] == [b.id, a.id]
    assert [r.id for r in store.list_runs(limit=1)] == [b.id]
    with pytest.raises(RagtuneError, match="ambiguous"):
        store.get_run("20260101")
    with pytest.raises(RagtuneError, match="no run 'nope'") as err:
        store.get_run("nope")
    assert b.id in str(err.value)  # the hint lists recent runs
    with pytest.raises(RagtuneError, match="already exists"):
        store.create_run({}, seed=3, run_id=a.id)
    with pytest.raises(RagtuneError, match="no run"):
        store.get_run("2026010_")  # LIKE wildcards are escaped


def test_finish_and_delete_run_cascades(store: RunStore) -> None:
    run_id = _setup_run(store)
    store.record_prediction(
        Prediction(run_id, "rag", "q0", 0, "A0", measurements=(Measurement(input_tokens=5),))
    )
    store.record_metrics([Metric(run_id, "rag", "exact_match", 1.0)])
    store.add_kb_version(KbVersion(run_id, "v1", "kb/", "abc", 3))
    store.finish_run(run_id[:1], status="interrupted")  # a unique prefix works here too
    assert store.get_run(run_id).status == "interrupted"
    resumed = store.set_run_status(run_id, "running")
    assert resumed.status == "running" and resumed.finished is None
    run = store.finish_run(run_id)
    assert run.status == "finished" and run.finished is not None
    with pytest.raises(RagtuneError, match="unknown run status 'done'"):
        store.set_run_status(run_id, "done")
    store.delete_run(run_id)
    assert store.list_runs() == []
    for table in ("arms", "items", "predictions", "measurements", "metrics", "kb_versions"):
        assert store._read(f"SELECT COUNT(*) FROM {table}")[0][0] == 0, table


def test_arms_are_idempotent_and_keep_status(store: RunStore) -> None:
    run_id = _setup_run(store)
    store.set_arm_status(run_id, "rag", "unavailable", "no retrieval index")
    again = store.add_arm(run_id, "rag", {"top_k": 8})
    assert again.params == {"top_k": 8}
    assert again.status == "unavailable" and again.reason == "no retrieval index"
    assert [a.name for a in store.list_arms(run_id)] == ["prompt", "rag"]
    with pytest.raises(RagtuneError, match="no arm 'memory'"):
        store.set_arm_status(run_id, "memory", "done")
    with pytest.raises(RagtuneError, match="unknown arm status 'skipped'"):
        store.set_arm_status(run_id, "rag", "skipped")


def test_items_keep_their_order_and_json_values(store: RunStore) -> None:
    run_id = _setup_run(store)
    store.add_items(run_id, [Item("v0", "validation", {"q": "x"}, {"label": "b"})])
    store.add_items(run_id, [Item("q1", "test", {"question": "Q1, edited"}, "A1")])  # replace
    items = store.list_items(run_id)
    assert [i.id for i in items] == ["q0", "q1", "q2", "v0"]
    assert items[1].input == {"question": "Q1, edited"}
    assert store.list_items(run_id, split="validation") == [
        Item("v0", "validation", {"q": "x"}, {"label": "b"}, 3)
    ]


def test_record_prediction_is_idempotent_on_its_key(store: RunStore) -> None:
    run_id = _setup_run(store)
    first = Prediction(
        run_id, "rag", "q1", 0, None, error="timeout",
        measurements=(Measurement("answer", "m", 100, 0, 0, 0, 30.0),),
    )  # fmt: skip
    store.record_prediction(first)
    store.record_prediction(first)
    assert store.completed_items(run_id, "rag") == set()  # errors are retried on resume
    assert store.completed_items(run_id, "rag", include_errors=True) == {"q1"}
    retry = Prediction(
        run_id, "rag", "q1", 0, "A1", citations=("doc3.md", "doc1.md"),
        extra={"escalated": False},
        measurements=(Measurement("answer", "m", 90, 10, 400, 12, 1.5, 0.2),),
    )  # fmt: skip
    store.record_prediction(retry)
    (got,) = store.predictions(run_id, "rag")
    assert got.text == "A1" and got.error is None and got.citations == ("doc3.md", "doc1.md")
    assert got.extra == {"escalated": False}
    assert got.measurements == retry.measurements  # the failed call's usage was replaced
    assert store.completed_items(run_id, "rag") == {"q1"}
    assert store._read("SELECT COUNT(*) FROM predictions")[0][0] == 1


def test_predictions_come_in_item_order_with_all_calls(store: RunStore) -> None:
    run_id = _setup_run(store, n_items=4)
    store.record_predictions(
        [Prediction(run_id, "rag", f"q{i}", r, f"A{i}") for i in (3, 0, 2) for r in (0, 1)]
    )
    store.record_measurements(
        run_id, "rag", "q2", 1,
        [Measurement("judge", "judge-model", 300, output_tokens=5), Measurement("answer", "m", 50)],
    )  # fmt: skip
    got = store.predictions(run_id, "rag", repeat=1)
    assert [p.item_id for p in got] == ["q0", "q2", "q3"]
    assert [m.stage for m in got[1].measurements] == ["answer"]  # the judge's call is apart
    [judged] = store.judge_calls(run_id)
    assert (judged.item_id, judged.repeat, judged.call.model) == ("q2", 1, "judge-model")
    assert store.completed_items(run_id, "rag", repeat=1) == {"q0", "q2", "q3"}
    assert store.completed_items(run_id, "prompt") == set()
    assert store.prediction_counts(run_id) == {"rag": 6}
    assert len(store.predictions(run_id)) == 6


def test_a_batch_is_written_whole_or_not_at_all(store: RunStore) -> None:
    run_id = _setup_run(store)
    batch = [Prediction(run_id, "rag", "q0", 0, "A0"), Prediction(run_id, "rag", "zz", 0, "A?")]
    with pytest.raises(RagtuneError, match="refused a write"):
        store.record_predictions(batch)
    assert store.completed_items(run_id, "rag") == set()
    with pytest.raises(RagtuneError, match="refused a write"):
        store.record_prediction(Prediction(run_id, "no_such_arm", "q0", 0, "A0"))


def test_transaction_groups_writes_and_rolls_back_on_error(store: RunStore) -> None:
    run_id = _setup_run(store)
    with pytest.raises(ValueError, match="boom"), store.transaction():
        store.record_prediction(Prediction(run_id, "rag", "q0", 0, "A0"))
        store.record_metrics([Metric(run_id, "rag", "exact_match", 1.0, item_id="q0")])
        raise ValueError("boom")
    assert store.predictions(run_id) == [] and store.metrics(run_id) == []
    with store.transaction():
        store.record_prediction(Prediction(run_id, "rag", "q0", 0, "A0"))
    assert store.completed_items(run_id, "rag") == {"q0"}


def test_metrics_round_trip(store: RunStore) -> None:
    run_id = _setup_run(store)
    confusion = {"labels": ["a", "b"], "counts": [[3, 1], [0, 4]]}
    values = [
        Metric(run_id, "rag", "exact_match", 1.0, item_id="q0", repeat=0),
        Metric(run_id, "rag", "exact_match", 0.0, item_id="q1", repeat=0),
        Metric(run_id, "rag", "exact_match", 0.5, details={"low": 0.1, "high": 0.9}),
        Metric(run_id, "prompt", "macro_f1", 0.7, details=confusion),
        Metric(run_id, "prompt", "citation_hit", None),
    ]
    store.record_metrics(values)
    store.record_metrics(values[:1])  # replacing is harmless
    got = store.metrics(run_id)
    assert sorted(got, key=repr) == sorted(values, key=repr)
    assert [m.item_id for m in store.metrics(run_id, arm="rag", per_item=True)] == ["q0", "q1"]
    (aggregate,) = store.metrics(run_id, arm="rag", per_item=False)
    assert aggregate.value == 0.5 and aggregate.repeat is None and aggregate.item_id is None
    assert store.metrics(run_id, name="macro_f1")[0].details == confusion


def test_training_runs_and_loss_curves(store: RunStore) -> None:
    run_id = _setup_run(store)
    tr = store.create_training_run(
        "smollm2-135m", "lora", {"rank": 8, "lr": 2e-4}, run_id=run_id, train_examples=200
    )
    store.record_losses(tr.id, [LossPoint(s, 2.0 / (s + 1)) for s in range(5)])
    store.record_losses(tr.id, [LossPoint(4, 1.1, "validation", 1.0)])
    store.finish_training_run(tr.id, duration_s=12.5, output_path="/tmp/adapter", train_tokens=9000)
    got = store.get_training_run(tr.id)
    assert got.status == "finished" and got.duration_s == 12.5 and got.train_tokens == 9000
    assert got.params == {"rank": 8, "lr": 2e-4} and got.machine["cpu_count"] >= 1
    assert [p.step for p in store.loss_curve(tr.id, "train")] == [0, 1, 2, 3, 4]
    assert store.loss_curve(tr.id, "validation") == [LossPoint(4, 1.1, "validation", 1.0)]
    assert store.list_training_runs(run_id) == [got]
    store.delete_run(run_id)  # the training run outlives the run, unlinked
    assert store.get_training_run(tr.id).run_id is None
    with pytest.raises(RagtuneError, match="no training run"):
        store.get_training_run("missing")


def test_kb_versions(store: RunStore) -> None:
    run_id = _setup_run(store)
    v1 = store.add_kb_version(KbVersion(run_id, "v1", "kb/v1", "f1", 30, 120))
    v2 = store.add_kb_version(KbVersion(run_id, "v2", "kb/v2", "f2", 31, 125))
    assert v1.created is not None
    assert store.kb_versions(run_id) == [v1, v2]


def test_two_connections_see_committed_batches(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with RunStore.open(path) as writer, RunStore.open(path) as reader:
        run_id = _setup_run(writer)
        writer.record_predictions([Prediction(run_id, "rag", "q0", 0, "A0")])
        assert reader.completed_items(run_id, "rag") == {"q0"}
        # a raw sqlite3 reader (another tool) sees the same rows
        raw = sqlite3.connect(path)
        assert raw.execute("SELECT COUNT(*) FROM predictions").fetchone()[0] == 1
        raw.close()


def test_a_locked_store_gives_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "runs.db"
    with RunStore.open(path) as store:
        run_id = _setup_run(store)
        store._conn.execute("PRAGMA busy_timeout = 50")  # do not wait the default 10 s here
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            with pytest.raises(RagtuneError, match=r"cannot use run store .*locked") as err:
                store.record_prediction(Prediction(run_id, "rag", "q0", 0, "A0"))
            assert "no other ragtune process" in str(err.value)
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.record_prediction(Prediction(run_id, "rag", "q0", 0, "A0"))  # works once released
        assert store.completed_items(run_id, "rag") == {"q0"}


def test_measurement_of_a_backend_response(store: RunStore) -> None:
    from ragtune.backends.base import Latency, Response, Usage

    response = Response(
        text="Paris",
        finish_reason="stop",
        usage=Usage(input_tokens=120, cache_write_tokens=0, cache_read_tokens=900, output_tokens=3),
        latency=Latency(total_s=0.42, ttft_s=0.1),
        backend="anthropic:claude-haiku-4-5",
        model="claude-haiku-4-5",
        cached=True,
    )
    measurement = Measurement.of(response, stage="escalation")
    assert measurement == Measurement(
        "escalation", "claude-haiku-4-5", 120, 0, 900, 3, 0.42, 0.1, cached=True
    )
    run_id = _setup_run(store)
    store.record_prediction(
        Prediction(run_id, "rag", "q0", 0, response.text, measurements=(measurement,))
    )
    assert store.predictions(run_id)[0].measurements == (measurement,)


def test_judge_calls_recorded_with_a_prediction_go_to_their_own_table(store: RunStore) -> None:
    run_id = _setup_run(store, n_items=2)
    cheap = Measurement("answer", "small", 100, 0, 0, 10, 0.5, 0.1)
    judge = Measurement("judge", "judge", 500, 0, 0, 5, 2.0)
    store.record_predictions(
        [
            Prediction(run_id, "rag", "q0", 0, "A0", measurements=(cheap,)),
            Prediction(run_id, "rag", "q1", 0, "A1", measurements=(cheap, judge)),
        ]
    )
    # the judge's call is never among the arm's own calls
    assert [p.measurements for p in store.predictions(run_id)] == [(cheap,), (cheap,)]
    assert [j.item_id for j in store.judge_calls(run_id)] == ["q1"]


def test_predictions_from_a_position_are_those_of_later_items(tmp_path: Path) -> None:
    """What a sequential round reads: only the answers to items at or past a position, each
    with its calls."""
    from ragtune.store.records import Item, Measurement, Prediction

    with RunStore.open(tmp_path / "r.db") as store:
        run = store.create_run({"name": "x", "task": "qa"}, seed=1)
        store.add_items(run.id, [Item(f"q{i}", "test", f"in {i}") for i in range(5)])
        store.add_arm(run.id, "a")
        call = Measurement("answer", "claude-haiku-4-5", 10, 0, 0, 2, 0.1)
        store.record_predictions(
            [Prediction(run.id, "a", f"q{i}", 0, f"t{i}", measurements=(call,)) for i in range(5)]
        )
        later = store.predictions(run.id, "a", 0, from_position=3)
        assert [p.item_id for p in later] == ["q3", "q4"]
        assert all(p.measurements == (call,) for p in later)
        assert len(store.predictions(run.id, "a", 0)) == 5
