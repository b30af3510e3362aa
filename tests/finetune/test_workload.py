"""`ragtune tune workload.yaml`: the job built from a workload, and a tiny real run via click."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ragtune.cli.main import cli
from ragtune.config import load_workload
from ragtune.errors import RagtuneError
from ragtune.finetune.workload import FALLBACK_BASE, workload_job

MESSAGES = [
    ("I was charged twice this month", "billing"),
    ("The export button crashes the app", "bug_report"),
    ("Please add a dark mode", "feature_request"),
    ("My invoice shows the wrong VAT", "billing"),
    ("Login page shows a blank screen", "bug_report"),
    ("Could you support CSV import?", "feature_request"),
    ("Refund my last payment please", "billing"),
    ("Search returns an error 500", "bug_report"),
]


def write_workload(
    folder: Path,
    *,
    cheap: str = "local:smollm2-135m",
    arms: str = "{finetune: {method: lora, epochs: 1, batch_size: 2, lora_layers: 2}}",
    splits: tuple[str, ...] = ("train",) * 6 + ("test",) * 2,
) -> Path:
    rows = [
        {"id": f"m{i}", "text": text, "label": label, "split": split}
        for i, ((text, label), split) in enumerate(zip(MESSAGES, splits, strict=True))
    ]
    (folder / "intents.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = folder / "workload.yaml"
    path.write_text(
        "name: tiny-intents\ntask: classify\nseed: 3\n"
        "data:\n  path: intents.jsonl\n"
        "  fields: {input: text, target: label, id: id, split: split, doc_ids: null}\n"
        "labels: [billing, bug_report, feature_request]\n"
        f"arms: {arms}\n"
        f"backends: {{cheap: '{cheap}', strong: '{cheap}'}}\n"
    )
    return path


def test_job_takes_train_split_arm_settings_and_holds_out_test(tmp_path: Path) -> None:
    job = workload_job(load_workload(write_workload(tmp_path)))
    assert len(job.examples) == 6 and len(job.test) == 2 and job.task == "classify"
    first = job.examples[0].messages
    assert [m.role for m in first] == ["system", "user", "assistant"]
    assert (first[1].content, first[2].content) == MESSAGES[0]
    c = job.config
    assert (c.base, c.method, c.epochs, c.batch_size, c.seed) == ("smollm2-135m", "lora", 1, 2, 3)
    assert c.max_length == 256  # the arm's default, not TuneConfig's 512
    assert c.lora_layers == 2


def test_overrides_win_and_api_backends_fall_back_to_a_local_base(tmp_path: Path) -> None:
    path = write_workload(tmp_path, cheap="openai:gpt-4o-mini", arms="{prompt: {}}")
    job = workload_job(load_workload(path), max_steps=2, batch_size=4)
    assert job.config.base == FALLBACK_BASE
    assert (job.config.max_steps, job.config.batch_size, job.config.epochs) == (2, 4, 2.0)
    assert workload_job(load_workload(path), "gemma3-270m").config.base == "gemma3-270m"


def test_a_workload_without_training_examples_is_a_clear_error(tmp_path: Path) -> None:
    path = write_workload(tmp_path, arms="{prompt: {}}", splits=("validation",) * 4 + ("test",) * 4)
    with pytest.raises(RagtuneError, match="no training examples"):
        workload_job(load_workload(path))


def run(*args: str) -> Any:
    import ragtune.cli  # noqa: F401  (registers the commands)

    return CliRunner().invoke(cli, list(args))


def test_cli_rejects_data_with_a_workload_and_reports_bad_workloads(tmp_path: Path) -> None:
    path = write_workload(tmp_path)
    result = run("tune", str(path), "--data", "x.jsonl")
    assert result.exit_code == 2 and "--data cannot be combined" in result.output
    result = run("tune", str(tmp_path / "missing.yaml"))
    assert result.exit_code != 0 and "Traceback" not in result.output


@pytest.mark.slow
def test_tune_workload_trains_and_writes_card(tmp_path: Path, monkeypatch: Any) -> None:
    path = write_workload(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run(
        "tune", str(path), "--max-steps", "2", "--threads", "1", "--val-fraction", "0.2", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # progress lines go to stderr
    out = tmp_path / ".ragtune" / "tuned" / "tiny-intents"
    assert Path(data["out_dir"]).resolve() == out.resolve()
    assert data["steps"] == 2 and data["cost"]["tokens"] > 0
    assert data["val_loss_end"] is not None and data["estimated_cost"]
    assert (out / "adapter").is_dir() and (out / "README.md").is_file()
    config = json.loads((out / "config.json").read_text())
    assert config["batch_size"] == 2 and config["system"] == "Label the message."
    # the held-out test prompts were not used for training or validation
    trained = (out / "data" / "train.jsonl").read_text() + (
        out / "data" / "validation.jsonl"
    ).read_text()
    assert MESSAGES[6][0] not in trained and MESSAGES[7][0] not in trained
    result = run("tune", str(path), "--max-steps", "2")
    assert result.exit_code == 2 and "already holds a fine-tuning run" in result.output
