"""Ingest from real files, including broken ones: binary, empty, non-UTF-8, too large, bad PDF,
duplicate ids, bad JSON lines. One bad file never stops the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ragtune.errors import RagtuneError
from ragtune.retrieval.ingest import FieldMap, ingest


def write_pdf(path: Path, text: str, title: str = "Leave policy") -> None:
    """A minimal one-page PDF with a text stream, built by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "billing").mkdir(parents=True)
    (root / "billing" / "refunds.md").write_text("# Refunds\n\nWithin 30 days.\n")
    (root / "hours.txt").write_text("Open 9 to 5.\r\nClosed on Sundays.\n")
    (root / "page.html").write_text(
        "<html><head><title>Shipping</title><style>p{}</style></head><body><h2>Rates</h2>"
        "<p>Flat &amp; fair.</p><script>alert(1)</script></body></html>"
    )
    write_pdf(root / "leave.pdf", "Staff get 28 days of leave")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "blob.txt").write_bytes(b"abc\x00\x01\x02" * 10)
    (root / "empty.md").write_text("  \n\n")
    (root / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    (root / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "secret.md").write_text("# never read")
    return root


def test_reads_every_format_and_reports_every_skip(folder: Path):
    report = ingest(folder)
    docs = {d.doc_id: d for d in report.documents}
    assert set(docs) == {"billing/refunds", "hours", "page", "leave"}
    assert docs["billing/refunds"].title == "Refunds"
    assert docs["billing/refunds"].source == "billing/refunds.md"
    assert (
        docs["hours"].text == "Open 9 to 5.\nClosed on Sundays.\n"
        and docs["hours"].title == "hours"
    )
    assert docs["page"].title == "Shipping"
    assert docs["page"].text == "## Rates\n\nFlat & fair."
    assert "28 days of leave" in docs["leave"].text and docs["leave"].title == "Leave policy"
    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == {"logo.png", "blob.txt", "empty.md", "latin1.txt", "broken.pdf"}
    assert "unsupported file type '.png'" in reasons["logo.png"]
    assert "binary" in reasons["blob.txt"]
    assert "empty" in reasons["empty.md"]
    assert "not valid UTF-8 (byte 0xe9 at offset 3)" in reasons["latin1.txt"]
    assert "unreadable PDF" in reasons["broken.pdf"]
    assert "5 skipped" in report.summary()


def test_a_50_mb_text_is_skipped_by_the_size_limit_and_read_when_allowed(tmp_path: Path):
    root = tmp_path / "big"
    root.mkdir()
    line = "The quick brown fox jumps over the lazy dog near the river bank.\n"
    with (root / "huge.txt").open("w") as fh:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    (root / "small.md").write_text("# Small\n\nFine.")
    report = ingest(root)
    assert [d.doc_id for d in report.documents] == ["small"]
    assert "too large (52.4 MB > limit 21.0 MB)" in report.skipped[0].reason
    allowed = ingest(root, max_bytes=60 * 1024 * 1024)
    assert len(allowed.documents) == 2 and not allowed.skipped
    assert len(next(d for d in allowed.documents if d.doc_id == "huge").text) >= 50 * 1024 * 1024


def test_duplicate_ids_in_a_folder_keep_the_first(tmp_path: Path):
    root = tmp_path / "dups"
    root.mkdir()
    (root / "faq.md").write_text("# FAQ\n\nmarkdown")
    (root / "faq.txt").write_text("plain")
    report = ingest(root)
    assert [d.source for d in report.documents] == ["faq.md"]
    assert "duplicate document id 'faq'" in report.skipped[0].reason


def test_jsonl_corpus_with_mapped_fields_and_bad_records(tmp_path: Path):
    corpus = tmp_path / "kb.jsonl"
    rows = [
        {"qid": "a", "name": "Alpha", "body": "first"},
        {"qid": "b", "body": "second, no title"},
        {"qid": "a", "name": "Again", "body": "duplicate"},
        {"qid": "c", "name": "No body"},
        {"qid": "d", "name": "Empty", "body": "  "},
    ]
    lines = [json.dumps(r) for r in rows] + ["{not json", "[1, 2]", ""]
    corpus.write_text("\n".join(lines))
    report = ingest(corpus, fields=FieldMap(id="qid", title="name", text="body"))
    assert [(d.doc_id, d.title, d.text) for d in report.documents] == [
        ("a", "Alpha", "first"),
        ("b", "b", "second, no title"),
    ]
    assert report.documents[0].source == "kb.jsonl:1"
    reasons = [s.reason for s in report.skipped]
    assert [s.source for s in report.skipped] == [f"kb.jsonl:{i}" for i in (3, 4, 5, 6, 7)]
    assert reasons[3].startswith("invalid JSON") and reasons[4] == "not a JSON object"
    assert "duplicate id 'a' (first seen on line 1)" in reasons
    assert any("missing field(s) ['body']" in r for r in reasons)
    assert "empty id or text" in reasons


def test_csv_corpus(tmp_path: Path):
    corpus = tmp_path / "kb.csv"
    corpus.write_text('id,title,text\n1,One,"Hello, world"\n2,Two,Bye\n')
    report = ingest(corpus)
    assert [(d.doc_id, d.text) for d in report.documents] == [("1", "Hello, world"), ("2", "Bye")]
    assert report.documents[1].source == "kb.csv:3"


def test_bad_sources_raise_clear_errors(tmp_path: Path):
    with pytest.raises(RagtuneError, match="does not exist"):
        ingest(tmp_path / "nope")
    single = tmp_path / "notes.md"
    single.write_text("# hi")
    with pytest.raises(RagtuneError, match=r"single \.md file"):
        ingest(single)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "\xff"}')
    with pytest.raises(RagtuneError, match="not valid UTF-8"):
        ingest(bad)
