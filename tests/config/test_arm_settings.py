"""Every arm's settings are typed: an unknown key and an out-of-range value are exit 2 from
`ragtune check` with the field path, per arm; `arms:` as a list works; a file with several
problems reports them all, and a validation split is carved from train when none is given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.config import load_workload
from ragtune.data import Example, carve_validation
from ragtune.errors import ValidationError
from ragtune.strategies import arm_names, traits_of

# arm -> (a misspelt key and what "did you mean" names, an out-of-range field and value)
BAD = {
    "prompt": (("max_token", "max_tokens"), ("max_tokens", 0)),
    "fewshot": (("kk", "k"), ("k", 0)),
    "long_context": (("context_windows", "context_window"), ("context_window", 10)),
    "rag": (("mod", "mode"), ("k", -1)),
    "finetune": (("epoch", "epochs"), ("epochs", 0)),
    "finetune_rag": (("lora_layer", "lora_layers"), ("batch_size", 0)),
    "memory": (("treshold", "threshold"), ("threshold", 2)),
    "router": (("target_qualty", "target_quality"), ("target_quality", 1.5)),
    "classifier": (("max_iters", "max_iter"), ("max_iter", 5)),
}


def write(root: Path, arms: str, *, test: str = "data.jsonl", extra: str = "") -> Path:
    rows = [
        {"id": f"i{i}", "input": f"message {i}", "target": "billing" if i % 2 else "bug",
         "split": ("train", "validation", "test")[i % 3]}
        for i in range(30)
    ]  # fmt: skip
    (root / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    (root / "kb").mkdir(exist_ok=True)
    (root / "kb" / "a.md").write_text("# A\n\nbilling facts")
    path = root / "w.yaml"
    path.write_text(
        f"task: classify\nlabels: [billing, bug]\nknowledge: {{path: kb}}\n"
        f"data: {{path: {test}}}\narms:\n{arms}\n{extra}"
    )
    return path


def check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(path)])
    return result.exit_code, result.output


def test_every_registered_arm_has_a_case() -> None:
    # `recorded` has no numeric setting; tests/advisor/test_recorded.py checks its file
    assert set(BAD) == set(arm_names()) - {"recorded"}


def test_a_recorded_arm_with_a_misspelt_setting_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "prod.jsonl").write_text('{"id": "i2", "answer": "bug"}\n')
    code, out = check(write(tmp_path, "  production: {answers: prod.jsonl, formt: csv}"))
    assert code == 2
    assert "arms.production.formt: unknown setting; did you mean 'format'" in out


@pytest.mark.parametrize("arm", sorted(BAD))
def test_unknown_setting_is_exit_2_with_path_and_suggestion(arm: str, tmp_path: Path) -> None:
    (key, meant), _ = BAD[arm]
    code, out = check(write(tmp_path, f"  {arm}: {{{key}: 1}}"))
    assert code == 2
    assert f"arms.{arm}.{key}: unknown setting; did you mean '{meant}'" in out


@pytest.mark.parametrize("arm", sorted(BAD))
def test_out_of_range_setting_is_exit_2_with_path_and_range(arm: str, tmp_path: Path) -> None:
    _, (field, value) = BAD[arm]
    code, out = check(write(tmp_path, f"  {arm}: {{{field}: {value}}}"))
    assert code == 2
    assert f"arms.{arm}.{field}: out of range: allowed" in out
    assert f"(given: {value})" in out


def test_router_arms_are_checked_with_their_own_settings(tmp_path: Path) -> None:
    arms = "  router: {first: fewshot, first_params: {k: 0}, escalate: rags}"
    code, out = check(write(tmp_path, arms))
    assert code == 2
    assert "arms.router.first_params.k: out of range: allowed >= 1 and <= 64" in out
    assert "arms.router.escalate: unknown arm; did you mean 'rag'?" in out


def test_backend_must_be_a_role_or_a_backend_name(tmp_path: Path) -> None:
    code, out = check(write(tmp_path, "  prompt: {backend: sonnet}"))
    assert code == 2 and "arms.prompt.backend: backend must be cheap, strong or a backend" in out
    code, out = check(write(tmp_path, "  prompt: {backend: 'anthropic:claude-haiku-4-5'}"))
    assert code == 0, out


def test_arms_as_a_list_are_default_settings(tmp_path: Path) -> None:
    workload = load_workload(write(tmp_path, "  - prompt\n  - rag"))
    assert list(workload.arms) == ["prompt", "rag"]
    assert workload.arms["rag"].k == 4  # type: ignore[attr-defined]


def test_several_problems_are_all_reported_with_a_list_of_arms(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  - prompt\n  - promt\n  - rag",
        test="missing.jsonl",
        extra="repeats: 0\nlimit: some\nlatency_sample: -1\n",
    )
    with pytest.raises(ValidationError) as err:
        load_workload(path)
    found = {p.path: p.message for p in err.value.problems}
    assert "unknown arm; did you mean 'prompt'" in found["arms.promt"]
    assert found["repeats"].startswith("Input should be greater than or equal to 1")
    assert "first:N" in found["limit"]
    assert found["latency_sample"].startswith("Input should be greater than or equal to 0")
    assert any("missing.jsonl" in p and "not found" in m for p, m in found.items())
    code, out = check(path)
    assert code == 2 and "5 problems found" in out


def test_instructions_file_is_read_and_a_missing_one_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "v2.txt").write_text("Pick one of {labels}.\n")
    workload = load_workload(write(tmp_path, "  p2: {arm: prompt, instructions: v2.txt}"))
    assert workload.arms["p2"].instructions == "Pick one of {labels}."  # type: ignore[attr-defined]
    assert workload.instruction_files == {"p2": "v2.txt"}
    code, out = check(write(tmp_path, "  p2: {arm: prompt, instructions: prompts/v9.txt}"))
    assert code == 2 and "arms.p2.instructions: prompt file not found" in out


def test_variant_of_an_unknown_arm_class(tmp_path: Path) -> None:
    code, out = check(write(tmp_path, "  mine: {arm: promt}"))
    assert code == 2 and "arms.mine.arm: unknown arm; did you mean 'prompt'" in out


def test_traits_are_declared_on_the_arm_classes() -> None:
    assert traits_of("rag").cites and traits_of("finetune_rag").cites
    assert traits_of("finetune").tuned and not traits_of("prompt").tuned
    assert traits_of("prompt").projectable and not traits_of("finetune").projectable
    assert not traits_of("long_context").freshness and not traits_of("router").freshness
    assert traits_of("v2", {"arm": "finetune"}).tuned  # a variant has its class's traits
    assert traits_of("gone") == traits_of("gone", {})  # an arm no longer registered: plain


def test_carved_validation_is_stratified_and_capped() -> None:
    # 3 labels x 30 train items: 10% = 9, three per label; cap 6 gives two per label
    train = [Example(f"t{i}", "x", ("a", "b", "c")[i // 30], "train") for i in range(90)]
    out, carved = carve_validation(train, "classify", seed=1)
    moved = [e for e in out if e.split == "validation"]
    assert carved is not None and carved.n == 9 and carved.of == 90
    assert sorted(e.target for e in moved) == ["a"] * 3 + ["b"] * 3 + ["c"] * 3
    out, carved = carve_validation(train, "classify", seed=1, max_items=6)
    assert sorted(e.target for e in out if e.split == "validation") == [
        "a",
        "a",
        "b",
        "b",
        "c",
        "c",
    ]
    again, _ = carve_validation(train, "classify", seed=1, max_items=6)
    assert again == out  # seeded: the same items every time


def test_carving_is_configurable_only_when_needed_and_can_be_switched_off(tmp_path: Path) -> None:
    rows = [
        {"id": f"i{i}", "input": "m", "target": "bug" if i % 2 else "billing"} for i in range(40)
    ]
    (tmp_path / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    (tmp_path / "test.jsonl").write_text("\n".join(json.dumps(r) for r in rows[:6]))
    base = "task: classify\nlabels: [billing, bug]\narms: [prompt, router]\n"
    files = "data: {train: train.jsonl, test: test.jsonl, carve_validation: %s}\n"
    (tmp_path / "w.yaml").write_text(base + files % "{fraction: 0.25, max_items: 8}")
    workload = load_workload(tmp_path / "w.yaml")
    assert workload.carved is not None and workload.carved.n == 8  # 25% of 40 = 10, capped at 8
    assert len(workload.split("validation")) == 8 and len(workload.split("train")) == 32
    # no arm needs a validation split: train stays whole for the arms that learn from it
    (tmp_path / "w.yaml").write_text(base.replace(", router", "") + files % "{}")
    workload = load_workload(tmp_path / "w.yaml")
    assert workload.carved is None and len(workload.split("train")) == 40
    code, out = check(tmp_path / "w.yaml")
    assert code == 0 and "validation: none (no arm needs one)" in out
    (tmp_path / "w.yaml").write_text(base + files % "null")
    code, out = check(tmp_path / "w.yaml")
    assert code == 2 and "arms router calibrate on a validation split, which is empty" in out
