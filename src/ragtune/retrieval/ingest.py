"""Read documents from a folder (Markdown, text, HTML, PDF) or a JSONL/CSV corpus.

Every unreadable file or record (binary, empty, not UTF-8, too large, duplicate id, bad JSON) is
skipped with its reason in the report; one bad file never aborts the ingest. Text is extracted,
not cleaned further: chunking and search work on it as it is. HTML headings become Markdown
headings so the chunker can respect them. This module does no chunking and no embedding.
"""

from __future__ import annotations

import csv
import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from ragtune.errors import RagtuneError
from ragtune.retrieval.records import Document, IngestReport, Skipped

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}
HTML_SUFFIXES = {".html", ".htm"}
CORPUS_SUFFIXES = {".jsonl", ".csv"}
# Larger files are almost always logs or dumps; embedding 20 MB of text takes hours on a laptop.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FieldMap:
    """Which fields of a JSONL/CSV record hold the id, title and text."""

    id: str = "id"
    title: str = "title"
    text: str = "text"


def ingest(
    path: str | Path, *, fields: FieldMap | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> IngestReport:
    """Read every document under `path` (a folder, or a .jsonl/.csv corpus file)."""
    root = Path(path)
    if not root.exists():
        raise RagtuneError(
            f"document source {str(root)!r} does not exist",
            hint="give a folder of .md/.txt/.html/.pdf files or a .jsonl/.csv corpus file",
        )
    if root.is_file() and root.suffix.lower() in CORPUS_SUFFIXES:
        return _read_corpus(root, fields or FieldMap())
    if root.is_file():
        raise RagtuneError(
            f"{str(root)!r} is a single {root.suffix or 'extensionless'} file",
            hint="give a folder of documents, or a corpus file ending in .jsonl or .csv",
        )
    return _read_folder(root, max_bytes)


def _read_folder(root: Path, max_bytes: int) -> IngestReport:
    docs: list[Document] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for file in sorted(_walk(root)):
        rel = file.relative_to(root).as_posix()
        try:
            doc = _read_file(file, rel, max_bytes)
        except _Skip as skip:
            skipped.append(Skipped(rel, str(skip)))
            continue
        if doc.doc_id in seen:
            reason = f"duplicate document id {doc.doc_id!r} (already read from {seen[doc.doc_id]})"
            skipped.append(Skipped(rel, reason))
            continue
        seen[doc.doc_id] = rel
        docs.append(doc)
    log.info("read %d documents from %s, skipped %d", len(docs), root, len(skipped))
    return IngestReport(docs, skipped)


def _walk(root: Path) -> Iterator[Path]:
    for item in root.iterdir():
        if item.name.startswith("."):
            continue  # .git, .ragtune (an index inside the folder), editor files
        if item.is_dir():
            yield from _walk(item)
        elif item.is_file():
            yield item


class _Skip(Exception):
    """Internal: this file cannot be used; the message is the reason."""


def _read_file(file: Path, rel: str, max_bytes: int) -> Document:
    suffix = file.suffix.lower()
    if suffix not in TEXT_SUFFIXES and suffix not in HTML_SUFFIXES and suffix != ".pdf":
        raise _Skip(f"unsupported file type {suffix or '(none)'!r}; read: .md .txt .html .pdf")
    size = file.stat().st_size
    if size > max_bytes:
        raise _Skip(f"too large ({size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB)")
    doc_id = rel.rsplit(".", 1)[0] if "." in Path(rel).name else rel
    if suffix == ".pdf":
        title, text = _read_pdf(file)
    else:
        raw = file.read_bytes()
        if b"\x00" in raw[:8192]:
            raise _Skip("binary content (NUL bytes)")
        try:
            decoded = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise _Skip(
                f"not valid UTF-8 (byte {raw[err.start]:#04x} at offset {err.start})"
            ) from None
        if suffix in HTML_SUFFIXES:
            title, text = _html_to_text(decoded)
        else:
            text = decoded.replace("\r\n", "\n")
            title = _markdown_title(text) if TEXT_SUFFIXES[suffix] == "markdown" else ""
    if not text.strip():
        raise _Skip("empty (no text after extraction)")
    return Document(doc_id=doc_id, title=title or file.stem, text=text, source=rel)


def _markdown_title(text: str) -> str:
    match = re.search(r"^#\s+(.+?)\s*#*\s*$", text, flags=re.MULTILINE)
    return match.group(1) if match else ""


def _read_pdf(file: Path) -> tuple[str, str]:
    try:
        from pypdf import PdfReader
    except ImportError as err:  # pragma: no cover - pypdf is in the retrieval extra
        raise _Skip("PDF support needs pypdf: pip install 'ragtune[retrieval]'") from err
    try:
        reader = PdfReader(file)
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str(reader.metadata.title) if reader.metadata and reader.metadata.title else ""
    except Exception as err:  # pypdf raises many types for damaged files
        raise _Skip(f"unreadable PDF ({type(err).__name__}: {err})") from err
    return title, "\n\n".join(p.strip() for p in pages if p.strip())


class _HTMLText(HTMLParser):
    """Collects visible text; block elements end paragraphs, h1-h6 become Markdown headings."""

    BLOCKS: ClassVar[set[str]] = {
        "p",
        "div",
        "section",
        "article",
        "li",
        "ul",
        "ol",
        "table",
        "tr",
        "br",
        "pre",
    }
    HIDDEN: ClassVar[set[str]] = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self.HIDDEN:
            self._hidden += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def _html_to_text(markup: str) -> tuple[str, str]:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    return html.unescape(parser.title.strip()), "\n\n".join(p for p in paragraphs if p)


def _read_corpus(file: Path, fields: FieldMap) -> IngestReport:
    docs: list[Document] = []
    skipped: list[Skipped] = []
    seen: dict[str, int] = {}
    for line_no, record in _records(file, skipped):
        where = f"{file.name}:{line_no}"
        missing = [f for f in (fields.id, fields.text) if f not in record]
        if missing:
            have = ", ".join(sorted(record)) or "none"
            skipped.append(Skipped(where, f"missing field(s) {missing}; fields present: {have}"))
            continue
        doc_id, text = str(record[fields.id]).strip(), str(record[fields.text] or "")
        if not doc_id or not text.strip():
            skipped.append(Skipped(where, "empty id or text"))
            continue
        if doc_id in seen:
            reason = f"duplicate id {doc_id!r} (first seen on line {seen[doc_id]})"
            skipped.append(Skipped(where, reason))
            continue
        seen[doc_id] = line_no
        title = str(record.get(fields.title) or doc_id)
        docs.append(Document(doc_id=doc_id, title=title, text=text, source=where))
    return IngestReport(docs, skipped)


def _records(file: Path, skipped: list[Skipped]) -> Iterator[tuple[int, dict[str, object]]]:
    try:
        content = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise RagtuneError(
            f"{file}: not valid UTF-8 (offset {err.start})", hint="re-save the corpus as UTF-8"
        ) from err
    if file.suffix.lower() == ".csv":
        for i, row in enumerate(csv.DictReader(content.splitlines()), start=2):
            yield i, {k: v for k, v in row.items() if k is not None}
        return
    for i, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            skipped.append(Skipped(f"{file.name}:{i}", f"invalid JSON ({err.msg})"))
            continue
        if not isinstance(record, dict):
            skipped.append(Skipped(f"{file.name}:{i}", "not a JSON object"))
            continue
        yield i, record
