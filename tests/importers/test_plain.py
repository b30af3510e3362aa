"""`ragtune import answers`: plain JSONL/CSV answers per arm, other column names mapped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ragtune.cli.main import cli
from ragtune.cost.catalog import load_catalog
from ragtune.errors import ValidationError
from ragtune.importers import parse_columns, plan, read_answers


def test_csv_with_other_column_names_and_a_data_file(tmp_path: Path) -> None:
    (tmp_path / "test.jsonl").write_text(
        "".join(json.dumps({"id": f"q{i}", "input": f"q {i}", "target": "yes"}) + "\n"
                for i in range(6))
        + json.dumps({"id": "q6", "input": "q 6", "target": "no"}) + "\n"
    )  # fmt: skip
    (tmp_path / "prod.csv").write_text(
        "qid,output,input_tokens,output_tokens,latency_s,model\n"
        + "".join(f"q{i},yes,1000,5,0.5,claude-haiku-4-5\n" for i in range(7))
    )
    (tmp_path / "cheap.jsonl").write_text(
        "".join(json.dumps({"qid": f"q{i}", "output": "no" if i == 0 else "yes"}) + "\n"
                for i in range(5))  # q5 unanswered
    )  # fmt: skip
    out = tmp_path / "imported"
    result = CliRunner().invoke(cli, [
        "import", "answers", f"prod={tmp_path / 'prod.csv'}", f"cheap={tmp_path / 'cheap.jsonl'}",
        "--data", str(tmp_path / "test.jsonl"), "--map", "id=qid", "--map", "answer=output",
        "--task", "classify", "--labels", "yes,no,maybe", "--out", str(out),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "5 test items, 2 arms from answers" in result.output
    assert (
        "missing_in_arm: cheap: did not answer" in result.output and "(2: q5, q6)" in result.output
    )
    assert "unknown_model: cheap: no model recorded" in result.output
    rows = [json.loads(x) for x in (out / "answers" / "prod.jsonl").read_text().splitlines()]
    assert rows[0] == {"id": "q0", "answer": "yes", "input_tokens": 1000, "output_tokens": 5,
                       "latency_s": 0.5, "model": "claude-haiku-4-5"}  # fmt: skip
    assert "labels:\n- 'yes'\n- 'no'\n- maybe" in (out / "workload.yaml").read_text()
    run = CliRunner().invoke(cli, ["run", str(out / "workload.yaml"),
                                   "--store", str(tmp_path / "s.db")])  # fmt: skip
    assert run.exit_code == 0, run.output and "verdict:" in run.output


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "q1", "answer": "x", "input": "i", "target": "x"}) + "\n"
        + json.dumps({"answer": "y"}) + "\n"
        + json.dumps({"id": "q3", "answer": "z", "input": "i", "target": "z",
                      "input_tokens": "lots"}) + "\n"
    )  # fmt: skip
    with pytest.raises(ValidationError) as err:
        read_answers({"a": tmp_path / "a.jsonl"}, load_catalog())
    text = str(err.value)
    assert "2 problems found" in text
    assert "a (a.jsonl line 2): each row needs `id` and `answer`" in text
    assert "a (a.jsonl line 3).input_tokens: must be a number >= 0" in text


def test_answers_without_inputs_or_gold_are_not_guessed(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "q1", "answer": "x", "input": "i", "target": "x"}) + "\n"
        + json.dumps({"id": "q2", "answer": "y", "input": "j"}) + "\n"
    )  # fmt: skip
    p = plan(read_answers({"a": tmp_path / "a.jsonl"}, load_catalog()), "qa")
    assert [i.id for i in p.items] == ["q1"]
    assert [n.items for n in p.notes if n.kind == "no_gold"] == [("q2",)]
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "q1", "answer": "x"}) + "\n")
    with pytest.raises(ValidationError, match="1 items have no input: give --data"):
        read_answers({"b": tmp_path / "b.jsonl"}, load_catalog())


def test_a_bad_mapping_names_the_columns_allowed() -> None:
    with pytest.raises(Exception, match="COLUMN one of id, answer, input, target"):
        parse_columns(["reply=output"])
