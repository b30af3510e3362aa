"""The fine-tune plan: the max_examples cap (stratified, seeded), step counts, examples seen,
and `ragtune check` printing the plan for a 10,000-example workload."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.config import load_workload
from ragtune.finetune.config import TuneConfig
from ragtune.finetune.plan import examples_seen, plan_training, sample_train, steps_for
from ragtune.finetune.workload import workload_job

LABELS = ["a"] * 50 + ["b"] * 30 + ["c"] * 15 + ["d"] * 5


def test_the_cap_keeps_each_labels_share() -> None:
    """20 of 100 (50/30/15/5): quotas 10, 6, 3, 1 exactly."""
    items = [(i, label) for i, label in enumerate(LABELS)]
    got = Counter(label for _, label in sample_train(items, 20, seed=0, key=lambda x: x[1]))
    assert got == {"a": 10, "b": 6, "c": 3, "d": 1}


def test_leftover_examples_go_to_the_largest_remainders() -> None:
    """7 of 100: quotas 3.5, 2.1, 1.05, 0.35 -> floors 3, 2, 1, 0 (6); the one left goes to the
    largest remainder, a (0.5): a 4, b 2, c 1, d 0."""
    items = [(i, label) for i, label in enumerate(LABELS)]
    got = Counter(label for _, label in sample_train(items, 7, seed=0, key=lambda x: x[1]))
    assert got == {"a": 4, "b": 2, "c": 1}


def test_the_cap_is_seeded_and_keeps_input_order() -> None:
    items = [(i, label) for i, label in enumerate(LABELS)]
    first = sample_train(items, 20, seed=1, key=lambda x: x[1])
    assert first == sample_train(items, 20, seed=1, key=lambda x: x[1])
    assert first != sample_train(items, 20, seed=2, key=lambda x: x[1])
    assert [i for i, _ in first] == sorted(i for i, _ in first)
    assert sample_train(items, None, seed=0, key=lambda x: x[1]) == items
    assert sample_train(items, 500, seed=0, key=lambda x: x[1]) == items


def test_steps_and_examples_seen() -> None:
    """10,003 examples, batch 8, 1 epoch: ceil(10,003 / 8) = 1,251 steps. The issue's run: 150
    steps of 8 over 9,003 examples saw 150 x 8 = 1,200 examples, not 9,003. Two epochs of 20
    examples at batch 8 (3 steps an epoch, 6 steps) see 40."""
    config = TuneConfig(epochs=1.0, batch_size=8)
    assert steps_for(10_003, config) == (1251, 1251)
    assert examples_seen(150, 9003, config) == 1200
    assert examples_seen(6, 20, TuneConfig(epochs=2.0, batch_size=8)) == 40
    plan = plan_training(
        TuneConfig(max_steps=150, batch_size=8), 9003, 900_300, available=10_003, capped=True
    )
    assert plan.steps == 150 and plan.seen(TuneConfig(max_steps=150, batch_size=8)) == 1200
    # 150 of 1,126 steps an epoch: 900,300 tokens x 150/1126 = 119,933 tokens
    assert plan.tokens == round(900_300 * 150 / 1126)
    timed = plan.with_timing(seconds=2.0, tokens=1000, steps=2)  # 500 tokens/s
    assert timed.estimated_s == pytest.approx(plan.tokens / 500)
    line = timed.describe(TuneConfig(max_steps=150, batch_size=8))
    assert "9,003 training examples (10,003 in the train split, capped" in line
    assert "1,200 examples seen" in line and "500.0 tokens/s" in line


def big_workload(tmp_path: Path, max_examples: int | None = None) -> Path:
    """10,000 training messages over 4 labels (2,500 each), 40 test messages."""
    rows = [
        {"id": f"t{i}", "text": f"message {i} about topic {i % 4}", "label": f"l{i % 4}",
         "split": "train"}
        for i in range(10_000)
    ] + [
        {"id": f"x{i}", "text": f"test message {i}", "label": f"l{i % 4}", "split": "test"}
        for i in range(40)
    ]  # fmt: skip
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    cap = f", max_examples: {max_examples}" if max_examples else ""
    (tmp_path / "w.yaml").write_text(
        "task: classify\n"
        "labels: [l0, l1, l2, l3]\n"
        "data: {path: data.jsonl, fields: {input: text, target: label}}\n"
        f"arms: {{prompt: {{}}, finetune: {{epochs: 1{cap}}}}}\n"
    )
    return tmp_path / "w.yaml"


def test_max_examples_caps_the_job_stratified(tmp_path: Path) -> None:
    job = workload_job(load_workload(big_workload(tmp_path, 400)))
    assert job.available == 10_000 and len(job.examples) == 400
    assert Counter(c.answer for c in job.examples) == {f"l{i}": 100 for i in range(4)}


def test_a_bad_max_examples_is_a_clear_error(tmp_path: Path) -> None:
    path = big_workload(tmp_path)
    path.write_text(path.read_text().replace("epochs: 1", "epochs: 1, max_examples: 0"))
    result = CliRunner().invoke(cli, ["check", str(path), "--no-estimate"])
    assert result.exit_code == 2
    assert "arms.finetune.max_examples" in result.stderr and "given: 0" in result.stderr


def test_check_prints_the_plan_of_a_10000_example_workload(tmp_path: Path) -> None:
    """10,000 train examples, 10% held out for validation: 9,000 at batch 8, 1 epoch ->
    ceil(9,000 / 8) = 1,125 steps. With max_examples 400: 360 -> 45 steps."""
    result = CliRunner().invoke(cli, ["check", str(big_workload(tmp_path)), "--no-estimate"])
    assert result.exit_code == 0, result.output
    assert "fine-tune plan: 1,125 steps" in result.stdout
    assert "9,000 training examples" in result.stdout and "tokens" in result.stdout
    capped = CliRunner().invoke(
        cli, ["check", str(big_workload(tmp_path, 400)), "--no-estimate", "--json"]
    )
    plan = json.loads(capped.stdout)["finetune"]
    assert plan["steps"] == 45 and plan["examples"] == 360 and plan["available"] == 10_000
    assert (
        plan["capped"]
        and not json.loads(
            CliRunner()
            .invoke(cli, ["check", str(big_workload(tmp_path)), "--no-estimate", "--json"])
            .stdout
        )["finetune"]["capped"]
    )


@pytest.mark.slow
def test_check_estimates_the_time_from_a_timed_warm_up(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(big_workload(tmp_path))])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("fine-tune plan"))
    assert "1,125 steps" in line and "estimated" in line and "2 timed steps" in line
