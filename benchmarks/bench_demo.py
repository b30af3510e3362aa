"""Wall time of `ragtune demo` and `ragtune demo --quick` against their goals (10 and 3 minutes).

Each run gets a fresh output folder and `--no-cache`, so every answer is computed; converted model
weights stay cached, as on any set-up machine. Prints a Markdown table.

    .venv/bin/python benchmarks/bench_demo.py            # both
    .venv/bin/python benchmarks/bench_demo.py --only quick
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = {"quick": 180.0, "full": 600.0}


def run(mode: str, out: Path) -> tuple[float, dict]:
    command = [
        sys.executable,
        "-m",
        "ragtune",
        "-q",
        "demo",
        "--out",
        str(out),
        "--no-cache",
        "--json",
    ]
    if mode == "quick":
        command.append("--quick")
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, env={**os.environ})
    return time.perf_counter() - started, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["quick", "full"], help="time one of the two demos")
    args = parser.parse_args()
    modes = [args.only] if args.only else ["quick", "full"]
    print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("| demo | wall time | goal | ratio to goal | per workload |")
    print("|---|---|---|---|---|")
    for mode in modes:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, result = run(mode, Path(tmp))
        parts = ", ".join(f"{w['workload']} {w['seconds']:.0f} s" for w in result["workloads"])
        goal = GOALS[mode]
        print(f"| {mode} | {seconds:.0f} s | {goal:.0f} s | {seconds / goal:.2f} | {parts} |")
        for w in result["workloads"]:
            v = w["verdict"]
            for claim in v.get("expectations", []):
                print(
                    f"  {w['workload']}: {claim['claim']}: {claim['holds']} ({claim['evidence']})"
                )


if __name__ == "__main__":
    main()
