"""`ragtune tune` and `ragtune tune export` through click: errors are messages, not tracebacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ragtune.cli.main import cli

DATA = Path(__file__).parent / "data"


def run(*args: str) -> Any:
    import ragtune.cli  # noqa: F401  (registers the commands)

    return CliRunner().invoke(cli, list(args))


def test_help_has_examples() -> None:
    assert "ragtune tune --data train.jsonl" in run("tune", "--help").output
    assert "--gguf" in run("tune", "export", "--help").output


def test_a_missing_workload_file_is_a_clean_error(tmp_path: Path) -> None:
    result = run("tune", str(tmp_path / "workload.yaml"))
    assert result.exit_code == 2 and "workload.yaml" in result.output
    assert "Traceback" not in result.output


def test_bad_input_gives_clean_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = run("tune", "--data", str(empty), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "no training examples found" in result.output
    assert "Traceback" not in result.output
    one_label = tmp_path / "one.jsonl"
    one_label.write_text(
        "".join(json.dumps({"text": f"t{i}", "label": "a"}) + "\n" for i in range(5))
    )
    result = run("tune", "--data", str(one_label), "--out", str(tmp_path / "o2"))
    assert result.exit_code == 2 and "same answer" in result.output
    result = run("tune")
    assert result.exit_code == 2 and "--data" in result.output
    result = run("tune", "--out", str(tmp_path / "none"), "--resume")
    assert "not a fine-tuning run folder" in result.output
    result = run("tune", "export", str(tmp_path))
    assert result.exit_code == 2 and "not a fine-tuning run folder" in result.output


@pytest.mark.slow
def test_tune_then_export_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run(
        "tune",
        "--data",
        str(DATA / "intents_train.jsonl"),
        "--out",
        str(out),
        "--max-steps",
        "1",
        "--batch-size",
        "2",
        "--val-fraction",
        "0.02",
        "--threads",
        "1",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # progress lines go to stderr
    assert data["steps"] == 1 and data["cost"]["tokens"] > 0
    result = run("tune", "export", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert Path(json.loads(result.output)["merged"], "model.safetensors").is_file()
