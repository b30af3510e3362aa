"""Records shared by every part of retrieval: documents, chunks, hits with citations, versions.

All are frozen dataclasses with plain fields so they serialise to JSON and compare by value.
This module holds data only; nothing here reads files or loads models.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One source document after text extraction."""

    doc_id: str
    title: str
    text: str
    source: str  # path or "file.jsonl:line 12"; shown in citations


@dataclass(frozen=True)
class Skipped:
    """A file or record the ingest could not use, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class IngestReport:
    """What an ingest produced: the documents, and everything it skipped with reasons."""

    documents: list[Document]
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{len(self.documents)} documents read, {len(self.skipped)} skipped"]
        lines += [f"  skipped {s.source}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


@dataclass(frozen=True)
class Chunk:
    """A span of one document, the unit that is embedded and retrieved."""

    chunk_id: str  # "<doc_id>#<position>"
    doc_id: str
    title: str
    source: str
    start: int  # character offsets into Document.text, text == doc.text[start:end]
    end: int
    heading: str  # heading path, "Billing > Refunds"; "" before the first heading
    text: str
    hash: str  # sha256 of the text that is embedded (see chunking.embed_text)
    position: int  # index of the chunk within its document


@dataclass(frozen=True)
class Citation:
    """Where a hit comes from: enough to show a reference and open the source."""

    doc_id: str
    title: str
    source: str
    start: int
    end: int
    heading: str = ""


@dataclass(frozen=True)
class Hit:
    """One search result. `rank` starts at 1; `score` is the score of the mode that ranked it."""

    text: str
    score: float
    rank: int
    citation: Citation
    chunk_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class KBVersion:
    """One knowledge-base version, recorded by every build or update."""

    version_id: str  # "v3"
    number: int
    created_at: str  # ISO 8601, UTC
    documents: int
    chunks: int
    embedded: int  # chunks embedded by this update (new or changed text)
    reused: int  # chunks whose vectors were reused by hash
    removed_documents: int
    parent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KBVersion:
        return cls(**data)


@dataclass(frozen=True)
class IndexStats:
    """What `ragtune index stats` shows."""

    location: str
    backend: str
    model: str
    dimensions: int
    documents: int
    chunks: int
    version: KBVersion | None
    history: list[KBVersion]
    dense_search: str  # "exact" or "hnsw"
    bm25: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
