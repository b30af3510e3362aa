"""`ragtune check` and `ragtune run` read each API backend's model lifecycle before anything
runs: a model that shuts down inside the horizon is a warning on stderr (and in `check --json`),
one already shut down stops both commands with exit 2 and the fix. "Today" is pinned through
`RAGTUNE_TODAY`; no model is called (the refusal comes first, the warning cases run
`check` only)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.store import RunStore


def write(root: Path, backends: str, horizon: int = 12) -> Path:
    rows = [
        {"id": f"i{i}", "input": f"message {i}", "target": "billing" if i % 2 else "bug",
         "split": "test"}
        for i in range(6)
    ]  # fmt: skip
    (root / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    path = root / "w.yaml"
    path.write_text(
        "task: classify\nlabels: [billing, bug]\ndata: {path: data.jsonl}\n"
        f"arms: [prompt]\nbackends: {backends}\npricing: {{horizon_months: {horizon}}}\n"
    )
    return path


def invoke(args: list[str], today: str = "2026-12-07"):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, args, env={"RAGTUNE_TODAY": today})


def test_a_model_ending_inside_the_horizon_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "{cheap: 'openai:gpt-4o', judge: 'openai:gpt-5-mini'}")
    result = invoke(["check", "--no-estimate", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "warning: backends.cheap = openai:gpt-4o: gpt-4o shuts down on 2027-01-14, 1.2 months "
        "from 2026-12-07" in result.stderr
    )
    assert "warning: backends.judge = openai:gpt-5-mini: gpt-5-mini shuts down on 2026-12-11" in (
        result.stderr
    )
    assert result.stdout.rstrip().endswith("ok")


def test_outside_the_horizon_there_is_nothing_to_say(tmp_path: Path) -> None:
    # 2026-12-07 + 1 month = 2027-01-07, a week before gpt-4o ends
    result = invoke(["check", "--no-estimate", str(write(tmp_path, "{cheap: 'openai:gpt-4o'}", 1))])
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_check_json_lists_the_shutdowns(tmp_path: Path) -> None:
    path = write(tmp_path, "{strong: 'openai:ft:gpt-4o-mini:acme::x1'}")
    result = invoke(["check", "--no-estimate", "--json", str(path)])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["shutdowns"]
    assert row["field"] == "backends.strong" and row["model"] == "gpt-4o-mini"
    assert row["shutdown"] == "2027-01-14"  # a fine-tune ends with its base model


def test_a_model_already_shut_down_stops_check_and_run(tmp_path: Path) -> None:
    path = write(tmp_path, "{cheap: 'anthropic:claude-sonnet-4-5'}")
    for args in (["check", "--no-estimate", str(path)],
                 ["run", str(path), "--store", str(tmp_path / "s.db")]):  # fmt: skip
        result = invoke(args)
        assert result.exit_code == 2, result.output
        assert "a backend's model has already shut down" in result.stderr
        assert "backends.cheap = anthropic:claude-sonnet-4-5" in result.stderr
        assert "shut down on 2026-11-30" in result.stderr
        assert "hint: name a current model in that field" in result.stderr
    assert not RunStore.open(tmp_path / "s.db").list_runs()  # refused before a run was made
    # the day before its shutdown the same workload is only a warning
    result = invoke(["check", "--no-estimate", str(path)], today="2026-11-29")
    assert result.exit_code == 0 and "shuts down on 2026-11-30" in result.stderr
