"""`ragtune runs compare A B`: shared arms, paired on shared items (hand-computed McNemar),
unpaired when the runs hold different items, clear errors otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.errors import RagtuneError
from ragtune.evidence.compare import compare_runs
from ragtune.evidence.evidence import Evidence, evaluate
from ragtune.evidence.rundata import load_run
from ragtune.stats.paired import wilson_interval

GOLDS = ("2016", "Berlin", "blue", "42", "yes", "Maren")


def ev(store: Any, run_id: str, pricing: Any) -> Evidence:
    return evaluate(load_run(store, run_id), pricing)


def test_paired_on_shared_items_by_the_verdicts_rule(
    store: Any, make_run: Any, pricing: Any
) -> None:
    """Run A right on 5 of 6, run B on 1 of 6; discordant pairs: 4 for A, 0 for B.
    Tango's score interval; its p at 0 is McNemar's score test: z = 4 / sqrt(4) = 2,
    p = 2 x Phi(-2) = 0.0455 (the asymptotic McNemar test holds its level better than the
    exact one's 0.125 suggests: Fagerland, Lydersen & Laake 2013, BMC Med Res Methodol 13:91)."""
    a = make_run(
        store, {"prompt": ["2016", "Berlin", "blue", "42", "yes", "x"], "rag": list(GOLDS)}
    )
    b = make_run(store, {"prompt": ["x", "x", "x", "x", "yes", "x"], "memory": list(GOLDS)})
    result = compare_runs(ev(store, a, pricing), ev(store, b, pricing))
    [row] = result.arms
    assert row.arm == "prompt" and row.paired and row.n == 6
    assert row.test == "tango_score"
    assert row.effect == pytest.approx(4 / 6)
    assert row.p_value == pytest.approx(0.0455, abs=1e-4)
    assert row.ci_low is not None and row.ci_low > 0  # the interval agrees with p < 0.05
    assert row.quality_a == wilson_interval(5, 6) and row.quality_b == wilson_interval(1, 6)
    assert row.cost_per_1k_a is not None and row.latency_p50_b is not None
    assert (result.only_a, result.only_b) == (("rag",), ("memory",))


def test_runs_over_different_items_are_compared_unpaired(
    store: Any, make_run: Any, pricing: Any
) -> None:
    a = make_run(store, {"prompt": list(GOLDS)})
    b = make_run(
        store, {"prompt": ["x", "x", "x", "42", "yes", "x"]}, ids=[f"other{i}" for i in range(6)]
    )
    [row] = compare_runs(ev(store, a, pricing), ev(store, b, pricing)).arms
    assert not row.paired and row.test == "unpaired_bootstrap"
    assert row.effect == pytest.approx(1 - 2 / 6)
    assert row.ci_low is not None and row.ci_high is not None and row.effect is not None
    assert row.ci_low <= row.effect <= row.ci_high


def test_different_tasks_or_no_shared_arm_are_refused(
    store: Any, make_run: Any, pricing: Any
) -> None:
    qa = ev(store, make_run(store, {"prompt": list(GOLDS)}), pricing)
    classify = ev(
        store, make_run(store, {"prompt": ["a", "b"]}, task="classify", golds=("a", "b")), pricing
    )
    with pytest.raises(RagtuneError, match="different tasks"):
        compare_runs(qa, classify)
    other = ev(store, make_run(store, {"rag": list(GOLDS)}), pricing)
    with pytest.raises(RagtuneError, match="share no finished arm"):
        compare_runs(qa, other)


def test_cli_prints_the_table_and_json(tmp_path: Path, make_run: Any) -> None:
    from ragtune.store.runstore import RunStore

    path = tmp_path / "cli.db"
    with RunStore.open(path) as store:
        a = make_run(store, {"prompt": ["2016", "Berlin", "blue", "42", "yes", "x"]})
        b = make_run(store, {"prompt": ["x", "x", "x", "x", "yes", "x"]})
        c = make_run(store, {"prompt": ["a", "b"]}, task="classify", golds=("a", "b"))
    runner = CliRunner()
    text = runner.invoke(cli, ["runs", "compare", a, b, "--store", str(path)])
    assert text.exit_code == 0, text.output
    assert "tango_score, n=6" in text.stdout and "+0.67" in text.stdout
    as_json = runner.invoke(cli, ["runs", "compare", a, b, "--store", str(path), "--json"])
    [row] = json.loads(as_json.stdout)["arms"]
    assert row["paired"] is True and row["p_value"] == pytest.approx(0.0455, abs=1e-4)
    bad = runner.invoke(cli, ["runs", "compare", a, c, "--store", str(path)])
    assert bad.exit_code == 2 and "different tasks" in bad.stderr
