"""The measured cost of one fine-tune: tokens processed, wall time, hardware; priced on request.

`TrainingCost` is the record a run writes (training_cost.json) and the report reads. Pricing goes
through the cost engine's formulas (`ragtune.cost.formulas`): rented hardware at $/hour for the
measured wall time, or a hosted provider's $/M training tokens for the same token count, so the
two can be compared. This module measures nothing itself: the recipe fills the record.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ragtune.errors import RagtuneError


@dataclass(frozen=True)
class TrainingCost:
    tokens: int  # tokens in one pass over the training set (prompt + answer, no padding)
    epochs: float  # passes actually made (fractional when stopped early)
    wall_seconds: float  # training loop only: no model loading, no export
    hardware: str  # e.g. "cpu: AMD EPYC 7B13 (2 threads)" or "cuda: NVIDIA H100 80GB HBM3"
    device_type: str  # "cpu" | "cuda" | "mps"
    trained_tokens: int = 0  # tokens carrying loss (answers), per epoch
    steps: int = 0

    @property
    def tokens_processed(self) -> float:
        """Training tokens x epochs: what hosted fine-tuning bills."""
        return self.tokens * self.epochs

    @property
    def hours(self) -> float:
        return self.wall_seconds / 3600.0

    @property
    def tokens_per_second(self) -> float:
        return self.tokens_processed / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def save(self, path: str | Path) -> None:
        data = asdict(self) | {"tokens_processed": self.tokens_processed}
        Path(path).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> TrainingCost:
        data = json.loads(Path(path).read_text())
        data.pop("tokens_processed", None)
        return cls(**data)


def estimate_hardware_cost(record: TrainingCost, hourly: float, gpus: float = 1.0) -> float:
    """Dollars for the measured wall time on hardware rented at `hourly` $/hour."""
    from ragtune.cost import gpu_compute_cost

    if hourly < 0:
        raise RagtuneError(f"hourly price must be >= 0, got {hourly}")
    return float(gpu_compute_cost(gpu_hourly=hourly, hours=record.hours, gpus=gpus))


def estimate_hosted_cost(record: TrainingCost, price_per_m: float) -> float:
    """Dollars a provider charging `price_per_m` per million training tokens would bill."""
    from ragtune.cost import training_cost_tokens

    if price_per_m < 0:
        raise RagtuneError(f"price per million tokens must be >= 0, got {price_per_m}")
    return float(
        training_cost_tokens(tokens=record.tokens, price_per_m=price_per_m, epochs=record.epochs)
    )


def price_with_catalog(
    record: TrainingCost, *, gpu: str | None = None, model: str | None = None, catalog: Any = None
) -> dict[str, float]:
    """Price the run against catalog entries by name: a GPU ($/hour) and/or a hosted model.

    Returns {"gpu:<name>": dollars, "hosted:<name>": dollars}; unknown names raise the catalog's
    error (which suggests the nearest names).
    """
    from ragtune.cost import load_catalog

    catalog = catalog or load_catalog()
    out: dict[str, float] = {}
    if gpu:
        entry = catalog.gpu(gpu)
        out[f"gpu:{entry.name}"] = estimate_hardware_cost(record, entry.hourly)
    if model:
        m = catalog.model(model)
        if m.training_per_m is None:
            raise RagtuneError(
                f"the catalog has no training price for {m.name!r}",
                hint="pick a model with a training price (`ragtune prices`) or pass a GPU",
            )
        out[f"hosted:{m.name}"] = estimate_hosted_cost(record, m.training_per_m)
    return out


def describe_hardware(device: str, threads: int | None = None) -> str:
    """A one-line description of the training hardware for the record and the model card."""
    if device.startswith("cuda"):
        import torch

        return f"cuda: {torch.cuda.get_device_name(0)}"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{device}: {cpu}" + (f" ({threads} thread{'s' * (threads != 1)})" if threads else "")
