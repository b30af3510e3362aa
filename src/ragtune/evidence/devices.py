"""Seconds priced only on the kind of machine that measured them.

A run records the device that timed each arm's local calls and each fine-tune
(`backends.Device`, in the store since migration 7). Pricing reads it three ways:

- An arm timed on a GPU and served on a CPU machine (`pricing.self_hosted` an infra item) is
  refused: a GPU's seconds say nothing about a CPU's. `pricing.serving_throughput.<arm>`
  (requests per second one serving machine answers, measured there) replaces the timing, and
  so lifts the refusal. A stated throughput is used whatever measured the arm.
- A fine-tune timed on a GPU is priced at that GPU's catalog rate (the first `gpus` entry whose
  name or an alias appears in the device's name, as `h100` in "NVIDIA H100 80GB HBM3"); a GPU the
  catalog does not know is refused, naming the fix. A fine-tune on a CPU is priced at the
  serving machine's rate, as before.
- Every other pairing is priced as declared, with a note that the measuring and serving
  machines differ (`device_notes`), which the report shows as a caveat.

Runs stored before migration 7 have no device: they are priced as before, with no note.
Deliberately not here: recording the device (`running`), the prices (`cost`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ragtune.backends import Device
from ragtune.cost import GpuPrice
from ragtune.errors import RagtuneError
from ragtune.evidence.pricing import Machine, Pricing
from ragtune.evidence.rundata import RunData


def serving_seconds(
    run: RunData, arm: str, device: Mapping[str, Any] | None, seconds: NDArray[np.float64],
    pricing: Pricing,
) -> NDArray[np.float64]:  # fmt: skip
    """Machine seconds per item to price a local arm at: the stated throughput's 1 / rps for
    every item, else the measured seconds, refused when a GPU measured them for a CPU machine."""
    stated = run.config.pricing.serving_throughput.get(arm)
    if stated is not None:
        return np.full(seconds.shape, 1.0 / stated, dtype=np.float64)
    measured = Device.from_json(device)
    machine = pricing.machine
    if measured is not None and measured.kind == "gpu" and machine.kind == "cpu":
        raise RagtuneError(
            f"arm {arm!r} was timed on {measured.describe()}, but pricing.self_hosted = "
            f"{machine.name!r} is a CPU machine: GPU seconds cannot be priced as CPU time",
            hint=f"state what one {machine.name} serves (pricing.serving_throughput: {{{arm}: "
            "REQUESTS_PER_SECOND}), or price it on a GPU (pricing.self_hosted: h100, or any "
            "`ragtune prices --section gpus` entry)",
        )
    return seconds


def training_rate(device: Mapping[str, Any] | None, pricing: Pricing) -> tuple[float, str]:
    """$/hour for a local fine-tune's measured seconds, and what it is: the GPU it ran on at
    its catalog price, else the serving machine's rate."""
    measured = Device.from_json(device)
    machine = pricing.machine
    if measured is None or measured.kind == "cpu":
        return machine.hourly, f"{machine.name} at ${machine.hourly:.4f}/h"
    gpu = match_gpu(measured, pricing)
    if gpu is None:
        raise RagtuneError(
            f"the fine-tune ran on {measured.describe()}, which the price catalog does not name, "
            "so its hours cannot be priced",
            hint="add a `gpus:` entry whose name or alias appears in the GPU's name (with its "
            "$/hour, source and date) to a price file listed in pricing.prices",
        )
    return gpu.hourly, f"{gpu.name} at ${gpu.hourly:.2f}/h ({gpu.source}, {gpu.as_of})"


def match_gpu(device: Device, pricing: Pricing) -> GpuPrice | None:
    """The catalog GPU whose name (before its first dash) or an alias is a word of the name."""
    words = set(device.name.lower().replace("-", " ").split())
    for gpu in pricing.catalog.gpus.values():
        if {gpu.name.split("-")[0], *gpu.aliases} & words:
            return gpu
    return None


def device_notes(run: RunData, pricing: Pricing, local_arms: list[str]) -> list[str]:
    """Where the measuring and serving machines differ, one line per measuring device."""
    machine = pricing.machine
    stated = run.config.pricing.serving_throughput
    by_device: dict[str, list[str]] = {}
    for data in run.arms:
        if data.name not in local_arms:
            continue
        if data.name in stated:
            by_device.setdefault("", []).append(
                f"{data.name} at the stated {stated[data.name]:g} requests/s"
            )
            continue
        device = Device.from_json(data.arm.device)
        if device is not None and _differs(device, machine):
            by_device.setdefault(device.describe(), []).append(data.name)
    for job in run.training:
        trained = Device.from_json(job.record.device)
        hosted = job.record.method.startswith("hosted:")
        if (
            trained is not None
            and not hosted
            and trained.kind == "cpu"
            and _differs(trained, machine)
        ):
            by_device.setdefault(trained.describe(), []).append("the fine-tune")
    notes = []
    serving = f"{machine.name}, a {machine.kind.upper()} machine"
    for measured, what in by_device.items():
        if not measured:
            notes.append(
                f"Priced on {serving} at a stated throughput (pricing.serving_throughput), not "
                f"at measured time: {', '.join(what)}."
            )
            continue
        notes.append(
            f"Machine time of {', '.join(what)} was measured on {measured} and is priced as "
            f"{serving}: the measuring and serving machines differ, so the seconds carry over "
            "only as far as the two are alike (state pricing.serving_throughput to price what "
            "the serving machine does)."
        )
    return notes


def _differs(device: Device, machine: Machine) -> bool:
    """A CPU is never known to be the serving CPU (a catalog machine names no CPU model); a GPU
    is the same when the machine is that GPU."""
    if device.kind != machine.kind or device.kind == "cpu":
        return True
    return machine.name.split("-")[0] not in device.name.lower()
