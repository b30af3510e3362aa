"""Migrations: fresh stores, upgrading an older schema, refusing newer, foreign or corrupt files."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path

import pytest

from ragtune.errors import RagtuneError
from ragtune.store import Item, KbVersion, LossPoint, Prediction, RunStore, migrations

# Shipped migrations must never change: add a new one instead. Update this list only by appending.
SHIPPED = [
    "cbed46f8f4c36ba3a155d912faaa9be3adde76642d8058f005edd47d990df2e0",
    "fdadf391e22c30b12df52e25cf9be247c610193f38f779bb6d15dee457caa23f",
    "120de0fd692c1437305e2810334e182d1bc9f5605e776ef9f37f0dd034968cf1",
    "ac0164aa59f69ba787245a816b7acba0e931c0a1b7ead80c7d74ac1e218770e2",
    "4ec5bc50b0b54df4a4a28e3a606fd5b6127202478876fafaa17cf1c631a840ef",
    "5f8fde199ba24d6bf07b8436a5ce59173e3e047d49461ca5176ded69f3def72d",
    "21aadaef0db82f5571a67ccbf845da1775bcef68886c9ecf2e43cf1cf0956d5d",
    "dbf277911371e868af7c0eb65d32b571b956a20f1131d1641e72e2a09dae8d8e",  # 8: reviews.sampling
    "0186acfc8eab69d073c363caf9f033e5737b1675d1f4a9a031387b261b573010",  # 9: batches
]


def test_shipped_migrations_are_append_only() -> None:
    current = [migrations.checksum(sql) for _, sql in migrations.MIGRATIONS]
    assert current[: len(SHIPPED)] == SHIPPED
    assert migrations.LATEST == len(migrations.MIGRATIONS) >= len(SHIPPED)


def test_fresh_store_has_every_migration_once(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with RunStore.open(path) as store:
        assert store.schema_version == migrations.LATEST
    with RunStore.open(path) as store:  # reopening applies nothing
        rows = store._read("SELECT id, name FROM migrations ORDER BY id")
    assert [r[0] for r in rows] == list(range(1, migrations.LATEST + 1))
    assert rows[0][1] == migrations.MIGRATIONS[0][0]


def test_migrating_is_a_no_op_when_current(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "runs.db", isolation_level=None)
    assert migrations.migrate(conn) == list(range(1, migrations.LATEST + 1))
    assert migrations.migrate(conn) == []
    conn.close()


def _old_store(path: Path) -> None:
    """A store as the first schema version left it, written with plain SQL."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrations.migrate(conn, upto=1) == [1]
    conn.executescript(
        """
        INSERT INTO runs VALUES ('old-run', '2026-01-01T00:00:00+00:00', 'w.yaml',
            '{"task": "qa"}', '{"python": "3.11.9"}', 3, '{"cpu_count": 2}', 'finished', NULL);
        INSERT INTO arms VALUES ('old-run', 'prompt', '{}', 'done', NULL);
        INSERT INTO items VALUES ('old-run', 'q0', 'test', 0, '{"question": "Q?"}', '"A"');
        INSERT INTO predictions VALUES ('old-run', 'prompt', 'q0', 0, 'A', '[]', NULL, '{}',
            '2026-01-01T00:00:01+00:00');
        """
    )
    conn.close()


def test_older_schema_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _old_store(path)
    with RunStore.open(path) as store:
        assert store.schema_version == migrations.LATEST
        run = store.get_run("old-run")
        assert run.config == {"task": "qa"} and run.status == "finished"
        (pred,) = store.predictions("old-run")
        assert pred.text == "A" and pred.item_id == "q0"
        assert store.completed_items("old-run", "prompt") == {"q0"}
        # tables from the later migrations work on the upgraded file
        tr = store.create_training_run("base", "lora", {}, run_id="old-run")
        store.record_losses(tr.id, [LossPoint(1, 0.5)])
        store.add_kb_version(KbVersion("old-run", "v2", "kb", "f", 1))
        store.add_items("old-run", [Item("q1", "test", {"question": "Q1?"}, "B")])
        store.record_prediction(Prediction("old-run", "prompt", "q1", 0, "B"))
        assert store.completed_items("old-run", "prompt") == {"q0", "q1"}


def test_newer_schema_is_refused_with_upgrade_hint(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    RunStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO migrations VALUES (?, 'from the future', 'x', '2030-01-01')",
        (migrations.LATEST + 1,),
    )
    conn.commit()
    conn.close()
    with pytest.raises(RagtuneError, match=r"schema version \d+, newer") as err:
        RunStore.open(path)
    assert "upgrade ragtune" in str(err.value)


