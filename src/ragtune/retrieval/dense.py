"""Dense nearest-neighbour search over normalised vectors: exact with numpy, or HNSW (usearch).

Exact search is a matrix-vector product plus a partial sort; it is the default up to
`DEFAULT_ANN_THRESHOLD` vectors, where it still answers in a few milliseconds. Above that an
HNSW index from usearch answers approximately. Vectors must be L2-normalised (the dot product
is then the cosine). This module stores nothing about chunks; rows are positions.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from ragtune.errors import MissingDependencyError

log = logging.getLogger(__name__)

# 100k x 384 float32 is 150 MB; one exact scan took 15-20 ms on a loaded 2-core machine
# (BENCHMARKS.md, retrieval). Beyond this many vectors, use HNSW.
DEFAULT_ANN_THRESHOLD = 100_000
# HNSW search breadth: twice usearch's default (64), since hybrid asks for 50+ candidates.
# Not tuned; the HNSW test checks agreement with exact search on a small index only.
HNSW_EXPANSION = 128


def exact_top(vectors: np.ndarray, query: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cosine scores) of the `n` nearest vectors, best first."""
    if vectors.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    # einsum: one thread of SIMD, steady under load; BLAS gemv measured 2x slower at 100k rows
    # and erratic (10x) on a shared 2-core machine (BENCHMARKS.md, retrieval)
    scores = np.einsum("ij,j->i", vectors, query)
    n = min(n, scores.shape[0])
    part = np.argpartition(-scores, n - 1)[:n]
    rows = part[np.argsort(-scores[part], kind="stable")]
    return rows, scores[rows]


class HNSW:
    """A usearch HNSW index over the rows of a vector matrix (inner product on unit vectors)."""

    def __init__(self, index: Any) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> HNSW:
        index = _new_index(vectors.shape[1])
        index.add(np.arange(vectors.shape[0], dtype=np.uint64), vectors, log=False)
        log.info("built HNSW index over %d vectors", vectors.shape[0])
        return cls(index)

    def top(self, query: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        matches = self._index.search(query, n)
        rows = np.asarray(matches.keys, dtype=np.int64)
        # usearch's "ip" distance is 1 - dot product
        return rows, (1.0 - np.asarray(matches.distances, dtype=np.float32))

    def save(self, path: Path) -> None:
        self._index.save(str(path))

    @classmethod
    def load(cls, path: Path, ndim: int) -> HNSW:
        index = _new_index(ndim)
        index.load(str(path))
        return cls(index)


def _new_index(ndim: int) -> Any:
    try:
        from usearch.index import Index
    except ImportError as err:
        raise MissingDependencyError("usearch", "retrieval") from err
    return Index(ndim=ndim, metric="ip", dtype="f32", expansion_search=HNSW_EXPANSION)
