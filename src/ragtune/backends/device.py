"""The device that measured a timing: a CPU (model name and cores) or a GPU (its name).

A run stores the device of each arm's local calls and of each fine-tune (`store`), so a price
per machine-hour is only ever applied to seconds measured on a machine of the same kind
(`evidence/devices.py`). Reading the CPU needs no heavy import; naming a GPU asks torch, which
the local backend has loaded already.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Kind = Literal["cpu", "gpu"]


@dataclass(frozen=True)
class Device:
    """What measured: `kind` cpu or gpu, its model `name`, and a CPU's logical cores."""

    kind: Kind
    name: str
    cores: int | None = None

    def describe(self) -> str:
        """'CPU AMD EPYC 7B13, 2 cores' or 'GPU NVIDIA H100 80GB HBM3'."""
        cores = f", {self.cores} cores" if self.cores else ""
        return f"{self.kind.upper()} {self.name}{cores}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "cores": self.cores}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Device | None:
        if not data or data.get("kind") not in ("cpu", "gpu"):
            return None
        return cls(data["kind"], str(data.get("name") or "unknown"), data.get("cores"))


def cpu_name() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def this_cpu() -> Device:
    """This machine's CPU, with the cores this process may use."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else os.cpu_count()
    return Device("cpu", cpu_name(), cores)


def device_of(torch_device: str) -> Device:
    """The device a torch device string (`cpu`, `cuda`, `cuda:1`, `mps`) runs on."""
    if torch_device.startswith("cuda"):
        import torch

        index = int(torch_device.split(":", 1)[1]) if ":" in torch_device else 0
        return Device("gpu", torch.cuda.get_device_name(index))
    if torch_device.startswith("mps"):
        return Device("gpu", f"Apple {platform.machine()} GPU (mps)")
    return this_cpu()


def measuring_device(backend: Any) -> Device:
    """The device a backend's local calls ran on: a local model's own device (through a
    response-cache wrapper), else this machine's CPU (lookups, retrieval, classical models)."""
    inner = getattr(backend, "inner", backend)
    device = getattr(inner, "device", None)
    if isinstance(device, str) and hasattr(inner, "load"):
        return device_of(device)
    return this_cpu()


def from_hardware(device_type: str, hardware: str, threads: int | None = None) -> Device:
    """A fine-tune's `TrainingCost` (`cuda: NVIDIA H100 ...`, `cpu: AMD EPYC (2 threads)`) as a
    Device."""
    name = hardware.split(": ", 1)[-1]
    if device_type == "cuda" or device_type == "mps":
        return Device("gpu", name)
    name = name.rsplit(" (", 1)[0] if name.endswith(")") else name
    return Device("cpu", name, threads)
