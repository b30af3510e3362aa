"""`ragtune run --until-decided` on recorded-answer arms with known per-item outcomes.

3,000 test items of a two-label classify task whose gold is always "yes"; each arm is an answers
file, so which items each arm gets right is set here (seeded). No model is loaded: the run goes
through the real workload check, runner, store, evidence and verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from ragtune.advisor import build_document
from ragtune.cli.main import cli
from ragtune.config import load_workload
from ragtune.evidence import assess_sequential, load_run, run_pricing
from ragtune.report import render_markdown
from ragtune.running import Assessment, RunOptions, run_until_decided
from ragtune.store import RunStore

N = 3000


def outcomes(best_only: float, arm_only: float, seed: int = 7) -> tuple[list[bool], list[bool]]:
    """(cheap, best) right per item: best right on 85%; `best_only` of the items only the best
    gets right, `arm_only` only the cheap arm (so the true difference is arm_only - best_only)."""
    rng = np.random.default_rng(seed)
    cell = rng.choice(
        4, size=N, p=[0.85 - best_only, best_only, arm_only, 0.15 - arm_only]
    )  # both, best only, cheap only, neither
    best = (cell == 0) | (cell == 1)
    cheap = (cell == 0) | (cell == 2)
    return [bool(v) for v in cheap], [bool(v) for v in best]


def workload(root: Path, cheap: list[bool], best: list[bool], **sampling: Any) -> Path:
    (root / "test.jsonl").write_text(
        "".join(json.dumps({"id": f"q{i}", "input": f"q {i}", "target": "yes"}) + "\n"
                for i in range(N))
    )  # fmt: skip
    for name, right, tokens in (("best", best, 1000), ("cheap", cheap, 100)):
        (root / f"{name}.jsonl").write_text(
            "".join(
                json.dumps({"id": f"q{i}", "answer": "yes" if ok else "no",
                            "input_tokens": tokens, "output_tokens": 1,
                            "model": "claude-haiku-4-5"}) + "\n"
                for i, ok in enumerate(right)
            )
        )  # fmt: skip
    spec = {
        "name": "sequential",
        "task": "classify",
        "labels": ["yes", "no"],
        "data": {"test": "test.jsonl"},
        "arms": {"best": {"answers": "best.jsonl"}, "cheap": {"answers": "cheap.jsonl"}},
        "costs": {"usd_per_example": 0.5},
        "sampling": {"batch": 100, **sampling},
    }
    path = root / "workload.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def run_cli(path: Path, store: Path, *extra: str) -> tuple[str, str]:
    result = CliRunner().invoke(
        cli, ["run", str(path), "--store", str(store), "--until-decided", *extra]
    )
    assert result.exit_code == 0, result.output
    run_id = RunStore.open(store).list_runs()[0].id
    return result.output, run_id


def assessment(store: Path, run_id: str) -> Assessment:
    run = load_run(RunStore.open(store), run_id)
    found = assess_sequential(run, run_pricing(run))
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("best_only", "arm_only", "decision"),
    [(0.03, 0.03, "equivalent"), (0.18, 0.03, "inferior")],
    ids=["equal", "0.15-worse"],
)
def test_stops_early_with_the_right_decision_and_resumes_to_it(
    tmp_path: Path, best_only: float, arm_only: float, decision: str
) -> None:
    cheap, best = outcomes(best_only, arm_only)
    path = workload(tmp_path, cheap, best)
    store = tmp_path / "runs.db"
    output, run_id = run_cli(path, store)
    a = assessment(store, run_id)
    (c,) = a.comparisons
    # equal arms: either may lead on the items so far; the other is shown equivalent
    assert {c.arm, c.best} == {"cheap", "best"} and c.status == decision
    if decision == "inferior":
        assert (c.arm, c.best) == ("cheap", "best")
    assert a.stop == "decided" and a.items < N and a.items % 100 == 0
    assert a.rounds == a.items // 100
    used = re.search(r"until decided: ([\d,]+) items in (\d+) rounds", output)
    assert used is not None and int(used.group(1).replace(",", "")) == a.items
    assert "round 1: 100 items" in output  # the progress line of the first round
    # spent: labelling $0.50 per item, plus API dollars (haiku $1/M input, $5/M output):
    # best 1,000 + cheap 100 input tokens and 1 + 1 output per item they both answered
    answered = a.items_by_arm
    api = answered["best"] * (1000 * 1.0 + 5.0) / 1e6 + answered["cheap"] * (100 + 5.0) / 1e6
    assert a.spent_usd == pytest.approx(0.5 * a.items + api)
    # the verdict decides on the anytime-valid interval and the report says what happened
    doc = build_document(RunStore.open(store), run_id)
    stand = {x.arm: x for x in doc.verdict.standings}[c.arm]
    assert (stand.status, stand.test) == (decision, "betting_cs")
    assert (stand.ci_low, stand.ci_high) == pytest.approx((c.ci_low, c.ci_high))
    assert "anytime-valid" in doc.verdict.correction
    assert any(f"{a.items:,} items in {a.rounds} rounds" in r.text for r in doc.verdict.reasons)
    assert doc.sequential is not None and doc.sequential.stop == "decided"
    assert doc.sequential.items_by_arm == a.items_by_arm
    markdown = render_markdown(doc)
    assert "## Until decided" in markdown and "[" in markdown.split("## Until decided")[1]
    # the intervals narrow round by round
    widths = [high - low for _, low, high in c.intervals]
    assert widths == sorted(widths, reverse=True)
    if decision == "inferior":
        assert stand.status == "inferior" and doc.verdict.recommended == "best"
    else:
        assert doc.verdict.recommended == "cheap"  # shown as good, and cheaper
    # a second run resumes the finished run to the same decision, adding nothing
    _, same = run_cli(path, store, "--resume", run_id)
    assert same == run_id
    b = assessment(store, run_id)
    assert (b.items, b.comparisons[0].status) == (a.items, decision)


def test_inferior_arm_stops_being_answered(tmp_path: Path) -> None:
    # one arm 0.5 worse and one equal: the poor arm is shown worse early and answers no more
    cheap, best = outcomes(0.03, 0.03)
    path = workload(tmp_path, cheap, best)
    spec = yaml.safe_load(path.read_text())
    (tmp_path / "poor.jsonl").write_text(
        "".join(json.dumps({"id": f"q{i}", "answer": "no"}) + "\n" for i in range(N))
    )
    spec["arms"]["poor"] = {"answers": "poor.jsonl"}
    path.write_text(yaml.safe_dump(spec))
    _, run_id = run_cli(path, tmp_path / "runs.db")
    a = assessment(tmp_path / "runs.db", run_id)
    status = {c.arm: c for c in a.comparisons}
    assert status["poor"].status == "inferior" and status["poor"].decided_at == 100
    assert a.items_by_arm["poor"] == 100 < a.items_by_arm["cheap"] == a.items
    assert "poor" not in a.answering


def test_an_interrupted_run_resumes_to_the_same_items_and_decision(tmp_path: Path) -> None:
    cheap, best = outcomes(0.03, 0.03)  # equal arms: several rounds
    path = workload(tmp_path, cheap, best)
    whole = RunStore.open(tmp_path / "whole.db")
    work = tmp_path / "work"

    def assess_in(store: RunStore) -> Callable[[str], Assessment]:
        def assess(run_id: str) -> Assessment:
            run = load_run(store, run_id)
            found = assess_sequential(run, run_pricing(run))
            assert found is not None
            return found

        return assess

    ran = run_until_decided(
        load_workload(path), whole, RunOptions(work_root=work), assess_in(whole)
    )
    full = assess_in(whole)(ran)
    assert full.rounds >= 2

    broken = RunStore.open(tmp_path / "broken.db")

    class Killed(Exception):
        """Stands in for a killed process (KeyboardInterrupt would reach pytest itself)."""

    def stop_after_one(a: Assessment) -> None:
        if a.rounds == 1:
            raise Killed

    with pytest.raises(Killed):
        run_until_decided(
            load_workload(path), broken, RunOptions(work_root=work), assess_in(broken),
            on_round=stop_after_one,
        )  # fmt: skip
    run_id = broken.list_runs()[0].id
    resumed = run_until_decided(
        load_workload(path), broken, RunOptions(work_root=work, resume=run_id), assess_in(broken)
    )
    again = assess_in(broken)(resumed)
    assert (again.items, again.comparisons[0].status) == (full.items, full.comparisons[0].status)
    items = [i.id for i in broken.list_items(run_id)]
    assert items == [i.id for i in whole.list_items(ran)]  # the same seeded order


def test_max_usd_stops_before_the_budget_with_what_is_undetermined(tmp_path: Path) -> None:
    # equal arms need several rounds; labelling alone is $50 a round, so $120 allows two rounds
    cheap, best = outcomes(0.03, 0.03)
    path = workload(tmp_path, cheap, best, max_usd=120)
    _, run_id = run_cli(path, tmp_path / "runs.db")
    a = assessment(tmp_path / "runs.db", run_id)
    assert a.stop == "max_usd" and a.items == 200
    # spent: 200 x $0.50 labelling + 200 x ($1,005 + $105) / 1M API = $100.22; a round more
    # adds 100 x ($0.50 + $0.00111) = $50.11, past $120
    assert a.spent_usd == pytest.approx(100.222)
    assert a.next_round_usd == pytest.approx(50.111)
    assert re.search(
        r"another round \(\$50\.11\) would take the \$100\.22 spent past max_usd \$120\.00; "
        r"undecided: (best vs cheap|cheap vs best) \[",
        a.stop_text,
    ), a.stop_text


def test_a_budget_stop_labels_the_sizes_it_shows_as_fixed_n(tmp_path: Path) -> None:
    """The items "that would settle" an open comparison are a fixed-n plan's (80% power at the
    observed difference): after a sequential run they are named as that, never as the rounds
    this anytime-valid sequence would still need (which are more)."""
    cheap, best = outcomes(0.06, 0.03)  # the cheap arm 0.03 worse: open after two rounds
    path = workload(tmp_path, cheap, best, max_usd=120)
    _, run_id = run_cli(path, tmp_path / "runs.db")
    doc = build_document(RunStore.open(tmp_path / "runs.db"), run_id)
    stand = {s.arm: s for s in doc.verdict.standings}["cheap"]
    assert (stand.status, stand.test) == ("undetermined", "betting_cs")
    assert doc.verdict.pending is not None and stand.items_needed is not None
    assert (
        f"A fixed-n test planned afresh would need about {stand.items_needed:,} items per arm "
        "for 80% power" in doc.verdict.headline
    )
    assert "more rounds of this anytime-valid sequence would need more items" in (
        doc.verdict.headline
    )
    assert "would settle" not in doc.verdict.headline
    markdown = render_markdown(doc)
    assert f"fixed-n plan: {stand.items_needed:,} in all (more rounds need more)" in markdown
    assert "a fixed-n test planned afresh would need about" in markdown


def test_limit_with_until_decided_is_a_configuration_error(tmp_path: Path) -> None:
    cheap, best = outcomes(0.03, 0.03)
    path = workload(tmp_path, cheap, best)
    result = CliRunner().invoke(
        cli, ["run", str(path), "--store", str(tmp_path / "r.db"), "--until-decided",
              "--limit", "50"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--limit 50 and --until-decided" in result.output
    assert "sampling.max_items" in result.output
