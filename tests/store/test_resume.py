"""A process writing predictions is killed with SIGKILL; the store keeps every committed batch,
and a resumed process computes only what is missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ragtune.store import Item, Measurement, RunStore

N_ITEMS = 60
BATCH = 4

# The writer stands in for `ragtune run`: skip completed items, "compute" the rest (logging each
# before its batch commits), commit one batch per transaction, report each commit on stdout.
WRITER = textwrap.dedent(
    """
    import sys, time
    from ragtune.store import Measurement, Prediction, RunStore

    path, run_id, arm, n_items, batch, log_path = sys.argv[1:]
    store = RunStore.open(path)
    done = store.completed_items(run_id, arm)
    todo = [f"q{i:03d}" for i in range(int(n_items)) if f"q{i:03d}" not in done]
    with open(log_path, "a") as log:
        for start in range(0, len(todo), int(batch)):
            chunk = todo[start : start + int(batch)]
            log.write("".join(f"{item}\\n" for item in chunk))
            log.flush()
            time.sleep(0.02)  # the model call
            store.record_predictions([
                Prediction(run_id, arm, item, 0, f"answer to {item}", citations=(f"{item}.md",),
                           measurements=(Measurement("answer", "m", 100, 0, 50, 7, 0.02),))
                for item in chunk
            ])
            print(f"committed {start + len(chunk)}", flush=True)
    store.close()
    """
)


def _writer(tmp_path: Path, path: Path, log: Path) -> subprocess.Popen[str]:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    args = [
        sys.executable,
        str(script),
        str(path),
        "run",
        "rag",
        str(N_ITEMS),
        str(BATCH),
        str(log),
    ]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)


def _kill_after(proc: subprocess.Popen[str], commits: int) -> int:
    """SIGKILL the writer once it has reported `commits` commits; return how many it reported."""
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:
        seen = int(line.split()[1])
        if seen >= commits * BATCH:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return seen


def _check_intact(store: RunStore, completed: set[str]) -> None:
    for pred in store.predictions("run", "rag"):
        assert pred.text == f"answer to {pred.item_id}"
        assert pred.citations == (f"{pred.item_id}.md",)
        assert pred.measurements == (Measurement("answer", "m", 100, 0, 50, 7, 0.02),)
    assert {p.item_id for p in store.predictions("run", "rag")} == completed


@pytest.mark.parametrize("kill_points", [(3,), (2, 6)], ids=["one-kill", "two-kills"])
def test_killed_writer_resumes_without_recomputing_or_losing(
    tmp_path: Path, kill_points: tuple[int, ...]
) -> None:
    path, log = tmp_path / "runs.db", tmp_path / "computed.log"
    with RunStore.open(path) as store:
        store.create_run({"task": "qa"}, seed=0, run_id="run")
        store.add_arm("run", "rag")
        store.add_items("run", [Item(f"q{i:03d}", "test", {"q": i}) for i in range(N_ITEMS)])

    completed_before: set[str] = set()
    for commits in kill_points:
        log.write_text("")
        reported = _kill_after(_writer(tmp_path, path, log), commits)
        with RunStore.open(path) as store:  # reopening checks the file and recovers the WAL
            completed = store.completed_items("run", "rag")
            _check_intact(store, completed)
        new = completed - completed_before
        # Every commit the writer reported survived; batches land whole (atomic transactions).
        assert len(new) >= reported
        assert len(completed) % BATCH == 0
        assert len(completed) < N_ITEMS  # it really was killed mid-arm
        assert not set(log.read_text().split()) & completed_before  # finished work not redone
        completed_before = completed

    log.write_text("")
    resumed = _writer(tmp_path, path, log)
    assert resumed.wait(timeout=120) == 0
    recomputed = set(log.read_text().split())
    assert not recomputed & completed_before
    assert recomputed | completed_before == {f"q{i:03d}" for i in range(N_ITEMS)}
    with RunStore.open(path) as store:
        assert len(store.completed_items("run", "rag")) == N_ITEMS
        assert store.prediction_counts("run") == {"rag": N_ITEMS}  # one row per item
        _check_intact(store, {f"q{i:03d}" for i in range(N_ITEMS)})
