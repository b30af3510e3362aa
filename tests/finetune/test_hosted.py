"""Hosted fine-tuning (`finetune: {provider: openai}`) against a real local HTTP server.

The server (`openai_server.py`) implements the files and fine-tuning endpoints ragtune calls,
with bodies shaped like OpenAI's documented ones (API reference, fine-tuning and files pages,
https://platform.openai.com/docs/api-reference/fine-tuning, read 2026-11-29); the official
`openai` SDK drives it. Waits between polls are recorded, not slept, except in the kill test,
which runs the real CLI in a child process and kills it while the job is running.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.advisor import build_document
from ragtune.cli.main import cli
from ragtune.config import HostedFinetune, load_workload
from ragtune.cost.catalog import load_catalog
from ragtune.errors import RagtuneError, ValidationError
from ragtune.finetune.data import conversation
from ragtune.finetune.hosted import HostedJob, HostedJobFailed, HostedTuneError, tune_hosted
from ragtune.running.runner import RunOptions, run_workload
from ragtune.store.runstore import RunStore

from .openai_server import Faults, serve

BASE = "gpt-4o-mini-2024-07-18"
FAKE_KEY = "sk-test-HOSTED-FT-0123456789abcdefDONOTLEAK"
LABELS = ["billing", "shipping"]


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def write_workload(
    root: Path, base_url: str, arms: dict[str, Any] | None = None, **ft: Any
) -> Path:
    """A classify workload: 12 training rows, 4 test rows, a hosted finetune arm."""
    rows = []
    for i in range(12):
        label = LABELS[i % 2]
        rows.append({"id": f"t{i}", "input": f"question {i} about my {label}", "target": label,
                     "split": "train"})  # fmt: skip
    for i, label in enumerate(["billing", "shipping", "billing", "shipping"]):
        rows.append({"id": f"q{i}", "input": f"test {i} on {label}", "target": label,
                     "split": "test"})  # fmt: skip
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    settings = {"provider": "openai", "base": BASE, "base_url": base_url, "epochs": 3,
                "poll_s": 0.01, "max_poll_s": 0.05, **ft}  # fmt: skip
    spec = {
        "name": "hosted",
        "task": "classify",
        "labels": LABELS,
        "data": {"path": "data.jsonl"},
        "backends": {
            "cheap": f"openai-compatible:{base_url}#{BASE}",
            "strong": f"openai-compatible:{base_url}#{BASE}",
        },
        "arms": {"finetune": settings, **(arms or {})},
        "pricing": {"requests_per_month": 100_000, "project_to": "gpt-4o-mini"},
    }
    path = root / "workload.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def run(path: Path, store: RunStore, root: Path, **options: Any) -> str:
    opts = RunOptions(use_cache=False, work_root=root / "runs", freshness=False, **options)
    return run_workload(load_workload(path), store, opts, source=str(path))


def job(base_url: str, n: int = 12, **settings: Any) -> HostedJob:
    examples = [conversation(f"question {i}", LABELS[i % 2], system="Label it.") for i in range(n)]
    values = {"provider": "openai", "base": BASE, "base_url": base_url, "poll_s": 0.01, **settings}
    return HostedJob(HostedFinetune(**values), examples)


# --- end to end ------------------------------------------------------------------------------


def test_hosted_finetune_end_to_end_prices_training_and_inference(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """upload -> job -> poll -> evaluation through the SDK, then the report's prices.

    Training: the server bills 150,000 trained tokens; the catalog's gpt-4o-mini-ft training
    price is $3.00/M, so the fine-tune costs 150,000 x 3.00 / 1e6 = $0.45.
    Inference: every answer reports 100 prompt + 2 completion tokens, priced at the fine-tuned
    model's prices (premium included: $0.30/M in, $1.20/M out, twice gpt-4o-mini's):
    (100 x 0.30 + 2 x 1.20) / 1e6 = $0.0000324 a query = $0.0324 per 1,000 queries.
    """
    caplog.set_level(logging.INFO)
    with serve(trained_tokens=150_000) as server:
        path = write_workload(tmp_path, server.base_url)
        with RunStore.open(tmp_path / "ragtune.db") as store:
            run_id = run(path, store, tmp_path)
            document = build_document(store, run_id).to_json()
            arms = {a.name: a for a in store.list_arms(run_id)}
        peer = server.peer
    # One upload each for train and validation, one job, made with the asked hyper-parameters.
    assert sorted(f["filename"] for f in peer.files.values()) == ["train.jsonl", "validation.jsonl"]
    assert len(peer.creates) == 1
    create = peer.creates[0]
    assert create["model"] == BASE
    assert create["method"]["supervised"]["hyperparameters"] == {"n_epochs": 3}
    assert create["validation_file"] and create["training_file"] != create["validation_file"]
    train_lines = peer.contents[create["training_file"]].decode().splitlines()
    first = json.loads(train_lines[0])["messages"]
    assert [m["role"] for m in first] == ["system", "user", "assistant"]
    # 12 training rows, 1 held out for validation (10%, at least one)
    assert len(train_lines) == 11
    # The tuned model answered every test item, through the OpenAI backend.
    assert {c["model"] for c in peer.chats} == {f"ft:{BASE}:org-local::0001"}
    # every test item (request-latency timing may ask some of them again, one at a time)
    assert len({c["messages"][-1]["content"] for c in peer.chats}) == 4
    assert arms["finetune"].status == "done"
    # Events and status changes were shown while polling.
    assert "Fine-tuning job started" in caplog.text
    assert "job ftjob-0001 is running" in caplog.text

    [training] = document["training"]
    assert training["method"] == "hosted:openai"
    assert training["tokens"] == 150_000
    assert training["cost"] == pytest.approx(0.45)
    assert training["seconds"] == 42  # finished_at - created_at
    assert "ftjob-0001" in training["basis"] and "gpt-4o-mini-ft" in training["basis"]
    [arm] = [a for a in document["arms"] if a["arm"] == "finetune"]
    assert arm["cost_per_1k"] == pytest.approx(0.0324)
    assert arm["deployment"] == "API"
    prices = {p["name"]: p for p in document["prices"]}
    assert "gpt-4o-mini-ft" in prices and prices["gpt-4o-mini-ft"]["as_of"]
    # The fine-tune's $0.45 is the tuned arm's one-time cost: at 100,000 requests/month the arm
    # costs 100,000 x $0.0000324 = $3.24/month, and over 12 months 12 x 3.24 + 0.45 = $39.33.
    # Its base, gpt-4o-mini, shuts down on 2027-01-14, inside the 12 months from the suite's
    # pinned today (RAGTUNE_TODAY=2026-12-07), so the TCO also carries the forced migration:
    # re-evaluation 4 items x $0.0000324 = $0.0001296, plus a re-tune of $0.45 again.
    assert arm["monthly_cost"] == pytest.approx(3.24)
    assert arm["tco"] == pytest.approx(39.33 + 0.0001296 + 0.45)
    [moved] = [i for i in document["cost"]["one_time"]["finetune"] if "migration" in i["name"]]
    assert moved["name"] == "forced migration: gpt-4o-mini shuts down 2027-01-14"
    assert moved["amount"] == pytest.approx(0.4501296)


def test_a_killed_run_resumes_the_same_job(tmp_path: Path) -> None:
    """Kill `ragtune run` (SIGKILL) while the job is running; `--resume` polls the same job id
    and the server records exactly one job created."""
    hold = threading.Event()
    with serve(faults=Faults(hold=hold), trained_tokens=1_000) as server:
        path = write_workload(tmp_path, server.base_url)
        store_path = tmp_path / "ragtune.db"
        env = {**os.environ, "OPENAI_COMPATIBLE_API_KEY": FAKE_KEY}
        child = subprocess.Popen(
            [sys.executable, "-m", "ragtune", "run", str(path), "--store", str(store_path),
             "--no-cache"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not (
                server.peer.jobs
                and server.peer.jobs["ftjob-0001"]["status"] == "running"
                and server.peer.retrieves >= 4
            ):
                assert child.poll() is None, child.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the job never reached running"
                time.sleep(0.05)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        state = json.loads(next((tmp_path / "runs").glob("*/tuned/hosted.json")).read_text())
        assert state["job_id"] == "ftjob-0001"
        hold.set()  # the provider finishes the job while nobody watches
        with RunStore.open(store_path) as store:
            [stored] = store.list_runs()
            assert store.get_arm(stored.id, "finetune").status != "done"
            os.environ["OPENAI_COMPATIBLE_API_KEY"] = FAKE_KEY
            try:
                run(path, store, tmp_path, resume=stored.id)
            finally:
                del os.environ["OPENAI_COMPATIBLE_API_KEY"]
            assert store.get_arm(stored.id, "finetune").status == "done"
            [training] = store.list_training_runs(stored.id)
            assert dict(training.params)["job_id"] == "ftjob-0001"
        assert server.peer.create_attempts == 1 and list(server.peer.jobs) == ["ftjob-0001"]
        assert len(server.peer.files) == 2  # nothing uploaded twice


# --- faults ----------------------------------------------------------------------------------


def test_429_on_create_is_retried_into_one_job(tmp_path: Path) -> None:
    sleeps = Sleeps()
    with serve(faults=Faults(create_429=2)) as server:
        result = tune_hosted(job(server.base_url), tmp_path, sleep=sleeps)
        assert server.peer.create_attempts == 3 and len(server.peer.jobs) == 1
    assert result.job_id == "ftjob-0001" and result.fine_tuned_model.startswith(f"ft:{BASE}")
    assert 0.0 in sleeps.waits  # Retry-After: 0 honoured before each retry


def test_a_poll_that_times_out_is_retried(tmp_path: Path) -> None:
    sleeps = Sleeps()
    faults = Faults(hang_retrieve=1, hang_s=1.5)
    with serve(faults=faults) as server:
        result = tune_hosted(job(server.base_url, request_timeout_s=0.3), tmp_path, sleep=sleeps)
    assert result.fine_tuned_model and faults.hang_retrieve == 0


def test_dropped_connections_are_retried(tmp_path: Path) -> None:
    """Drops on an upload, a poll and the events list; each is retried, nothing twice."""
    drops = {"POST /v1/files": 1, "GET /v1/fine_tuning/jobs/ftjob": 1}
    with serve(faults=Faults(drop=drops)) as server:
        result = tune_hosted(job(server.base_url), tmp_path, sleep=Sleeps())
        assert len(server.peer.files) == 2 and len(server.peer.jobs) == 1
    assert result.fine_tuned_model and all(v == 0 for v in drops.values())


def test_a_create_whose_answer_is_lost_is_found_not_repeated(tmp_path: Path) -> None:
    """The server makes the job, then drops the connection: the retry finds the job by its
    training file instead of creating a second one."""
    with serve(faults=Faults(drop_after_create=1)) as server:
        result = tune_hosted(job(server.base_url), tmp_path, sleep=Sleeps())
        assert server.peer.create_attempts == 1 and len(server.peer.jobs) == 1
    assert result.job_id == "ftjob-0001"


def test_a_failed_job_is_a_clear_error_with_the_providers_message(tmp_path: Path) -> None:
    faults = Faults(fail_with="Training file has 3 examples; at least 10 are required.")
    with serve(faults=faults) as server, pytest.raises(HostedJobFailed) as err:
        tune_hosted(job(server.base_url), tmp_path, sleep=Sleeps())
    assert "ftjob-0001 failed" in str(err.value)
    assert "at least 10 are required" in str(err.value)
    assert "invalid_training_file" in str(err.value)


def test_a_dead_server_is_a_clear_error_after_the_retries(tmp_path: Path) -> None:
    drops = {"GET /v1/fine_tuning/jobs/ftjob": 100}
    with serve(faults=Faults(drop=drops)) as server, pytest.raises(HostedTuneError) as err:
        tune_hosted(job(server.base_url), tmp_path, sleep=Sleeps())
    assert "after 6 tries" in str(err.value) and "connection failed" in str(err.value)
    # The job id is kept: a resume polls it again instead of starting over.
    assert json.loads((tmp_path / "hosted.json").read_text())["job_id"] == "ftjob-0001"


def test_waiting_too_long_says_how_to_resume(tmp_path: Path) -> None:
    hold = threading.Event()
    with serve(faults=Faults(hold=hold)) as server, pytest.raises(HostedTuneError) as err:
        tune_hosted(job(server.base_url, timeout_s=0.2), tmp_path, sleep=_real_sleep)
    assert "ftjob-0001 is still" in str(err.value) and "--resume" in str(err.value)


async def _real_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(min(seconds, 0.05))


def test_a_failed_job_fails_its_arm_and_loses_nothing_else_nor_leaks_the_key(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A hostile provider echoes the caller's key into the failure message. The finetune arm
    fails with the provider's message (key scrubbed), the prompt arm still runs, and the key
    appears in no log, store row, report, error or file of the run."""
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", FAKE_KEY)
    caplog.set_level(logging.DEBUG)
    faults = Faults(fail_with="Invalid file for key {authorization}: too few examples")
    with serve(faults=faults) as server:
        path = write_workload(tmp_path, server.base_url, arms={"prompt": {}})
        with RunStore.open(tmp_path / "ragtune.db") as store:
            run_id = run(path, store, tmp_path)
            arms = {a.name: a for a in store.list_arms(run_id)}
            document = build_document(store, run_id).to_json()
        keys = server.peer.keys
    assert f"Bearer {FAKE_KEY}" in keys  # the key was really sent...
    assert arms["finetune"].status == "failed"
    assert "too few examples" in str(arms["finetune"].reason)
    assert "ftjob-0001 failed" in str(arms["finetune"].reason)
    assert arms["prompt"].status == "done"  # nothing else lost
    texts = [
        caplog.text,
        capsys.readouterr().err,
        "\n".join(sqlite3.connect(tmp_path / "ragtune.db").iterdump()),
        json.dumps(document),
        str(arms["finetune"].reason),
    ]
    texts += [p.read_text() for p in (tmp_path / "runs").rglob("*") if p.is_file()]
    for text in texts:  # ...and shows up nowhere else
        assert FAKE_KEY not in text
    assert "***" in str(arms["finetune"].reason)


