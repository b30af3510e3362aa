"""Workload files: the bundled templates load; bad ones report every problem at once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.cli.workload import template
from ragtune.config import TASKS, load_workload
from ragtune.errors import RagtuneError, ValidationError

TEMPLATES = Path(__file__).parents[2] / "src" / "ragtune" / "examples" / "workloads"


@pytest.mark.parametrize("task", TASKS)
def test_bundled_templates_load_with_all_splits(task: str) -> None:
    workload = load_workload(TEMPLATES / f"{task}.yaml")
    assert workload.spec.task == task
    for split in ("train", "validation", "test"):
        assert workload.split(split), split


@pytest.mark.parametrize("task", TASKS)
def test_init_writes_a_workload_that_checks(task: str, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--task", task, str(path)]).exit_code == 0
    assert path.read_text().startswith("# ragtune workload")
    result = runner.invoke(cli, ["check", str(path), "--json", "--no-estimate"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["task"] == task
    again = runner.invoke(cli, ["init", "--task", task, str(path)])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_own_csv_with_own_field_names(tmp_path: Path) -> None:
    """A user's CSV with its own column names works through the workload file alone."""
    (tmp_path / "tickets.csv").write_text(
        "ticket,body,category\n"
        + "".join(f"t{i},message number {i},{'billing' if i % 2 else 'bug'}\n" for i in range(40))
    )
    (tmp_path / "w.yaml").write_text(
        "task: classify\n"
        "data:\n"
        "  path: tickets.csv\n"
        "  fields: {input: body, target: category, id: ticket, split: null, doc_ids: null}\n"
        "  split_fractions: {train: 0.5, validation: 0.25, test: 0.25}\n"
        "labels: [billing, bug]\n"
        "arms: {prompt: {}, fewshot: {k: 2}}\n"
    )
    workload = load_workload(tmp_path / "w.yaml")
    assert len(workload.examples) == 40
    assert {e.split for e in workload.examples} == {"train", "validation", "test"}
    assert workload.examples[0].input == "message number 0"
    again = load_workload(tmp_path / "w.yaml")
    assert [e.split for e in again.examples] == [e.split for e in workload.examples]


def test_parquet_data(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"q": f"question {i}", "a": f"answer {i}", "s": "test" if i % 3 else "train"}
        for i in range(9)
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "d.parquet")
    (tmp_path / "w.yaml").write_text(
        "task: qa\ndata: {path: d.parquet, fields: {input: q, target: a, split: s, id: null,"
        " doc_ids: null}}\narms: {prompt: {}}\n"
    )
    workload = load_workload(tmp_path / "w.yaml")
    assert len(workload.split("test")) == 6


def test_every_problem_in_one_report(tmp_path: Path) -> None:
    """Missing paths, unknown arm, label outside the set, empty test split, invalid schema."""
    (tmp_path / "d.jsonl").write_text(
        '{"text": "hi", "label": "billing", "split": "train"}\n'
        '{"text": "yo", "label": "refunds", "split": "train"}\n'
        "not json at all\n"
        '{"text": "", "label": "bug", "split": "validation"}\n'
    )
    (tmp_path / "s.json").write_text('{"type": "objectt"}')
    (tmp_path / "w.yaml").write_text(
        "task: classify\n"
        "data: {path: d.jsonl, fields: {input: text, target: label, doc_ids: null, id: null}}\n"
        "labels: [billing, bug]\n"
        "schema: s.json\n"
        "knowledge: {path: no-such-folder}\n"
        "arms: {prompt: {}, rags: {}, fewshot: {}}\n"
        "repeats: 0\n"
    )
    with pytest.raises(ValidationError) as info:
        load_workload(tmp_path / "w.yaml")
    text = str(info.value)
    # pydantic problems and the unknown arm are reported together before data is read
    assert "arms.rags: unknown arm; did you mean 'rag'?" in text
    assert "repeats" in text
    (tmp_path / "w.yaml").write_text(
        (tmp_path / "w.yaml").read_text().replace("rags: {}, ", "").replace("repeats: 0\n", "")
    )
    with pytest.raises(ValidationError) as info:
        load_workload(tmp_path / "w.yaml")
    text = str(info.value)
    for expected in (
        "not valid JSON",
        "missing field(s) text",
        "outside the label set",
        "refunds",
        "test split is empty",
        "not a valid JSON Schema",
        "knowledge.path: not found",
    ):
        assert expected in text, expected


def test_cli_check_exits_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text("task: translate\ndata: {path: x.jsonl}\narms: {}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "ragtune", "check", str(tmp_path / "w.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "task" in proc.stderr and "arms" in proc.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [("", "expected a mapping"), ("task: [unclosed", "not valid YAML")],
)
def test_unreadable_workloads(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "w.yaml").write_text(content)
    with pytest.raises(RagtuneError, match=expected):
        load_workload(tmp_path / "w.yaml")
    with pytest.raises(RagtuneError, match="not found"):
        load_workload(tmp_path / "missing.yaml")


def test_template_paths_point_at_the_bundled_sample() -> None:
    text = template("qa")
    assert "../sample" not in text
    assert "/sample/qa.jsonl" in text
