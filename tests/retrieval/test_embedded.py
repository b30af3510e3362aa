"""Embedded-index specifics: atomic updates under a real SIGKILL, versions kept on disk, the
HNSW path above the ANN threshold, the writer lock and reopening."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ragtune.errors import RagtuneError
from ragtune.retrieval import IndexConfig
from ragtune.retrieval.embedded import EmbeddedIndex

pytestmark = pytest.mark.slow

_UPDATER = textwrap.dedent(
    """
    import sys
    from ragtune.retrieval import Document
    from ragtune.retrieval.embedded import EmbeddedIndex
    index = EmbeddedIndex.open(sys.argv[1])
    words = "tariff invoice pallet courier warehouse ledger audit quota".split()
    docs = [Document(f"d{i}", f"Doc {i}",
                     " ".join(words[(i + j) % 8] for j in range(150)) + f" marker{i}", f"d{i}.md")
            for i in range(400)]
    index.update(docs)
    print("finished")
    """
)


def test_a_killed_update_leaves_the_previous_version_readable(tmp_path, kb, embedder):
    path = tmp_path / "index"
    index = EmbeddedIndex.create(path, embedder=embedder)
    index.update(kb())
    before = [h.chunk_id for h in index.search("DHL delivery to Europe", k=3)]

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _UPDATER, str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    staged: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        staged = [p for p in path.glob(".staging-*") if (p / "chunks.jsonl").exists()]
        if staged:
            break
        time.sleep(0.005)
    assert staged, f"update never started staging: {proc.communicate()[1].decode()[-2000:]}"
    time.sleep(0.3)  # well inside embedding 400 chunks
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    assert (path / "CURRENT").read_text().strip() == "v1"
    assert any(path.glob(".staging-*")), "the half-written version is left behind"
    reopened = EmbeddedIndex.open(path, embedder=embedder)
    assert [v.version_id for v in reopened.versions()] == ["v1"]
    assert [h.chunk_id for h in reopened.search("DHL delivery to Europe", k=3)] == before
    assert not reopened.search("marker7", k=3, mode="bm25")

    report = reopened.update(kb(drop={"vacation"}))  # the next update cleans up and goes on
    assert report.version.version_id == "v2"
    assert not any(path.glob(".staging-*"))


def test_versions_are_recorded_and_old_folders_pruned(tmp_path, kb, embedder):
    path = tmp_path / "index"
    index = EmbeddedIndex.create(path, embedder=embedder)
    for i in range(3):
        index.update(kb(overrides={"vacation": f"# Vacation\n\nStaff get {20 + i} days."}))
    assert [v.version_id for v in index.versions()] == ["v1", "v2", "v3"]
    assert [v.parent for v in index.versions()] == [None, "v1", "v2"]
    assert sorted(p.name for p in path.iterdir() if p.name.startswith("v")) == ["v2", "v3"]
    assert index.versions()[-1].embedded == 1


def test_hnsw_is_used_above_the_threshold_and_agrees_with_exact(tmp_path, kb, embedder):
    exact = EmbeddedIndex.create(tmp_path / "exact", embedder=embedder)
    exact.update(kb())
    ann = EmbeddedIndex.create(tmp_path / "ann", IndexConfig(ann_threshold=3), embedder)
    ann.update(kb())
    assert (tmp_path / "ann" / "v1" / "hnsw.usearch").exists()
    reopened = EmbeddedIndex.open(tmp_path / "ann", embedder=embedder)
    assert reopened.stats().dense_search == "hnsw"
    assert exact.stats().dense_search == "exact"
    query = "is customer data encrypted"
    want = [(h.chunk_id, round(h.score, 4)) for h in exact.search(query, k=4, mode="dense")]
    got = [(h.chunk_id, round(h.score, 4)) for h in reopened.search(query, k=4, mode="dense")]
    assert got == want


def test_a_second_writer_is_refused_while_one_holds_the_lock(tmp_path, kb, embedder):
    index = EmbeddedIndex.create(tmp_path / "index", embedder=embedder)
    index.update(kb())
    with (tmp_path / "index" / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(RagtuneError, match="another process is updating"):
            index.update(kb())


def test_readers_follow_updates_made_by_another_handle(tmp_path, kb, embedder):
    writer = EmbeddedIndex.create(tmp_path / "index", embedder=embedder)
    writer.update(kb())
    reader = EmbeddedIndex.open(tmp_path / "index", embedder=embedder)
    writer.update(kb(overrides={"outage": "# Outages\n\nPagerDuty wakes the on-call engineer."}))
    assert reader.search("PagerDuty", k=1, mode="bm25")[0].citation.doc_id == "outage"


def test_create_and_open_errors(tmp_path, kb, embedder):
    index = EmbeddedIndex.create(tmp_path / "index", embedder=embedder)
    with pytest.raises(RagtuneError, match="is empty"):
        index.search("anything")
    index.update(kb())
    with pytest.raises(RagtuneError, match="already exists"):
        EmbeddedIndex.create(tmp_path / "index")
    with pytest.raises(RagtuneError, match="no ragtune index"):
        EmbeddedIndex.open(tmp_path / "missing")
