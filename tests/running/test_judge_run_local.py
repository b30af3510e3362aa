"""The evidence run with a real local judge (SmolLM2-135M) and two repeats, end to end.

Slow: a real model answers and judges every item; kept to one arm and four test items, run once
per session and shared by the tests below.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.backends.base import Request, Response
from ragtune.backends.registry import create_backend
from ragtune.cli.main import cli
from ragtune.cli.workload import template
from ragtune.config import load_workload
from ragtune.data import Limit
from ragtune.running.judge_run import judge_run
from ragtune.running.runner import RunOptions, run_workload
from ragtune.store.runstore import RunStore

pytestmark = pytest.mark.slow


@dataclass
class Judged:
    store_path: Path
    run_id: str
    workload: Any


@pytest.fixture(scope="session")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Judged:
    root = tmp_path_factory.mktemp("judged")
    path = root / "qa.yaml"
    path.write_text(
        template("qa")
        .replace("judge: null", "judge: local:smollm2-135m")
        .replace("repeats: 1", "repeats: 2")
    )
    workload = load_workload(path)
    store_path = root / "store.db"
    options = RunOptions(
        arms=("prompt",),
        limit=Limit(4, "first"),
        work_root=root / "runs",
        cache_path=root / "responses.sqlite",
    )
    with RunStore.open(store_path) as store:
        run_id = run_workload(workload, store, options, source=str(path))
    return Judged(store_path, run_id, workload)


def test_every_test_answer_is_judged_and_the_judge_is_priced_apart(judged: Judged) -> None:
    store = RunStore.open(judged.store_path)
    test_ids = {i.id for i in store.list_items(judged.run_id, split="test")}
    verdicts = store.metrics(judged.run_id, arm="prompt", name="judge_correct", per_item=True)
    assert {v.item_id for v in verdicts} == test_ids
    assert all(v.value in (0.0, 1.0, None) for v in verdicts)
    repeat0 = [
        p for p in store.predictions(judged.run_id, "prompt", repeat=0) if p.item_id in test_ids
    ]
    stages = [sorted(m.stage for m in p.measurements) for p in repeat0]
    assert stages == [["answer"]] * 4  # the judge's calls are in their own table
    judged_items = {j.item_id for j in store.judge_calls(judged.run_id) if j.repeat == 0}
    assert judged_items == test_ids
    # machine time per item is the batch's serving time, without the one-off model load
    for p in repeat0:
        [answer] = p.measurements
        assert answer.latency_s is not None and answer.batch is not None
        assert p.wall_share_s * answer.batch <= answer.latency_s + max(1.0, answer.latency_s / 4)
    result = CliRunner().invoke(
        cli, ["runs", "show", judged.run_id, "--store", str(judged.store_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    [arm] = summary["arms"]
    assert arm["judge_metric"] == "judge_correct" and arm["judge_quality"]["method"] == "wilson"
    answer_input = sum(m.input_tokens for p in repeat0 for m in p.measurements)
    assert arm["tokens"]["input"] == pytest.approx(answer_input / 4)  # no judge tokens in the arm
    judge = summary["judge"]
    assert judge["calls"] == 4 and judge["priced"] == "self-hosted machine time"
    assert judge["tokens"]["input"] > 0 and judge["seconds"] > 0 and judge["cost"] > 0


def test_repeats_are_answered_afresh_and_give_a_spread(judged: Judged) -> None:
    store = RunStore.open(judged.store_path)
    test_ids = {i.id for i in store.list_items(judged.run_id, split="test")}
    again = [
        p for p in store.predictions(judged.run_id, "prompt", repeat=1) if p.item_id in test_ids
    ]
    assert len(again) == 4
    # the response cache was on: repeat 1 is keyed by its own seed, not replayed from repeat 0
    assert not any(m.cached for p in again for m in p.measurements)
    assert all(m.batch and m.batch >= 1 for p in again for m in p.measurements)
    result = CliRunner().invoke(
        cli, ["runs", "show", judged.run_id, "--store", str(judged.store_path)]
    )
    assert result.exit_code == 0, result.output
    assert "repeats" in result.stdout and "±" in result.stdout  # the spread column
    assert "judge local:smollm2-135m" in result.stdout
    shown = CliRunner().invoke(
        cli, ["runs", "show", judged.run_id, "--store", str(judged.store_path), "--json"]
    )
    spread = json.loads(shown.stdout)["arms"][0]["spread"]
    assert spread["n_repeats"] == 2 and spread["n_items"] == 4
    assert spread["min"] <= spread["mean"] <= spread["max"]


class Counting:
    """The real local backend, counting the requests that reach it."""

    def __init__(self) -> None:
        self.inner = create_backend("local:smollm2-135m")
        self.name, self.model, self.requests = self.inner.name, self.inner.model, 0

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        self.requests += len(requests)
        return self.inner.generate(requests)

    def close(self) -> None:
        self.inner.close()


def test_a_resumed_run_does_not_judge_again(judged: Judged) -> None:
    spec = judged.workload.spec.backends.judge_spec
    counting = Counting()
    with RunStore.open(judged.store_path) as store:
        before = len(store.metrics(judged.run_id, name="judge_correct", per_item=True))
        judge_run(store, judged.run_id, "qa", spec, backend=counting)
        after = len(store.metrics(judged.run_id, name="judge_correct", per_item=True))
    assert counting.requests == 0 and before == after == 4
