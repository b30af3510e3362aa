"""`finetune: {learning_curve: [...]}` expands into ordinary tuned arms `finetune@N`, trained on
nested, seeded, stratified subsets of train; bad sizes are clear errors (exit 2 from `check`)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.config import load_workload
from ragtune.data import Example, nested_subsets
from ragtune.data.sampling import nested_order
from ragtune.errors import ValidationError
from ragtune.evidence.traits import CITING, TUNED
from ragtune.finetune.workload import workload_job
from ragtune.running.resources import curve_folder, curve_sizes, plain_arms
from ragtune.strategies import kind_of, requirements, traits_of
from ragtune.strategies.rag import FinetuneSettings
from ragtune.strategies.settings import curve_arm, split_curve_arm

LABELS = ["billing", "bug", "other"]


def write(root: Path, arms: str, n_train: int = 60) -> Path:
    # train labels in blocks (sorted by label, the common case): 30 billing, 20 bug, 10 other
    shares = {
        "billing": n_train // 2,
        "bug": n_train // 3,
        "other": n_train - n_train // 2 - n_train // 3,
    }
    rows = [
        {"id": f"r-{label}-{i}", "input": f"{label} message {i}", "target": label, "split": "train"}
        for label, count in shares.items()
        for i in range(count)
    ]
    rows += [
        {"id": f"t{i}", "input": f"test {i}", "target": LABELS[i % 3], "split": "test"}
        for i in range(9)
    ]
    (root / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    path = root / "w.yaml"
    path.write_text(
        "task: classify\nlabels: [billing, bug, other]\ndata: {path: data.jsonl}\n"
        f"backends: {{cheap: local:smollm2-135m}}\narms:\n{arms}\n"
    )
    return path


def examples(counts: dict[str, int]) -> list[Example]:
    return [
        Example(f"{label}-{i}", f"x {i}", label, "train")
        for label, n in counts.items()
        for i in range(n)
    ]


def test_curve_arm_names_round_trip() -> None:
    assert curve_arm("finetune", 250) == "finetune@250"
    assert split_curve_arm("finetune@250") == ("finetune", 250)
    assert split_curve_arm("finetune_rag@4000") == ("finetune_rag", 4000)
    assert split_curve_arm("prompt") == ("prompt", None)
    assert split_curve_arm("odd@name") == ("odd@name", None)  # not a size: an ordinary name


def test_curve_arms_are_tuned_everywhere() -> None:
    assert "finetune@250" in TUNED and "finetune_rag@24" in TUNED
    assert "finetune_rag@24" in CITING and "finetune@24" not in CITING
    assert "prompt@24" not in TUNED and "prompt" not in TUNED
    assert kind_of("finetune@250") == "finetune"
    assert traits_of("finetune@250").tuned
    assert requirements("finetune@250", {"train_size": 250}).needs_tuned


def test_learning_curve_expands_into_ordinary_tuned_arms(tmp_path: Path) -> None:
    w = load_workload(
        write(tmp_path, "  prompt: {}\n  finetune: {epochs: 3, learning_curve: [40, 10, 20]}")
    )
    # the arms follow their parent, smallest size first, in the spec (what the run runs) and
    # typed in `arms`, with the parent's hyper-parameters and their own size
    assert list(w.spec.arms) == ["prompt", "finetune", "finetune@10", "finetune@20", "finetune@40"]
    assert list(w.arms) == list(w.spec.arms)
    point, parent = w.arms["finetune@20"], w.arms["finetune"]
    assert isinstance(point, FinetuneSettings) and isinstance(parent, FinetuneSettings)
    assert point.arm == "finetune"
    assert point.train_size == 20 and point.epochs == 3.0 and point.learning_curve is None
    assert parent.learning_curve == [10, 20, 40] and parent.train_size is None
    assert curve_sizes(w, list(w.arms)) == [10, 20, 40]
    assert plain_arms(w, list(w.arms)) == ["prompt", "finetune"]


def test_finetune_rag_and_variants_expand_too(tmp_path: Path) -> None:
    path = write(tmp_path, "  ft_small: {arm: finetune, lora_layers: 4, learning_curve: [6, 12]}")
    w = load_workload(path)
    assert list(w.arms) == ["ft_small", "ft_small@6", "ft_small@12"]
    assert w.arms["ft_small@6"].arm == "finetune"
    assert "ft_small@6" not in TUNED  # a variant's name: readers look it up by its settings
    assert traits_of("ft_small@6", {"arm": "finetune"}).tuned


@pytest.mark.parametrize(
    ("arms", "field", "words"),
    [
        (
            "  finetune: {learning_curve: [10, 500]}",
            "arms.finetune.learning_curve",
            "exceed the 60",
        ),
        ("  finetune: {learning_curve: [10, 10]}", "arms.finetune.learning_curve", "distinct"),
        ("  finetune: {learning_curve: [1, 10]}", "arms.finetune.learning_curve", "at least 2"),
        ("  finetune: {learning_curve: [ten]}", "arms.finetune.learning_curve.0", "integer"),
        ("  finetune: {learning_curve: []}", "arms.finetune.learning_curve", "at least 1"),
        (
            "  finetune: {provider: openai, base: gpt-4o-mini-2024-07-18, learning_curve: [10]}",
            "arms.finetune",
            "provider openai is a hosted job",
        ),
        ("  prompt: {learning_curve: [10]}", "arms.prompt.learning_curve", "unknown setting"),
        ("  finetune: {max_examples: 20, train_size: 10}", "arms.finetune", "cannot be combined"),
    ],
)
def test_bad_learning_curves_are_clear_errors(
    tmp_path: Path, arms: str, field: str, words: str
) -> None:
    path = write(tmp_path, arms)
    with pytest.raises(ValidationError) as err:
        load_workload(path)
    problems = {p.path: p.message for p in err.value.problems}
    assert field in problems, problems
    assert words in problems[field], problems[field]
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and field in result.output


def test_nested_subsets_are_nested_stratified_and_seeded() -> None:
    train = examples({"billing": 50, "bug": 30, "other": 20})  # 100 items, shares .5/.3/.2
    subsets = nested_subsets(train, [10, 40, 70, 100], "classify", seed=1)
    # nested: each size holds every smaller one
    for small, big in [(10, 40), (40, 70), (70, 100)]:
        assert {e.id for e in subsets[small]} <= {e.id for e in subsets[big]}
    # stratified: 10 items -> exactly 5 / 3 / 2; 70 -> 35 / 21 / 14 (shares x size, whole here)
    assert Counter(e.target for e in subsets[10]) == {"billing": 5, "bug": 3, "other": 2}
    assert Counter(e.target for e in subsets[70]) == {"billing": 35, "bug": 21, "other": 14}
    # the largest is the whole split, in file order
    assert subsets[100] == train
    # seeded: the same seed gives the same subsets, another seed other items
    assert nested_subsets(train, [10], "classify", seed=1)[10] == subsets[10]
    assert nested_subsets(train, [10], "classify", seed=2)[10] != subsets[10]


def test_every_prefix_of_the_nested_order_is_within_one_of_its_share() -> None:
    # Tijdeman's bound: |count - n x share| <= 1 - 1/(2k - 2) for k strata; 7 uneven strata
    counts = {f"l{i}": c for i, c in enumerate([41, 23, 17, 9, 5, 3, 2])}
    train = examples(counts)
    order = nested_order(train, lambda e: str(e.target), seed=5)
    seen: Counter[str] = Counter()
    bound = 1 - 1 / (2 * 7 - 2)
    for n, e in enumerate(order, 1):
        seen[str(e.target)] += 1
        for label, total in counts.items():
            assert abs(seen[label] - n * total / len(train)) <= bound + 1e-9, (n, label)


def test_each_size_trains_on_its_subset_with_steps_scaled(tmp_path: Path) -> None:
    w = load_workload(
        write(tmp_path, "  finetune: {max_steps: 30, batch_size: 4, learning_curve: [12, 30, 60]}")
    )
    plain = workload_job(w, "smollm2-135m")
    assert len(plain.examples) == 60 and plain.config.max_steps == 30
    small = workload_job(w, "smollm2-135m", size=12)
    # same hyper-parameters, steps scaled to keep the epochs: 30 x 12 / 60 = 6
    assert len(small.examples) == 12 and small.config.max_steps == 6
    assert small.config.batch_size == 4 and small.config.seed == plain.config.seed
    # the largest size is the plain arm's training set when that is the whole train split,
    # and is tuned in the plain arm's folder (trained once, reused by both arms)
    full = workload_job(w, "smollm2-135m", size=60)
    assert full.examples == plain.examples and full.config == plain.config
    assert curve_folder(w, 60) == "tuned" and curve_folder(w, 12) == "tuned@12"
    texts = {c.messages[-1].content for c in small.examples}
    assert texts == {"billing", "bug", "other"}  # 6 / 4 / 2 of the 30 / 20 / 10 blocks


def test_a_capped_plain_arm_keeps_its_own_folder(tmp_path: Path) -> None:
    w = load_workload(write(tmp_path, "  finetune: {max_examples: 30, learning_curve: [12, 60]}"))
    assert curve_folder(w, 60) == "tuned@60"  # the plain arm trains on 30, not the whole split
