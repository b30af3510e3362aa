"""Adding an arm is one class: its settings model and traits, registered with `@register_arm`;
the workload check, the runner and the store then know it with nothing else edited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from pydantic import Field

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.store.runstore import RunStore
from ragtune.strategies import ARMS, ArmSettings, ChatSettings, Traits, register_arm, traits_of
from ragtune.strategies.chat import ChatArm


class EchoSettings(ChatSettings):
    suffix: str = Field("", max_length=3)


@pytest.fixture
def echo() -> Iterator[type]:
    @register_arm
    class EchoArm(ChatArm):
        name: ClassVar[str] = "echo"
        settings: ClassVar[type[ArmSettings]] = EchoSettings
        traits: ClassVar[Traits] = Traits(needs_train=True, cites=True)

        def system(self) -> str:
            return f"echo{self.config.suffix}"  # type: ignore[attr-defined]

    yield EchoArm
    ARMS.pop("echo")


def workload(root: Path, arms: str, *, train: bool = True) -> Path:
    rows = [{"id": f"i{i}", "input": f"message {i} about billing", "target": "billing"}
            for i in range(6)]  # fmt: skip
    (root / "test.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    (root / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    files = "{train: train.jsonl, test: test.jsonl}" if train else "{test: test.jsonl}"
    path = root / "w.yaml"
    path.write_text(
        f"task: classify\nlabels: [billing, bug]\ndata: {files}\narms: {arms}\n"
        "backends: {cheap: 'scripted:cheap'}\n"
    )
    return path


def test_a_registered_arm_is_checked_run_and_stored(
    echo: type, tmp_path: Path, scripted: Any
) -> None:
    runner = CliRunner()
    assert traits_of("echo").cites
    bad = runner.invoke(cli, ["check", str(workload(tmp_path, "{echo: {suffix: toolong}}"))])
    assert bad.exit_code == 2 and "arms.echo.suffix:" in bad.output
    untrained = workload(tmp_path, "[echo]", train=False)
    result = runner.invoke(cli, ["check", str(untrained)])
    assert result.exit_code == 2 and "arms echo need a non-empty train split" in result.output
    path = workload(tmp_path, "{echo: {suffix: '!'}}")
    store = tmp_path / "s.db"
    result = runner.invoke(cli, ["run", str(path), "--store", str(store), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert scripted.seen["cheap"][0].system == "echo!"
    [run] = RunStore.open(store).list_runs()
    arm = RunStore.open(store).get_arm(run.id, "echo")
    assert arm.status == "done" and arm.params["suffix"] == "!"
