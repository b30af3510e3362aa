"""`ragtune cost`, `breakeven` and `prices` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli

EXAMPLES = Path(__file__).parents[2] / "src" / "ragtune" / "examples" / "scenarios"
PROJECTS = str(EXAMPLES / "projects_vs_local.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cost_prints_a_table_with_the_article_figures() -> None:
    """Seed article 000's scenario on Haiku 4.5 ($1 / $5 per M; issue 32 moved it from the
    retired 3.5 Haiku): 50,000 x (200 x 1 + 300 x 5) / 1M = $85.00 a month; with 2,000
    knowledge-base tokens 50,000 x 3,700 / 1M = $185; the VPS + builder plan $40.50 flat, so
    they cross at 40.50 / 0.0037 = 10,946 requests a month."""
    code, out, _ = run("cost", PROJECTS)
    assert code == 0
    assert "$85.00" in out and "$185" in out and "$40.50" in out
    assert "10,946" in out  # haiku-projects vs local break-even


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
    assert "10,946" in out  # $40.50 / $0.0037 a request (2,200 in x $1/M + 300 out x $5/M)
    code, out, _ = run("breakeven", PROJECTS, "haiku-projects", "local-finetune", "--json")
    assert json.loads(out)["crossing"]["volumes"][0] == pytest.approx(40.5 / 0.0037)
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


SONNET = str(EXAMPLES / "finetune_vs_rag_sonnet.yaml")


def test_cost_prints_run_rate_and_horizon_crossings() -> None:
    """At 50,000 requests/month the fine-tune is cheaper per month (run-rate) but its 36-month TCO
    is $45,500 against RAG's $43,200: the TCOs cross at 5,000 / (36 x 0.0015) = 92,593 requests
    a month and payback takes 5,000 / (50,000 x 0.0015) = 66.7 months."""
    code, out, _ = run("cost", SONNET, "--volume", "50000")
    assert code == 0
    assert "every volume" not in out
    assert "$43,200" in out and "$45,500" in out
    assert "sonnet-rag is cheaper below 92,593 requests/month, sonnet-finetune above" in out
    assert "66.7 months" in out


def test_breakeven_prints_both_crossings_and_never_within() -> None:
    """sonnet-rag-cached caches 1,000 tokens, below Sonnet 4.5's 1,024 minimum: it costs what
    sonnet-rag costs ($0.024), so the same 92,593 horizon crossing applies."""
    code, out, _ = run("breakeven", SONNET, "sonnet-rag-cached", "sonnet-finetune")
    assert code == 0
    assert "per month (run-rate, upfront left out): never cross" in out
    assert "over 36 months" in out and "92,593" in out
    assert "33.3 months" in out  # payback at the file's 100,000 requests/month


def test_breakeven_says_never_within_the_horizon(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "volume: {requests_per_month: 1000}\nhorizon_months: 12\noptions:\n"
        "  cheap: {api: {model: gpt-4o-mini, input_tokens: 100}}\n"
        "  dear:\n    api: {model: gpt-4o, input_tokens: 100}\n"
        "    one_time: {other: [{name: setup, amount: 100}]}\n"
    )
    code, out, _ = run("breakeven", str(path), "cheap", "dear")
    assert code == 0
    assert "never cross within 12 months; cheap is cheaper" in out


def test_shared_rate_gives_p_100_in_cost_and_breakeven(tmp_path: Path) -> None:
    """Identical options but 10 h vs 12 h of maintenance at one uncertain rate: 100%."""
    path = tmp_path / "twins.yaml"
    path.write_text(
        "volume: {requests_per_month: 50000}\nhourly_rate: [100, 200]\nsamples: 2000\n"
        "options:\n"
        "  a: {api: {model: claude-3-5-haiku, input_tokens: 5}, maintenance_hours_per_month: 10}\n"
        "  b: {api: {model: claude-3-5-haiku, input_tokens: 5}, maintenance_hours_per_month: 12}\n"
    )
    code, out, _ = run("cost", str(path))
    assert code == 0 and "P(a cheaper over the horizon) = 100%" in out
    code, out, _ = run("breakeven", str(path), "a", "b", "--json")
    assert code == 0 and json.loads(out)["p_a_cheaper"] == 1.0


def test_out_of_range_fraction_exits_2_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "volume: {requests_per_month: 100000}\noptions:\n  a:\n"
        "    api: {model: claude-sonnet-4-5, cached_prefix_tokens: 5000, cache_hit_rate: 90}\n"
    )
    for command in (["cost", str(path)], ["breakeven", str(path), "a", "a"]):
        code, _, err = run(*command)
        assert code == 2
        assert "options.a.api.cache_hit_rate: 90 is not a fraction" in err
        assert "did you mean 0.9?" in err


def test_prices_shows_which_source_each_figure_came_from() -> None:
    """Issue 32: token prices from genai-prices, the overlay's batch rates from prices.yaml, and
    a note saying how to refresh the library's data."""
    result = CliRunner().invoke(cli, ["prices", "haiku-4", "--json"])
    assert result.exit_code == 0, result.output
    rows = {(r["section"], r["name"]): r for r in json.loads(result.stdout)}
    assert rows[("models", "claude-haiku-4-5")]["origin"] == "genai-prices"
    assert rows[("batch", "claude-haiku-4-5")]["origin"] == "bundled prices.yaml"
    sonnet = CliRunner().invoke(cli, ["prices", "sonnet-4-5", "--section", "models", "--json"])
    [row] = [r for r in json.loads(sonnet.stdout) if r["name"] == "claude-sonnet-4-5"]
    assert row["long_context"] == {"threshold": 200_000, "input_per_m": 6.0, "output_per_m": 22.5}
    table = CliRunner().invoke(cli, ["prices", "sonnet-4-5"])
    assert "pip install -U genai-prices" in table.stderr
