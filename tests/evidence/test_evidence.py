"""One evidence model: `ragtune run`, `runs show`, `report --format json` and `runs compare` read
the same per-item numbers, priced the same way, from any working directory; failures are shown.

The runs are real (`ragtune run` through the OpenAI-compatible backend) against a scripted chat
server on a local port (`chat_server.py`), so no model is loaded and each run takes a second.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.evidence.evidence import evaluate
from ragtune.evidence.pricing import run_pricing
from ragtune.evidence.rundata import load_run
from ragtune.store.runstore import RunStore

from .chat_server import chat_server

N = 10  # test items; items 0 and 5 ask "FAIL" questions: one in five fails on the prompt arm


def write_workload(folder: Path, url: str, *, prices: bool) -> Path:
    """A qa workload with two arms on the scripted server; `prices` adds a price file that makes
    the self-hosted machine cost $260/month instead of the bundled $26."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(N):
        fail = "FAIL " if i % 5 == 0 else ""
        answer = f"gold{i}"
        rows.append({"id": f"t{i}", "input": f"{fail}question {i} ANSWER={answer}",
                     "target": answer, "split": "test"})  # fmt: skip
    for i in range(8):
        rows.append({"id": f"r{i}", "input": f"train {i} ANSWER=x{i}", "target": f"x{i}",
                     "split": "train"})  # fmt: skip
    (folder / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    pricing = "pricing: {requests_per_month: 100000}\n"
    if prices:
        (folder / "my_prices.yaml").write_text(
            "infra:\n  hetzner-cx42:\n    monthly: 260.0\n"
            "    source: test override\n    as_of: 2026-11-29\n"
        )
        pricing = "pricing: {requests_per_month: 100000, prices: [my_prices.yaml]}\n"
    backend = f"openai-compatible:{url}#tiny"
    (folder / "w.yaml").write_text(
        "name: agree\ntask: qa\ndata: {path: data.jsonl}\n"
        "arms: {prompt: {}, fewshot: {k: 2}}\n"
        f"backends: {{cheap: '{backend}', strong: '{backend}'}}\n" + pricing
    )
    return folder / "w.yaml"


def run_three(tmp_path: Path, monkeypatch: Any, *, prices: bool) -> tuple[Any, Any, Any, str]:
    """`ragtune run`, `runs show` and `report --format json` on one store: the run from a folder
    that is not the workload's (so a price file must be found next to the workload, not the
    working directory), the other two from a third folder."""
    store = tmp_path / "store" / "s.db"
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "third").mkdir()
    with chat_server() as url:
        workload = write_workload(tmp_path / "work", url, prices=prices)
        monkeypatch.chdir(tmp_path / "elsewhere")
        ran = CliRunner().invoke(
            cli, ["run", str(workload), "--store", str(store), "--no-cache", "--json"]
        )
    assert ran.exit_code == 0, ran.output
    monkeypatch.chdir(tmp_path / "third")
    run_id = json.loads(ran.stdout)["run_id"]
    shown = CliRunner().invoke(cli, ["runs", "show", run_id, "--store", str(store), "--json"])
    assert shown.exit_code == 0, shown.output
    report = CliRunner().invoke(cli, ["report", run_id, "--store", str(store), "--format", "json"])
    assert report.exit_code == 0, report.output
    return json.loads(ran.stdout), json.loads(shown.stdout), json.loads(report.stdout), run_id


