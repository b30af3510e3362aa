"""The workload's judge: `backends.judge` as null, a backend name, or a mapping with pairwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.cli.workload import template
from ragtune.config import load_workload
from ragtune.errors import ValidationError


def _workload(tmp_path: Path, judge: str) -> Path:
    path = tmp_path / "qa.yaml"
    path.write_text(template("qa").replace("judge: null", f"judge: {judge}"))
    return path


def test_null_and_a_backend_name_still_validate(tmp_path: Path) -> None:
    assert load_workload(_workload(tmp_path, "null")).spec.backends.judge_spec is None
    spec = load_workload(_workload(tmp_path, "local:smollm2-135m")).spec.backends.judge_spec
    assert spec is not None and spec.backend == "local:smollm2-135m" and spec.pairwise == []


def test_a_mapping_names_the_pairwise_arms(tmp_path: Path) -> None:
    path = _workload(tmp_path, "{backend: 'anthropic:claude-haiku-4-5', pairwise: [rag, finetune]}")
    judge = load_workload(path).spec.backends.judge_spec
    assert judge is not None and judge.pairwise == ["rag", "finetune"]
    assert judge.constrained is None  # decided by the backend kind at run time


@pytest.mark.parametrize(
    ("judge", "where", "says"),
    [
        (
            "{backend: 'local:smollm2-135m', pairwise: [rag]}",
            "backends.judge",
            "two different arms",
        ),
        (
            "{backend: 'local:smollm2-135m', pairwise: [rag, rag]}",
            "backends.judge",
            "two different",
        ),
        (
            "{backend: 'local:smollm2-135m', pairwise: [rag, nope]}",
            "backends.judge.pairwise",
            "not in",
        ),
        ("{pairwise: [rag, finetune]}", "backends.judge", ""),
    ],
)
def test_bad_judge_settings_are_reported(tmp_path: Path, judge: str, where: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        load_workload(_workload(tmp_path, judge))
    text = str(caught.value)
    assert where in text and says in text, text
