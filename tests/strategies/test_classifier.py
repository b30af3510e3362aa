"""The classifier arm (logistic regression on embeddings) and a 40-label run with every local arm.

Fast tests use a hashing bag-of-words embedder (deterministic, no model): the arm's fitting,
calibration, answers and errors are under test. The slow test runs `ragtune run` on a generated
40-label intent workload with the real MiniLM embedder and SmolLM2: prompt, fewshot, finetune
(max_examples 400), memory and classifier, in under 5 minutes on 2 cores.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ragtune.data import Example
from ragtune.errors import ValidationError
from ragtune.strategies import ArmUnavailable, Resources, TaskSpec, create_arm

NOUNS = [
    "passport", "pizza", "guitar", "volcano", "mortgage", "bicycle", "vaccine", "printer",
    "parking", "wedding", "tax", "insurance", "laptop", "garden", "train", "salary", "dentist",
    "library", "password", "refrigerator", "flight", "hotel", "electricity", "football",
    "piano", "camera", "pension", "recipe", "dog", "umbrella", "elevator", "visa", "concert",
    "telescope", "kayak", "chess", "coffee", "tyre", "invoice", "wifi",
]  # fmt: skip
TEMPLATES = [
    "I have a question about my {n}",
    "can you help me with the {n}?",
    "the {n} is giving me trouble again",
    "what should I do about the {n}",
    "need advice on {n} please",
    "something is wrong with my {n} today",
    "how do I sort out the {n}",
    "quick question regarding {n}",
]
LABELS = tuple(f"about_{n}" for n in NOUNS)


def intents(per_label: int, seed: int, split: str) -> list[Example]:
    """Separable messages: each label's messages name its own noun, in shared templates."""
    rng = random.Random(seed)
    out = []
    for label, noun in zip(LABELS, NOUNS, strict=True):
        for k in range(per_label):
            text = rng.choice(TEMPLATES).format(n=noun)
            out.append(Example(f"{split}-{label}-{k}", text, label, split))
    rng.shuffle(out)
    return out


def hashing_embed(texts: Sequence[str]) -> np.ndarray:
    """Bag of words hashed into 512 dimensions, unit length."""
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in text.lower().replace("?", "").split():
            out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 512] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class Unused:
    name, model = "fake:unused", "unused"

    def generate(self, requests: Sequence[object]) -> list[object]:
        raise AssertionError("the classifier arm must not call a model")

    def close(self) -> None:
        pass


def resources(task: str = "classify", **fields: object) -> Resources:
    base: dict[str, object] = {
        "train": intents(10, 0, "train"),
        "validation": intents(3, 1, "validation"),
        "embed": hashing_embed,
    }
    base.update(fields)
    return Resources(
        TaskSpec(task, LABELS if task == "classify" else None),
        cheap=Unused(),  # type: ignore[arg-type]
        strong=Unused(),  # type: ignore[arg-type]
        **base,  # type: ignore[arg-type]
    )


def test_separable_intents_are_answered_with_calibrated_probabilities() -> None:
    arm = create_arm("classifier", resources(), {})
    test = intents(3, 2, "test")
    predictions = arm.predict(test)
    accuracy = np.mean([p.answer == e.target for p, e in zip(predictions, test, strict=True)])
    assert accuracy >= 0.9
    probs = arm.probabilities([e.input for e in test])  # type: ignore[attr-defined]
    assert probs.shape == (len(test), 40)
    assert np.allclose(probs.sum(axis=1), 1.0)
    for p, row in zip(predictions, probs, strict=True):
        assert p.confidence == pytest.approx(float(row.max())) and not p.calls
    info = arm.info  # type: ignore[attr-defined]
    assert info["train_examples"] == 400 and info["fit_s"] > 0


def test_temperature_minimises_the_validation_log_loss() -> None:
    """T is the bounded minimiser of the validation log-loss: the loss at T is no higher than
    at T x 1.2 or T / 1.2, and no higher than at T = 1 (the uncalibrated model)."""
    arm = create_arm("classifier", resources(), {})
    validation = intents(3, 1, "validation")
    gold = [LABELS.index(str(e.target)) for e in validation]

    def loss(t: float) -> float:
        logits = arm._logits(hashing_embed([e.input for e in validation]))  # type: ignore[attr-defined]
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-np.mean(logp[np.arange(len(gold)), gold]))

    t = arm.temperature  # type: ignore[attr-defined]
    assert loss(t) <= loss(t * 1.2) + 1e-6 and loss(t) <= loss(t / 1.2) + 1e-6
    before, after = arm.validation_log_loss  # type: ignore[attr-defined]
    assert after <= before and math.isclose(before, loss(1.0), rel_tol=1e-6)


