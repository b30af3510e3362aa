"""Executors without a cluster: the API gate's arithmetic, the gated backend's batching, the
in-process executor, the errors for a bad `--executor` choice, timeout or a missing `ray`, and
what a Ray worker builds (its class called directly, on the scripted backend: the driver's typed
settings, a router's shipped threshold)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ragtune.backends.base import Latency, Request, Response, Usage
from ragtune.config import load_workload
from ragtune.data import Example
from ragtune.errors import RagtuneError
from ragtune.running.call_gate import CallGate, GatedBackend
from ragtune.running.executors import (
    ArmJob,
    ExecutorOptions,
    InProcess,
    ShardResult,
    check_executor,
    create_executor,
)
from ragtune.running.ray_executor import ArmWorker, WorkerSpec, import_ray, shipped
from ragtune.running.resources import build_resources
from ragtune.strategies import Prediction, create_arm

CLASSIFY = Path(__file__).parents[2] / "src" / "ragtune" / "examples" / "workloads"


def test_gate_never_lets_more_than_its_limit_in_flight() -> None:
    # 6 callers each want 3 slots from a gate of 4: the first gets 3, the second the 1 left,
    # the rest wait; in flight never exceeds 4 and every caller is served.
    async def main() -> tuple[int, list[int]]:
        gate = CallGate(4)
        grants: list[int] = []

        async def caller() -> None:
            got = await gate.acquire(3)
            grants.append(got)
            await asyncio.sleep(0.01)
            await gate.release(got)

        await asyncio.gather(*(caller() for _ in range(6)))
        stats = await gate.stats()
        assert stats["in_flight"] == 0
        return stats["peak"], grants

    peak, grants = asyncio.run(main())
    assert peak == 4
    assert len(grants) == 6 and all(1 <= g <= 3 for g in grants)
    assert grants[:2] == [3, 1]


def test_gate_rejects_a_limit_below_one() -> None:
    with pytest.raises(RagtuneError, match="at least 1"):
        CallGate(0)


class Echo:
    """A backend that answers each request with its own prompt, recording the batch sizes."""

    name = "openai-compatible:http://127.0.0.1:1/v1#echo"
    model = "echo"
    context_window = 4096

    def __init__(self, fail_on: int | None = None) -> None:
        self.batches: list[int] = []
        self.fail_on = fail_on

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        self.batches.append(len(requests))
        if self.fail_on is not None and len(self.batches) == self.fail_on:
            raise RuntimeError("server went away")
        return [
            Response(
                r.messages[-1].content, "stop", Usage(1, 0, 0, 1), Latency(0.0), self.name, "m"
            )
            for r in requests
        ]

    def close(self) -> None:
        pass


def test_gated_backend_sends_a_batch_in_granted_pieces_and_keeps_order() -> None:
    inner = Echo()
    granted: list[int] = []
    released: list[int] = []

    def acquire(wanted: int) -> int:  # a gate with 3 slots free each time
        granted.append(min(wanted, 3))
        return granted[-1]

    gated = GatedBackend(inner, acquire, released.append)
    requests = [Request.ask(f"q{i}") for i in range(8)]
    out = gated.generate(requests)
    assert [r.text for r in out] == [f"q{i}" for i in range(8)]
    assert inner.batches == [3, 3, 2] == granted == released
    assert gated.context_window == 4096  # everything else is the inner backend's


def test_gated_backend_releases_its_slots_when_the_call_fails() -> None:
    released: list[int] = []
    gated = GatedBackend(Echo(fail_on=1), lambda wanted: 2, released.append)
    with pytest.raises(RuntimeError):
        gated.generate([Request.ask("a"), Request.ask("b")])
    assert released == [2]


class Doubler:
    """An arm that answers each item with its input twice; records the shards it was given."""

    name = "prompt"

    def __init__(self) -> None:
        self.shards: list[list[str]] = []

    def predict(self, items: Sequence[Example]) -> list[Prediction]:
        self.shards.append([e.id for e in items])
        return [Prediction(e.id, e.input * 2, e.input * 2) for e in items]


def test_in_process_executor_answers_every_shard_in_order() -> None:
    arm = Doubler()
    shards = [[Example(f"i{n}", f"x{n}", None)] for n in range(3)]
    written: list[ShardResult] = []
    InProcess().answer(arm, ArmJob("prompt", 0), shards, written.append)  # type: ignore[arg-type]
    assert arm.shards == [["i0"], ["i1"], ["i2"]]
    assert [p.text for r in written for p in r.predictions] == ["x0x0", "x1x1", "x2x2"]
    assert all(r.wall_s >= 0 for r in written)


def test_unknown_executor_names_the_valid_ones(tmp_path: Path) -> None:
    workload = load_workload(CLASSIFY / "classify.yaml")
    with pytest.raises(RagtuneError) as err:
        create_executor(
            "dask", ExecutorOptions(), workload=workload, arms=["prompt"], work_dir=tmp_path,
            cache_path=None,
        )  # fmt: skip
    assert "unknown executor 'dask'" in str(err.value)
    assert "inprocess, ray" in str(err.value)


def test_ray_options_without_the_ray_executor_are_an_error(tmp_path: Path) -> None:
    workload = load_workload(CLASSIFY / "classify.yaml")
    with pytest.raises(RagtuneError) as err:
        create_executor(
            "inprocess", ExecutorOptions(workers=2), workload=workload, arms=["prompt"],
            work_dir=tmp_path, cache_path=None,
        )  # fmt: skip
    assert "workers=2" in str(err.value) and "--executor ray" in str(err.value)


def test_missing_ray_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    with pytest.raises(RagtuneError) as err:
        import_ray()
    assert "pip install 'ragtune[ray]'" in str(err.value)


def test_cli_rejects_workers_without_the_ray_executor(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "--arms", "prompt", "--workers", "2")
    assert result.exit_code == 2, result.output
    assert "apply to the Ray executor only" in result.output


def test_workload_executor_must_be_a_known_one(tmp_path: Path) -> None:
    text = (CLASSIFY / "classify.yaml").read_text().replace("seed: 0", "seed: 0\nexecutor: dask")
    path = tmp_path / "w.yaml"
    path.write_text(text.replace("../sample/", str(CLASSIFY.parent / "sample") + "/"))
    with pytest.raises(RagtuneError) as err:
        load_workload(path)
    assert "executor" in str(err.value) and "ray" in str(err.value)


def test_gate_frees_the_slots_of_a_worker_that_died_holding_them() -> None:
    # worker-1 takes all 4 slots and dies; worker-2 would wait forever unless the driver
    # forgets worker-1, which frees its 4 slots.
    async def main() -> tuple[int, int]:
        gate = CallGate(4)
        assert await gate.acquire(8, "worker-1") == 4
        waiting = asyncio.ensure_future(gate.acquire(2, "worker-2"))
        await asyncio.sleep(0.01)
        assert not waiting.done()
        freed = await gate.forget("worker-1")
        granted = await asyncio.wait_for(waiting, timeout=1)
        return freed, granted

    assert asyncio.run(main()) == (4, 2)


def test_ray_timeouts_without_the_ray_executor_or_below_zero_are_errors(tmp_path: Path) -> None:
    workload = load_workload(CLASSIFY / "classify.yaml")
    kwargs: dict[str, Any] = {"workload": workload, "arms": ["prompt"], "work_dir": tmp_path,
                              "cache_path": None}  # fmt: skip
    with pytest.raises(RagtuneError) as err:
        create_executor("inprocess", ExecutorOptions(shard_timeout_s=60), **kwargs)
    assert "shard_timeout=60" in str(err.value) and "--executor ray" in str(err.value)
    with pytest.raises(RagtuneError) as err:
        check_executor("ray", ExecutorOptions(shard_timeout_s=0))
    assert "more than 0 seconds (given: 0)" in str(err.value)
    assert "--shard-timeout 1800" in (err.value.hint or "")


def test_cli_rejects_a_shard_timeout_of_zero(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "--executor", "ray", "--shard-timeout", "0")
    assert result.exit_code == 2, result.output
    assert "--shard-timeout': 0.0 is not in the range x>0" in result.output
    assert not (tmp_path / "s.db").exists()  # rejected before anything was written


def scripted_workload(root: Path, arms: str) -> Path:
    """Classify on the scripted backends: 8 train, 6 validation, 5 test items, 2 labels; the
    scripted backend answers the label a message names ("... about billing") with confidence
    0.9, and the first label with 0.2 when none is named."""
    rows = []
    for split, n in (("train", 8), ("validation", 6), ("test", 5)):
        for i in range(n):
            label = ("billing", "other")[i % 2]
            text = f"{split} message {i} about {label}" if i % 3 else f"{split} message {i}"
            rows.append({"id": f"{split}{i}", "text": text, "label": label, "split": split})
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "support.txt").write_text("You sort support tickets for ACME.\n")
    path = root / "w.yaml"
    path.write_text(
        "task: classify\nlabels: [billing, other]\n"
        "data: {path: data.jsonl, fields: {input: text, target: label, id: id, split: split,"
        " doc_ids: null}}\n"
        'backends: {cheap: "scripted:cheap", strong: "scripted:strong"}\n'
        f"arms:\n{arms}"
    )
    return path


def test_a_ray_worker_builds_the_arm_from_the_drivers_typed_settings(
    tmp_path: Path, scripted: Any
) -> None:
    # The workload names an instructions *file*; the driver's arm prompts with the file's text.
    # The worker (called directly here: the class is what each Ray actor runs) must do the
    # same, not prompt with the file name the raw workload mapping holds.
    workload = load_workload(scripted_workload(tmp_path, "  prompt: {instructions: support.txt}\n"))
    items = workload.split("test")
    (tmp_path / "work").mkdir()  # the run's work dir, which the executor creates
    resources = build_resources(workload, ["prompt"], tmp_path / "work")
    driver = create_arm("prompt", resources, workload.arms["prompt"]).predict(items)
    driver_system = [r.system for r in scripted.seen["cheap"]]
    scripted.seen["cheap"].clear()
    spec = WorkerSpec(workload, ("prompt",), tmp_path / "work", None)
    result = ArmWorker(spec).answer(ArmJob("prompt", 0), items)
    worker_system = [r.system for r in scripted.seen["cheap"]]
    assert "You sort support tickets for ACME." in worker_system[0]
    assert worker_system == driver_system
    assert [p.text for p in result.predictions] == [p.text for p in driver]


def test_a_router_calibrates_on_the_driver_and_its_workers_use_that_threshold(
    tmp_path: Path, scripted: Any
) -> None:
    workload = load_workload(
        scripted_workload(tmp_path, "  router: {first: prompt, escalate: fewshot}\n")
    )
    items = workload.split("test")
    (tmp_path / "work").mkdir()
    resources = build_resources(workload, ["router"], tmp_path / "work")
    router = create_arm("router", resources, workload.arms["router"])
    # calibration: the first and the escalation arm each answered the 6 validation items
    assert len(scripted.seen["cheap"]) == 6 and len(scripted.seen["strong"]) == 6
    # Validation confidences: 0.2 for items 0 and 3 (they name no label, so the scripted
    # backend answers "billing": right for item 0, wrong for item 3), 0.9 for the other four
    # (right). Candidate thresholds {0, 0.2, 0.9, 0.9+1e-9} all route to quality 5/6 = 0.83
    # (the escalation arm answers on the same scripted rule, so item 3 stays wrong), so all
    # reach the 0.8 target and the lowest escalation rate, then the lowest threshold, wins:
    # t = 0.0 (escalation 0 of 6).
    assert router.threshold == 0.0
    ship = shipped(router)
    assert ship is not None and ship.threshold == router.threshold
    scripted.seen["cheap"].clear()
    scripted.seen["strong"].clear()
    spec = WorkerSpec(workload, ("router",), tmp_path / "work", None)
    worker = ArmWorker(spec)
    result = worker.answer(ArmJob("router", 0, ship), items)
    # no calibration on the worker: only the 5 test items were asked, none escalated (t = 0)
    assert len(scripted.seen["cheap"]) == 5 and scripted.seen["strong"] == []
    assert worker.arms["router"].threshold == router.threshold  # type: ignore[attr-defined]
    # the driver's arm counts what the worker answered, for the report's escalation rate
    router.observe(result.predictions)  # type: ignore[attr-defined]
    assert router.info["escalation_rate"] == 0.0 and router.answered == 5  # type: ignore[attr-defined]


def test_gate_never_grants_slots_to_a_worker_it_forgot() -> None:
    # worker-1 holds all 4 slots; worker-2 waits for 2; worker-2 dies while waiting (its
    # acquire is still pending in the gate) and the driver forgets it. When worker-1 releases,
    # the dead worker-2 must get nothing: else its 2 slots would never come back and worker-3
    # (asking for 4) would wait on 2 free slots for a grant of 2, then never get the rest.
    async def main() -> tuple[int, int, dict[str, int]]:
        gate = CallGate(4)
        assert await gate.acquire(4, "worker-1") == 4
        dead = asyncio.ensure_future(gate.acquire(2, "worker-2"))
        await asyncio.sleep(0.01)
        assert await gate.forget("worker-2") == 0  # it held nothing yet
        dead_got = await asyncio.wait_for(dead, timeout=1)  # woken, granted nothing
        await gate.release(4, "worker-1")
        live_got = await asyncio.wait_for(gate.acquire(4, "worker-3"), timeout=1)
        return dead_got, live_got, await gate.stats()

    dead_got, live_got, stats = asyncio.run(main())
    assert dead_got == 0 and live_got == 4
    assert stats["in_flight"] == 4  # worker-3's 4, nothing leaked to worker-2


def _run_cli(tmp_path: Path, *options: str) -> Any:
    """`ragtune run` on the bundled classify workload with these options, into a fresh store."""
    from click.testing import CliRunner

    import ragtune.cli  # noqa: F401  (registers every command on the group)
    from ragtune.cli.main import cli

    args = ["run", str(CLASSIFY / "classify.yaml"), *options, "--store", str(tmp_path / "s.db")]
    return CliRunner().invoke(cli, args)
