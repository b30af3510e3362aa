"""Checkpoints of a training run: enough state to continue as if never interrupted.

A checkpoint is a folder `checkpoints/step-000050/` holding

    trainable.safetensors   the parameters being trained (LoRA matrices, or all weights)
    optimizer.pt            optimizer and learning-rate scheduler state
    state.json              step, wall time so far, best validation loss, loss history
    rng.pt                  torch / python RNG states at the end of that step (dropout!)

It is written to a temporary folder and renamed, so a crash mid-save never leaves a checkpoint
that looks complete. Only the newest `keep` checkpoints are kept.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ragtune.errors import RagtuneError

PREFIX = "step-"


@dataclass
class TrainState:
    step: int = 0  # optimizer steps completed
    wall_seconds: float = 0.0  # training time so far, across resumes
    best_val_loss: float | None = None
    best_step: int = 0
    evals_without_improvement: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)  # the log.jsonl records


def trainable_state(model: Any) -> dict[str, Any]:
    return {n: p.detach().to("cpu").clone() for n, p in model.named_parameters() if p.requires_grad}


def rng_state() -> dict[str, Any]:
    import torch

    state: dict[str, Any] = {"torch": torch.get_rng_state(), "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    import torch

    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(
    root: Path,
    *,
    model: Any,
    optimizer: Any,
    scheduler: Any,
    state: TrainState,
    rng: dict[str, Any],
    keep: int = 2,
) -> Path:
    import torch
    from safetensors.torch import save_file

    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{PREFIX}{state.step:06d}"
    tmp = Path(tempfile.mkdtemp(prefix=".ckpt-", dir=root))
    try:
        weights = {n: t.contiguous() for n, t in trainable_state(model).items()}
        save_file(weights, str(tmp / "trainable.safetensors"))
        torch.save(
            {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
            tmp / "optimizer.pt",
        )
        torch.save(rng, tmp / "rng.pt")
        (tmp / "state.json").write_text(json.dumps(state.__dict__, indent=1))
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in list_checkpoints(root)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def list_checkpoints(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    found = [
        p for p in root.iterdir() if p.name.startswith(PREFIX) and (p / "state.json").is_file()
    ]
    return sorted(found, key=lambda p: int(p.name[len(PREFIX) :]))


def latest_checkpoint(root: Path) -> Path:
    found = list_checkpoints(root)
    if not found:
        raise RagtuneError(
            f"--resume: no checkpoint in {root}",
            hint="start without --resume, or point --out at the folder of the interrupted run",
        )
    return found[-1]


def load_checkpoint(path: Path, *, model: Any, optimizer: Any, scheduler: Any) -> TrainState:
    """Restore weights, optimizer, scheduler and RNG in place; return the saved TrainState."""
    import torch
    from safetensors.torch import load_file

    weights = load_file(str(path / "trainable.safetensors"))
    params = dict(model.named_parameters())
    missing = [n for n in weights if n not in params]
    if missing:
        raise RagtuneError(
            f"checkpoint {path} does not match the model ({len(missing)} unknown parameters, "
            f"e.g. {missing[0]})",
            hint="resume with the same --base and --method as the interrupted run",
        )
    with torch.no_grad():
        for name, tensor in weights.items():
            params[name].copy_(tensor.to(params[name].device, params[name].dtype))
    opt = torch.load(path / "optimizer.pt", weights_only=False)
    optimizer.load_state_dict(opt["optimizer"])
    scheduler.load_state_dict(opt["scheduler"])
    set_rng_state(torch.load(path / "rng.pt", weights_only=False))
    return TrainState(**json.loads((path / "state.json").read_text()))
