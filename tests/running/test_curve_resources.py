"""A learning curve's resources: one tuned model per size, in its own folder, trained on its
nested subset; the size that is the whole train split shares the plain arm's adapter; adapters
already in the run folder are reused, never retrained. Training and model loading are replaced
by fakes here (the end-to-end run is in the README); what is checked is the wiring."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ragtune.config import load_workload
from ragtune.running import resources as resources_module
from ragtune.running.resources import build_resources
from ragtune.strategies import create_arm
from ragtune.strategies.base import ArmUnavailable


def write(root: Path, arms: str) -> Path:
    """60 train items in label blocks (30 / 20 / 10) and 9 test items."""
    rows = [
        f'{{"id": "r-{label}-{i}", "input": "{label} {i}", "target": "{label}", "split": "train"}}'
        for label, count in (("billing", 30), ("bug", 20), ("other", 10))
        for i in range(count)
    ]
    rows += [
        f'{{"id": "t{i}", "input": "test {i}", "target": "bug", "split": "test"}}' for i in range(9)
    ]
    (root / "data.jsonl").write_text("\n".join(rows))
    path = root / "w.yaml"
    path.write_text(
        "task: classify\nlabels: [billing, bug, other]\ndata: {path: data.jsonl}\n"
        f"backends: {{cheap: local:smollm2-135m}}\narms:\n{arms}\n"
    )
    return path


@dataclass
class FakeBackend:
    name: str
    adapter: str | None = None


@dataclass
class FakeResult:
    weights: str
    examples: int


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (folder, examples) the fake `tune` trained."""
    trained: list[tuple[str, int]] = []

    def tune(config: Any, out: Path, *, examples: Any, **_: Any) -> FakeResult:
        (Path(out) / "adapter").mkdir(parents=True)
        trained.append((Path(out).name, len(examples)))
        return FakeResult(str(Path(out) / "adapter"), len(examples))

    def create_backend(name: str, adapter: str | None = None, **_: Any) -> FakeBackend:
        return FakeBackend(name, adapter)

    monkeypatch.setattr("ragtune.finetune.tune", tune)  # where resources looks it up
    monkeypatch.setattr(resources_module, "create_backend", create_backend)
    return trained


def test_each_size_gets_its_own_tuned_model(tmp_path: Path, fakes: list[Any]) -> None:
    w = load_workload(write(tmp_path, "  prompt: {}\n  finetune: {learning_curve: [12, 30, 60]}"))
    told: list[int | None] = []
    arms = list(w.arms)
    r = build_resources(
        w,
        arms,
        tmp_path / "work",
        on_training=lambda result, train_set=None: told.append(train_set),
    )
    # the plain arm first (the whole split), then 12 and 30; 60 is the plain arm's adapter
    assert fakes == [("tuned", 60), ("tuned@12", 12), ("tuned@30", 30)]
    assert told == [60, 12, 30]
    assert r.tuned_at[60] is r.tuned
    assert r.tuned_at[12].adapter == str(tmp_path / "work" / "tuned@12" / "adapter")
    # each arm answers with its own size's model
    for name, backend in [("finetune", r.tuned), ("finetune@12", r.tuned_at[12])]:
        assert create_arm(name, r, w.arms[name]).backend is backend
    # a second build over the same folder reuses every adapter: nothing is trained again
    fakes.clear()
    again = build_resources(w, arms, tmp_path / "work")
    assert fakes == [] and set(again.tuned_at) == {12, 30, 60}


def test_a_curve_arm_alone_trains_only_its_size(tmp_path: Path, fakes: list[Any]) -> None:
    w = load_workload(write(tmp_path, "  finetune: {learning_curve: [12, 60]}"))
    r = build_resources(w, ["finetune@12"], tmp_path / "work")
    assert fakes == [("tuned@12", 12)] and r.tuned is None
    with pytest.raises(ArmUnavailable, match="on 60 examples"):
        create_arm("finetune@60", r, w.arms["finetune@60"])
