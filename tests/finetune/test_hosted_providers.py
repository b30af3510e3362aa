"""Hosted fine-tuning at Together and Fireworks against a real local HTTP server.

The server (`provider_server.py`) serves each provider's documented shapes (its docstring names
the reference pages, read 2026-12-07); ragtune calls them over httpx. Prices come from
`ragtune/cost/hosted_finetuning.yaml`; every dollar below is worked out by hand in the test.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from ragtune.advisor import build_document
from ragtune.config import HostedFinetune, load_workload
from ragtune.finetune.data import conversation
from ragtune.finetune.hosted import HostedJob, HostedJobFailed, HostedTuneError, tune_hosted
from ragtune.running.runner import RunOptions, run_workload
from ragtune.store.runstore import RunStore

from .provider_server import FIREWORKS_SCRIPT, Setup, serve

TOGETHER_BASE = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"
FIREWORKS_BASE = "accounts/fireworks/models/llama-v3p1-8b-instruct"
LABELS = ["billing", "shipping"]
DEDICATED = {"kind": "dedicated", "hardware": "1x_nvidia_h100_80gb_sxm", "hours_per_day": 24,
             "min_replicas": 1}  # fmt: skip


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def settings(provider: str, base_url: str, **more: Any) -> dict[str, Any]:
    base = TOGETHER_BASE if provider == "together" else FIREWORKS_BASE
    values = {"provider": provider, "base": base, "base_url": base_url, "epochs": 3,
              "poll_s": 0.01, "max_poll_s": 0.05, **more}  # fmt: skip
    if provider == "fireworks":
        values.setdefault("account", "acme")
    return values


def write_workload(root: Path, base_url: str, provider: str, **more: Any) -> Path:
    """A classify workload: 12 training rows, 4 test rows, a hosted finetune arm."""
    rows = [{"id": f"t{i}", "input": f"question {i} about my {LABELS[i % 2]}",
             "target": LABELS[i % 2], "split": "train"} for i in range(12)]  # fmt: skip
    rows += [{"id": f"q{i}", "input": f"test {i} on {label}", "target": label, "split": "test"}
             for i, label in enumerate(["billing", "shipping", "billing", "shipping"])]  # fmt: skip
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = {
        "name": "hosted",
        "task": "classify",
        "labels": LABELS,
        "data": {"path": "data.jsonl"},
        "backends": {
            "cheap": f"openai-compatible:{base_url}#m",
            "strong": f"openai-compatible:{base_url}#m",
        },
        "arms": {"finetune": settings(provider, base_url, **more)},
        "pricing": {"requests_per_month": 100_000},
    }
    path = root / "workload.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def run(path: Path, store: RunStore, root: Path, **options: Any) -> str:
    opts = RunOptions(use_cache=False, work_root=root / "runs", freshness=False, **options)
    return run_workload(load_workload(path), store, opts, source=str(path))


def job(provider: str, base_url: str, **more: Any) -> HostedJob:
    examples = [conversation(f"question {i}", LABELS[i % 2], system="Label it.") for i in range(12)]
    return HostedJob(HostedFinetune(**settings(provider, base_url, **more)), examples)


# --- end to end: train, answer, priced -------------------------------------------------------


def test_together_run_trains_answers_and_is_priced_with_its_endpoint(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Training: 1,200,000 trained tokens x $0.48/M (Together, SFT LoRA, up to 16B) = $0.576.
    Serving: a dedicated 1x H100 endpoint at $0.056/minute = $3.36/hour, 24 h x 30 days x 1
    replica = $2,419.20 a month (100,000 requests at milliseconds each fit in one replica);
    every call is $0 per token. Per 1,000 requests: 2,419.20 / 100 = $24.192.
    TCO over 12 months: 12 x 2,419.20 + 0.576 = $29,030.976."""
    caplog.set_level(logging.INFO)
    with serve(Setup(trained_tokens=1_200_000)) as server:
        path = write_workload(tmp_path, server.base_url, "together", serving=DEDICATED)
        with RunStore.open(tmp_path / "ragtune.db") as store:
            run_id = run(path, store, tmp_path)
            document = build_document(store, run_id).to_json()
            arm_status = store.get_arm(run_id, "finetune").status
        seen = server.seen
    assert arm_status == "done"
    [create] = seen.creates
    assert create["model"] == TOGETHER_BASE and create["n_epochs"] == 3
    assert create["training_type"] == {"type": "Lora"} and create["validation_file"]
    assert len(seen.files) == 2  # train and validation, once each
    [endpoint] = seen.endpoints.values()
    assert endpoint["hardware"] == "1x_nvidia_h100_80gb_sxm"
    assert endpoint["autoscaling"] == {"min_replicas": 1, "max_replicas": 1}
    # the tuned model answered every test item through the endpoint's name
    assert {c["model"] for c in seen.chats} == {endpoint["name"]}
    assert "job ft-0003 is running" in caplog.text and "Job running" in caplog.text
    assert "keeps running and billing until you stop it" in caplog.text

    [training] = document["training"]
    assert training["method"] == "hosted:together"
    assert training["tokens"] == 1_200_000
    assert training["cost"] == pytest.approx(0.576)
    assert training["seconds"] == 42 * 60
    assert "$0.48/M" in training["basis"] and "ft-0003" in training["basis"]
    assert "$3.36/hour per replica" in training["basis"]
    [arm] = [a for a in document["arms"] if a["arm"] == "finetune"]
    assert arm["monthly_cost"] == pytest.approx(2419.20)
    assert arm["cost_per_1k"] == pytest.approx(24.192)
    assert arm["tco"] == pytest.approx(29_030.976)
    assert arm["deployment"] == "together endpoint 1x_nvidia_h100_80gb_sxm"


