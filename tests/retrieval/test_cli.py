"""`ragtune index build|update|stats|eval` and `ragtune search` on a real folder and model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ragtune.cli.main import cli

pytestmark = pytest.mark.slow


@pytest.fixture
def docs(tmp_path: Path, kb) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    for d in kb():
        (root / f"{d.doc_id}.md").write_text(d.text)
    (root / "junk.bin").write_bytes(b"\x00\x01")
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["-q", *args])
    return result.exit_code, result.stdout, result.stderr


def test_build_search_update_stats_eval(docs: Path, tmp_path: Path):
    code, out, err = run("index", "build", str(docs))
    assert code == 0, err
    assert "v1: 6 documents" in out and "1 files skipped" in out
    assert "skipped junk.bin: unsupported file type" in err
    assert (docs / ".ragtune" / "index" / "CURRENT").exists()

    code, out, _ = run("search", str(docs), "DHL delivery to Europe", "--k", "2")
    assert code == 0 and out.startswith("1. Shipping  [shipping]  shipping.md:0-")

    code, out, _ = run("search", str(docs), "encrypted data", "--mode", "bm25", "--json")
    hits = json.loads(out)
    assert hits[0]["citation"]["doc_id"] == "security" and hits[0]["rank"] == 1
    assert set(hits[0]) == {"text", "score", "rank", "citation", "chunk_id"}

    (docs / "vacation.md").write_text("# Vacation\n\nStaff get 30 days of paid leave.")
    code, out, _ = run("index", "update", str(docs), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["version"]["embedded"] == 1 and report["changed_documents"] == 1
    assert report["version"]["parent"] == "v1"

    code, out, _ = run("index", "stats", str(docs))
    assert code == 0 and "6 documents" in out and "v2" in out and "k1=1.5" in out

    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps({"question": q, "doc_ids": [d]})
            for q, d in [("paid leave days", "vacation"), ("status page outage", "outage")]
        )
    )
    code, out, _ = run("index", "eval", str(docs), str(queries), "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["queries"] == 2 and set(result["modes"]) == {"bm25", "dense", "hybrid"}
    code, out, _ = run("index", "eval", str(docs), str(queries), "--modes", "hybrid")
    assert "| hybrid |" in out and "ndcg@10" in out


def test_cli_errors_are_messages_not_tracebacks(docs: Path, tmp_path: Path):
    code, _, err = run("search", str(tmp_path), "anything")
    assert code == 2 and "no ragtune index" in err and "ragtune index build" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run("index", "build", str(empty))
    assert code == 2 and "no readable documents" in err
    assert run("index", "build", str(docs))[0] == 0
    code, _, err = run("index", "build", str(docs))
    assert code == 2 and "already exists" in err
    code, _, err = run("index", "eval", str(docs), str(docs / "refunds.md"))
    assert code == 2 and "problem" in err
    code, _, err = run("index", "eval", str(docs), str(docs / "refunds.md"), "--modes", "fast")
    assert code == 2 and "unknown mode" in err
    code, _, err = run("search", str(docs), "x", "--k", "0")
    assert code == 2 and "k must be at least 1" in err
    code, _, err = run(
        "index", "build", str(docs), "--index", str(tmp_path / "i2"), "--overlap", "500"
    )
    assert code == 2 and "overlap" in err


@pytest.mark.postgres
def test_a_postgres_dsn_works_as_an_index_location(docs: Path, pg_dsn: str):
    location = f"{pg_dsn}#cli_kb"
    code, out, err = run("index", "build", str(docs), "--index", location)
    assert code == 0, err
    assert "v1: 6 documents" in out
    code, out, _ = run("search", location, "DHL delivery to Europe", "--k", "1", "--json")
    assert json.loads(out)[0]["citation"]["doc_id"] == "shipping"
    code, out, _ = run("index", "stats", location)
    assert "(postgres)" in out and "6 documents" in out
    code, _, err = run("search", f"{pg_dsn}#missing", "x")
    assert code == 2 and "no ragtune index named 'missing'" in err
