"""The cost of `run --until-decided`'s per-round assessment as a run grows (issue 29 review).

Run:  nice -n 10 .venv/bin/python benchmarks/bench_sequential_rounds.py [--items 3000] [--arms 3]

A recorded-answers classify workload whose arms are exactly at -margin of each other (so no
comparison is decided and the run takes every round to `--items`), run through the real runner
and store with `batch` 100. It reports the whole run's wall time and the time spent in the
assessments only (the callback `run_until_decided` calls after each round), for:

- incremental: `evidence.SequentialAssessor`, what `ragtune run --until-decided` uses: each round
  scores and prices only the answers it has not seen, and extends each comparison's sequence;
- full: `evidence.assess_sequential(load_run(...))` after every round: the run read back, scored
  and priced from the start each time (what every round did before).

Both give the same assessment at the end (checked here, and by `tests/evidence/
test_sequential_assessor.py` round by round).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import yaml

from ragtune.config import load_workload
from ragtune.evidence import assess_sequential, load_run, run_pricing
from ragtune.running import Assessment, RunOptions, run_until_decided
from ragtune.store import RunStore


def workload(root: Path, items: int, arms: int) -> Path:
    """`arms` recorded arms, each right on about 80% of items, independent of each other."""
    rng = np.random.default_rng(3)
    (root / "test.jsonl").write_text(
        "".join(json.dumps({"id": f"q{i}", "input": f"q {i}", "target": "yes"}) + "\n"
                for i in range(items))
    )  # fmt: skip
    spec_arms = {}
    for a in range(arms):
        right = rng.random(items) < (0.80 if a == 0 else 0.75)
        (root / f"arm{a}.jsonl").write_text(
            "".join(json.dumps({"id": f"q{i}", "answer": "yes" if ok else "no",
                                "input_tokens": 500, "output_tokens": 1,
                                "model": "claude-haiku-4-5"}) + "\n"
                    for i, ok in enumerate(right))
        )  # fmt: skip
        spec_arms[f"arm{a}"] = {"answers": f"arm{a}.jsonl"}
    spec = {
        "name": "rounds", "task": "classify", "labels": ["yes", "no"],
        "data": {"test": "test.jsonl"}, "arms": spec_arms,
        "costs": {"usd_per_example": 0.5}, "sampling": {"batch": 100},
    }  # fmt: skip
    path = root / "workload.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def timed_run(path: Path, incremental: bool) -> tuple[float, float, Assessment]:
    """(wall seconds, seconds in assessments, the last assessment)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore.open(Path(tmp) / "runs.db")
        spent = [0.0]
        if incremental:
            from ragtune.evidence import SequentialAssessor

            assessor = SequentialAssessor(store)

        def full(run_id: str) -> Assessment:
            run = load_run(store, run_id)
            found = assess_sequential(run, run_pricing(run))
            assert found is not None
            return found

        inner: Callable[[str], Assessment] = assessor if incremental else full

        def assess(run_id: str) -> Assessment:
            start = time.perf_counter()
            try:
                return inner(run_id)
            finally:
                spent[0] += time.perf_counter() - start

        start = time.perf_counter()
        run_id = run_until_decided(
            load_workload(path), store, RunOptions(work_root=Path(tmp) / "w"), assess
        )
        wall = time.perf_counter() - start
        last = full(run_id)
        store.close()
    return wall, spent[0], last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, nargs="+", default=[700, 3000])
    parser.add_argument("--arms", type=int, default=3)
    parser.add_argument(
        "--full-only",
        action="store_true",
        help="only the from-nothing assessment (for a checkout older than SequentialAssessor)",
    )
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.processor() or platform.machine()}, "
          f"{args.arms} arms, batch 100")  # fmt: skip
    print("| items | assessment | run wall s | in assessments s | ratio (assessments) |")
    print("|---|---|---:|---:|---:|")
    for items in args.items:
        with tempfile.TemporaryDirectory() as tmp:
            path = workload(Path(tmp), items, args.arms)
            wall_full, in_full, a = timed_run(path, incremental=False)
            print(f"| {items:,} | full | {wall_full:.1f} | {in_full:.1f} | 1.0x |", flush=True)
            if args.full_only:
                continue
            wall_inc, in_inc, b = timed_run(path, incremental=True)
        assert (a.items, a.rounds, a.best) == (b.items, b.rounds, b.best)
        print(f"| {items:,} | incremental | {wall_inc:.1f} | {in_inc:.2f} | "
              f"{in_full / in_inc:.0f}x |")  # fmt: skip


if __name__ == "__main__":
    main()
