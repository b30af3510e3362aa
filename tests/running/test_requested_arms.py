"""Both ways of running a workload refuse an arm it does not have, with one message."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.config import load_workload
from ragtune.errors import RagtuneError
from ragtune.running.runner import RunOptions, requested_arms

EXAMPLES = Path(__file__).parents[2] / "src" / "ragtune" / "examples"
CLASSIFY = EXAMPLES / "workloads" / "classify.yaml"


def test_an_unknown_arm_is_named_with_the_workloads_arms() -> None:
    workload = load_workload(CLASSIFY)
    assert requested_arms(workload, RunOptions()) == list(workload.spec.arms)
    assert requested_arms(workload, RunOptions(arms=("prompt",))) == ["prompt"]
    with pytest.raises(RagtuneError, match=r"arm\(s\) ragg are not in the workload") as info:
        requested_arms(workload, RunOptions(arms=("prompt", "ragg")))
    assert "prompt" in (info.value.hint or "")
