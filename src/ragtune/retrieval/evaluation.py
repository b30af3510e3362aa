"""Retrieval evaluation: recall@k, MRR@10 and nDCG@10 per mode, with bootstrap CIs.

Relevance is binary at document level: a query lists the ids of its relevant documents; hits
are mapped to documents in rank order, keeping each document's first (best) hit. Metrics are
pure functions of (ranked doc ids, relevant ids); `evaluate` runs an index over a query set.
CIs are percentile bootstrap intervals over queries (resampled with a fixed seed).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ragtune.errors import Problem, RagtuneError, ValidationError
from ragtune.retrieval.base import Index
from ragtune.retrieval.fusion import DEFAULT_FUSION, MODES

RECALL_KS = (1, 5, 10)
CUTOFF = 10  # MRR@10 and nDCG@10
# Chunks fetched per query; enough to fill 10 distinct documents in practice.
FETCH = 50
BOOTSTRAP = 2000


@dataclass(frozen=True)
class Query:
    query: str
    relevant: frozenset[str]


def recall_at(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def mrr_at(ranked: Sequence[str], relevant: frozenset[str], k: int = CUTOFF) -> float:
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: frozenset[str], k: int = CUTOFF) -> float:
    """Binary-gain nDCG: DCG = sum of 1 / log2(rank + 1) over relevant documents in the top k."""
    dcg = sum(1.0 / math.log2(r + 1) for r, d in enumerate(ranked[:k], start=1) if d in relevant)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


def bootstrap_ci(
    values: Sequence[float], *, n: int = BOOTSTRAP, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(n, arr.size))].mean(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


@dataclass(frozen=True)
class Metric:
    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class ModeResult:
    mode: str
    metrics: dict[str, Metric]
    per_query: dict[str, list[float]] = field(repr=False)


@dataclass(frozen=True)
class EvalReport:
    queries: int
    results: list[ModeResult]

    def to_dict(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "modes": {r.mode: {k: asdict(m) for k, m in r.metrics.items()} for r in self.results},
        }

    def table(self) -> str:
        names = list(self.results[0].metrics) if self.results else []
        lines = ["| mode | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        for r in self.results:
            cells = [f"{m.mean:.3f} [{m.low:.3f}, {m.high:.3f}]" for m in r.metrics.values()]
            lines.append(f"| {r.mode} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def ranked_documents(
    index: Index, query: str, mode: str, fusion: str = DEFAULT_FUSION
) -> list[str]:
    seen: list[str] = []
    for hit in index.search(query, k=FETCH, mode=mode, fusion=fusion):
        if hit.citation.doc_id not in seen:
            seen.append(hit.citation.doc_id)
    return seen


def evaluate(
    index: Index,
    queries: Sequence[Query],
    modes: Sequence[str] = MODES,
    fusion: str = DEFAULT_FUSION,
    seed: int = 0,
) -> EvalReport:
    if not queries:
        raise RagtuneError("no queries to evaluate", hint="give at least one query with doc ids")
    results = []
    for mode in modes:
        per: dict[str, list[float]] = {f"recall@{k}": [] for k in RECALL_KS}
        per["mrr@10"], per["ndcg@10"] = [], []
        for q in queries:
            ranked = ranked_documents(index, q.query, mode, fusion)
            for k in RECALL_KS:
                per[f"recall@{k}"].append(recall_at(ranked, q.relevant, k))
            per["mrr@10"].append(mrr_at(ranked, q.relevant))
            per["ndcg@10"].append(ndcg_at(ranked, q.relevant))
        metrics = {
            name: Metric(float(np.mean(v)), *bootstrap_ci(v, seed=seed)) for name, v in per.items()
        }
        results.append(ModeResult(mode, metrics, per))
    return EvalReport(len(queries), results)


def load_queries(path: str | Path) -> list[Query]:
    """Read JSONL: `query` (or `question`) and relevant ids `doc_ids` (or `relevant`)."""
    file = Path(path)
    if not file.exists():
        raise RagtuneError(f"query file {str(file)!r} does not exist")
    queries, problems = [], []
    for i, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(Problem(f"line {i}", f"invalid JSON ({err.msg})"))
            continue
        text = rec.get("query", rec.get("question")) if isinstance(rec, dict) else None
        ids = rec.get("doc_ids", rec.get("relevant")) if isinstance(rec, dict) else None
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(f"line {i}", "needs a non-empty 'query' or 'question'"))
        elif not isinstance(ids, list) or not ids:
            problems.append(Problem(f"line {i}", "needs a non-empty list 'doc_ids'", str(ids)))
        else:
            queries.append(Query(text, frozenset(str(d) for d in ids)))
    if problems:
        raise ValidationError(str(file), problems)
    return queries
