"""OpenAI's self-serve fine-tuning cut-off (2027-01-06, a dated fact in
`cost/hosted_finetuning.yaml`) at `ragtune check`, with "today" fixed by $RAGTUNE_TODAY."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.cost import load_hosted


def workload(root: Path, **arm: object) -> Path:
    rows = [{"input": f"q {i}", "target": "a" if i % 2 else "b",
             "split": "train" if i < 8 else "test"} for i in range(12)]  # fmt: skip
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = {
        "name": "cutoff",
        "task": "classify",
        "labels": ["a", "b"],
        "data": {"path": "data.jsonl"},
        "backends": {"cheap": "openai:gpt-4o-mini", "strong": "openai:gpt-4o-mini"},
        "arms": {"finetune": {"provider": "openai", "base": "gpt-4o-mini-2024-07-18", **arm}},
    }
    path = root / "workload.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def check(path: Path, today: str) -> object:
    return CliRunner().invoke(cli, ["check", str(path), "--no-estimate"],
                              env={"RAGTUNE_TODAY": today})  # fmt: skip


def test_the_cutoff_is_a_dated_fact_with_a_source() -> None:
    cutoff = load_hosted().cutoff("openai")
    assert cutoff is not None
    assert cutoff.no_new_jobs_from == date(2027, 1, 6)
    assert "platform.openai.com/docs/deprecations" in cutoff.source
    assert set(cutoff.alternatives) >= {"together", "fireworks"}


def test_check_after_the_cutoff_exits_2_naming_the_date_and_the_alternatives(
    tmp_path: Path,
) -> None:
    result = check(workload(tmp_path), "2027-01-07")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert "arms.finetune.provider" in err
    assert "2027-01-06" in err and "today is 2027-01-07" in err
    assert "provider: together" in err and "provider: fireworks" in err


def test_check_on_the_cutoff_day_refuses_too(tmp_path: Path) -> None:
    assert check(workload(tmp_path), "2027-01-06").exit_code == 2  # type: ignore[attr-defined]


def test_check_before_the_cutoff_warns_and_passes(tmp_path: Path) -> None:
    result = check(workload(tmp_path), "2026-12-07")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    # 2026-12-07 -> 2027-01-06: 24 days left in December + 6 in January = 30 days
    assert "ends on 2027-01-06 (30 days from 2026-12-07)" in err
    assert "provider: together" in err


def test_an_openai_shaped_server_elsewhere_is_not_held_to_openais_dates(tmp_path: Path) -> None:
    path = workload(tmp_path, base_url="http://127.0.0.1:9/v1")
    # after the jobs cut-off (2027-01-06), before gpt-4o-mini itself shuts down (2027-01-14:
    # from then on the backends would be refused as shut down, a different rule)
    result = check(path, "2027-01-10")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "2027-01-06" not in result.stderr  # type: ignore[attr-defined]


def test_a_bad_today_is_named(tmp_path: Path) -> None:
    result = check(workload(tmp_path), "next tuesday")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "RAGTUNE_TODAY='next tuesday' is not a date" in result.stderr  # type: ignore[attr-defined]
