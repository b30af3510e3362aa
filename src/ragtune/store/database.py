"""The SQLite file under the run store: opening, checking, migrating, transactions, errors.

Opening turns on WAL mode (readers do not block the writer; a killed writer loses only its
open transaction), checks the file (`PRAGMA quick_check`) and applies pending migrations. Every
SQLite error becomes a `RagtuneError` that names the file. Deliberately not here: the tables'
records (`runstore.py`) and the schema (`migrations.py`).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from ragtune.errors import RagtuneError
from ragtune.store import migrations

_BUSY_TIMEOUT_MS = 10_000  # a second process (ragtune runs list) may read while a run writes


def new_id() -> str:
    """A sortable, readable id: UTC time plus 4 random hex digits (20261121-230512-a3f9)."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class Database:
    """An open, migrated store file. Subclasses add the typed reads and writes."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._depth = 0  # nesting of `transaction()`

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Self:
        """Open (creating if needed) and migrate the store at `path`."""
        path = Path(path)
        if path.is_dir():
            raise RagtuneError(
                f"run store path {path} is a directory", hint="give a file path, e.g. runs.db"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as err:
            raise _translate(path, err) from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL survives a killed process; only a power cut can lose the last
            # commits, and it never corrupts the file.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(problems[:3]))
            migrations.migrate(conn)
        except sqlite3.Error as err:
            conn.close()
            raise _translate(path, err) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    @property
    def schema_version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions and error translation ---------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: all of them are committed together or none are. Nests."""
        if self._depth == 0:
            self._execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0 and self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self._execute("COMMIT")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as err:
            raise _translate(self.path, err) from None

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as err:
            raise _translate(self.path, err) from None

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._execute(sql, params).fetchall())


def _translate(path: Path, err: sqlite3.Error) -> RagtuneError:
    """A SQLite error as a message about the store file, with what to do about it."""
    if isinstance(err, sqlite3.IntegrityError):
        return RagtuneError(
            f"run store {path} refused a write: {err}",
            hint="record the run, its arms and its items before predictions for them",
        )
    if isinstance(err, sqlite3.OperationalError):  # locked, read-only, cannot open, disk full
        return RagtuneError(
            f"cannot use run store {path}: {err}",
            hint="check the file's permissions and free disk space, and that no other ragtune "
            "process is writing to it",
        )
    return RagtuneError(
        f"{path} is not a usable ragtune run store: {err}",
        hint="if the file was damaged, move it aside and start a new store (or restore a copy); "
        f"`sqlite3 {path} 'PRAGMA integrity_check'` shows the damage",
    )