def test_edited_migration_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "runs.db"
    RunStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE migrations SET checksum = 'edited' WHERE id = 2")
    conn.commit()
    conn.close()
    with caplog.at_level(logging.WARNING, logger="ragtune.store.migrations"):
        RunStore.open(path).close()
    assert "migration 2" in caplog.text and "changed after it was applied" in caplog.text


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE logs (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(RagtuneError, match=r"not a ragtune run store .*\['logs'\]"):
        RunStore.open(path)


@pytest.mark.parametrize(
    "content",
    [os.urandom(8192), b"task: qa\narms: [prompt]\n", b"SQLite format 3\x00" + b"\xff" * 200],
    ids=["random-bytes", "yaml-file", "bad-header"],
)
def test_non_database_file_gives_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "runs.db"
    path.write_bytes(content)
    with pytest.raises(RagtuneError, match="not a usable ragtune run store") as err:
        RunStore.open(path)
    assert "integrity_check" in str(err.value)  # the hint says how to inspect it


def _filled_store(path: Path, n: int = 400) -> None:
    with RunStore.open(path) as store:
        run = store.create_run({"task": "qa"}, seed=1, run_id="r")
        store.add_arm(run.id, "rag")
        store.add_items(run.id, [Item(f"q{i}", "test", {"q": "x" * 200}, "a") for i in range(n)])
        store.record_predictions(
            [Prediction(run.id, "rag", f"q{i}", 0, json.dumps(["y" * 300])) for i in range(n)]
        )
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_truncated_store_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _filled_store(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RagtuneError, match="not a usable ragtune run store"):
        RunStore.open(path)


def test_damaged_pages_give_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _filled_store(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), 3 * page):  # scribble over some b-tree pages
        data[start : start + 64] = b"\x07" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(RagtuneError, match="not a usable ragtune run store"):
        RunStore.open(path)


def test_directory_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RagtuneError, match="is a directory"):
        RunStore.open(tmp_path)


def test_a_store_written_by_the_previous_release_is_migrated_and_read(tmp_path: Path) -> None:
    """`data/release-3.db` was written by the release before migration 4 (schema 3, per-item
    fields in `extra`, the judge's calls among the arm's): it opens, migrates, and every reader
    sees typed fields, the call notes on the calls, and the judge's calls in their own table."""
    import shutil

    from ragtune.cost.catalog import load_catalog
    from ragtune.evidence.evidence import evaluate
    from ragtune.evidence.pricing import pricing_for
    from ragtune.evidence.rundata import load_run

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).with_name("data") / "release-3.db", path)
    with RunStore.open(path) as store:
        assert store.schema_version == migrations.LATEST
        run = load_run(store, "20261101-000000-0ld1")
        [arm] = run.arms
        first = arm.predictions[0]
        assert (first.answer, first.latency_s, first.wall_share_s, first.from_cache) == (
            "2016",
            0.8,
            0.2,
            False,
        )
        assert arm.predictions[3].from_cache is True
        assert first.extra == {"confidence": 0.5, "escalated": False}  # typed fields moved out
        [call] = first.measurements  # the judge's call is no longer among the arm's
        assert (call.stage, call.prefix, call.batch) == ("answer", "kb-v1", 4)
        assert call.prefix_share == pytest.approx(2000 / 2100)
        assert [(j.arm, j.item_id, j.call.model) for j in run.judge_calls] == [
            ("prompt", "q0", "claude-haiku-4-5"),
            ("prompt", "q1", "claude-haiku-4-5"),
            ("prompt", "q3", "claude-haiku-4-5"),
        ]
        pricing = pricing_for(load_catalog(), "hetzner-cx42", "claude-haiku-4-5")
        evidence = evaluate(run, pricing)
    prompt = evidence.arm("prompt")
    # 2016 and 42 right, Paris wrong, q2 failed: 2 of 4
    assert prompt.primary.value == pytest.approx(0.5) and prompt.error_count == 1
    assert prompt.latency_s.tolist() == pytest.approx([0.8, 0.9, 1.0, 1.1])
    # Three judge calls at claude-haiku-4-5: 3 x (900 x $1/M + 5 x $5/M) = $0.002775
    assert evidence.judge is not None and evidence.judge.calls == 3
    assert evidence.judge.cost == pytest.approx(3 * (900 + 25) / 1e6)
