"""A real (tiny) LoRA run on SmolLM2: records, loss going down, resume = uninterrupted, Ctrl-C."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ragtune.errors import RagtuneError
from ragtune.finetune.recipe import Recipe, TrainingInterrupted
from ragtune.finetune.run import tune

pytestmark = pytest.mark.slow


def test_tiny_run_writes_records_and_validation_loss_drops(tiny_run: Any) -> None:
    out, result = tiny_run
    assert result.steps == 3 and result.stopped == "completed"
    assert result.val_loss_end < result.val_loss_start
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if "train_loss" in r] == [1, 2, 3]
    assert [r["step"] for r in log if "val_loss" in r] == [0, 3]
    assert (out / "adapter" / "adapter_config.json").is_file()
    assert (out / "adapter" / "tokenizer_config.json").is_file()
    cost = json.loads((out / "training_cost.json").read_text())
    assert cost["tokens"] == result.render.tokens > 0 and cost["device_type"] == "cpu"
    assert cost["steps"] == 3 and cost["wall_seconds"] > 0
    assert cost["epochs"] == pytest.approx(3 / 6)  # 24 train examples / batch 4 = 6 steps
    card = (out / "README.md").read_text()
    for text in (
        "base_model: smollm2-135m",
        result.data_hash,
        "training tokens x epochs",
        "hardware",
        "lora_r | 4",
        "gpt-4o-mini-ft",
    ):
        assert text in card
    assert len((out / "data" / "validation.jsonl").read_text().splitlines()) == 6


def test_resume_after_interruption_equals_an_uninterrupted_run(
    tmp_path: Path, intents: list[Any], tiny_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safetensors.torch import load_file

    config = tiny_config(
        max_steps=4, checkpoint_every=2, lora_dropout=0.1, eval_every=4, batch_size=2
    )
    data = intents[:30]
    straight = tune(config, tmp_path / "a", examples=data)

    real_step = Recipe._step
    calls = {"n": 0}

    def interrupt_at_step_4(self: Recipe, group: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # Ctrl-C in the middle of step 4
        return real_step(self, group)

    monkeypatch.setattr(Recipe, "_step", interrupt_at_step_4)
    with pytest.raises(TrainingInterrupted, match="interrupted at step 3 of 4") as err:
        tune(config, tmp_path / "b", examples=data)
    assert "--resume" in str(err.value)
    assert (tmp_path / "b" / "checkpoints" / "step-000003").is_dir()
    monkeypatch.setattr(Recipe, "_step", real_step)
    resumed = tune(config, tmp_path / "b", resume=True)

    a = load_file(str(tmp_path / "a" / "adapter" / "adapter_model.safetensors"))
    b = load_file(str(tmp_path / "b" / "adapter" / "adapter_model.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        assert (a[k] - b[k]).abs().max() < 1e-5, k
    assert resumed.last_train_loss == pytest.approx(straight.last_train_loss, rel=1e-4)
    assert resumed.val_loss_end == pytest.approx(straight.val_loss_end, rel=1e-4)
    log = [json.loads(x) for x in (tmp_path / "b" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if "train_loss" in r] == [1, 2, 3, 4]


def test_run_folder_guards(tmp_path: Path, intents: list[Any], tiny_config: Any) -> None:
    with pytest.raises(RagtuneError, match="not a fine-tuning run folder"):
        tune(tiny_config(), tmp_path / "new", resume=True)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "config.json").write_text("{}")
    with pytest.raises(RagtuneError, match="already holds a fine-tuning run"):
        tune(tiny_config(), tmp_path / "used", examples=intents[:10])


def test_full_fine_tuning_saves_all_weights(
    tmp_path: Path, intents: list[Any], tiny_config: Any
) -> None:
    config = tiny_config(method="full", learning_rate=5e-5, max_steps=2, batch_size=2, eval_every=2)
    result = tune(config, tmp_path / "full", examples=intents[:10])
    assert (tmp_path / "full" / "model" / "model.safetensors").is_file()
    assert not (tmp_path / "full" / "adapter").exists()
    assert result.method == "full" and result.val_loss_end < result.val_loss_start
    assert "lora_r" not in (tmp_path / "full" / "README.md").read_text()


def test_early_stopping_restores_the_best_weights(
    tmp_path: Path, intents: list[Any], tiny_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ragtune.finetune import checkpoint as ckpt

    # Validation loss: 5.0 before training, then better at step 1, worse at steps 2 and 3.
    losses = iter([5.0, 4.0, 4.5, 4.6, 4.7])
    monkeypatch.setattr(Recipe, "validation_loss", lambda self, data=None: next(losses))
    snapshots: dict[int, Any] = {}
    real_step = Recipe._step

    def step_and_snapshot(self: Recipe, group: Any) -> Any:
        out = real_step(self, group)
        snapshots[self.state.step + 1] = ckpt.trainable_state(self.model)
        return out

    monkeypatch.setattr(Recipe, "_step", step_and_snapshot)
    config = tiny_config(max_steps=5, batch_size=2, eval_every=1, early_stopping_patience=2)
    result = tune(config, tmp_path / "es", examples=intents[:10])
    assert (result.stopped, result.steps, result.best_step) == ("early_stopping", 3, 1)
    assert result.best_val_loss == 4.0
    from safetensors.torch import load_file

    saved = load_file(str(tmp_path / "es" / "adapter" / "adapter_model.safetensors"))
    best = {k.replace(".default", ""): v for k, v in snapshots[1].items()}
    later = {k.replace(".default", ""): v for k, v in snapshots[3].items()}
    key = next(k for k in saved if "lora_B" in k)
    assert (saved[key] - best[key]).abs().max() < 1e-6
    assert (saved[key] - later[key]).abs().max() > 0


def test_bad_settings_are_reported_together(tiny_config: Any) -> None:
    from ragtune.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        tiny_config(method="dora", batch_size=0, lora_dropout=1.5).validate()
    assert {p.path for p in err.value.problems} == {"method", "batch_size", "lora_dropout"}


def test_unknown_lora_targets_and_qlora_without_gpu(
    tmp_path: Path, intents: list[Any], tiny_config: Any
) -> None:
    with pytest.raises(RagtuneError, match="not in smollm2-135m"):
        tune(
            tiny_config(target_modules=("query_key_value",)), tmp_path / "t", examples=intents[:10]
        )
    with pytest.raises(RagtuneError, match="QLoRA needs a CUDA GPU"):
        tune(tiny_config(method="qlora"), tmp_path / "q", examples=intents[:10])


def test_lora_layers_puts_adapters_on_the_top_layers_only(
    tmp_path: Path, intents: list[Any], tiny_config: Any
) -> None:
    from safetensors import safe_open

    config = tiny_config(lora_layers=2, max_steps=2, batch_size=2, eval_every=2)
    result = tune(config, tmp_path / "top2", examples=intents[:10])
    with safe_open(str(tmp_path / "top2" / "adapter" / "adapter_model.safetensors"), "pt") as f:
        layers = {int(k.split(".layers.")[1].split(".")[0]) for k in f.keys()}  # noqa: SIM118
    assert layers == {28, 29}  # SmolLM2-135M has 30 decoder layers
    assert result.val_loss_end < result.val_loss_start
