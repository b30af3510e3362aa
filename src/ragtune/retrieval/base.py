"""What every index backend shares: its configuration, the `Index` protocol, update reports,
candidate-list sizes and turning fused rows into hits with citations.

Backends (embedded.py, postgres.py) implement storage; the ranking logic here is the same for
both, so a query gives the same kind of answer whatever stores the chunks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ragtune.errors import RagtuneError
from ragtune.retrieval.chunking import ChunkConfig
from ragtune.retrieval.dense import DEFAULT_ANN_THRESHOLD
from ragtune.retrieval.embedding import DEFAULT_MODEL, DEFAULT_PRECISION, PRECISIONS
from ragtune.retrieval.fusion import DEFAULT_FUSION, DENSE_WEIGHT
from ragtune.retrieval.lexical import BM25Params
from ragtune.retrieval.records import (
    Chunk,
    Citation,
    Document,
    Hit,
    IndexStats,
    KBVersion,
    Skipped,
)

# Each retriever contributes this many candidates (or 4 x k if larger) to hybrid fusion.
CANDIDATES = 50


def candidates(k: int) -> int:
    return max(CANDIDATES, 4 * k)


@dataclass(frozen=True)
class IndexConfig:
    """Fixed when an index is created; stored with it so search uses the same model."""

    model: str = DEFAULT_MODEL
    precision: str = DEFAULT_PRECISION  # stored with the index: its vectors' model
    chunking: ChunkConfig = field(default_factory=ChunkConfig)
    bm25: BM25Params = field(default_factory=BM25Params)
    ann_threshold: int = DEFAULT_ANN_THRESHOLD
    dense_weight: float = DENSE_WEIGHT

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise RagtuneError(
                f"unknown precision {self.precision!r}", hint=f"use one of {PRECISIONS}"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexConfig:
        data = dict(data)
        # an index written before the precision setting existed was embedded in fp32; never let
        # a changed default pair its stored vectors with queries from another model
        data.setdefault("precision", "fp32")
        data["chunking"] = ChunkConfig(**data.get("chunking", {}))
        data["bm25"] = BM25Params(**data.get("bm25", {}))
        return cls(**data)


@dataclass(frozen=True)
class UpdateReport:
    """What one build or update did."""

    version: KBVersion
    added_documents: int
    changed_documents: int
    removed_documents: int
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def embedded(self) -> int:
        return self.version.embedded

    def summary(self) -> str:
        v = self.version
        return (
            f"{v.version_id}: {v.documents} documents, {v.chunks} chunks "
            f"(+{self.added_documents} new, ~{self.changed_documents} changed, "
            f"-{self.removed_documents} removed documents; {v.embedded} chunks embedded, "
            f"{v.reused} reused)"
        )


class Index(Protocol):
    """The interface the RAG arm and the CLI use, whatever the backend."""

    config: IndexConfig

    def update(self, documents: Sequence[Document]) -> UpdateReport: ...

    def search(
        self, query: str, k: int = 5, mode: str = "hybrid", fusion: str = DEFAULT_FUSION
    ) -> list[Hit]: ...

    def chunks(self) -> list[Chunk]: ...

    def versions(self) -> list[KBVersion]: ...

    def stats(self) -> IndexStats: ...

    def close(self) -> None: ...


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def document_changes(old: dict[str, set[str]], new_chunks: Sequence[Chunk]) -> tuple[int, int, int]:
    """(added, changed, removed) documents, comparing each document's set of chunk hashes."""
    new: dict[str, set[str]] = {}
    for c in new_chunks:
        new.setdefault(c.doc_id, set()).add(c.hash)
    added = sum(1 for d in new if d not in old)
    changed = sum(1 for d in new if d in old and old[d] != new[d])
    removed = sum(1 for d in old if d not in new)
    return added, changed, removed


def to_hit(chunk: Chunk, score: float, rank: int) -> Hit:
    citation = Citation(
        doc_id=chunk.doc_id,
        title=chunk.title,
        source=chunk.source,
        start=chunk.start,
        end=chunk.end,
        heading=chunk.heading,
    )
    return Hit(
        text=chunk.text, score=float(score), rank=rank, citation=citation, chunk_id=chunk.chunk_id
    )


def check_k(k: int) -> None:
    if k < 1:
        raise RagtuneError(f"k must be at least 1 (given {k})", hint="e.g. --k 5")


def check_duplicates(documents: Sequence[Document]) -> None:
    counts = Counter(d.doc_id for d in documents)
    dups = sorted(doc_id for doc_id, n in counts.items() if n > 1)
    if dups:
        raise RagtuneError(
            f"{len(dups)} duplicate document id(s): {', '.join(dups[:5])}",
            hint="document ids must be unique; ingest() skips duplicates for you",
        )
