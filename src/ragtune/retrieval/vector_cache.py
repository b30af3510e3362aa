"""Stored vectors of texts already embedded, so a re-run does not embed its knowledge base again.

Every evidence run builds its own index, and a team re-runs a workload many times over the same
documents: each run re-embedded every chunk (the bundled sample's 480 chunks take ~11 s on one
core; a real knowledge base, minutes). A vector is a function of its text and the model alone
(the int8 default embeds one text per pass precisely so that a batch's neighbours cannot change
it), so it can be kept: `$RAGTUNE_CACHE_DIR/vectors.sqlite`, keyed by the model's identity and
the SHA-256 of the text.

Only models whose identity is pinned are kept: the bundled MiniLM, named with its package's
version. A hub id or a local folder can change under the same name, so their vectors are always
computed. A cache that cannot be opened or written (read-only home, a locked file) is skipped
with a debug log: it saves time, it never decides a result.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    digest BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, digest)
) WITHOUT ROWID
"""

SELECT = "SELECT digest, vector FROM vectors WHERE model = ? AND digest IN"


def default_path() -> Path:
    from ragtune.backends import cache_root

    return cache_root() / "vectors.sqlite"


class VectorCache:
    """Vectors by (model identity, text digest); float32 rows of one width per model."""

    def __init__(self, path: Path, model: str) -> None:
        self.path, self.model = path, model

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")  # test workers and parallel runs share it
        conn.execute(SCHEMA)
        return conn

    def get(self, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """The stored vectors among `texts`, by position; {} when the cache cannot be read."""
        digests = [_digest(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        try:
            with closing(self._connect()) as conn:
                for start in range(0, len(digests), 500):  # SQLite's bound-parameter limit
                    chunk = digests[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(
                        f"{SELECT} ({marks})",  # placeholders only: no text is pasted in
                        (self.model, *chunk),
                    )
                    for digest, blob in rows:
                        found[bytes(digest)] = np.frombuffer(blob, dtype=np.float32)
        except (sqlite3.Error, OSError) as err:
            log.debug("vector cache %s not read: %s", self.path, err)
            return {}
        return {i: found[d] for i, d in enumerate(digests) if d in found}

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (self.model, _digest(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        try:
            with closing(self._connect()) as conn, conn:
                conn.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)", rows)
        except (sqlite3.Error, OSError) as err:
            log.debug("vector cache %s not written: %s", self.path, err)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()
