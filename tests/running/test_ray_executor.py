"""The Ray executor on a real local Ray cluster (2 CPUs, started once for this module).

- the same workload (local SmolLM2; prompt, rag and finetune arms) run in-process and on Ray
  gives the same predictions, scores and token counts;
- a Ray worker killed mid-run has its shard retried: every item is answered exactly once;
- a stalled shard (a request that never returns) has its worker replaced and is retried;
- workers the cluster has no CPU for are dropped after the start timeout instead of waited for;
- a driver killed mid-run is finished by `--resume` on Ray (what it left is killed first);
- API calls from all workers together stay within one concurrency limit.

The fault and API tests use a small OpenAI-compatible server defined here (the model is not the
point there): it streams chat-completion chunks in the documented shape (OpenAI API reference,
"The chat completion chunk object" and `stream_options.include_usage`,
https://platform.openai.com/docs/api-reference/chat-streaming, read 2026-11-29), answers after
`delay` seconds, and counts the requests it has in flight.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil
import pytest
import ray
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.cli.workload import template
from ragtune.config import load_workload
from ragtune.cost.catalog import load_catalog
from ragtune.data.sampling import Limit
from ragtune.evidence.summary import pricing_for, summarise
from ragtune.running.executors import ExecutorOptions
from ragtune.running.latency import REQUEST_SAMPLE
from ragtune.running.runner import RunOptions, run_workload
from ragtune.store.runstore import RunStore

pytestmark = pytest.mark.ray

ITEMS = 96  # 6 shards of 16


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray with 2 CPUs (this machine's), for the whole module; its GCS address."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield str(ray.get_runtime_context().gcs_address)
    finally:
        ray.shutdown()


class FakeApi(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, delay: float, answer: str = "billing") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.answer = answer
        self.stall = 0.0  # the first request waits this long (a worker stuck mid-shard)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.requests = 0

    @property
    def backend(self) -> str:
        return f"openai-compatible:http://127.0.0.1:{self.server_address[1]}/v1#fake"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeApi

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        api = self.server
        with api.lock:
            api.in_flight += 1
            api.requests += 1
            api.peak = max(api.peak, api.in_flight)
            wait, api.stall = api.delay + api.stall, 0.0
        try:
            time.sleep(wait)
            prompt = sum(len(str(m["content"]).split()) for m in body["messages"])
            chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
                     "model": "fake"}  # fmt: skip
            events = [
                {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant",
                 "content": api.answer}, "logprobs": None, "finish_reason": None}]},
                {**chunk, "choices": [{"index": 0, "delta": {}, "logprobs": None,
                 "finish_reason": "stop"}]},
                {**chunk, "choices": [], "usage": {"prompt_tokens": prompt,
                 "completion_tokens": 1, "total_tokens": prompt + 1}},
            ]  # fmt: skip
            data = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
            raw = data.encode()
        finally:
            with api.lock:
                api.in_flight -= 1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi(delay=0.05)
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.shutdown()
        api.server_close()


def api_workload(tmp_path: Path, backend: str) -> Path:
    """A classify workload of `ITEMS` test items, answered by `backend`, prompt arm only."""
    rows = [{"id": f"t{i}", "text": f"invoice question number {i}", "label": "billing",
             "split": "test"} for i in range(ITEMS)]  # fmt: skip
    rows += [{"id": f"r{i}", "text": f"other question {i}", "label": "other", "split": s}
             for i, s in enumerate(["train"] * 8 + ["validation"] * 4)]  # fmt: skip
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = tmp_path / "api.yaml"
    path.write_text(
        f"""name: fake-api
task: classify
data:
  path: data.jsonl
  fields: {{input: text, target: label, id: id, split: split, doc_ids: null}}
labels: [billing, other]
arms:
  prompt: {{}}
backends:
  cheap: {backend}
  strong: {backend}
