"""The incremental sequential assessment equals the one computed from nothing, round by round;
an arm with too many failed calls stops being answered and does not hold the run up."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from ragtune.config import load_workload
from ragtune.evidence import SequentialAssessor, assess_sequential, load_run, run_pricing
from ragtune.running import Assessment, RunOptions, run_until_decided
from ragtune.store import RunStore

N = 600


def workload(root: Path, arms: dict[str, np.ndarray], errors: dict[str, np.ndarray]) -> Path:
    """Recorded arms on N two-label items whose gold is "yes": `arms[name]` right per item,
    `errors[name]` the items whose recorded call failed."""
    (root / "test.jsonl").write_text(
        "".join(json.dumps({"id": f"q{i}", "input": f"q {i}", "target": "yes"}) + "\n"
                for i in range(N))
    )  # fmt: skip
    for name, right in arms.items():
        failed = errors.get(name, np.zeros(N, dtype=bool))
        rows = [
            {"id": f"q{i}", "answer": "yes" if ok else "no", "input_tokens": 300,
             "output_tokens": 1, "model": "claude-haiku-4-5",
             **({"error": "timeout"} if bad else {})}
            for i, (ok, bad) in enumerate(zip(right, failed, strict=True))
        ]  # fmt: skip
        (root / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = {
        "name": "assessor", "task": "classify", "labels": ["yes", "no"],
        "data": {"test": "test.jsonl"},
        "arms": {name: {"answers": f"{name}.jsonl"} for name in arms},
        "costs": {"usd_per_example": 0.25}, "sampling": {"batch": 50},
    }  # fmt: skip
    path = root / "workload.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def run_with_both_assessors(path: Path, tmp_path: Path) -> list[tuple[Assessment, Assessment]]:
    """Run the workload until decided, assessing every round twice: incrementally (what the
    run uses) and from nothing; returns the (incremental, full) pair of every round."""
    store = RunStore.open(tmp_path / "runs.db")
    incremental = SequentialAssessor(store)
    pairs: list[tuple[Assessment, Assessment]] = []

    def assess(run_id: str) -> Assessment:
        fast = incremental(run_id)
        run = load_run(store, run_id)
        full = assess_sequential(run, run_pricing(run))
        assert full is not None
        pairs.append((fast, full))
        return fast

    run_until_decided(load_workload(path), store, RunOptions(work_root=tmp_path / "w"), assess)
    return pairs


def test_incremental_assessment_equals_the_full_one_every_round(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    # three arms near one another (several rounds, one comparison left open until the end)
    arms = {"a": rng.random(N) < 0.8, "b": rng.random(N) < 0.76, "c": rng.random(N) < 0.5}
    path = workload(tmp_path, arms, {})
    pairs = run_with_both_assessors(path, tmp_path)
    assert len(pairs) >= 4  # the first call (no items) and at least three rounds
    for fast, full in pairs:
        assert (fast.items, fast.rounds, fast.best, fast.answering, fast.stop, fast.stop_text) == (
            full.items, full.rounds, full.best, full.answering, full.stop, full.stop_text
        )  # fmt: skip
        assert fast.items_by_arm == full.items_by_arm
        assert fast.spent_usd == pytest.approx(full.spent_usd, rel=1e-12)
        assert fast.next_round_usd == pytest.approx(full.next_round_usd, rel=1e-12)
        assert len(fast.comparisons) == len(full.comparisons)
        for x, y in zip(fast.comparisons, full.comparisons, strict=True):
            assert (x.arm, x.best, x.n, x.status, x.decided_at) == (
                y.arm, y.best, y.n, y.status, y.decided_at
            )  # fmt: skip
            assert np.array(x.intervals) == pytest.approx(np.array(y.intervals), abs=1e-12)
            assert x.effect == pytest.approx(y.effect, abs=1e-12)
    # arm c (0.3 worse) is shown inferior and answers no more; the run went on for a and b
    last = pairs[-1][0]
    assert {c.arm: c.status for c in last.comparisons}.get("c") == "inferior"
    assert last.items_by_arm["c"] < last.items


def test_an_arm_failing_on_more_than_a_tenth_stops_and_does_not_hold_the_run(
    tmp_path: Path,
) -> None:
    """`flaky` fails on 20% of items (over the 10% an arm may fail in the verdict) and is
    otherwise as good as the best: before, its comparison stayed open (its failures score 0,
    about -0.2 + chance) while it kept answering; now it stops after the first round, is in no
    comparison, and the run stops when the other comparison is decided."""
    rng = np.random.default_rng(5)
    best = rng.random(N) < 0.9
    cheap = best.copy()  # the cheap arm agrees with the best on every item: equivalent soon
    failing = rng.random(N) < 0.2
    path = workload(tmp_path, {"best": best, "cheap": cheap, "flaky": best}, {"flaky": failing})
    store = RunStore.open(tmp_path / "runs.db")
    seen: list[Assessment] = []
    run_id = run_until_decided(
        load_workload(path), store, RunOptions(work_root=tmp_path / "w"),
        SequentialAssessor(store), on_round=seen.append,
    )  # fmt: skip
    first, last = seen[1], seen[-1]  # seen[0]: before any item
    # round 1: 50 items, flaky failed on more than 5 of them (20% expected: 10)
    assert first.items == 50 and "flaky" in first.ineligible and "flaky" not in first.answering
    assert last.stop == "decided" and last.items < N
    assert [c.arm for c in last.comparisons] == ["cheap"]
    assert last.items_by_arm["flaky"] == 50 < last.items_by_arm["cheap"]
    run = load_run(store, run_id)
    full = assess_sequential(run, run_pricing(run))
    assert full is not None and full.ineligible == ("flaky",)
    from ragtune.advisor import build_document

    reasons = " ".join(r.text for r in build_document(store, run_id).verdict.reasons)
    assert "flaky stopped being answered: failed on more than 10% of its items" in reasons


def test_a_failed_answer_retried_successfully_is_scored_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner answers failed items again each round (`store.completed_items` leaves out
    errors). `flaky` times out on 8% of items (under the 10% line) the first time it is asked
    and answers right ("yes") on the retry, like an API that recovers. The incremental state
    must score the retry (1), not keep the failure (0): round by round it equals the assessment
    from nothing, and at the end no failure is left in it."""
    import dataclasses

    from ragtune.strategies.recorded import RecordedArm

    rng = np.random.default_rng(2)
    best = rng.random(N) < 0.85
    close = np.where(rng.random(N) < 0.93, best, ~best)
    failing = rng.random(N) < 0.08
    path = workload(
        tmp_path, {"best": best, "close": close, "flaky": best}, {"flaky": failing}
    )  # fmt: skip
    asked: dict[str, int] = {}
    recorded_predict = RecordedArm.predict

    def flaky_then_recovers(self: RecordedArm, items: list) -> list:  # type: ignore[type-arg]
        out = []
        for p in recorded_predict(self, items):
            key = f"{self.config.answers}:{p.item_id}"
            asked[key] = asked.get(key, 0) + 1
            if p.error is not None and asked[key] > 1:  # the retry succeeds
                p = dataclasses.replace(p, text="yes", answer="yes", error=None)
            out.append(p)
        return out

    monkeypatch.setattr(RecordedArm, "predict", flaky_then_recovers)
    pairs = run_with_both_assessors(path, tmp_path)
    retried = [k for k, v in asked.items() if "flaky" in k and v > 1]
    assert len(retried) >= 3  # retries happened and succeeded in later rounds
    for fast, full in pairs:
        assert (fast.best, fast.stop, fast.ineligible) == (full.best, full.stop, full.ineligible)
        for x, y in zip(fast.comparisons, full.comparisons, strict=True):
            assert (x.arm, x.n, x.status, x.decided_at) == (y.arm, y.n, y.status, y.decided_at)
            assert x.effect == pytest.approx(y.effect, abs=1e-12)
            assert np.array(x.intervals) == pytest.approx(np.array(y.intervals), abs=1e-12)
    flaky_rounds = [f for f, _ in pairs if any(c.arm == "flaky" for c in f.comparisons)]
    assert len(flaky_rounds) >= 2  # compared after its retries landed, not only before
