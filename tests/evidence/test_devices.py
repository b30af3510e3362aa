"""Machines that measured (issue 32, item 6): the store keeps the device of each arm's local
calls and each fine-tune; seconds are priced only on a machine of the kind that measured them,
a stated throughput replaces a timing, and the report says when measuring and serving machines
differ. Runs are written record by record (no model is loaded), in a real SQLite store."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.advisor import build_document
from ragtune.backends import CachedBackend, Device, from_hardware, measuring_device, this_cpu
from ragtune.cli.main import cli
from ragtune.config import load_workload
from ragtune.errors import RagtuneError
from ragtune.evidence import evaluate, load_run, run_pricing, summary_of
from ragtune.running.runner import RunOptions, run_workload
from ragtune.store import Item, Measurement, Prediction, RunStore

H100 = Device("gpu", "NVIDIA H100 80GB HBM3")
EPYC = Device("cpu", "AMD EPYC 7B13", 2)
N = 10


def make_run(
    path: Path,
    device: Device | None,
    *,
    pricing: dict[str, Any] | None = None,
    training: tuple[float, Device | None] | None = None,
) -> tuple[RunStore, str]:
    """One local arm `prompt`, 0.5 machine seconds an item on `device`; optionally a LoRA
    fine-tune of `training` = (seconds, device)."""
    store = RunStore.open(path)
    config = {"name": "devices", "task": "classify", "labels": ["a", "b"],
              "pricing": {"requests_per_month": 100_000, **(pricing or {})}}  # fmt: skip
    run = store.create_run(config, seed=0, workload="devices.yaml")
    store.add_items(run.id, [Item(f"t{i}", "test", f"x {i}", {"answer": "a"}) for i in range(N)])
    store.add_arm(run.id, "prompt", {})
    call = Measurement("answer", "smollm2-135m", 100, 0, 0, 2, 0.5)
    store.record_predictions([
        Prediction(run.id, "prompt", f"t{i}", 0, "a",
                   extra={"answer": "a", "latency_s": 0.5, "wall_share_s": 0.5},
                   measurements=(call,))
        for i in range(N)
    ])  # fmt: skip
    store.set_arm_status(run.id, "prompt", "done")
    if device is not None:
        store.set_arm_device(run.id, "prompt", device.to_json())
    if training is not None:
        seconds, trained = training
        job = store.create_training_run("smollm2-135m", "lora", {}, run_id=run.id)
        store.finish_training_run(
            job.id, duration_s=seconds, device=None if trained is None else trained.to_json()
        )
    store.finish_run(run.id)
    return store, run.id


def priced(store: RunStore, run_id: str):  # type: ignore[no-untyped-def]
    run = load_run(store, run_id)
    return evaluate(run, run_pricing(run))


def test_devices_round_trip_through_the_store(tmp_path: Path) -> None:
    store, run_id = make_run(tmp_path / "s.db", EPYC, training=(60.0, H100))
    assert Device.from_json(store.get_arm(run_id, "prompt").device) == EPYC
    [job] = store.list_training_runs(run_id)
    assert Device.from_json(job.device) == H100
    store, run_id = make_run(tmp_path / "old.db", None)  # as a run from before migration 7
    assert store.get_arm(run_id, "prompt").device is None


def test_device_descriptions() -> None:
    assert EPYC.describe() == "CPU AMD EPYC 7B13, 2 cores"
    assert H100.describe() == "GPU NVIDIA H100 80GB HBM3"
    assert from_hardware("cuda", "cuda: NVIDIA H100 80GB HBM3") == H100
    assert from_hardware("cpu", "cpu: AMD EPYC 7B13 (2 threads)", 2) == EPYC
    assert Device.from_json(None) is None and Device.from_json({"kind": "tpu"}) is None
    cpu = this_cpu()
    assert cpu.kind == "cpu" and cpu.name and (cpu.cores or 0) >= 1


def test_measuring_device_sees_through_the_response_cache(tmp_path: Path) -> None:
    from ragtune.backends import ResponseCache
    from ragtune.backends.local import LocalBackend

    local = LocalBackend("smollm2-135m", device="cpu")  # built, never loaded
    wrapped = CachedBackend(local, ResponseCache(tmp_path / "c.db"))
    assert measuring_device(wrapped) == measuring_device(local) == this_cpu()
    assert measuring_device(object()) == this_cpu()  # lookups and classical models: this CPU


def test_a_real_run_records_the_device_of_each_arm(tmp_path: Path) -> None:
    (tmp_path / "test.jsonl").write_text(
        "".join(json.dumps({"id": f"q{i}", "input": f"q {i}", "target": "yes"}) + "\n"
                for i in range(4))
    )  # fmt: skip
    (tmp_path / "a.jsonl").write_text(
        "".join(json.dumps({"id": f"q{i}", "answer": "yes"}) + "\n" for i in range(4))
    )
    arms = {"recorded": {"answers": "a.jsonl"}}
    spec = {"name": "r", "task": "classify", "labels": ["yes", "no"],
            "data": {"test": "test.jsonl"}, "arms": arms}  # fmt: skip
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(spec))
    store = RunStore.open(tmp_path / "s.db")
    run_id = run_workload(load_workload(tmp_path / "w.yaml"), store, RunOptions(use_cache=False))
    assert Device.from_json(store.get_arm(run_id, "recorded").device) == this_cpu()


def test_a_gpu_timing_priced_as_a_cpu_vps_is_refused(tmp_path: Path) -> None:
    store, run_id = make_run(tmp_path / "s.db", H100)
    with pytest.raises(RagtuneError) as err:
        priced(store, run_id)
    assert "arm 'prompt' was timed on GPU NVIDIA H100 80GB HBM3, but pricing.self_hosted = " in (
        err.value.message
    )
    assert "'hetzner-cx42' is a CPU machine" in err.value.message
    assert "pricing.serving_throughput: {prompt: REQUESTS_PER_SECOND}" in (err.value.hint or "")
    result = CliRunner().invoke(cli, ["report", run_id, "--store", str(tmp_path / "s.db")])
    assert result.exit_code == 2 and "GPU seconds cannot be priced as CPU time" in result.output


def test_a_stated_throughput_prices_the_serving_machine(tmp_path: Path) -> None:
    pricing = {"serving_throughput": {"prompt": 20.0}, "requests_per_month": 100_000_000}
    store, run_id = make_run(tmp_path / "s.db", H100, pricing=pricing)
    evidence = priced(store, run_id)
    # 20 requests/s: 1 / 20 = 0.05 machine s an item, whatever the GPU measured (0.5 s)
    assert evidence.arm("prompt").machine_s == pytest.approx([0.05] * N)
    # one hetzner-cx42 at most half busy serves 20 x 3600 x 720 x 0.5 = 25,920,000 a month;
    # 100M requests need ceil(100e6 / 25.92e6) = 4 machines x $26 = $104/month = $0.00104 / 1k
    assert math.ceil(100e6 / 25.92e6) == 4
    [row] = summary_of(evidence).arms
    assert row.cost_per_1k == pytest.approx(104.0 / 100e6 * 1000)
    [note] = summary_of(evidence).machine_notes
    assert note.startswith("Priced on hetzner-cx42, a CPU machine at a stated throughput")
    assert "prompt at the stated 20 requests/s" in note


def test_a_gpu_timing_on_a_gpu_serving_machine_is_priced_at_its_hour(tmp_path: Path) -> None:
    store, run_id = make_run(tmp_path / "s.db", H100, pricing={"self_hosted": "h100"})
    evidence = priced(store, run_id)
    machine = evidence.pricing.machine
    # h100-on-demand: $2.99/h x 720 h = $2,152.80 a month
    assert (machine.name, machine.kind) == ("h100-on-demand", "gpu")
    assert machine.monthly == pytest.approx(2152.80)
    summary = summary_of(evidence)
    # 0.5 s an item: one H100 half busy serves 720 x 3600 / 0.5 x 0.5 = 2,592,000 a month, so
    # 100,000 requests take the one GPU: $2,152.80 / 100,000 x 1,000 = $21.528 per 1k
    assert summary.arms[0].cost_per_1k == pytest.approx(21.528)
    assert summary.machine_notes == ()  # measured on the GPU it is priced as
    doc = build_document(store, run_id)
    assert doc.prices[0].name == "h100-on-demand (self-hosted GPU)"
    assert doc.prices[0].value == "$2,152.80/month ($2.99/h x 720 h)"


def test_measuring_and_serving_machines_that_differ_are_said(tmp_path: Path) -> None:
    store, run_id = make_run(tmp_path / "s.db", EPYC, training=(3600.0, EPYC))
    doc = build_document(store, run_id)
    [note] = [c for c in doc.verdict.caveats if c.startswith("Machine time of")]
    assert note.startswith(
        "Machine time of prompt, the fine-tune was measured on CPU AMD EPYC 7B13, 2 cores and is "
        "priced as hetzner-cx42, a CPU machine: the measuring and serving machines differ"
    )
    # an hour of CPU training at hetzner-cx42's $26 / 720 h = $0.036111
    assert doc.training[0].cost == pytest.approx(26 / 720)
    assert doc.training[0].basis == "3,600 s on hetzner-cx42 at $0.0361/h"


def test_gpu_training_is_priced_at_the_gpu_it_ran_on(tmp_path: Path) -> None:
    store, run_id = make_run(tmp_path / "s.db", EPYC, training=(3600.0, H100))
    [job] = priced(store, run_id).training
    # an hour on an H100 at h100-on-demand's $2.99/h, not hetzner-cx42's $0.036
    assert job.cost == pytest.approx(2.99)
    assert job.basis.startswith("3,600 s on h100-on-demand at $2.99/h")
    unknown = Device("gpu", "NVIDIA RTX 9999")
    store, run_id = make_run(tmp_path / "u.db", EPYC, training=(3600.0, unknown))
    with pytest.raises(RagtuneError, match="ran on GPU NVIDIA RTX 9999, which the price catalog"):
        priced(store, run_id)
