"""One test suite for every backend: the embedded directory index and Postgres + pgvector.

Every test runs twice (see the `backend` fixture); the Postgres run talks to a real server.
"""

from __future__ import annotations

import pytest

from ragtune.errors import RagtuneError
from ragtune.retrieval import Document, IndexConfig

pytestmark = pytest.mark.slow

QUERIES = {
    "refunds": "reimbursement for a purchase I regret",
    "shipping": "DHL delivery time to Europe and customs fees",
    "security": "is customer data encrypted at rest",
    "vacation": "paid leave days per year",
}


def test_every_mode_returns_ranked_hits_with_citations(make_index, kb):
    index = make_index()
    index.update(kb())
    by_id = {d.doc_id: d for d in kb()}
    for mode in ("bm25", "dense", "hybrid"):
        hits = index.search("customer data encryption", k=3, mode=mode)
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert hits, mode
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        for h in hits:
            doc = by_id[h.citation.doc_id]
            assert doc.text[h.citation.start : h.citation.end] == h.text
            assert h.citation.title == doc.title
            assert h.citation.source == doc.source


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
@pytest.mark.parametrize("fusion", ["rrf", "weighted"])
def test_the_right_document_comes_first(make_index, kb, mode, fusion):
    index = make_index()
    index.update(kb())
    for doc_id, query in QUERIES.items():
        hits = index.search(query, k=3, mode=mode, fusion=fusion)
        assert hits[0].citation.doc_id == doc_id, (query, [h.citation.doc_id for h in hits])


def test_markdown_sections_are_separate_chunks_with_heading_paths(make_index, kb):
    index = make_index()
    index.update(kb())
    refunds = [c for c in index.chunks() if c.doc_id == "refunds"]
    assert [c.heading for c in refunds] == ["Refund policy", "Refund policy > Annual plans"]
    hit = index.search("annual subscription refunded pro rata", k=1, mode="bm25")[0]
    assert hit.citation.heading == "Refund policy > Annual plans"


def test_update_re_embeds_exactly_the_changed_document(make_index, kb):
    index = make_index()
    first = index.update(kb())
    assert first.version.version_id == "v1"
    assert first.embedded == first.version.chunks == len(index.chunks())
    new_text = "# Shipping\n\nShipping is now free with UPS Ground, arriving in two weeks by boat."
    second = index.update(kb(overrides={"shipping": new_text}))
    changed = [c for c in index.chunks() if c.doc_id == "shipping"]
    assert second.embedded == len(changed) == 1
    assert second.version.reused == second.version.chunks - len(changed)
    assert (second.added_documents, second.changed_documents, second.removed_documents) == (0, 1, 0)
    assert second.version.parent == "v1"
    assert [v.version_id for v in index.versions()] == ["v1", "v2"]
    hits = index.search("UPS Ground boat", k=1, mode="bm25")
    assert hits[0].citation.doc_id == "shipping" and "UPS Ground" in hits[0].text
    assert not index.search("DHL Express", k=5, mode="bm25")


def test_unchanged_update_embeds_nothing(make_index, kb):
    index = make_index()
    index.update(kb())
    again = index.update(kb())
    assert again.embedded == 0
    assert again.version.reused == again.version.chunks
    assert again.version.version_id == "v2"


def test_deleted_documents_disappear(make_index, kb):
    index = make_index()
    index.update(kb())
    report = index.update(kb(drop={"security"}))
    assert report.removed_documents == 1 and report.version.removed_documents == 1
    for mode in ("bm25", "dense", "hybrid"):
        hits = index.search("customer data encrypted AES-256", k=10, mode=mode)
        assert all(h.citation.doc_id != "security" for h in hits)
    stats = index.stats()
    assert stats.documents == len(kb()) - 1
    assert stats.chunks == len(index.chunks())
    assert stats.version is not None and stats.version.version_id == "v2"


def test_new_documents_are_searchable(make_index, kb):
    index = make_index()
    index.update(kb())
    extra = Document("pets", "Pets", "# Pets\n\nDogs are welcome in the Berlin office.", "pets.md")
    report = index.update([*kb(), extra])
    assert report.added_documents == 1 and report.embedded == 1
    assert (
        index.search("can I bring my dog to work", k=1, mode="hybrid")[0].citation.doc_id == "pets"
    )


def test_bad_arguments_give_clear_errors(make_index, kb):
    index = make_index()
    index.update(kb())
    with pytest.raises(RagtuneError, match="unknown search mode 'sparse'"):
        index.search("x", mode="sparse")
    with pytest.raises(RagtuneError, match="unknown fusion"):
        index.search("x", fusion="max")
    with pytest.raises(RagtuneError, match="k must be at least 1"):
        index.search("x", k=0)
    dup = kb()[:1] * 2
    with pytest.raises(RagtuneError, match="duplicate document id"):
        index.update(dup)
    assert index.search("   ", k=3) == []
    assert index.search("zzzqqq", k=3, mode="bm25") == []


def test_weighted_fusion_respects_the_dense_weight(make_index, kb):
    index = make_index(IndexConfig(dense_weight=1.0))
    index.update(kb())
    query = "how many days do I have to get my money back"
    dense = [h.citation.doc_id for h in index.search(query, k=3, mode="dense")]
    fused = [h.citation.doc_id for h in index.search(query, k=3, fusion="weighted")]
    assert fused == dense
