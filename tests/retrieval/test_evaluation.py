"""Retrieval metrics on worked examples, bootstrap CIs, query-file validation, and a real run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from ragtune.errors import RagtuneError, ValidationError
from ragtune.retrieval.embedded import EmbeddedIndex
from ragtune.retrieval.evaluation import (
    Query,
    bootstrap_ci,
    evaluate,
    load_queries,
    mrr_at,
    ndcg_at,
    recall_at,
)

REL = frozenset({"a", "c"})
RANKED = ["b", "a", "d", "c"]


def test_metrics_on_a_worked_example():
    assert recall_at(RANKED, REL, 1) == 0.0
    assert recall_at(RANKED, REL, 2) == 0.5
    assert recall_at(RANKED, REL, 10) == 1.0
    assert mrr_at(RANKED, REL) == 0.5
    assert mrr_at(["x"] * 10 + ["a"], REL) == 0.0  # beyond the cutoff
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at(RANKED, REL) == pytest.approx(dcg / ideal)
    assert ndcg_at(["a", "c"], REL) == pytest.approx(1.0)
    assert ndcg_at([], REL) == 0.0


def test_bootstrap_ci_brackets_the_mean_and_is_reproducible():
    values = [0.0, 1.0] * 50
    low, high = bootstrap_ci(values)
    assert low < 0.5 < high and high - low < 0.3
    assert bootstrap_ci(values) == (low, high)
    assert bootstrap_ci([1.0] * 5) == (1.0, 1.0)


def test_load_queries_reports_every_problem(tmp_path: Path):
    good = tmp_path / "q.jsonl"
    good.write_text(
        json.dumps({"question": "refunds?", "answer": "30 days", "doc_ids": ["refunds"]})
        + "\n"
        + json.dumps({"query": "dhl", "relevant": ["shipping", 3]})
        + "\n"
    )
    assert load_queries(good) == [
        Query("refunds?", frozenset({"refunds"})),
        Query("dhl", frozenset({"shipping", "3"})),
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": ""}\n{oops\n{"question": "x", "doc_ids": []}\n')
    with pytest.raises(ValidationError) as err:
        load_queries(bad)
    assert "3 problems" in str(err.value)
    assert "line 2: invalid JSON" in str(err.value)
    with pytest.raises(RagtuneError, match="does not exist"):
        load_queries(tmp_path / "missing.jsonl")


@pytest.mark.slow
def test_evaluate_a_real_index(tmp_path, kb, embedder):
    index = EmbeddedIndex.create(tmp_path / "index", embedder=embedder)
    index.update(kb())
    queries = [
        Query("customer data encryption at rest", frozenset({"security"})),
        Query("DHL delivery Europe customs", frozenset({"shipping"})),
        Query("paid leave per year", frozenset({"vacation"})),
    ]
    report = evaluate(index, queries)
    assert [r.mode for r in report.results] == ["bm25", "dense", "hybrid"]
    for r in report.results:
        assert r.metrics["ndcg@10"].mean == pytest.approx(1.0)
        assert r.metrics["recall@10"].mean == 1.0
        assert len(r.per_query["mrr@10"]) == 3
    assert "| hybrid | 1.000 [1.000, 1.000]" in report.table()
    assert report.to_dict()["modes"]["dense"]["mrr@10"]["mean"] == pytest.approx(1.0)
    with pytest.raises(RagtuneError, match="no queries"):
        evaluate(index, [])
