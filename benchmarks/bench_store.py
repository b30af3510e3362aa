"""Run-store write and resume throughput: batched transactions vs one transaction per prediction.

Run:  .venv/bin/python benchmarks/bench_store.py  [--n 5000]
Writes N predictions (each with one measurement) to a fresh store in batches of 32 (how the
runner writes) and, as the baseline, one transaction per prediction; then times the reads a
resume and a report do. Prints a Markdown table. Numbers depend on the disk and on what else runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ragtune.store import Item, Measurement, Prediction, RunStore

BATCH = 32


def _fresh(path: Path, n: int) -> RunStore:
    store = RunStore.open(path)
    store.create_run({"task": "qa"}, seed=0, run_id="r")
    store.add_arm("r", "rag")
    store.add_items("r", [Item(f"q{i:05d}", "test", {"question": "q" * 80}, "a") for i in range(n)])
    return store


def _predictions(n: int) -> list[Prediction]:
    usage = (Measurement("answer", "model", 900, 0, 1200, 40, 0.8, 0.1),)
    return [
        Prediction(
            "r", "rag", f"q{i:05d}", 0, "answer " * 20, ("doc1.md", "doc7.md"), measurements=usage
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    n = parser.parse_args().n
    preds = _predictions(n)
    with tempfile.TemporaryDirectory() as tmp:
        batched = _fresh(Path(tmp) / "batched.db", n)
        start = time.perf_counter()
        for i in range(0, n, BATCH):
            batched.record_predictions(preds[i : i + BATCH])
        t_batched = time.perf_counter() - start

        single = _fresh(Path(tmp) / "single.db", n)
        start = time.perf_counter()
        for p in preds:
            single.record_prediction(p)
        t_single = time.perf_counter() - start
        single.close()

        start = time.perf_counter()
        done = batched.completed_items("r", "rag")
        t_completed = time.perf_counter() - start
        assert len(done) == n
        start = time.perf_counter()
        rows = batched.predictions("r", "rag")
        t_read = time.perf_counter() - start
        assert len(rows) == n and rows[0].measurements
        batched.close()
        start = time.perf_counter()
        RunStore.open(Path(tmp) / "batched.db").close()
        t_open = time.perf_counter() - start
        size = (Path(tmp) / "batched.db").stat().st_size

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"N = {n} predictions, store {size / 1e6:.1f} MB\n"
    )
    print("| operation | ragtune | baseline | ratio |")
    print("|---|---|---|---|")
    print(
        f"| write N predictions + usage | {n / t_batched:,.0f}/s (batches of {BATCH}) "
        f"| {n / t_single:,.0f}/s (one transaction each) | {t_single / t_batched:.1f}x |"
    )
    print(f"| completed_items (resume check) | {t_completed * 1e3:.1f} ms | - | - |")
    print(f"| predictions() with usage, all N | {t_read * 1e3:.0f} ms | - | - |")
    print(f"| open (quick_check + migrations) | {t_open * 1e3:.0f} ms | - | - |")


if __name__ == "__main__":
    main()