def test_without_validation_the_regression_probabilities_are_kept() -> None:
    arm = create_arm("classifier", resources(validation=[]), {})
    assert arm.temperature == 1.0  # type: ignore[attr-defined]
    arm = create_arm("classifier", resources(), {"calibrate": False})
    assert arm.temperature == 1.0  # type: ignore[attr-defined]


def test_unavailable_outside_classify_and_without_train_or_embedder() -> None:
    with pytest.raises(ArmUnavailable, match="classify tasks only"):
        create_arm("classifier", resources("qa"), {})
    with pytest.raises(ArmUnavailable, match="train split"):
        create_arm("classifier", resources(train=[]), {})
    with pytest.raises(ArmUnavailable, match="embedding model"):
        create_arm("classifier", resources(embed=None), {})


def test_bad_settings_name_the_field_the_value_and_the_allowed_range() -> None:
    with pytest.raises(ValidationError) as err:
        create_arm("classifier", resources(), {"c": -1, "colour": "red"})
    text = str(err.value)
    assert "arms.classifier.c" in text and "given: -1" in text and "> 0" in text
    assert "arms.classifier.colour" in text


def test_the_router_can_use_it_as_its_first_arm() -> None:
    """Confident classifier answers stay; below the threshold the strong arm answers."""
    from ragtune.strategies.router import RouterArm

    router = create_arm(
        "router", resources(), {"first": "classifier", "escalate": "prompt", "threshold": 0.0}
    )
    assert isinstance(router, RouterArm)
    predictions = router.predict(intents(1, 3, "test"))
    assert router.first.name == "classifier" and not any(p.escalated for p in predictions)


# --- the 40-label workload, end to end on real models -----------------------------------------


def write_intents_workload(tmp_path: Path, *, latency_sample: int | None = None) -> Path:
    """The 40-label workload. `latency_sample` sets how many items per arm are timed alone
    (the default 6 when None, as the benchmark runs it)."""
    rows = [
        {"id": e.id, "text": e.input, "label": e.target, "split": e.split}
        for e in intents(12, 0, "train") + intents(2, 1, "validation") + intents(1, 2, "test")
    ]
    (tmp_path / "intents.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    labels = ", ".join(LABELS)
    (tmp_path / "intents.yaml").write_text(
        "name: intents40\n"
        "task: classify\n"
        f"labels: [{labels}]\n"
        "data: {path: intents.jsonl, fields: {input: text, target: label}}\n"
        + (f"latency_sample: {latency_sample}\n" if latency_sample is not None else "")
        + "arms:\n"
        "  prompt: {}\n"
        "  fewshot: {k: 4}\n"
        "  finetune: {max_examples: 400, max_steps: 12, lora_layers: 4, max_length: 96}\n"
        "  memory: {}\n"
        "  classifier: {}\n"
    )
    return tmp_path / "intents.yaml"


@pytest.mark.slow
def test_a_40_label_run_with_five_arms_finishes_and_classifies(tmp_path: Path) -> None:
    """The run end to end. Its speed target (under 5 minutes on 2 cores) moved to
    `benchmarks/bench_classify_run.py`, which runs this same workload: a timed assertion here
    failed whenever the suite shared the cores (357 s beside other work, 240 s beside Ray).
    One item per arm is timed alone (the default 6 re-scored 40 labels for 6 items in each of
    4 arms, a fifth of the test's time); tests/running/test_latency.py covers the sampling."""
    from click.testing import CliRunner

    import ragtune.cli  # noqa: F401  (registers every command on the group)
    from ragtune.cli.main import cli
    from ragtune.store.runstore import RunStore

    store = tmp_path / "store.db"
    workload = write_intents_workload(tmp_path, latency_sample=1)
    result = CliRunner().invoke(cli, ["run", str(workload), "--store", str(store), "--no-cache"])
    assert result.exit_code == 0, result.output
    runs = RunStore.open(store)
    [run] = runs.list_runs()
    arms = {a.name: a for a in runs.list_arms(run.id)}
    assert {name: a.status for name, a in arms.items()} == dict.fromkeys(
        ("prompt", "fewshot", "finetune", "memory", "classifier"), "done"
    )
    gold = {i.id: i.gold["answer"] for i in runs.list_items(run.id, split="test")}
    answers = {p.item_id: p.text for p in runs.predictions(run.id, "classifier")}
    assert np.mean([answers[i] == label for i, label in gold.items()]) >= 0.9
    [training] = runs.list_training_runs(run.id)
    assert training.params["examples_seen"] == 12 * 8  # 12 steps of 8: capped, not 480
