"""Chunking with the real MiniLM tokenizer: spans point at the source, token limits hold,
headings and paragraphs are respected, neighbours overlap, hashes follow content."""

from __future__ import annotations

import itertools

import pytest

from ragtune.errors import RagtuneError
from ragtune.retrieval import Document
from ragtune.retrieval.chunking import ChunkConfig, chunk_documents, embed_text, sections
from ragtune.retrieval.embedding import SentenceTransformerEmbedder


@pytest.fixture(scope="module")
def tok() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()  # offsets() reads tokenizer.json; no model load


def ntokens(tok: SentenceTransformerEmbedder, text: str) -> int:
    return len(tok.offsets([text])[0])


def doc(text: str, doc_id: str = "d") -> Document:
    return Document(doc_id=doc_id, title="Handbook", text=text, source=f"{doc_id}.md")


HANDBOOK = """Intro paragraph before any heading.

# Handbook

## Travel
### Booking

Book flights through the portal.

Trains are preferred under 500 km.

## Expenses

Receipts are required for every expense above 20 euros.
"""


def test_sections_follow_heading_paths_and_merge_empty_headings():
    got = [(h, HANDBOOK[s:e].split("\n")[0]) for h, s, e in sections(HANDBOOK)]
    assert got == [
        ("", "Intro paragraph before any heading."),
        ("Handbook > Travel > Booking", "# Handbook"),
        ("Handbook > Expenses", "## Expenses"),
    ]


def test_chunks_are_exact_spans_within_one_section(tok):
    d = doc(HANDBOOK)
    chunks = chunk_documents([d], tok, ChunkConfig(max_tokens=64, overlap=8))
    assert [c.heading for c in chunks] == ["", "Handbook > Travel > Booking", "Handbook > Expenses"]
    for i, c in enumerate(chunks):
        assert c.text == d.text[c.start : c.end]
        assert c.chunk_id == f"d#{i}" and c.position == i
        assert c.text == c.text.strip()
    assert "Trains are preferred" in chunks[1].text and "Receipts" not in chunks[1].text


def test_token_limit_and_overlap_hold_on_long_text(tok):
    paragraphs = [
        f"Paragraph {i} talks about topic {i} with several extra words to fill it up nicely."
        for i in range(40)
    ]
    d = doc("\n\n".join(paragraphs))
    cfg = ChunkConfig(max_tokens=60, overlap=20)
    chunks = chunk_documents([d], tok, cfg)
    assert len(chunks) > 5
    for c in chunks:
        assert ntokens(tok, c.text) <= cfg.max_tokens + 2  # joined paragraphs may merge a piece
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end, "neighbours share the overlap"
        assert b.start > a.start
    covered = "".join(d.text[c.start : c.end] for c in chunks)
    assert all(p in covered for p in paragraphs)


def test_a_paragraph_longer_than_the_limit_is_windowed(tok):
    words = " ".join(f"word{i}" for i in range(400))
    d = doc(words)
    cfg = ChunkConfig(max_tokens=50, overlap=10)
    chunks = chunk_documents([d], tok, cfg)
    assert len(chunks) >= 8
    for c in chunks:
        assert ntokens(tok, c.text) <= cfg.max_tokens
        assert c.text == d.text[c.start : c.end]
    assert chunks[0].start == 0 and chunks[-1].end == len(words)
    assert all(b.start < a.end for a, b in itertools.pairwise(chunks))


def test_hash_depends_on_the_embedded_text_only(tok):
    a = chunk_documents([doc("Same text.", "x")], tok)[0]
    b = chunk_documents([doc("Same text.", "y")], tok)[0]
    c = chunk_documents([doc("Other text.", "x")], tok)[0]
    assert a.hash == b.hash != c.hash
    assert embed_text("Handbook", "Travel", "Same text.") == "Handbook > Travel\n\nSame text."
    assert embed_text("", "", "plain") == "plain"


def test_many_documents_and_empty_input(tok):
    docs = [doc(f"# T{i}\n\nbody {i}", f"doc{i}") for i in range(5)]
    chunks = chunk_documents(docs, tok)
    assert [c.doc_id for c in chunks] == [f"doc{i}" for i in range(5)]
    assert chunk_documents([], tok) == []


def test_bad_chunk_settings_are_rejected():
    with pytest.raises(RagtuneError, match="too small"):
        ChunkConfig(max_tokens=4)
    with pytest.raises(RagtuneError, match="overlap 60 must be between 0 and half"):
        ChunkConfig(max_tokens=100, overlap=60)