# --- configuration and prices ----------------------------------------------------------------


def test_hosted_settings_are_validated_with_their_field(tmp_path: Path) -> None:
    path = write_workload(tmp_path, "http://127.0.0.1:9/v1")
    spec = yaml.safe_load(path.read_text())
    spec["arms"]["finetune"] = {"provider": "openai", "base": BASE, "epochs": 0}
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(ValidationError) as err:
        load_workload(path)
    assert "arms.finetune.epochs: Input should be greater than or equal to 1 (given: 0)" in str(
        err.value
    )
    spec["arms"]["finetune"] = {"provider": "openai"}
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(ValidationError) as err:
        load_workload(path)
    assert "arms.finetune: provider openai needs `base`" in str(err.value)
    spec["arms"]["finetune"] = {"provider": "azure", "base": BASE}
    path.write_text(yaml.safe_dump(spec))
    result = CliRunner().invoke(cli, ["run", str(path), "--store", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert (
        "arms.finetune.provider" in result.stderr
        and "'local', 'openai', 'together' or 'fireworks'" in result.stderr
    )


def test_official_api_needs_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = HostedFinetune(provider="openai", base=BASE)
    with pytest.raises(RagtuneError) as err:
        tune_hosted(HostedJob(settings, []), tmp_path)
    assert "OPENAI_API_KEY" in str(err.value)


def test_fine_tuned_model_names_find_their_catalog_prices() -> None:
    """`ft:BASE:org:suffix:id` is priced at BASE's -ft entry; dated snapshots find their model."""
    catalog = load_catalog()
    tuned = catalog.model(f"ft:{BASE}:acme:support:AbC123")
    assert tuned.name == "gpt-4o-mini-ft"
    assert (tuned.input_per_m, tuned.output_per_m, tuned.training_per_m) == (0.30, 1.20, 3.00)
    assert catalog.model(BASE).name == "gpt-4o-mini"
    with pytest.raises(RagtuneError) as err:
        catalog.model("ft:claude-haiku-4-5:acme::x")
    assert "no fine-tuning prices for 'claude-haiku-4-5'" in str(err.value)


def test_ragtune_tune_points_a_hosted_workload_to_ragtune_run(tmp_path: Path) -> None:
    path = write_workload(tmp_path, "http://127.0.0.1:9/v1")
    result = CliRunner().invoke(cli, ["tune", str(path)])
    assert result.exit_code == 2
    assert "hosted job (provider: openai" in result.stderr
    assert f"ragtune run {path} --arms finetune" in result.stderr


def test_server_bodies_carry_every_documented_field(tmp_path: Path) -> None:
    """The local server's job, event and file bodies have every field of the SDK's types."""
    from openai.types import FileObject
    from openai.types.fine_tuning import FineTuningJob, FineTuningJobEvent

    with serve() as server:
        tune_hosted(job(server.base_url), tmp_path, sleep=Sleeps())
        peer = server.peer
    [done] = peer.jobs.values()
    assert set(FineTuningJob.model_fields) - {"expires_at"} <= set(done)
    FineTuningJob.model_validate(done)
    for event in peer.events[done["id"]]:
        FineTuningJobEvent.model_validate(event)
        assert set(FineTuningJobEvent.model_fields) <= set(event)
    for file in peer.files.values():
        FileObject.model_validate(file)
        assert set(FileObject.model_fields) - {"expires_at"} <= set(file)
