"""`ragtune cost`, `breakeven` and `prices` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli

EXAMPLES = Path(__file__).parents[2] / "src" / "ragtune" / "examples" / "scenarios"
PROJECTS = str(EXAMPLES / "projects_vs_local.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cost_prints_a_table_with_the_article_figures() -> None:
    code, out, _ = run("cost", PROJECTS)
    assert code == 0
    assert "$68.00" in out and "$148" in out and "$40.50" in out
    assert "13,682" in out  # haiku-projects vs local break-even


def test_cost_json_is_machine_readable() -> None:
    code, out, _ = run("cost", str(EXAMPLES / "bigger_vs_finetuned.yaml"), "--json")
    assert code == 0
    data = json.loads(out)
    names = [o["name"] for o in data["options"]]
    assert names == ["sonnet", "haiku-finetuned"]
    sonnet = data["options"][0]
    assert sonnet["monthly"] == 11_250
    assert data["samples"] == 10_000
    band = data["options"][1]["monthly_band"]
    assert band["p10"] <= band["p50"] <= band["p90"]
    assert data["pairs"][0]["crossing"]["volumes"]


def test_volume_override() -> None:
    code, out, _ = run(
        "cost",
        str(EXAMPLES / "bigger_vs_finetuned.yaml"),
        "--volume",
        "100000",
        "--json",
        "--samples",
        "0",
    )
    assert code == 0
    data = json.loads(out)
    assert data["volume"] == 100_000 and data["samples"] == 0
    assert data["options"][0]["monthly"] == 2250


def test_breakeven_command() -> None:
    code, out, _ = run("breakeven", PROJECTS, "haiku-projects", "local-finetune")
    assert code == 0
    assert "13,682" in out
    code, out, _ = run("breakeven", PROJECTS, "haiku-projects", "local-finetune", "--json")
    assert json.loads(out)["crossing"]["volumes"][0] == 40.5 / 0.00296
    code, _, err = run("breakeven", PROJECTS, "haiku-projects", "nope")
    assert code == 2 and "no option 'nope'" in err


def test_prices_lists_and_searches() -> None:
    code, out, _ = run("prices", "haiku")
    assert code == 0 and "claude-3-5-haiku" in out and "anthropic.com" in out
    code, out, _ = run("prices", "--section", "gpus", "--json")
    assert {e["name"] for e in json.loads(out)} >= {"a100-gcp", "l40s-reserved"}
    code, _, err = run("prices", "no-such-thing")
    assert code == 2 and "no catalog entry" in err


def test_bad_scenario_exits_2_with_every_problem_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("volume: {requests_per_month: -1}\noptions:\n  a: {api: {model: gpt4o}}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "ragtune", "cost", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "2 problems found" in proc.stderr
    assert "volume.requests_per_month" in proc.stderr and "did you mean 'gpt-4o'" in proc.stderr
    assert proc.stdout == ""


def test_empty_and_missing_files_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    for path, message in ((empty, "is empty"), (tmp_path / "missing.yaml", "not found")):
        code, _, err = run("cost", str(path))
        assert code == 2 and message in err
