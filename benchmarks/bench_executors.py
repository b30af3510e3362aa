"""Items per second of a local-model arm: in-process vs Ray with 1 and 2 workers, in one run.

Run:  .venv/bin/python benchmarks/bench_executors.py [--items 32] [--rounds 2]
The `prompt` arm of the bundled classify workload (local SmolLM2-135M) answers the same test
items with each executor. The configurations are interleaved round by round, so load from
anything else on the machine falls on all of them alike; the table gives the median round.
Workers are started and have loaded the model before timing (a warm-up shard each): the rates
are steady-state serving, and worker start-up is reported on its own line. Ray's overhead per
shard is the driver's wall time minus the workers' own serving time, over the shards.
Goal (issue 17): 2 workers >= 1.6x one worker.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import ray

from ragtune.config import load_workload
from ragtune.running.executors import ArmJob, ExecutorOptions, InProcess, ShardResult
from ragtune.running.prefixes import record_calls
from ragtune.running.ray_executor import RayExecutor
from ragtune.running.resources import build_resources
from ragtune.strategies import create_arm
from ragtune.strategies.chat import BATCH

WORKLOAD = Path(__file__).parents[1] / "src" / "ragtune" / "examples" / "workloads"


def timed(executor: Any, arm: Any, shards: list[Any]) -> tuple[float, float, int]:
    """(wall s, the workers' serving s summed, items) for one pass over the shards."""
    results: list[ShardResult] = []
    started = time.perf_counter()
    executor.answer(arm, ArmJob("prompt", 0), shards, results.append)
    wall = time.perf_counter() - started
    return wall, sum(r.wall_s for r in results), sum(len(r.predictions) for r in results)


class _Instant(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that streams "billing" at once (documented chunk shape)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
        events = [
            {**chunk, "choices": [{"index": 0, "delta": {"content": "billing"},
                                   "finish_reason": "stop"}]},
            {**chunk, "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 1,
                                               "total_tokens": 10}},
        ]  # fmt: skip
        raw = ("".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def measure_overhead(shard_count: int) -> None:
    """Ray's cost per shard, with an API backend that answers at once: the driver's wall time
    per shard minus the worker's own time, for 1 Ray worker vs in-process."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Instant)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    rows = [{"id": f"t{i}", "text": f"invoice {i}", "label": "billing", "split": "test"}
            for i in range(BATCH * shard_count)]  # fmt: skip
    rows += [{"id": "r0", "text": "x", "label": "other", "split": "train"}]
    (folder / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    backend = f"openai-compatible:http://127.0.0.1:{server.server_address[1]}/v1#m"
    (folder / "w.yaml").write_text(
        "task: classify\ndata: {path: data.jsonl, fields: {input: text, target: label, id: id,"
        f" split: split, doc_ids: null}}}}\nlabels: [billing, other]\narms: {{prompt: {{}}}}\n"
        f"backends: {{cheap: '{backend}', strong: '{backend}'}}\n"
    )
    workload = load_workload(folder / "w.yaml")
    items = workload.split("test")
    shards = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    resources = build_resources(workload, ["prompt"], folder / "work")
    record_calls(resources)
    arm = create_arm("prompt", resources, {})
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    pool = RayExecutor(
        workload, ("prompt",), folder / "work", cache_path=None,
        options=ExecutorOptions(workers=1),
    )  # fmt: skip
    pool.answer(arm, ArmJob("prompt", 0), shards[:1], lambda r: None)  # start the worker
    print(f"| executor | shards of {BATCH} | wall ms per shard | serving ms per shard | "
          "overhead ms per shard |\n|---|---:|---:|---:|---:|")  # fmt: skip
    for name, executor in (("in-process", InProcess()), ("ray, 1 worker", pool)):
        wall, serving, _ = timed(executor, arm, shards)
        per = 1000 / len(shards)  # ms per shard
        print(f"| {name} | {len(shards)} | {wall * per:.1f} | {serving * per:.1f} | "
              f"{(wall - serving) * per:.1f} |")  # fmt: skip
    pool.close()
    ray.shutdown()
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--overhead", type=int, metavar="SHARDS", help="only measure Ray's overhead per shard"
    )
    args = parser.parse_args()
    if args.overhead:
        measure_overhead(args.overhead)
        return

    workload = load_workload(WORKLOAD / "classify.yaml")
    items = workload.split("test")[: args.items]
    shards = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    work_dir = Path(tempfile.mkdtemp(prefix="bench-executors-"))
    resources = build_resources(workload, ["prompt"], work_dir)
    record_calls(resources)
    arm = create_arm("prompt", resources, {})
    # 3 logical CPUs so the 1- and 2-worker pools both stay warm; only one pool works at a time
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False)
    pools: dict[str, Any] = {"in-process": InProcess()}
    startup: dict[str, float] = {}
    for workers in (1, 2):
        pool = RayExecutor(
            workload, ("prompt",), work_dir, cache_path=None,
            options=ExecutorOptions(workers=workers),
        )  # fmt: skip
        started = time.perf_counter()
        pool.answer(arm, ArmJob("prompt", 0), [items[:2]] * workers, lambda r: None)
        startup[f"ray, {workers} worker{'s' if workers > 1 else ''}"] = (
            time.perf_counter() - started
        )
        pools[f"ray, {workers} worker{'s' if workers > 1 else ''}"] = pool
    pools["in-process"].answer(arm, ArmJob("prompt", 0), [items[:2]], lambda r: None)  # load
    rpc = []
    for _ in range(20):
        started = time.perf_counter()
        pools["ray, 1 worker"].worker_pids()
        rpc.append(time.perf_counter() - started)

    rounds: dict[str, list[tuple[float, float, int]]] = {name: [] for name in pools}
    for _ in range(args.rounds):
        for name, pool in pools.items():
            rounds[name].append(timed(pool, arm, shards))
            wall, _, done = rounds[name][-1]
            print(f"  {name}: {done} items in {wall:.1f} s", file=sys.stderr, flush=True)

    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores,"
          f" load average {os.getloadavg()[0]:.1f} at the end, ray {ray.__version__}")  # fmt: skip
    print(f"{len(items)} items in {len(shards)} shards of {BATCH}, {args.rounds} rounds\n")
    print("| executor | items/s (median round) | rounds items/s | vs 1 Ray worker | "
          "overhead per shard ms | start-up s |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|")
    rate = {n: statistics.median(i / w for w, _, i in r) for n, r in rounds.items()}
    for name, runs in rounds.items():
        workers = 1 if name == "in-process" else int(name.split(", ")[1][0])
        # the driver's wall time beyond what the workers spent serving, per shard
        overhead = statistics.median(
            (w * workers - s) / len(shards) * 1000 if name != "in-process" else (w - s) * 1000
            / len(shards) for w, s, _ in runs
        )  # fmt: skip
        print(
            f"| {name} | {rate[name]:.2f} | {', '.join(f'{i / w:.2f}' for w, _, i in runs)} | "
            f"{rate[name] / rate['ray, 1 worker']:.2f}x | {overhead:.0f} | "
            f"{startup.get(name, 0):.1f} |"
        )
    print(f"\nRay round trip of an empty actor call: median {statistics.median(rpc) * 1000:.1f} ms")
    for pool in pools.values():
        pool.close()
    ray.shutdown()


if __name__ == "__main__":
    main()
