"""The run store's training-run tables: each fine-tuning job, its loss curve and its outcome.

A mixin of `RunStore`, kept apart so the store module stays one noun per file. A training run
may belong to an evidence run (`run_id`) or stand alone (`ragtune tune`); its machine is recorded
when it starts, its duration, tokens and output path when it finishes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ragtune.errors import RagtuneError
from ragtune.store.database import Database, new_id
from ragtune.store.provenance import machine_info
from ragtune.store.records import LossPoint, TrainingRun


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class TrainingTables(Database):
    """Reads and writes of `training_runs` and `training_loss`."""

    def create_training_run(
        self,
        base_model: str,
        method: str,
        params: Mapping[str, Any],
        *,
        run_id: str | None = None,
        train_examples: int | None = None,
        training_run_id: str | None = None,
    ) -> TrainingRun:
        tr = TrainingRun(
            id=training_run_id or new_id(),
            created=_now(),
            base_model=base_model,
            method=method,
            params=dict(params),
            run_id=run_id,
            train_examples=train_examples,
            machine=machine_info(),
        )
        with self.transaction():
            self._execute(
                "INSERT INTO training_runs (id, run_id, created, base_model, method, params,"
                " train_examples, status, machine) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (tr.id, tr.run_id, tr.created, tr.base_model, tr.method, _dump(tr.params),
                 tr.train_examples, tr.status, _dump(tr.machine)),
            )  # fmt: skip
        return tr

    def record_losses(self, training_run_id: str, points: Iterable[LossPoint]) -> None:
        with self.transaction():
            self._executemany(
                "INSERT OR REPLACE INTO training_loss (training_run_id, split, step, loss, epoch)"
                " VALUES (?, ?, ?, ?, ?)",
                [(training_run_id, p.split, p.step, p.loss, p.epoch) for p in points],
            )

    def finish_training_run(
        self,
        training_run_id: str,
        *,
        status: str = "finished",
        duration_s: float | None = None,
        output_path: str | None = None,
        train_tokens: int | None = None,
        device: Mapping[str, Any] | None = None,
    ) -> None:
        """`device`: what it trained on ({kind: cpu|gpu, name, cores}), when known."""
        with self.transaction():
            self.get_training_run(training_run_id)
            self._execute(
                "UPDATE training_runs SET status = ?, duration_s = ?, output_path = ?,"
                " train_tokens = ?, device = ? WHERE id = ?",
                (status, duration_s, output_path, train_tokens,
                 None if device is None else _dump(dict(device)), training_run_id),
            )  # fmt: skip

    def get_training_run(self, training_run_id: str) -> TrainingRun:
        rows = self._read("SELECT * FROM training_runs WHERE id = ?", (training_run_id,))
        if not rows:
            raise RagtuneError(f"no training run {training_run_id!r} in {self.path}")
        return _training_run(rows[0])

    def list_training_runs(self, run_id: str | None = None) -> list[TrainingRun]:
        if run_id is None:
            rows = self._read("SELECT * FROM training_runs ORDER BY created")
        else:
            rows = self._read(
                "SELECT * FROM training_runs WHERE run_id = ? ORDER BY created", (run_id,)
            )
        return [_training_run(r) for r in rows]

    def loss_curve(self, training_run_id: str, split: str | None = None) -> list[LossPoint]:
        sql, params = (
            "SELECT step, loss, split, epoch FROM training_loss WHERE training_run_id = ?",
            [training_run_id],
        )
        if split is not None:
            sql, params = sql + " AND split = ?", [*params, split]
        return [LossPoint(*r) for r in self._read(sql + " ORDER BY split, step", params)]


def _training_run(r: Sequence[Any]) -> TrainingRun:
    # columns: id, run_id, created, base_model, method, params, train_examples, train_tokens,
    # status, duration_s, output_path, machine, device (migration 7)
    return TrainingRun(
        id=r[0], run_id=r[1], created=r[2], base_model=r[3], method=r[4], params=_load(r[5]),
        train_examples=r[6], train_tokens=r[7], status=r[8], duration_s=r[9], output_path=r[10],
        machine=_load(r[11]), device=_load(r[12]) if len(r) > 12 else None,
    )  # fmt: skip
