"""`ragtune import inspect` on logs written by inspect_ai itself (a tiny task on its mock model).

Skipped only when the optional extra is absent (`pip install 'ragtune[inspect]'`; CI installs
`all`, which includes it). The mock model is given its outputs and their token usage, so it
counts no tokens itself (that would download a tokenizer).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ragtune.cli.main import cli
from ragtune.cli.run import stored_evidence
from ragtune.cost.catalog import load_catalog
from ragtune.errors import RagtuneError
from ragtune.importers import plan, read_inspect
from ragtune.store.runstore import RunStore

inspect_ai = pytest.importorskip("inspect_ai")

N = 8


def write_logs(root: Path) -> list[Path]:
    """Two models on one 8-sample task: `alpha` right on 7 items, `beta` on 5; sample i takes
    20 + i input tokens and 3 output tokens."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import (
        ChatCompletionChoice,
        ChatMessageAssistant,
        ModelOutput,
        ModelUsage,
        get_model,
    )
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    def outputs(model: str, right: int) -> list[ModelOutput]:
        return [
            ModelOutput(
                model=model,
                choices=[
                    ChatCompletionChoice(
                        message=ChatMessageAssistant(content=f"It is {3 * i}" if i < right else "?")
                    )
                ],
                usage=ModelUsage(input_tokens=20 + i, output_tokens=3, total_tokens=23 + i),
            )
            for i in range(N)
        ]

    task = Task(
        name="arith",
        dataset=[
            Sample(id=f"s{i}", input=f"What is {i} x 3?", target=str(3 * i)) for i in range(N)
        ],
        solver=generate(),
        scorer=includes(),
    )
    logs = []
    for name, right in (("alpha", 7), ("beta", 5)):
        model = get_model(f"mockllm/{name}", custom_outputs=outputs(f"mockllm/{name}", right))
        [log] = inspect_eval(task, model=model, log_dir=str(root / "logs"), display="none")
        logs.append(Path(log.location))
    return logs


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_logs(tmp_path_factory.mktemp("inspect"))


def test_inspect_logs_import_and_run(logs: list[Path], tmp_path: Path) -> None:
    imported = read_inspect(logs, load_catalog())
    assert [a.name for a in imported.arms] == ["alpha", "beta"]
    assert imported.items[2].input == "What is 2 x 3?" and imported.items[2].gold == "6"
    alpha = imported.arms[0].by_item()
    assert alpha["s1"].answer == "It is 3"
    assert (alpha["s1"].input_tokens, alpha["s1"].output_tokens) == (21, 3)
    assert alpha["s1"].latency_s is not None
    # the mock model is no catalog model: reported, and the arm stays unpriced
    unknown = [n for n in plan(imported, "qa").notes if n.kind == "unknown_model"]
    assert {n.arm for n in unknown} == {"alpha", "beta"}
    assert "'mockllm/alpha' is not a catalog model" in unknown[0].message

    out = tmp_path / "imported"
    runner = CliRunner()
    done = runner.invoke(cli, ["import", "inspect", *map(str, logs), "--out", str(out),
                               "--model", "mockllm/alpha=gpt-4o-mini"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "8 test items, 2 arms from inspect" in done.output
    assert "unknown_model: beta" in done.output and "unknown_model: alpha" not in done.output
    store = tmp_path / "runs.db"
    run = runner.invoke(cli, ["run", str(out / "workload.yaml"), "--store", str(store)])
    assert run.exit_code == 0, run.output
    assert "verdict:" in run.output
    evidence = stored_evidence(RunStore.open(store), RunStore.open(store).list_runs()[0].id)
    a, b = evidence.arm("alpha"), evidence.arm("beta")
    assert a.interval().estimate == 7 / 8  # type: ignore[union-attr]
    assert b.interval().estimate == 5 / 8  # type: ignore[union-attr]
    # alpha priced as gpt-4o-mini: sum(20..27) = 188 input x $0.15/M + 24 output x $0.60/M
    assert float(a.api_usd.sum()) == pytest.approx(188 * 0.15e-6 + 24 * 0.6e-6)
    assert float(a.tokens["input"].sum()) == 188
    assert not b.priced


def test_a_file_that_is_not_an_inspect_log_says_what_was_expected(tmp_path: Path) -> None:
    other = tmp_path / "results.json"
    other.write_text(json.dumps({"evalId": "x", "results": {"version": 3, "results": []}}))
    with pytest.raises(RagtuneError, match="is not an Inspect eval log") as err:
        read_inspect([other], load_catalog())
    assert "expected an Inspect AI eval log" in str(err.value)
    assert "ragtune import promptfoo" in str(err.value)
