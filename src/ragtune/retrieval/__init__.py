"""Retrieval: ingest documents, chunk, embed, and search them with BM25, dense or hybrid ranking.

    from ragtune.retrieval import build_index, open_index
    index = build_index("docs/", ".ragtune/index")          # or "postgresql://...#kb"
    for hit in index.search("how do refunds work?", k=5, mode="hybrid"):
        print(hit.rank, hit.score, hit.citation.doc_id, hit.text[:80])

A location is a directory (the embedded index) or a Postgres DSN, optionally with `#name`.
"""

from __future__ import annotations

from pathlib import Path

from ragtune.retrieval.base import Index, IndexConfig, UpdateReport
from ragtune.retrieval.chunking import ChunkConfig
from ragtune.retrieval.embedding import Embedder, get_embedder
from ragtune.retrieval.ingest import FieldMap, ingest
from ragtune.retrieval.records import (
    Chunk,
    Citation,
    Document,
    Hit,
    IndexStats,
    IngestReport,
    KBVersion,
    Skipped,
)

__all__ = [
    "Chunk",
    "ChunkConfig",
    "Citation",
    "Document",
    "FieldMap",
    "Hit",
    "Index",
    "IndexConfig",
    "IndexStats",
    "IngestReport",
    "KBVersion",
    "Skipped",
    "UpdateReport",
    "build_index",
    "create_index",
    "get_embedder",
    "ingest",
    "is_postgres",
    "open_index",
]


def is_postgres(location: str | Path) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


def _split(location: str) -> tuple[str, str]:
    from ragtune.retrieval.postgres import DEFAULT_NAME

    dsn, _, name = location.partition("#")
    return dsn, name or DEFAULT_NAME


def create_index(
    location: str | Path, config: IndexConfig | None = None, embedder: Embedder | None = None
) -> Index:
    """A new, empty index at `location` (directory, or `postgresql://...#name`)."""
    if is_postgres(location):
        from ragtune.retrieval.postgres import PostgresIndex

        dsn, name = _split(str(location))
        return PostgresIndex.create(dsn, name, config, embedder)
    from ragtune.retrieval.embedded import EmbeddedIndex

    return EmbeddedIndex.create(location, config, embedder)


def open_index(location: str | Path, embedder: Embedder | None = None) -> Index:
    """An existing index at `location`."""
    if is_postgres(location):
        from ragtune.retrieval.postgres import PostgresIndex

        dsn, name = _split(str(location))
        return PostgresIndex.open(dsn, name, embedder)
    from ragtune.retrieval.embedded import EmbeddedIndex

    return EmbeddedIndex.open(location, embedder)


def build_index(
    source: str | Path | list[Document],
    location: str | Path,
    config: IndexConfig | None = None,
    embedder: Embedder | None = None,
) -> Index:
    """Ingest `source` (folder, corpus file or documents) into a new index and return it."""
    docs = source if isinstance(source, list) else ingest(source).documents
    index = create_index(location, config, embedder)
    index.update(docs)
    return index