"""
    )
    return path


def duplicates(store: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(store) as conn:
        return conn.execute(
            "SELECT arm, item_id, COUNT(*) FROM predictions GROUP BY run_id, arm, item_id, repeat"
            " HAVING COUNT(*) > 1"
        ).fetchall()


def predictions(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(store, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def test_api_calls_from_every_worker_share_one_concurrency_limit(
    tmp_path: Path, cluster: str, fake_api: FakeApi
) -> None:
    # Unlimited, 2 workers x 8 concurrent calls each could have 16 requests in flight at once.
    fake_api.delay = 0.1
    store, run_id = _api_run_on_ray(tmp_path, fake_api, workers=2, api_concurrency=3)
    assert store.prediction_counts(run_id) == {"prompt": ITEMS}
    # every item once, plus the request-latency sample timed one at a time in the driver
    assert fake_api.requests == ITEMS + REQUEST_SAMPLE
    assert fake_api.peak == 3  # the limit held, and was used
    assert all(p.text == "billing" for p in store.predictions(run_id, "prompt"))


def test_a_killed_worker_has_its_shard_retried_and_every_item_answered_once(
    tmp_path: Path, cluster: str, fake_api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.delay = 0.4  # 16 items at 8 in flight: ~0.8 s a shard, 3 shards per worker
    workload = load_workload(api_workload(tmp_path, fake_api.backend))
    store_path = tmp_path / "s.db"
    options = RunOptions(
        use_cache=False,
        work_root=tmp_path / "runs",
        executor="ray",
        executor_options=ExecutorOptions(workers=2),
    )
    result: dict[str, Any] = {}

    def drive() -> None:
        try:
            with RunStore.open(store_path) as store:  # SQLite: opened in the driver's thread
                result["run"] = run_workload(workload, store, options)
        except BaseException as err:  # reported by the assertion below
            result["error"] = err

    caplog.set_level(logging.WARNING, logger="ragtune.running.ray_executor")
    driver = threading.Thread(target=drive)
    driver.start()
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and driver.is_alive():
        busy = [p for p in psutil.process_iter(["cmdline"])
                if "ArmWorker.answer" in " ".join(p.info["cmdline"] or ())]  # fmt: skip
        if busy and fake_api.requests >= 4:  # a shard is being answered
            victim = busy[0]
            victim.send_signal(signal.SIGKILL)
        time.sleep(0.05)
    driver.join(timeout=120)
    assert victim is not None, f"no busy Ray worker was seen ({result})"
    assert "error" not in result, result.get("error")
    run_id = result["run"]
    store = RunStore.open(store_path)
    assert store.prediction_counts(run_id) == {"prompt": ITEMS}
    assert duplicates(store_path) == []
    assert fake_api.requests >= ITEMS  # a shard lost mid-way is asked again (in part or whole)
    # The kill races the scheduler: a worker seen busy may finish its shard before the signal
    # lands. When a shard was lost (items asked again beyond the run and its request-latency
    # sample), the retry must have been logged; either way every item is stored exactly once.
    if fake_api.requests > ITEMS + REQUEST_SAMPLE:
        assert re.search(r"died \(\w+Error\) with shard \d+ \(\d+ items\)", caplog.text)


def test_a_stalled_shard_has_its_worker_replaced_and_is_retried(
    tmp_path: Path, cluster: str, fake_api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    # The first request hangs for 2 minutes: its shard would never come back. After the shard
    # timeout (15 s: a worker's first shard also builds its arm, slow on a busy machine) the
    # executor kills that worker, frees its API slots and sends the shard to a fresh one.
    fake_api.stall = 120
    caplog.set_level(logging.WARNING, logger="ragtune.running.ray_executor")
    started = time.monotonic()
    store, run_id = _api_run_on_ray(tmp_path, fake_api, workers=2, shard_timeout_s=15)
    assert time.monotonic() - started < 100  # well before the stalled request would return
    assert store.prediction_counts(run_id) == {"prompt": ITEMS}
    assert duplicates(tmp_path / "s.db") == []
    assert "stalled > 15 s with shard" in caplog.text and "retrying it (1 of 2)" in caplog.text
    # it held the slots of the batch it was stuck in (up to the 8 a process may have in flight)
    assert re.search(r"freed [1-8] API slots the lost worker held", caplog.text)


def test_workers_the_cluster_has_no_cpu_for_are_dropped_after_the_start_timeout(
    tmp_path: Path, cluster: str, fake_api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    # 3 workers of 1 CPU each on a 2-CPU cluster: the third can never start. Before, the run
    # waited for it without bound when it was sent a shard; now it is dropped after the start
    # timeout and the two that started answer everything.
    fake_api.delay = 0.01
    caplog.set_level(logging.WARNING, logger="ragtune.running.ray_executor")
    store, run_id = _api_run_on_ray(tmp_path, fake_api, workers=3, start_timeout_s=20)
    assert store.prediction_counts(run_id) == {"prompt": ITEMS}
    assert "1 of 3 Ray workers did not start within 20 s" in caplog.text
    assert "going on with 2" in caplog.text


def test_a_killed_driver_is_finished_by_resume_on_ray(
    tmp_path: Path, cluster: str, fake_api: FakeApi
) -> None:
    fake_api.delay = 0.4
    workload = api_workload(tmp_path, fake_api.backend)
    store = tmp_path / "s.db"
    command = [sys.executable, "-m", "ragtune", "--quiet", "run", str(workload), "--executor",
               "ray", "--ray-address", cluster, "--workers", "2", "--store", str(store),
               "--no-cache"]  # fmt: skip
    child = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    before = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.1)
        before = predictions(store)
        if before >= 16:  # at least one shard written, the run not finished
            break
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    before = predictions(store)
    assert 16 <= before < ITEMS, f"kill came too late or never: {before} predictions"
    runs = RunStore.open(store)
    [run] = runs.list_runs()
    kept = runs.completed_items(run.id, "prompt")
    runs.close()
    result = CliRunner().invoke(
        cli,
        ["run", str(workload), "--resume", run.id, "--executor", "ray", "--store", str(store),
         "--no-cache"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    runs = RunStore.open(store)
    assert runs.prediction_counts(run.id) == {"prompt": ITEMS}
    assert kept <= runs.completed_items(run.id, "prompt")  # finished shards were kept
    assert duplicates(store) == []
    # only shards in flight when the driver died are asked twice (2 workers x 16 items)
    assert fake_api.requests <= ITEMS + 2 * 16


def qa_workload(tmp_path: Path) -> Path:
    """The bundled QA template made cheap: a 2-step fine-tune, 12-token answers, 2 chunks, and
    no batch-1 latency timing (the executors' answers are compared, not their timings; timing
    re-answered 6 items per arm in each of the two runs)."""
    text = (
        template("qa")
        .replace("rag: {k: 4, mode: hybrid}", "rag: {k: 2, mode: hybrid, max_tokens: 12}")
        .replace("prompt: {}", "prompt: {max_tokens: 12}")
        .replace(
            "finetune: {method: lora, epochs: 2}",
            "finetune: {method: lora, max_steps: 2, max_tokens: 12}",
        )
        .replace("repeats: 1\n", "repeats: 1\nlatency_sample: 0\n")
    )
    assert "latency_sample: 0" in text
    path = tmp_path / "qa.yaml"
    path.write_text(text)
    return path


@pytest.mark.slow
def test_inprocess_and_ray_give_identical_predictions_scores_and_tokens(
    tmp_path: Path, cluster: str
) -> None:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the workers' setting: both executors decode with one thread
    try:
        workload = load_workload(qa_workload(tmp_path))
        store = RunStore.open(tmp_path / "s.db")
        common: dict[str, Any] = {
            "arms": ("prompt", "rag", "finetune"),
            "limit": Limit(17, "first"),  # two shards per arm (16 + 1), so both workers answer
            "use_cache": False,
            "freshness": False,
            "work_root": tmp_path / "runs",
        }
        local = run_workload(workload, store, RunOptions(**common, executor="inprocess"))
        remote = run_workload(
            workload,
            store,
            RunOptions(**common, executor="ray", executor_options=ExecutorOptions(workers=2)),
        )
    finally:
        torch.set_num_threads(threads)

    def answers(run_id: str, arm: str) -> dict[str, Any]:
        return {
            p.item_id: (
                p.text, p.citations, p.error,
                [(m.input_tokens, m.cache_write_tokens, m.cache_read_tokens, m.output_tokens)
                 for m in p.measurements],
            )
            for p in store.predictions(run_id, arm)
        }  # fmt: skip

    for arm in common["arms"]:
        a, b = answers(local, arm), answers(remote, arm)
        assert len(a) == 17 and a == b, arm
    pricing = pricing_for(load_catalog(), "hetzner-cx42", "claude-haiku-4-5")
    sa, sb = summarise(store, local, pricing), summarise(store, remote, pricing)
    for x, y in zip(sa.arms, sb.arms, strict=True):
        assert (x.arm, x.status, x.n) == (y.arm, "done", 17)
        assert x.quality == y.quality and x.validity == y.validity
        assert x.tokens == y.tokens and x.projected_tokens == y.projected_tokens


def _api_run_on_ray(tmp_path: Path, fake_api: FakeApi, **executor: Any) -> tuple[RunStore, str]:
    """The one-arm API workload run on the local cluster with these executor options."""
    workload = load_workload(api_workload(tmp_path, fake_api.backend))
    store = RunStore.open(tmp_path / "s.db")
    options = RunOptions(
        use_cache=False,
        work_root=tmp_path / "runs",
        executor="ray",
        executor_options=ExecutorOptions(**executor),
    )
    return store, run_workload(workload, store, options)