def figures(arms: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {
        a["arm"]: (a["cost_per_1k"], a["projected_per_1k"], a["quality"]["estimate"],
                   a["errors"], a["latency_p95"])
        for a in arms
    }  # fmt: skip


@pytest.mark.parametrize("prices", [False, True], ids=["bundled-prices", "workload-price-file"])
def test_run_show_and_report_print_the_same_figures(
    tmp_path: Path, monkeypatch: Any, prices: bool
) -> None:
    ran, shown, report, _ = run_three(tmp_path, monkeypatch, prices=prices)
    assert figures(ran["arms"]) == figures(shown["arms"]) == figures(report["arms"])
    # Both arms run on the scripted server, which is not a catalog model: self-hosted. At
    # 100,000 requests/month one machine is enough (a query takes well under 13 s of machine
    # time: 100,000 x 13 s / (720 x 3600 s) = 0.5, the utilisation cap), so a local arm costs
    # the whole machine: $26 (or $260 with the price file) / 100,000 x 1,000 = $0.26 ($2.60).
    machine = 260.0 if prices else 26.0
    for a in ran["arms"]:
        assert a["cost_per_1k"] == pytest.approx(machine / 100_000 * 1000)
    # prompt: 2 of 10 failed (FAIL questions), fewshot: none; failures score as wrong.
    by_arm = {a["arm"]: a for a in ran["arms"]}
    assert by_arm["prompt"]["errors"] == 2 and by_arm["fewshot"]["errors"] == 0
    assert by_arm["prompt"]["quality"]["estimate"] == pytest.approx(8 / 10)
    assert by_arm["fewshot"]["quality"]["estimate"] == pytest.approx(10 / 10)
    if prices:  # a price file the run was priced with and that is gone: an error, not a skip
        (tmp_path / "work" / "my_prices.yaml").unlink()
        store = str(tmp_path / "store" / "s.db")
        gone = CliRunner().invoke(cli, ["runs", "show", ran["run_id"], "--store", store])
        assert gone.exit_code == 2
        assert "my_prices.yaml, which no longer exist(s)" in gone.stderr
        assert "put the price file back" in gone.stderr


def test_a_failing_arm_is_shown_and_not_recommended(tmp_path: Path, monkeypatch: Any) -> None:
    _, _, report, run_id = run_three(tmp_path, monkeypatch, prices=False)
    prompt = next(a for a in report["arms"] if a["arm"] == "prompt")
    # The two failed items each waited >= 0.3 s for the server's 400; the other eight took a few
    # milliseconds. p95 of 10 values interpolates between the 9th and 10th smallest: both failed.
    assert prompt["latency_p95"] >= 0.3
    assert prompt["errors"] == 2 and prompt["error_share"] == pytest.approx(0.2)
    assert prompt["eligible"] is False
    verdict = report["verdict"]
    assert verdict["recommended"] == "fewshot"
    assert any("prompt 2 of 10 (20%)" in c for c in verdict["caveats"])
    assert any("prompt is not eligible" in r["text"] for r in verdict["reasons"])
    assert report["errors"] == [
        {"arm": "prompt", "errors": 2, "n": 10, "share": 0.2, "eligible": False}
    ]
    table = CliRunner().invoke(
        cli, ["runs", "show", run_id, "--store", str(tmp_path / "store" / "s.db")]
    )
    assert table.exit_code == 0, table.output
    assert "errors" in table.stdout and "2 (20%)" in table.stdout
    assert "prompt: 2 of 10 test queries failed (20%)" in table.stdout
    md = CliRunner().invoke(
        cli, ["report", run_id, "--store", str(tmp_path / "store" / "s.db"), "--format", "md"]
    )
    assert "2 (20.0%)" in md.stdout and "prompt 2 of 10 (20%)" in md.stdout


def test_runs_compare_works_on_a_store_where_no_summary_was_printed(tmp_path: Path) -> None:
    """Two runs recorded by the runner alone (no summary, no report): compare reads Evidence."""
    from ragtune.config import load_workload
    from ragtune.running.runner import RunOptions, run_workload

    path = tmp_path / "s.db"
    with chat_server(fail_delay_s=0.0) as url, RunStore.open(path) as store:
        workload = load_workload(write_workload(tmp_path / "w", url, prices=False))
        options = RunOptions(arms=("prompt",), use_cache=False, work_root=tmp_path / "runs")
        a = run_workload(workload, store, options)
        b = run_workload(workload, store, options)
        assert store.metrics(a) == [] and store.metrics(b) == []  # nothing was ever summarised
    result = CliRunner().invoke(cli, ["runs", "compare", a, b, "--store", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["arms"]
    # Same answers in both runs: 8 of 10 right each, no discordant pair, effect 0.
    assert row["paired"] and row["n"] == N and row["effect"] == pytest.approx(0.0)
    assert row["quality_a"]["estimate"] == pytest.approx(0.8)


def test_evaluate_is_pure_and_aligned(tmp_path: Path, monkeypatch: Any) -> None:
    """Per-arm arrays line up item by item; evaluating twice writes nothing and gives the same."""
    _, _, _, run_id = run_three(tmp_path, monkeypatch, prices=False)
    with RunStore.open(tmp_path / "store" / "s.db") as store:
        before = store.metrics(run_id)
        run = load_run(store, run_id)
        one, two = evaluate(run, run_pricing(run)), evaluate(run, run_pricing(run))
        assert store.metrics(run_id) == before
    prompt, fewshot = one.arm("prompt"), one.arm("fewshot")
    assert prompt.item_ids == fewshot.item_ids == tuple(f"t{i}" for i in range(N))
    for a in (prompt, fewshot):
        for array in (a.latency_s, a.machine_s, a.api_usd, a.projected_usd, a.quality()):
            assert len(array) == N
    assert [e is not None for e in prompt.errors] == [i % 5 == 0 for i in range(N)]
    assert (one.arm("prompt").latency_s == two.arm("prompt").latency_s).all()
