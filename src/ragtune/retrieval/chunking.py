"""Split documents into token-bounded chunks that respect Markdown headings and paragraphs.

Shape of the algorithm: text -> sections (a heading line starts one; a heading with no body
joins the next section) -> paragraphs (blank-line separated) -> units (a paragraph, or a window
of an over-long paragraph) -> chunks (units packed greedily up to `max_tokens`, never across a
section, each new chunk starting with the tail of the previous one up to `overlap` tokens).
Token counts come from the embedding model's tokenizer. A chunk's text is always exactly
`doc.text[start:end]`, so citations point at the source. This module does not embed anything.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ragtune.errors import RagtuneError
from ragtune.retrieval.records import Chunk, Document

# MiniLM truncates at 256 word pieces; 200 leaves room for the title prefix in `embed_text`.
DEFAULT_MAX_TOKENS = 200
DEFAULT_OVERLAP = 32

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


class TokenOffsets(Protocol):
    """Anything that maps texts to the character spans of their tokens (no special tokens)."""

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]: ...


@dataclass(frozen=True)
class ChunkConfig:
    max_tokens: int = DEFAULT_MAX_TOKENS
    overlap: int = DEFAULT_OVERLAP

    def __post_init__(self) -> None:
        if self.max_tokens < 8:
            raise RagtuneError(
                f"chunk size {self.max_tokens} tokens is too small", hint="use at least 8 tokens"
            )
        if not 0 <= self.overlap < self.max_tokens // 2:
            raise RagtuneError(
                f"chunk overlap {self.overlap} must be between 0 and half the chunk size "
                f"({self.max_tokens // 2 - 1})",
                hint="lower --overlap or raise --chunk-tokens",
            )


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int


def sections(text: str) -> list[tuple[str, int, int]]:
    """(heading path, start, end) spans covering `text`; a heading-only section joins the next."""
    marks = [(m.start(), len(m.group(1)), m.group(2)) for m in _HEADING.finditer(text)]
    out: list[tuple[str, int, int]] = []
    path: list[tuple[int, str]] = []
    start, heading = 0, ""
    for pos, level, name in marks:
        body = text[start:pos]
        if body.strip() and not _only_headings(body):
            out.append((heading, start, pos))
            start = pos
        path = [(lvl, n) for lvl, n in path if lvl < level] + [(level, name)]
        heading = " > ".join(n for _, n in path)
    out.append((heading, start, len(text)))
    return [(h, s, e) for h, s, e in out if text[s:e].strip()]


def _only_headings(body: str) -> bool:
    return all(_HEADING.fullmatch(line) for line in body.strip().splitlines() if line.strip())


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, pos = [], start
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, end))
    out = []
    for s, e in spans:
        piece = text[s:e]
        lead, trail = len(piece) - len(piece.lstrip()), len(piece) - len(piece.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


def chunk_documents(
    docs: Sequence[Document], tokenizer: TokenOffsets, config: ChunkConfig | None = None
) -> list[Chunk]:
    """Chunk many documents; tokenizes all paragraphs in one batch for speed."""
    cfg = config or ChunkConfig()
    layout: list[tuple[Document, str, list[tuple[int, int]]]] = []
    texts: list[str] = []
    for doc in docs:
        for heading, s, e in sections(doc.text):
            paras = _paragraphs(doc.text, s, e)
            layout.append((doc, heading, paras))
            texts.extend(doc.text[a:b] for a, b in paras)
    offsets = tokenizer.offsets(texts) if texts else []
    chunks: list[Chunk] = []
    positions: dict[str, int] = {}
    i = 0
    for doc, heading, paras in layout:
        units: list[_Unit] = []
        for a, b in paras:
            units.extend(_units(a, b, offsets[i], cfg))
            i += 1
        for s, e in _pack(units, cfg):
            pos = positions.get(doc.doc_id, 0)
            positions[doc.doc_id] = pos + 1
            chunks.append(_make_chunk(doc, heading, s, e, pos))
    return chunks


def _units(a: int, b: int, offs: list[tuple[int, int]], cfg: ChunkConfig) -> list[_Unit]:
    """A paragraph as one unit, or as overlapping token windows when it is too long."""
    if len(offs) <= cfg.max_tokens:
        return [_Unit(a, b, max(1, len(offs)))]
    step = cfg.max_tokens - cfg.overlap
    out = []
    for w in range(0, len(offs), step):
        window = offs[w : w + cfg.max_tokens]
        out.append(_Unit(a + window[0][0], a + window[-1][1], len(window)))
        if w + cfg.max_tokens >= len(offs):
            break
    return out


def _pack(units: list[_Unit], cfg: ChunkConfig) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cur: list[_Unit] = []
    for unit in units:
        if cur and sum(u.tokens for u in cur) + unit.tokens > cfg.max_tokens:
            spans.append((cur[0].start, cur[-1].end))
            tail: list[_Unit] = []
            for u in reversed(cur):
                if sum(t.tokens for t in tail) + u.tokens > cfg.overlap:
                    break
                tail.insert(0, u)
            fits = sum(t.tokens for t in tail) + unit.tokens <= cfg.max_tokens
            # a tail that overlaps the new unit's own window (split paragraph) adds nothing
            cur = tail if fits and (not tail or tail[-1].end <= unit.start) else []
        cur.append(unit)
    if cur:
        spans.append((cur[0].start, cur[-1].end))
    return spans


def embed_text(title: str, heading: str, text: str) -> str:
    """The text that is embedded: the chunk with its title and heading path for context."""
    context = " > ".join(p for p in (title, heading) if p and not text.startswith(p))
    return f"{context}\n\n{text}" if context else text


def _make_chunk(doc: Document, heading: str, start: int, end: int, position: int) -> Chunk:
    text = doc.text[start:end]
    digest = hashlib.sha256(embed_text(doc.title, heading, text).encode("utf-8")).hexdigest()
    return Chunk(
        chunk_id=f"{doc.doc_id}#{position}",
        doc_id=doc.doc_id,
        title=doc.title,
        source=doc.source,
        start=start,
        end=end,
        heading=heading,
        text=text,
        hash=digest,
        position=position,
    )