def test_fireworks_run_trains_answers_and_is_priced_per_token(tmp_path: Path) -> None:
    """Training: 500,000 trained tokens x $0.50/M (Fireworks, up to 16B) = $0.25.
    Serving: serverless, the adapter at its 8B base's rate, $0.20/M in and out: every answer is
    100 prompt + 2 completion tokens = 102 x 0.20 / 1e6 = $0.0000204 a request, $0.0204 per
    1,000, $2.04 a month at 100,000. TCO over 12 months: 12 x 2.04 + 0.25 = $24.73."""
    with serve(Setup(script=FIREWORKS_SCRIPT, trained_tokens=500_000)) as server:
        path = write_workload(tmp_path, server.base_url, "fireworks")
        with RunStore.open(tmp_path / "ragtune.db") as store:
            run_id = run(path, store, tmp_path)
            document = build_document(store, run_id).to_json()
        seen = server.seen
    [create] = seen.creates
    assert create["baseModel"] == FIREWORKS_BASE and create["epochs"] == 3
    assert create["dataset"].startswith("accounts/acme/datasets/ragtune-")
    assert create["evaluationDataset"].endswith("-val")
    [deployed] = seen.endpoints.values()
    assert deployed["serverless"] is True and deployed["model"] == create["outputModel"]
    assert {c["model"] for c in seen.chats} == {create["outputModel"]}
    [training] = document["training"]
    assert training["cost"] == pytest.approx(0.25)
    [arm] = [a for a in document["arms"] if a["arm"] == "finetune"]
    assert arm["cost_per_1k"] == pytest.approx(0.0204)
    assert arm["monthly_cost"] == pytest.approx(2.04)
    assert arm["tco"] == pytest.approx(24.73)
    assert arm["deployment"] == "API"


# --- kill -9, then --resume ------------------------------------------------------------------


