"""Embedding precision: int8 is the default, fp32 stays selectable, and an index always embeds its
queries with the precision its vectors were built with (never mixed by a changed default)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ragtune.retrieval import IndexConfig, build_index, open_index
from ragtune.retrieval.embedding import (
    DEFAULT_PRECISION,
    SentenceTransformerEmbedder,
    get_embedder,
)

OBVIOUS = {
    "how long do I have to ask for my money back?": "refunds",
    "which courier delivers the hardware?": "shipping",
    "is customer data encrypted?": "security",
    "what happens on a new hire's first day?": "onboarding",
    "how many days of paid leave do staff get?": "vacation",
    "who updates the status page during an outage?": "outage",
}


def test_int8_is_the_default_and_fp32_stays_selectable() -> None:
    assert DEFAULT_PRECISION == "int8"
    assert IndexConfig().precision == "int8"
    assert SentenceTransformerEmbedder().precision == "int8"
    assert SentenceTransformerEmbedder(precision="fp32").batch_size == 32
    assert SentenceTransformerEmbedder().batch_size == 1  # one text per pass: see embedding.py
    assert IndexConfig(precision="fp32").precision == "fp32"


def test_a_stored_config_keeps_its_precision_and_old_ones_mean_fp32() -> None:
    stored = IndexConfig(precision="fp32").to_dict()
    assert IndexConfig.from_dict(stored).precision == "fp32"
    legacy = {k: v for k, v in stored.items() if k != "precision"}
    assert IndexConfig.from_dict(legacy).precision == "fp32"


@pytest.mark.slow
def test_reopened_fp32_index_embeds_queries_in_fp32(
    tmp_path: Path, kb: Callable[..., list]
) -> None:
    built = build_index(kb(), tmp_path / "idx", IndexConfig(precision="fp32"))
    manifest = json.loads((tmp_path / "idx" / "v1" / "manifest.json").read_text())
    assert manifest["config"]["precision"] == "fp32"
    reopened = open_index(tmp_path / "idx")  # no embedder given: the default would be int8
    assert reopened.embedder.precision == "fp32"  # type: ignore[attr-defined]
    query = "is customer data encrypted?"
    assert [h.chunk_id for h in reopened.search(query)] == [h.chunk_id for h in built.search(query)]
    # the int8 default builds its own index, with its own vectors
    default = build_index(kb(), tmp_path / "idx8")
    assert default.embedder.precision == "int8"  # type: ignore[attr-defined]
    v32 = np.load(tmp_path / "idx" / "v1" / "vectors.npy")
    v8 = np.load(tmp_path / "idx8" / "v1" / "vectors.npy")
    assert v32.shape == v8.shape and not np.array_equal(v32, v8)


@pytest.mark.slow
def test_int8_and_fp32_agree_on_obvious_queries(tmp_path: Path, kb: Callable[..., list]) -> None:
    for precision in ("int8", "fp32"):
        index = build_index(kb(), tmp_path / precision, IndexConfig(precision=precision))
        for mode in ("dense", "hybrid"):
            tops = {q: index.search(q, k=1, mode=mode)[0].citation.doc_id for q in OBVIOUS}
            assert tops == OBVIOUS, (precision, mode)


@pytest.mark.slow
def test_int8_vectors_do_not_depend_on_the_batch(embedder: SentenceTransformerEmbedder) -> None:
    texts = ["short", "a much longer sentence " * 10, "how do refunds work for annual plans?"]
    batch = embedder.embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    np.testing.assert_allclose(batch, alone, atol=1e-6)
    cos = np.sum(batch * get_embedder(precision="fp32").embed(texts), axis=1)
    assert (cos > 0.95).all()


@pytest.mark.slow
def test_query_vectors_are_cached_read_only_and_bounded(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ragtune.retrieval.embedding.QUERY_CACHE_SIZE", 4)
    embedder.clear_query_cache()
    first = embedder.embed_query("refund policy")
    assert embedder.embed_query("refund policy") is first
    assert not first.flags.writeable
    for i in range(4):
        embedder.embed_query(f"q{i}")
    assert embedder.embed_query("refund policy") is not first  # evicted, recomputed
    np.testing.assert_allclose(embedder.embed_query("refund policy"), first, atol=1e-6)
    embedder.clear_query_cache()
