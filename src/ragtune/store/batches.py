"""The run store's record of provider batches: one row per submitted batch.

A mixin of `RunStore`. A batch is recorded the moment the provider gives its id, before the
first poll, so a run killed while a batch is in flight finds it on `--resume` and polls it
again instead of submitting (and paying for) the same requests twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ragtune.store.database import Database
from ragtune.store.records import BatchRecord


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class BatchTables(Database):
    """Reads and writes of `batches`."""

    def add_batch(
        self,
        run_id: str,
        stage: str,
        backend: str,
        round: int,
        batch_id: str,
        provider: str,
        requests: Sequence[str],
    ) -> BatchRecord:
        record = BatchRecord(
            run_id, stage, backend, round, batch_id, provider, tuple(requests), _now()
        )
        with self.transaction():
            self._execute(
                "INSERT INTO batches (run_id, stage, backend, round, batch_id, provider,"
                " requests, created, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, stage, backend, round, batch_id, provider,
                 json.dumps(list(requests)), record.created, record.status),
            )  # fmt: skip
        return record

    def update_batch(
        self,
        run_id: str,
        batch_id: str,
        status: str,
        counts: Mapping[str, int],
        *,
        ended: bool = False,
        turnaround_s: float | None = None,
    ) -> None:
        with self.transaction():
            self._execute(
                "UPDATE batches SET status = ?, counts = ?, ended = ?, turnaround_s = ?"
                " WHERE run_id = ? AND batch_id = ?",
                (status, json.dumps(dict(counts), sort_keys=True), _now() if ended else None,
                 turnaround_s, run_id, batch_id),
            )  # fmt: skip

    def batches(self, run_id: str, stage: str | None = None) -> list[BatchRecord]:
        sql, params = "SELECT * FROM batches WHERE run_id = ?", [run_id]
        if stage is not None:
            sql, params = sql + " AND stage = ?", [*params, stage]
        return [_batch(r) for r in self._read(sql + " ORDER BY created, round", params)]


def _batch(r: Sequence[Any]) -> BatchRecord:
    # columns: run_id, stage, backend, round, batch_id, provider, requests, created, status,
    # counts, ended, turnaround_s
    return BatchRecord(
        r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7], r[8],
        json.loads(r[9]) if r[9] else {}, r[10], r[11],
    )  # fmt: skip