def test_a_killed_together_run_resumes_the_same_job(tmp_path: Path) -> None:
    """SIGKILL `ragtune run` while the job runs; `--resume` polls the same job id, and the
    server records one job, two uploads and one endpoint."""
    hold = threading.Event()
    with serve(Setup(hold=hold, trained_tokens=1_000)) as server:
        path = write_workload(tmp_path, server.base_url, "together", serving=DEDICATED)
        store_path = tmp_path / "ragtune.db"
        child = subprocess.Popen(
            [sys.executable, "-m", "ragtune", "run", str(path), "--store", str(store_path),
             "--no-cache"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ),
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not (
                server.seen.jobs
                and next(iter(server.seen.jobs.values()))["status"] == "running"
                and sum(server.seen.status_reads.values()) >= 2
            ):
                assert child.poll() is None, child.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the job never reached running"
                time.sleep(0.05)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        [job_id] = server.seen.jobs
        state = json.loads(next((tmp_path / "runs").glob("*/tuned/hosted.json")).read_text())
        assert state["job_id"] == job_id
        hold.set()
        with RunStore.open(store_path) as store:
            [stored] = store.list_runs()
            run(path, store, tmp_path, resume=stored.id)
            assert store.get_arm(stored.id, "finetune").status == "done"
            [training] = store.list_training_runs(stored.id)
            assert dict(training.params)["job_id"] == job_id
        assert server.seen.create_attempts == 1 and list(server.seen.jobs) == [job_id]
        assert len(server.seen.files) == 2 and len(server.seen.endpoints) == 1


# --- failure modes ---------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["together", "fireworks"])
def test_a_failed_job_shows_the_providers_reason(tmp_path: Path, provider: str) -> None:
    script = FIREWORKS_SCRIPT if provider == "fireworks" else Setup().script
    setup = Setup(script=script, fail_reason="CUDA out of memory at step 12")
    with serve(setup) as server, pytest.raises(HostedJobFailed) as err:
        tune_hosted(job(provider, server.base_url), tmp_path, sleep=Sleeps())
    assert "CUDA out of memory at step 12" in err.value.message
    assert "failed" in err.value.message


def test_a_cancelled_job_says_so(tmp_path: Path) -> None:
    setup = Setup(script=("pending", "running", "cancelled"))
    with serve(setup) as server, pytest.raises(HostedJobFailed) as err:
        tune_hosted(job("together", server.base_url, serving=DEDICATED), tmp_path, sleep=Sleeps())
    assert "cancelled" in err.value.message


@pytest.mark.parametrize("provider", ["together", "fireworks"])
def test_rejected_data_names_the_line(tmp_path: Path, provider: str) -> None:
    with serve(Setup(reject_line=3)) as server, pytest.raises(HostedTuneError) as err:
        tune_hosted(job(provider, server.base_url, serving=DEDICATED if provider ==
                        "together" else {}), tmp_path, sleep=Sleeps())  # fmt: skip
    assert "rejected the training data" in err.value.message
    assert "line 3" in err.value.message
    assert str(tmp_path) in str(err.value.hint)
    assert not server.seen.creates  # no job from a rejected file


def test_quota_errors_say_what_to_do(tmp_path: Path) -> None:
    with serve(Setup(quota=True)) as server, pytest.raises(HostedTuneError) as err:
        tune_hosted(job("together", server.base_url, serving=DEDICATED), tmp_path, sleep=Sleeps())
    assert "quota or spend limits" in err.value.message
    assert "Monthly spend limit reached" in err.value.message
    assert "--resume" in str(err.value.hint)


def test_an_endpoint_that_never_starts_is_a_bounded_wait(tmp_path: Path) -> None:
    serving = {**DEDICATED, "ready_timeout_s": 0.2}
    with serve(Setup(endpoint_ready_after=None)) as server:
        with pytest.raises(HostedTuneError) as err:
            tune_hosted(job("together", server.base_url, serving=serving), tmp_path)
        # resuming waits for the same endpoint: none is created twice
        server.setup.endpoint_ready_after = server.seen.endpoint_reads
        result = tune_hosted(job("together", server.base_url, serving=serving), tmp_path)
    assert "is still STARTING after 0.2 s" in err.value.message
    assert len(server.seen.endpoints) == 1 and result.endpoint_id in server.seen.endpoints


def test_fireworks_needs_its_account() -> None:
    with pytest.raises(ValueError, match="provider fireworks needs `account`"):
        HostedFinetune(provider="fireworks", base=FIREWORKS_BASE)
