"""`ragtune report` on a real store: a tiny real run (local models), re-rendered without models.

The run is made once per session by `ragtune run` in a subprocess, as a user would, into the
session's temporary folder; tests/web/test_runs.py reuses it when it runs in the same session.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ragtune.cli.main import cli
from ragtune.report.vega import javascript
from ragtune.store.runstore import RunStore

SCHEMA_KEYS = {
    "schema",
    "title",
    "generated",
    "run",
    "verdict",
    "arms",
    "comparisons",
    "cost",
    "latency",
    "freshness",
    "training",
    "router",
    "prices",
    "assumptions",
    "errors",
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_default_html_goes_next_to_the_store(real_run: tuple[Path, str]) -> None:
    store, run_id = real_run
    result = invoke("report", run_id, "--store", str(store))
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == store.parent / "reports" / f"{run_id}.html"
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and run_id in html
    for chart in ("cost", "quality", "latency"):  # classify with two arms: no freshness etc.
        assert f'<div class="vega-chart" id="chart-{chart}" data-vega-spec=' in html
    page = html.replace(javascript(), "")  # the bundled library's strings are checked in Chromium
    assert 'href="' not in page and 'src="' not in page and "url(" not in page


@pytest.mark.slow
def test_json_and_markdown_match_the_document(real_run: tuple[Path, str], tmp_path: Path) -> None:
    store, run_id = real_run
    out = tmp_path / "r.json"
    result = invoke(
        "report", run_id[:8], "--format", "json", "--out", str(out), "--store", str(store)
    )
    assert result.exit_code == 0 and result.stdout.strip() == str(out)
    doc = json.loads(out.read_text())
    assert set(doc) >= SCHEMA_KEYS and doc["schema"] == "ragtune.report/2"
    assert doc["run"]["id"] == run_id and sorted(a["arm"] for a in doc["arms"]) == [
        "memory",
        "prompt",
    ]
    md = invoke("report", run_id, "--format", "md", "--store", str(store)).stdout
    assert md.startswith("# ") and "## Arms" in md
    for arm in doc["arms"]:
        if arm["quality"]:
            assert f"{arm['quality']['estimate']:.3f} [" in md
    assert {"cost", "quality", "latency"} <= set(doc["charts"])  # the HTML report's specs
    assert "![" not in md  # stdout: tables only, no files to link
    path = tmp_path / "r.md"
    result = invoke("report", run_id, "--format", "md", "--out", str(path), "--store", str(store))
    assert result.exit_code == 0 and result.stdout.strip() == str(path)
    assert "![cost chart](r-charts/cost.svg)" in path.read_text(encoding="utf-8")
    assert (tmp_path / "r-charts" / "cost.svg").read_text(encoding="utf-8").startswith("<svg")


@pytest.mark.slow
def test_volume_reprices_without_models(real_run: tuple[Path, str]) -> None:
    store, run_id = real_run
    docs = [
        json.loads(
            invoke(
                "report", run_id, "--format", "json", "--volume", v, "--store", str(store)
            ).stdout
        )
        for v in ("1000", "1e7")
    ]
    assert [d["verdict"]["volume"] for d in docs] == [1000.0, 1e7]
    low, high = ({a["arm"]: a["monthly_cost"] for a in d["arms"]} for d in docs)
    assert any(high[k] > low[k] for k in low if low[k] is not None)


def test_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    store = tmp_path / "ragtune.db"
    with RunStore.open(store) as s:
        s.create_run({"task": "qa"}, seed=1)
    result = CliRunner().invoke(cli, ["report", "nope", "--store", str(store)])
    assert result.exit_code == 2
    assert "no run 'nope'" in result.output and "recent runs:" in result.output


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "x", "--store", str(tmp_path / "no.db")])
    assert result.exit_code == 2 and "no run store at" in result.output
    assert not (tmp_path / "no.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "'pdf' is not one of"),
        (["--volume", "0"], "is not in the range"),
        (["--volume", "-3"], "is not in the range"),
        (["--volume", "lots"], "is not a valid float"),
    ],
)
def test_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["report", "x", *args])
    assert result.exit_code == 2 and message in result.output
