"""The same index interface on Postgres: pgvector HNSW for dense search, Postgres full-text
search (tsvector, `ts_rank`) for the lexical side, fused in Python exactly like the embedded one.

Tables, for an index named NAME (letters, digits, underscore)::

    NAME_meta      key -> jsonb (config, dimensions)
    NAME_versions  number -> jsonb KBVersion
    NAME_chunks    one row per chunk: citation fields, text, hash, embedding vector(D),
                   tsv (generated, english), with an HNSW index (inner product) and a GIN index

An update runs in one transaction under an advisory lock: new chunks are staged in a temporary
table, vectors of unchanged chunks are copied by hash inside the database, only changed rows are
deleted and inserted, and the version row is written; a crash rolls everything back. The
lexical score is Postgres's ts_rank, not BM25: rankings differ from the embedded index in detail.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ragtune.errors import MissingDependencyError, RagtuneError
from ragtune.retrieval.base import (
    IndexConfig,
    UpdateReport,
    candidates,
    check_duplicates,
    check_k,
    document_changes,
    now,
    to_hit,
)
from ragtune.retrieval.chunking import chunk_documents, embed_text
from ragtune.retrieval.embedding import Embedder, get_embedder
from ragtune.retrieval.fusion import DEFAULT_FUSION, check_mode, fuse
from ragtune.retrieval.lexical import tokenize
from ragtune.retrieval.records import Chunk, Document, Hit, IndexStats, KBVersion

log = logging.getLogger(__name__)

DEFAULT_NAME = "ragtune"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")
_FIELDS = "chunk_id, doc_id, title, source, start_char, end_char, heading, text, hash, position"
# HNSW build parameters: pgvector's defaults (m=16, ef_construction=64).
_HNSW = "WITH (m = 16, ef_construction = 64)"


def _connect(dsn: str) -> Any:
    try:
        import psycopg
    except ImportError as err:
        raise MissingDependencyError("psycopg", "postgres") from err
    try:
        return psycopg.connect(dsn, autocommit=False)
    except psycopg.OperationalError as err:
        raise RagtuneError(
            f"could not connect to Postgres at {_redact(dsn)}: {err}".strip(),
            hint="check the DSN (postgresql://user:password@host:5432/db) and that the server runs",
        ) from err


def _redact(dsn: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", dsn)


def _vec(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in v.tolist()) + "]"


class PostgresIndex:
    """An index stored in Postgres tables NAME_*; `create` or `open` it with a DSN."""

    def __init__(
        self, dsn: str, name: str, config: IndexConfig, conn: Any, embedder: Embedder | None
    ) -> None:
        self.dsn, self.name, self.config = dsn, name, config
        self._conn = conn
        self._embedder = embedder
        self._dims = 0

    @staticmethod
    def _check_name(name: str) -> str:
        if not _NAME.fullmatch(name):
            raise RagtuneError(
                f"invalid Postgres index name {name!r}",
                hint="use lowercase letters, digits and underscores, starting with a letter",
            )
        return name

    @classmethod
    def create(
        cls,
        dsn: str,
        name: str = DEFAULT_NAME,
        config: IndexConfig | None = None,
        embedder: Embedder | None = None,
    ) -> PostgresIndex:
        cls._check_name(name)
        conn = _connect(dsn)
        index = cls(dsn, name, config or IndexConfig(), conn, embedder)
        if index._exists():
            conn.close()
            raise RagtuneError(
                f"a ragtune index named {name!r} already exists in {_redact(dsn)}",
                hint="use `ragtune index update`, or another name (DSN#name)",
            )
        dims = index.embedder.dimensions
        n = name
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            conn.execute(f"CREATE TABLE {n}_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
            conn.execute(f"CREATE TABLE {n}_versions (number int PRIMARY KEY, record jsonb)")
            conn.execute(
                f"""CREATE TABLE {n}_chunks (
                    chunk_id text PRIMARY KEY, doc_id text NOT NULL, title text NOT NULL,
                    source text NOT NULL, start_char int NOT NULL, end_char int NOT NULL,
                    heading text NOT NULL, text text NOT NULL, hash text NOT NULL,
                    position int NOT NULL, embedding vector({dims}) NOT NULL,
                    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED)"""
            )
            conn.execute(
                f"CREATE INDEX {n}_chunks_hnsw ON {n}_chunks "
                f"USING hnsw (embedding vector_ip_ops) {_HNSW}"
            )
            conn.execute(f"CREATE INDEX {n}_chunks_tsv ON {n}_chunks USING gin (tsv)")
            conn.execute(f"CREATE INDEX {n}_chunks_hash ON {n}_chunks (hash)")
            meta = {"config": index.config.to_dict(), "dimensions": dims}
            for key, value in meta.items():
                conn.execute(f"INSERT INTO {n}_meta VALUES (%s, %s)", (key, json.dumps(value)))
        index._dims = dims
        return index

    @classmethod
    def open(
        cls, dsn: str, name: str = DEFAULT_NAME, embedder: Embedder | None = None
    ) -> PostgresIndex:
        cls._check_name(name)
        conn = _connect(dsn)
        probe = cls(dsn, name, IndexConfig(), conn, embedder)
        if not probe._exists():
            conn.close()
            raise RagtuneError(
                f"no ragtune index named {name!r} in {_redact(dsn)}",
                hint="build one with `ragtune index build DOCS --index 'postgresql://...#name'`",
            )
        rows = dict(conn.execute(f"SELECT key, value FROM {name}_meta").fetchall())
        conn.commit()
        index = cls(dsn, name, IndexConfig.from_dict(rows["config"]), conn, embedder)
        index._dims = int(rows["dimensions"])
        return index

    def _exists(self) -> bool:
        row = self._conn.execute("SELECT to_regclass(%s)", (f"{self.name}_meta",)).fetchone()
        self._conn.commit()
        return row[0] is not None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.config.model, self.config.precision)
        return self._embedder

    # -- writing ---------------------------------------------------------------------------
    def update(self, documents: Sequence[Document]) -> UpdateReport:
        """Make `documents` the new contents in one transaction; embed only new hashes."""
        check_duplicates(documents)
        n, conn = self.name, self._conn
        chunks = chunk_documents(documents, self.embedder, self.config.chunking)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (n,))
            old = conn.execute(f"SELECT doc_id, hash FROM {n}_chunks").fetchall()
            known = {h for _, h in old}
            old_docs: dict[str, set[str]] = {}
            for doc_id, h in old:
                old_docs.setdefault(doc_id, set()).add(h)
            todo: dict[str, str] = {}
            for c in chunks:
                if c.hash not in known and c.hash not in todo:
                    todo[c.hash] = embed_text(c.title, c.heading, c.text)
            fresh = dict(zip(todo, self.embedder.embed(list(todo.values())), strict=True))
            conn.execute(
                f"CREATE TEMP TABLE staged (LIKE {n}_chunks INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            conn.execute("ALTER TABLE staged DROP COLUMN tsv, ALTER COLUMN embedding DROP NOT NULL")
            with conn.cursor().copy(f"COPY staged ({_FIELDS}, embedding) FROM STDIN") as copy:
                for c in chunks:
                    vec = _vec(fresh[c.hash]) if c.hash in fresh else None
                    copy.write_row((*_row(c), vec))
            conn.execute(
                f"""UPDATE staged s SET embedding = o.embedding
                    FROM (SELECT DISTINCT ON (hash) hash, embedding FROM {n}_chunks) o
                    WHERE s.embedding IS NULL AND s.hash = o.hash"""
            )
            same = " AND ".join(f"c.{f} = s.{f}" for f in _FIELDS.split(", "))
            conn.execute(
                f"DELETE FROM {n}_chunks c WHERE NOT EXISTS (SELECT 1 FROM staged s WHERE {same})"
            )
            conn.execute(
                f"INSERT INTO {n}_chunks ({_FIELDS}, embedding) "
                f"SELECT {_FIELDS}, embedding FROM staged s WHERE NOT EXISTS "
                f"(SELECT 1 FROM {n}_chunks c WHERE c.chunk_id = s.chunk_id)"
            )
            last = conn.execute(f"SELECT max(number) FROM {n}_versions").fetchone()[0]
            number = (last or 0) + 1
            added, changed, removed = document_changes(old_docs, chunks)
            version = KBVersion(
                version_id=f"v{number}",
                number=number,
                created_at=now(),
                documents=len({c.doc_id for c in chunks}),
                chunks=len(chunks),
                embedded=len(todo),
                reused=sum(1 for c in chunks if c.hash not in fresh),
                removed_documents=removed,
                parent=f"v{last}" if last else None,
            )
            conn.execute(
                f"INSERT INTO {n}_versions VALUES (%s, %s)",
                (number, json.dumps(version.to_dict())),
            )
        return UpdateReport(version, added, changed, removed)

    # -- reading ---------------------------------------------------------------------------
    def search(
        self, query: str, k: int = 5, mode: str = "hybrid", fusion: str = DEFAULT_FUSION
    ) -> list[Hit]:
        """The `k` best chunks for `query`, each with its citation."""
        check_mode(mode, fusion)
        check_k(k)
        if not query.strip():
            return []
        n = k if mode != "hybrid" else candidates(k)
        rows: dict[str, Chunk] = {}
        lexical = self._lexical(query, n, rows) if mode != "dense" else []
        dense = self._dense(query, n, rows) if mode != "bm25" else []
        self._conn.commit()
        ranked = (
            fuse(lexical, dense, fusion, self.config.dense_weight)
            if mode == "hybrid"
            else (lexical or dense)
        )
        return [to_hit(rows[cid], s, r) for r, (cid, s) in enumerate(ranked[:k], start=1)]

    def _lexical(self, query: str, n: int, rows: dict[str, Chunk]) -> list[tuple[str, float]]:
        terms = sorted(set(tokenize(query)))
        if not terms:
            return []
        tsquery = " | ".join(terms)  # OR: a natural-language question rarely has every word
        result = self._conn.execute(
            f"""SELECT {_FIELDS}, ts_rank(tsv, q) AS score
                FROM {self.name}_chunks, to_tsquery('english', %s) q
                WHERE tsv @@ q ORDER BY score DESC, chunk_id LIMIT %s""",
            (tsquery, n),
        ).fetchall()
        return self._collect(result, rows)

    def _dense(self, query: str, n: int, rows: dict[str, Chunk]) -> list[tuple[str, float]]:
        q = _vec(self.embedder.embed_query(query))
        self._conn.execute(f"SET LOCAL hnsw.ef_search = {max(40, n)}")
        result = self._conn.execute(
            f"""SELECT {_FIELDS}, -(embedding <#> %s::vector) AS score
                FROM {self.name}_chunks ORDER BY embedding <#> %s::vector LIMIT %s""",
            (q, q, n),
        ).fetchall()
        return self._collect(result, rows)

    @staticmethod
    def _collect(result: list[tuple[Any, ...]], rows: dict[str, Chunk]) -> list[tuple[str, float]]:
        out = []
        for r in result:
            chunk = _chunk(r[:-1])
            rows[chunk.chunk_id] = chunk
            out.append((chunk.chunk_id, float(r[-1])))
        return out

    def chunks(self) -> list[Chunk]:
        result = self._conn.execute(
            f"SELECT {_FIELDS} FROM {self.name}_chunks ORDER BY doc_id, position"
        ).fetchall()
        self._conn.commit()
        return [_chunk(r) for r in result]

    def versions(self) -> list[KBVersion]:
        result = self._conn.execute(
            f"SELECT record FROM {self.name}_versions ORDER BY number"
        ).fetchall()
        self._conn.commit()
        return [KBVersion.from_dict(r[0]) for r in result]

    def stats(self) -> IndexStats:
        docs, count = self._conn.execute(
            f"SELECT count(DISTINCT doc_id), count(*) FROM {self.name}_chunks"
        ).fetchone()
        self._conn.commit()
        history = self.versions()
        return IndexStats(
            location=f"{_redact(self.dsn)}#{self.name}",
            backend="postgres",
            model=self.config.model,
            dimensions=self._dims,
            documents=int(docs),
            chunks=int(count),
            version=history[-1] if history else None,
            history=history,
            dense_search="hnsw (pgvector)",
            bm25={"lexical": "postgres ts_rank, english configuration"},
        )

    def drop(self) -> None:
        """Delete this index's tables."""
        with self._conn.transaction():
            for suffix in ("chunks", "versions", "meta"):
                self._conn.execute(f"DROP TABLE IF EXISTS {self.name}_{suffix}")

    def close(self) -> None:
        self._conn.close()


def _row(c: Chunk) -> tuple[Any, ...]:
    return (
        c.chunk_id,
        c.doc_id,
        c.title,
        c.source,
        c.start,
        c.end,
        c.heading,
        c.text,
        c.hash,
        c.position,
    )


def _chunk(r: Sequence[Any]) -> Chunk:
    return Chunk(
        chunk_id=r[0],
        doc_id=r[1],
        title=r[2],
        source=r[3],
        start=r[4],
        end=r[5],
        heading=r[6],
        text=r[7],
        hash=r[8],
        position=r[9],
    )
