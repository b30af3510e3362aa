"""The run store: one SQLite file holding runs, predictions, measurements and metrics.

Writes are grouped into transactions (one per batch of predictions) in WAL mode, so a process
killed mid-run (kill -9) loses at most the batch in flight and never corrupts what was committed;
`completed_items` then tells the runner what to skip on `--resume`. Predictions are keyed by
(run, arm, item, repeat) and recording one again replaces it (a retried error, say).

Review tables (`reviews.py`) and training runs (`training.py`) are mixins of `RunStore`, one noun
per file. Deliberately not here: running arms, scoring, pricing. Other stages read these records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ragtune.errors import RagtuneError
from ragtune.store.batches import BatchTables
from ragtune.store.database import new_id
from ragtune.store.provenance import machine_info, package_versions
from ragtune.store.records import (
    ARM_STATUSES,
    JUDGE,
    RUN_STATUSES,
    Arm,
    Item,
    JudgeCall,
    KbVersion,
    Measurement,
    Metric,
    Prediction,
    Run,
)
from ragtune.store.reviews import ReviewTables
from ragtune.store.training import TrainingTables


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class RunStore(BatchTables, ReviewTables, TrainingTables):
    """Typed access to one run-store file. Open with `RunStore.open(path)`; use as a context."""

    # --- runs --------------------------------------------------------------------------------

    def create_run(
        self,
        config: Mapping[str, Any],
        *,
        seed: int,
        workload: str | None = None,
        versions: Mapping[str, str] | None = None,
        machine: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> Run:
        """Record a new run; versions and machine default to this process's."""
        run = Run(
            id=run_id or new_id(),
            created=_now(),
            workload=workload,
            config=dict(config),
            versions=dict(versions if versions is not None else package_versions()),
            seed=seed,
            machine=dict(machine if machine is not None else machine_info()),
        )
        with self.transaction():
            if self._read("SELECT 1 FROM runs WHERE id = ?", (run.id,)):
                raise RagtuneError(f"a run with id {run.id!r} already exists in {self.path}")
            self._execute(
                "INSERT INTO runs (id, created, workload, config, versions, seed, machine, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run.id, run.created, run.workload, _dump(run.config), _dump(run.versions),
                 run.seed, _dump(run.machine), run.status),
            )  # fmt: skip
        return self.get_run(run.id)  # as stored: JSON turned tuples into lists, paths into text

    def get_run(self, run_id: str) -> Run:
        """The run with this id, or the only run whose id starts with it."""
        rows = self._read("SELECT * FROM runs WHERE id = ?", (run_id,))
        if not rows:
            pattern = run_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._read(
                "SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id", (pattern + "%",)
            )
        if len(rows) == 1:
            return _run(rows[0])
        if rows:
            ids = ", ".join(r[0] for r in rows[:5])
            raise RagtuneError(f"run id {run_id!r} is ambiguous: {ids}", hint="give more of it")
        latest = ", ".join(r.id for r in self.list_runs(limit=5)) or "none yet"
        raise RagtuneError(
            f"no run {run_id!r} in {self.path}",
            hint=f"recent runs: {latest} (ragtune runs list shows them all)",
        )

    def list_runs(self, limit: int | None = None) -> list[Run]:
        """Runs, newest first."""
        sql = "SELECT * FROM runs ORDER BY created DESC, id DESC"
        rows = self._read(sql + " LIMIT ?", (limit,)) if limit is not None else self._read(sql)
        return [_run(r) for r in rows]

    def set_run_status(self, run_id: str, status: str) -> Run:
        """Mark a run running (again, on resume) or ended: finished, failed or interrupted."""
        _check_status("run", status, RUN_STATUSES)
        with self.transaction():
            run = self.get_run(run_id)
            finished = None if status == "running" else _now()
            self._execute(
                "UPDATE runs SET status = ?, finished = ? WHERE id = ?", (status, finished, run.id)
            )
        return self.get_run(run.id)

    def finish_run(self, run_id: str, status: str = "finished") -> Run:
        return self.set_run_status(run_id, status)

    def delete_run(self, run_id: str) -> None:
        """Delete a run and everything recorded for it (training runs are kept, unlinked)."""
        with self.transaction():
            run = self.get_run(run_id)
            self._execute("DELETE FROM runs WHERE id = ?", (run.id,))

    # --- arms and items ----------------------------------------------------------------------

    def add_arm(self, run_id: str, name: str, params: Mapping[str, Any] | None = None) -> Arm:
        """Register an arm (again, on resume: its params are updated, its status kept)."""
        with self.transaction():
            self._execute(
                "INSERT INTO arms (run_id, name, params) VALUES (?, ?, ?)"
                " ON CONFLICT (run_id, name) DO UPDATE SET params = excluded.params",
                (run_id, name, _dump(dict(params or {}))),
            )
        return self.get_arm(run_id, name)

    def set_arm_status(
        self, run_id: str, name: str, status: str, reason: str | None = None
    ) -> None:
        """pending -> running -> done, or unavailable / failed with a reason for the report."""
        _check_status("arm", status, ARM_STATUSES)
        with self.transaction():
            self.get_arm(run_id, name)
            self._execute(
                "UPDATE arms SET status = ?, reason = ? WHERE run_id = ? AND name = ?",
                (status, reason, run_id, name),
            )

    def set_arm_device(self, run_id: str, name: str, device: Mapping[str, Any]) -> None:
        """The device the arm's local calls were timed on (`backends.Device.to_json()`)."""
        with self.transaction():
            self.get_arm(run_id, name)
            self._execute(
                "UPDATE arms SET device = ? WHERE run_id = ? AND name = ?",
                (_dump(dict(device)), run_id, name),
            )

    def get_arm(self, run_id: str, name: str) -> Arm:
        rows = self._read("SELECT * FROM arms WHERE run_id = ? AND name = ?", (run_id, name))
        if not rows:
            known = [a.name for a in self.list_arms(run_id)]
            raise RagtuneError(f"run {run_id!r} has no arm {name!r}", hint=f"its arms: {known}")
        return _arm(rows[0])

    def list_arms(self, run_id: str) -> list[Arm]:
        return [_arm(r) for r in self._read("SELECT * FROM arms WHERE run_id = ?", (run_id,))]

    def add_items(self, run_id: str, items: Iterable[Item]) -> int:
        """Add (or replace) evaluation items in one transaction; returns how many were given."""
        with self.transaction():
            start = self._read(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM items WHERE run_id = ?", (run_id,)
            )[0][0]
            rows = [
                (run_id, it.id, it.split, it.position if it.position is not None else start + i,
                 _dump(it.input), _dump(it.gold))
                for i, it in enumerate(items)
            ]  # fmt: skip
            self._executemany(
                "INSERT INTO items (run_id, id, split, position, input, gold)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, id) DO UPDATE SET"
                " split = excluded.split, input = excluded.input, gold = excluded.gold",
                rows,
            )
        return len(rows)

    def list_items(self, run_id: str, split: str | None = None) -> list[Item]:
        sql = "SELECT id, split, input, gold, position FROM items WHERE run_id = ?"
        params: tuple[Any, ...] = (run_id,)
        if split is not None:
            sql, params = sql + " AND split = ?", (*params, split)
        rows = self._read(sql + " ORDER BY position", params)
        return [Item(r[0], r[1], _load(r[2]), _load(r[3]), r[4]) for r in rows]

    # --- predictions and measurements --------------------------------------------------------

    def record_prediction(self, prediction: Prediction) -> None:
        """Record one prediction with its measurements; replaces an earlier one for its key."""
        self.record_predictions([prediction])

    def record_predictions(self, batch: Sequence[Prediction]) -> None:
        """Record a batch of predictions in one transaction: all of them, or none if killed."""
        now = _now()
        with self.transaction():
            self._executemany(
                "INSERT INTO predictions (run_id, arm, item_id, repeat, text, citations, error,"
                " extra, created, answer, latency_s, wall_share_s, from_cache)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id, arm, item_id, repeat) DO UPDATE SET text = excluded.text,"
                " citations = excluded.citations, error = excluded.error, extra = excluded.extra,"
                " created = excluded.created, answer = excluded.answer,"
                " latency_s = excluded.latency_s, wall_share_s = excluded.wall_share_s,"
                " from_cache = excluded.from_cache",
                [
                    (p.run_id, p.arm, p.item_id, p.repeat, p.text, _dump(list(p.citations)),
                     p.error, _dump(dict(p.extra)), now,
                     None if p.answer is None else _dump(p.answer), p.latency_s, p.wall_share_s,
                     int(p.from_cache))
                    for p in batch
                ],
            )  # fmt: skip
            # A replaced prediction's calls (and any judge of it) no longer describe it.
            for table in ("measurements", "judge_calls"):
                self._executemany(
                    f"DELETE FROM {table} WHERE run_id = ? AND arm = ? AND item_id = ?"
                    " AND repeat = ?",
                    [(p.run_id, p.arm, p.item_id, p.repeat) for p in batch],
                )
            for p in batch:
                self._write_measurements(p.run_id, p.arm, p.item_id, p.repeat, p.measurements)

    def record_measurements(
        self, run_id: str, arm: str, item_id: str, repeat: int, measurements: Iterable[Measurement]
    ) -> None:
        """Add calls made after the prediction (the judge's, stage "judge", go to their own
        table, never among the arm's calls); replaces the same stage."""
        with self.transaction():
            self._write_measurements(run_id, arm, item_id, repeat, measurements)

    def _write_measurements(
        self, run_id: str, arm: str, item_id: str, repeat: int, measurements: Iterable[Measurement]
    ) -> None:
        calls = list(measurements)
        self._executemany(
            "INSERT OR REPLACE INTO measurements (run_id, arm, item_id, repeat, stage, model,"
            " input_tokens, cache_write_tokens, cache_read_tokens, output_tokens, latency_s,"
            " ttft_s, cached, prefix, prefix_share, batch)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (run_id, arm, item_id, repeat, m.stage, m.model, m.input_tokens,
                 m.cache_write_tokens, m.cache_read_tokens, m.output_tokens, m.latency_s, m.ttft_s,
                 int(m.cached), m.prefix, m.prefix_share, m.batch)
                for m in calls
                if m.stage != JUDGE
            ],
        )  # fmt: skip
        self._executemany(
            "INSERT OR REPLACE INTO judge_calls (run_id, arm, item_id, repeat, model,"
            " input_tokens, cache_write_tokens, cache_read_tokens, output_tokens, latency_s,"
            " ttft_s, cached) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (run_id, arm, item_id, repeat, m.model, m.input_tokens, m.cache_write_tokens,
                 m.cache_read_tokens, m.output_tokens, m.latency_s, m.ttft_s, int(m.cached))
                for m in calls
                if m.stage == JUDGE
            ],
        )  # fmt: skip

    def judge_calls(self, run_id: str) -> list[JudgeCall]:
        """The judge's calls of a run, one per judged prediction, in item order."""
        rows = self._read(
            "SELECT j.arm, j.item_id, j.repeat, j.model, j.input_tokens, j.cache_write_tokens,"
            " j.cache_read_tokens, j.output_tokens, j.latency_s, j.ttft_s, j.cached"
            " FROM judge_calls j JOIN items i ON i.run_id = j.run_id AND i.id = j.item_id"
            " WHERE j.run_id = ? ORDER BY j.arm, j.repeat, i.position",
            (run_id,),
        )
        return [
            JudgeCall(r[0], r[1], r[2],
                      Measurement(JUDGE, r[3], r[4], r[5], r[6], r[7], r[8], r[9], bool(r[10])))
            for r in rows
        ]  # fmt: skip

    def completed_items(
        self, run_id: str, arm: str, repeat: int = 0, *, include_errors: bool = False
    ) -> set[str]:
        """Item ids this arm has a prediction for in this repeat: the ones to skip on resume.

        Failed predictions are not complete unless `include_errors`, so a resume retries them.
        """
        sql = "SELECT item_id FROM predictions WHERE run_id = ? AND arm = ? AND repeat = ?"
        if not include_errors:
            sql += " AND error IS NULL"
        return {r[0] for r in self._read(sql, (run_id, arm, repeat))}

    def prediction_counts(self, run_id: str) -> dict[str, int]:
        """arm -> number of predictions (all repeats, errors included)."""
        rows = self._read(
            "SELECT arm, COUNT(*) FROM predictions WHERE run_id = ? GROUP BY arm", (run_id,)
        )
        return {r[0]: r[1] for r in rows}

    def predictions(
        self,
        run_id: str,
        arm: str | None = None,
        repeat: int | None = None,
        *,
        from_position: int | None = None,
    ) -> list[Prediction]:
        """Predictions with their measurements, in item order; `from_position`: only those of
        items at that position or later (a round's new answers, without reading the run again)."""
        params: list[Any] = [run_id]
        where = "p.run_id = ?"
        if arm is not None:
            where, params = where + " AND p.arm = ?", [*params, arm]
        if repeat is not None:
            where, params = where + " AND p.repeat = ?", [*params, repeat]
        if from_position is not None:
            where, params = where + " AND i.position >= ?", [*params, from_position]
        calls: dict[tuple[str, str, int], list[Measurement]] = {}
        for r in self._read(
            "SELECT m.arm, m.item_id, m.repeat, m.stage, m.model, m.input_tokens,"
            " m.cache_write_tokens, m.cache_read_tokens, m.output_tokens, m.latency_s, m.ttft_s,"
            " m.cached, m.prefix, m.prefix_share, m.batch"
            " FROM measurements m JOIN predictions p USING (run_id, arm, item_id, repeat)"
            " JOIN items i ON i.run_id = p.run_id AND i.id = p.item_id"
            f" WHERE {where} ORDER BY m.stage",
            params,
        ):
            call = Measurement(r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], bool(r[11]),
                               r[12], r[13], r[14])  # fmt: skip
            calls.setdefault((r[0], r[1], r[2]), []).append(call)
        rows = self._read(
            "SELECT p.arm, p.item_id, p.repeat, p.text, p.citations, p.error, p.extra, p.created,"
            " p.answer, p.latency_s, p.wall_share_s, p.from_cache"
            " FROM predictions p JOIN items i ON i.run_id = p.run_id AND i.id = p.item_id"
            f" WHERE {where} ORDER BY p.arm, p.repeat, i.position",
            params,
        )
        return [
            Prediction(run_id, r[0], r[1], r[2], r[3], tuple(_load(r[4])), r[5], _load(r[6]),
                       tuple(calls.get((r[0], r[1], r[2]), ())), r[7], _load(r[8]), r[9],
                       r[10], bool(r[11]))
            for r in rows
        ]  # fmt: skip

    # --- metrics -----------------------------------------------------------------------------

    def record_metrics(self, metrics: Iterable[Metric]) -> None:
        """Record metric values in one transaction (replacing earlier values for the same key)."""
        with self.transaction():
            self._executemany(
                "INSERT OR REPLACE INTO metrics (run_id, arm, repeat, name, item_id, value,"
                " details) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (m.run_id, m.arm, -1 if m.repeat is None else m.repeat, m.name,
                     m.item_id or "", m.value, None if m.details is None else _dump(m.details))
                    for m in metrics
                ],
            )  # fmt: skip

    def metrics(
        self,
        run_id: str,
        *,
        arm: str | None = None,
        name: str | None = None,
        per_item: bool | None = None,
    ) -> list[Metric]:
        """Metric values; `per_item` True / False keeps only per-item / aggregate values."""
        sql, params = "SELECT * FROM metrics WHERE run_id = ?", [run_id]
        for column, value in (("arm", arm), ("name", name)):
            if value is not None:
                sql, params = sql + f" AND {column} = ?", [*params, value]
        if per_item is not None:
            sql += " AND item_id != ''" if per_item else " AND item_id = ''"
        rows = self._read(sql + " ORDER BY arm, name, repeat, item_id", params)
        return [
            Metric(r[0], r[1], r[3], r[5], r[4] or None, None if r[2] < 0 else r[2], _load(r[6]))
            for r in rows
        ]

    # --- knowledge-base versions -------------------------------------------------------------

    def add_kb_version(self, kb: KbVersion) -> KbVersion:
        created = kb.created or _now()
        with self.transaction():
            self._execute(
                "INSERT OR REPLACE INTO kb_versions (run_id, version, path, fingerprint,"
                " documents, chunks, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kb.run_id, kb.version, kb.path, kb.fingerprint, kb.documents, kb.chunks, created),
            )
        return KbVersion(kb.run_id, kb.version, kb.path, kb.fingerprint, kb.documents, kb.chunks,
                         created)  # fmt: skip

    def kb_versions(self, run_id: str) -> list[KbVersion]:
        rows = self._read(
            "SELECT run_id, version, path, fingerprint, documents, chunks, created"
            " FROM kb_versions WHERE run_id = ? ORDER BY created, version",
            (run_id,),
        )
        return [KbVersion(*r) for r in rows]


# --- row -> record ---------------------------------------------------------------------------


def _check_status(what: str, status: str, allowed: Sequence[str]) -> None:
    if status not in allowed:
        raise RagtuneError(f"unknown {what} status {status!r}", hint=f"allowed: {list(allowed)}")


def _run(r: Sequence[Any]) -> Run:
    # columns: id, created, workload, config, versions, seed, machine, status, finished
    return Run(r[0], r[1], r[2], _load(r[3]), _load(r[4]), r[5], _load(r[6]), r[7], r[8])


def _arm(r: Sequence[Any]) -> Arm:
    # columns: run_id, name, params, status, reason, device (migration 7)
    return Arm(r[0], r[1], _load(r[2]), r[3], r[4], _load(r[5]) if len(r) > 5 else None)
