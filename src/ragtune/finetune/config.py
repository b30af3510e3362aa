"""Hyper-parameters of a fine-tune, with defaults that work for 100M-1B models on a laptop CPU.

`TuneConfig` is a frozen record (saved as config.json in the run folder, printed on the model
card); `validate` reports every bad value at once. Building it from CLI flags or a workload
file is the caller's job.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ragtune.errors import Problem, ValidationError

METHODS = ("lora", "full", "qlora")
SCHEDULES = ("cosine", "linear", "constant")
# Every linear layer of a Llama/Gemma/Qwen-style block: LoRA on attention and MLP together
# learns a new task faster than attention-only at the same rank.
DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class TuneConfig:
    base: str = "smollm2-135m"
    method: str = "lora"
    epochs: float = 3.0
    max_steps: int | None = None  # overrides epochs when set (tests, smoke runs)
    batch_size: int = 8  # examples per micro-batch
    grad_accum: int = 1  # micro-batches per optimizer step
    learning_rate: float | None = None  # None: 2e-4 for LoRA, 2e-5 for full (usual ranges)
    weight_decay: float = 0.0
    warmup_ratio: float = 0.05
    schedule: str = "cosine"
    max_grad_norm: float = 1.0
    max_length: int = 512  # tokens per example; longer ones are truncated and counted
    truncation: str = "truncate"  # or "error"
    lora_r: int = 16
    lora_alpha: int = 32  # alpha / r = 2: the common choice in PEFT examples
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = DEFAULT_TARGETS
    # LoRA on the top N decoder layers only (None: all). Frozen layers below the lowest adapter
    # need no backward pass, so on a CPU a run with few layers takes a fraction of the time.
    lora_layers: int | None = None
    val_fraction: float = 0.1
    batching: str = "group"  # group | pack | pad (group was fastest in the paired benchmark)
    row_tokens: int | None = None  # packed row width in tokens; None: max_length
    eval_every: int = 0  # steps between validation passes; 0: 4 per epoch
    checkpoint_every: int = 50  # steps; 0 disables periodic checkpoints (Ctrl-C still saves)
    keep_checkpoints: int = 2
    early_stopping_patience: int | None = None  # validation passes without improvement
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    threads: int | None = None  # torch CPU threads; None: torch's default
    system: str | None = None  # system prompt added to examples that have none
    hourly_price: float | None = None  # $/hour of the training machine, for the cost estimate

    @property
    def lr(self) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        return 2e-5 if self.method == "full" else 2e-4

    def validate(self) -> TuneConfig:
        p: list[Problem] = []

        def need(ok: bool, name: str, message: str) -> None:
            if not ok:
                p.append(Problem(name, message, str(getattr(self, name))))

        need(self.method in METHODS, "method", f"must be one of {', '.join(METHODS)}")
        need(self.schedule in SCHEDULES, "schedule", f"must be one of {', '.join(SCHEDULES)}")
        need(self.batching in ("pack", "group", "pad"), "batching", "must be pack, group or pad")
        need(self.truncation in ("truncate", "error"), "truncation", "must be truncate or error")
        need(self.epochs > 0, "epochs", "must be > 0")
        need(self.max_steps is None or self.max_steps > 0, "max_steps", "must be > 0")
        need(self.batch_size >= 1, "batch_size", "must be >= 1")
        need(self.grad_accum >= 1, "grad_accum", "must be >= 1")
        need(self.lr > 0, "learning_rate", "must be > 0")
        need(0 <= self.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)")
        need(self.max_length >= 8, "max_length", "must be >= 8 tokens")
        need(self.lora_r >= 1, "lora_r", "must be >= 1")
        need(self.lora_layers is None or self.lora_layers >= 1, "lora_layers", "must be >= 1")
        need(0 <= self.lora_dropout < 1, "lora_dropout", "must be in [0, 1)")
        need(bool(self.target_modules), "target_modules", "must name at least one module")
        need(0 <= self.val_fraction < 1, "val_fraction", "must be in [0, 1)")
        need(self.eval_every >= 0, "eval_every", "must be >= 0")
        need(self.checkpoint_every >= 0, "checkpoint_every", "must be >= 0")
        need(self.keep_checkpoints >= 1, "keep_checkpoints", "must be >= 1")
        need(
            self.early_stopping_patience is None or self.early_stopping_patience >= 1,
            "early_stopping_patience",
            "must be >= 1",
        )
        if p:
            raise ValidationError("fine-tuning settings", p)
        return self

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> TuneConfig:
        return cls.from_dict(json.loads(Path(path).read_text()))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TuneConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(
                "fine-tuning settings",
                [
                    Problem(k, f"unknown setting; allowed: {', '.join(sorted(known))}")
                    for k in unknown
                ],
            )
        if "target_modules" in data:
            data = {**data, "target_modules": tuple(data["target_modules"])}
        return cls(**data)

    def with_(self, **changes: Any) -> TuneConfig:
        return replace(self, **changes)
