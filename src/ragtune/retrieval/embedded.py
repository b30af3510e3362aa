"""The default index: a directory on disk, no server, versioned and updated atomically.

Layout::

    INDEX/
      CURRENT              name of the live version, replaced atomically ("v3")
      v3/manifest.json     config, this version's record, the history of all versions
      v3/chunks.jsonl      one chunk per line; line i is row i of vectors.npy
      v3/vectors.npy       float32, L2-normalised, one row per chunk
      v3/bm25/             bm25s files
      v3/hnsw.usearch      only above the ANN threshold

An update stages a complete new version in `.staging-*`, renames it into place and only then
switches CURRENT, so a crash at any point leaves the previous version readable; the next update
deletes leftovers. Vectors of unchanged chunks are reused by content hash. Writers take a file
lock; readers never lock. The previous version is kept (one step back); older ones are deleted.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ragtune.errors import RagtuneError
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
from ragtune.retrieval.dense import HNSW, exact_top
from ragtune.retrieval.embedding import Embedder, get_embedder
from ragtune.retrieval.fusion import DEFAULT_FUSION, check_mode, fuse
from ragtune.retrieval.lexical import BM25
from ragtune.retrieval.records import Chunk, Document, Hit, IndexStats, KBVersion

log = logging.getLogger(__name__)

FORMAT = 1
KEEP_VERSIONS = 2  # the live one and the one before it


class EmbeddedIndex:
    """A directory index; `create` a new one or `open` an existing one, then `update`/`search`."""

    def __init__(self, path: Path, config: IndexConfig, embedder: Embedder | None = None) -> None:
        self.path = path
        self.config = config
        self._embedder = embedder
        self._loaded: str | None = None  # version id held in memory
        self._manifest: dict[str, Any] = {}
        self._chunks: list[Chunk] = []
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._bm25: BM25 | None = None
        self._hnsw: HNSW | None = None

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls, path: str | Path, config: IndexConfig | None = None, embedder: Embedder | None = None
    ) -> EmbeddedIndex:
        root = Path(path)
        if (root / "CURRENT").exists():
            raise RagtuneError(
                f"an index already exists at {str(root)!r}",
                hint="use `ragtune index update` to refresh it, or choose another --index path",
            )
        root.mkdir(parents=True, exist_ok=True)
        return cls(root, config or IndexConfig(), embedder)

    @classmethod
    def open(cls, path: str | Path, embedder: Embedder | None = None) -> EmbeddedIndex:
        root = Path(path)
        current = root / "CURRENT"
        if not current.exists():
            raise RagtuneError(
                f"no ragtune index at {str(root)!r} (no CURRENT file)",
                hint="build one with `ragtune index build DOCS --index PATH`",
            )
        version = current.read_text().strip()
        manifest = json.loads((root / version / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise RagtuneError(
                f"index format {manifest.get('format')} at {root} is not supported (need {FORMAT})",
                hint="rebuild the index with this version of ragtune",
            )
        index = cls(root, IndexConfig.from_dict(manifest["config"]), embedder)
        index._load(version)
        return index

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.config.model, self.config.precision)
        return self._embedder

    def _current(self) -> str | None:
        current = self.path / "CURRENT"
        return current.read_text().strip() if current.exists() else None

    def _load(self, version: str) -> None:
        folder = self.path / version
        self._manifest = json.loads((folder / "manifest.json").read_text())
        with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
            self._chunks = [Chunk(**json.loads(line)) for line in fh]
        self._vectors = np.load(folder / "vectors.npy")
        self._bm25 = BM25.load(folder / "bm25")
        hnsw = folder / "hnsw.usearch"
        self._hnsw = HNSW.load(hnsw, self._vectors.shape[1]) if hnsw.exists() else None
        self._loaded = version

    def _refresh(self) -> None:
        """Follow CURRENT if another process updated the index since we loaded it."""
        current = self._current()
        if current is None:
            raise RagtuneError(
                f"the index at {self.path} is empty", hint="add documents with update() first"
            )
        if current != self._loaded:
            self._load(current)

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def _lock(self) -> Iterator[None]:
        with (self.path / ".lock").open("w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as err:
                raise RagtuneError(
                    f"another process is updating the index at {self.path}",
                    hint="wait for it to finish, then retry",
                ) from err
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def update(self, documents: Sequence[Document]) -> UpdateReport:
        """Make `documents` the new contents: embed new or changed chunks, drop removed docs."""
        check_duplicates(documents)
        with self._lock():
            for leftover in self.path.glob(".staging-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            parent = self._current()
            if parent is not None and parent != self._loaded:
                self._load(parent)
            old_chunks = self._chunks if parent else []
            old_vectors = self._vectors if parent else None
            chunks = chunk_documents(documents, self.embedder, self.config.chunking)
            number = int(parent[1:]) + 1 if parent else 1
            version_id = f"v{number}"
            staging = self.path / f".staging-{version_id}-{os.getpid()}"
            staging.mkdir()
            try:
                _write_chunks(staging / "chunks.jsonl", chunks)
                vectors, embedded, reused = self._vectors_for(chunks, old_chunks, old_vectors)
                _save_npy(staging / "vectors.npy", vectors)
                bm25 = BM25.build([c.text for c in chunks], self.config.bm25)
                bm25.save(staging / "bm25")
                if len(chunks) > self.config.ann_threshold:
                    HNSW.build(vectors).save(staging / "hnsw.usearch")
                old_docs: dict[str, set[str]] = {}
                for c in old_chunks:
                    old_docs.setdefault(c.doc_id, set()).add(c.hash)
                added, changed, removed = document_changes(old_docs, chunks)
                version = KBVersion(
                    version_id=version_id,
                    number=number,
                    created_at=now(),
                    documents=len({c.doc_id for c in chunks}),
                    chunks=len(chunks),
                    embedded=embedded,
                    reused=reused,
                    removed_documents=removed,
                    parent=parent,
                )
                history = (
                    [*self._manifest.get("history", []), version.to_dict()]
                    if parent
                    else [version.to_dict()]
                )
                manifest = {
                    "format": FORMAT,
                    "config": self.config.to_dict(),
                    "dimensions": int(vectors.shape[1]),
                    "version": version.to_dict(),
                    "history": history,
                }
                _write_text(staging / "manifest.json", json.dumps(manifest, indent=2))
                _fsync_tree(staging)
                os.replace(staging, self.path / version_id)
                _write_text(self.path / "CURRENT.tmp", version_id + "\n")
                os.replace(self.path / "CURRENT.tmp", self.path / "CURRENT")
                _fsync_dir(self.path)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            self._prune(number)
            self._load(version_id)
        log.info("index %s now at %s", self.path, version_id)
        return UpdateReport(version, added, changed, removed)

    def _vectors_for(
        self, chunks: list[Chunk], old: list[Chunk], old_vectors: np.ndarray | None
    ) -> tuple[np.ndarray, int, int]:
        """Vectors for `chunks`, reusing old rows by hash; (vectors, embedded, reused)."""
        known = {c.hash: i for i, c in enumerate(old)}
        todo: dict[str, str] = {}
        for c in chunks:
            if c.hash not in known and c.hash not in todo:
                todo[c.hash] = embed_text(c.title, c.heading, c.text)
        fresh = self.embedder.embed(list(todo.values()))
        dims = (
            fresh.shape[1]
            if len(todo)
            else (
                old_vectors.shape[1]
                if old_vectors is not None and old_vectors.size
                else self.embedder.dimensions
            )
        )
        row_of_new = {h: i for i, h in enumerate(todo)}
        vectors = np.empty((len(chunks), dims), dtype=np.float32)
        reused = 0
        for i, c in enumerate(chunks):
            if c.hash in row_of_new:
                vectors[i] = fresh[row_of_new[c.hash]]
            else:
                assert old_vectors is not None
                vectors[i] = old_vectors[known[c.hash]]
                reused += 1
        return vectors, len(todo), reused

    def _prune(self, number: int) -> None:
        for folder in self.path.glob("v*"):
            old = folder.name[1:].isdigit() and int(folder.name[1:]) <= number - KEEP_VERSIONS
            if folder.is_dir() and old:
                shutil.rmtree(folder, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------
    def search(
        self, query: str, k: int = 5, mode: str = "hybrid", fusion: str = DEFAULT_FUSION
    ) -> list[Hit]:
        """The `k` best chunks for `query`, each with its citation."""
        check_mode(mode, fusion)
        check_k(k)
        self._refresh()
        if not query.strip() or not self._chunks:
            return []
        n = k if mode != "hybrid" else candidates(k)
        lexical = self._bm25_top(query, n) if mode != "dense" else []
        dense = self._dense_top(query, n) if mode != "bm25" else []
        if mode == "hybrid":
            ranked = fuse(lexical, dense, fusion, self.config.dense_weight)
        else:
            ranked = lexical or dense
        return [to_hit(self._chunks[row], s, r) for r, (row, s) in enumerate(ranked[:k], start=1)]

    def _bm25_top(self, query: str, n: int) -> list[tuple[int, float]]:
        assert self._bm25 is not None
        rows, scores = self._bm25.top(query, n)
        return list(zip(rows.tolist(), scores.tolist(), strict=True))

    def _dense_top(self, query: str, n: int) -> list[tuple[int, float]]:
        q = self.embedder.embed_query(query)
        if self._hnsw is not None:
            rows, scores = self._hnsw.top(q, n)
        else:
            rows, scores = exact_top(self._vectors, q, n)
        return list(zip(rows.tolist(), scores.tolist(), strict=True))

    def chunks(self) -> list[Chunk]:
        self._refresh()
        return list(self._chunks)

    def versions(self) -> list[KBVersion]:
        if self._current() is None:
            return []
        self._refresh()
        return [KBVersion.from_dict(v) for v in self._manifest["history"]]

    def stats(self) -> IndexStats:
        history = self.versions()
        return IndexStats(
            location=str(self.path),
            backend="embedded",
            model=self.config.model,
            dimensions=int(self._manifest.get("dimensions", 0)),
            documents=len({c.doc_id for c in self._chunks}),
            chunks=len(self._chunks),
            version=history[-1] if history else None,
            history=history,
            dense_search="hnsw" if self._hnsw is not None else "exact",
            bm25=asdict(self.config.bm25),
        )

    def close(self) -> None:
        pass


def _write_chunks(path: Path, chunks: Sequence[Chunk]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _save_npy(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as fh:
        np.save(fh, array)
        fh.flush()
        os.fsync(fh.fileno())


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_tree(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(Path(folder))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
