"""Hosted fine-tuning prices and dated facts: Together, Fireworks and OpenAI's cut-off.

The providers teams tune on now bill in shapes the per-token model catalog cannot hold: training
by tokens processed at a rate chosen by the base's size bracket, method and LoRA vs full, and
serving either per token (serverless) or by endpoint time (a dedicated endpoint, billed whether
busy or idle). This module reads `hosted_finetuning.yaml` into typed records and holds the three
formulas that price them; every record keeps its source page, the date it was read and whether
that figure was confirmed from a stored copy of the page.

Deliberately not here: calling the providers (`ragtune.finetune`), or deciding which endpoint a
workload needs (the arm's `serving:` settings say).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from ragtune.errors import RagtuneError

DAYS_PER_MONTH = 30.0  # the cost engine's month: 720 hours (`evidence.pricing.HOURS_PER_MONTH`)

Method = Literal["sft", "dpo"]


@dataclass(frozen=True)
class Sourced:
    source: str
    as_of: str
    confirmed: bool

    @property
    def cite(self) -> str:
        flag = "" if self.confirmed else ", not re-confirmed"
        return f"{self.source}, read {self.as_of}{flag}"


@dataclass(frozen=True)
class TrainingRate(Sourced):
    """$/M tokens processed for one provider, size bracket, method and LoRA / full."""

    provider: str
    max_params_b: float
    method: Method
    lora: bool
    per_m: float


@dataclass(frozen=True)
class ServerlessRate(Sourced):
    """Per-token serving of a tuned model (a LoRA at its base model's rate)."""

    provider: str
    max_params_b: float
    input_per_m: float
    output_per_m: float


@dataclass(frozen=True)
class EndpointRate(Sourced):
    """A dedicated endpoint (one replica of `hardware`), billed per minute or per GPU-second."""

    provider: str
    hardware: str
    hourly: float  # per replica
    billed: str  # "per minute" | "per GPU-second": how the provider meters it
    unit_price: float  # in that unit
    gpus: int = 1
    max_adapters: int = 1  # LoRA adapters one deployment can serve at once


@dataclass(frozen=True)
class Cutoff(Sourced):
    """A dated end of hosted fine-tuning at a provider: no new jobs from `no_new_jobs_from`."""

    name: str
    provider: str
    no_new_jobs_from: date
    earlier: str
    existing_models: str
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    api_base: str
    inference_base: str
    key_variable: str


@dataclass(frozen=True)
class HostedCatalog:
    providers: dict[str, ProviderInfo]
    training: tuple[TrainingRate, ...]
    serverless: tuple[ServerlessRate, ...]
    endpoints: dict[tuple[str, str], EndpointRate]
    bases: dict[str, float]
    cutoffs: dict[str, Cutoff]

    def params_b(self, base: str, given: float | None = None) -> float:
        """The base's size in billions: `given` (the workload's `params_b`), else the file's."""
        if given is not None:
            return given
        if base in self.bases:
            return self.bases[base]
        raise RagtuneError(
            f"the size of base model {base!r} is not known, so its training bracket is not either",
            hint="add `params_b: 8` (billions of parameters) to the finetune arm; known bases: "
            + ", ".join(sorted(self.bases)),
        )

    def training_rate(
        self, provider: str, params_b: float, *, method: Method = "sft", lora: bool = True
    ) -> TrainingRate:
        """The smallest bracket that holds `params_b` for this provider, method and LoRA/full."""
        rows = sorted(
            (
                r
                for r in self.training
                if r.provider == provider and r.method == method and r.lora == lora
            ),
            key=lambda r: r.max_params_b,
        )
        for rate in rows:
            if params_b <= rate.max_params_b:
                return rate
        kind = f"{method.upper()} {'LoRA' if lora else 'full'}"
        raise RagtuneError(
            f"{provider} lists no {kind} training rate for a {params_b:g}B base",
            hint="brackets: "
            + (", ".join(f"up to {r.max_params_b:g}B" for r in rows) or "none for this method")
            + " (ragtune/cost/hosted_finetuning.yaml)",
        )

    def serverless_rate(self, provider: str, params_b: float) -> ServerlessRate | None:
        """Per-token serving for a tuned base of this size, or None (dedicated only)."""
        rows = sorted(
            (r for r in self.serverless if r.provider == provider), key=lambda r: r.max_params_b
        )
        return next((r for r in rows if params_b <= r.max_params_b), None)

    def endpoint(self, provider: str, hardware: str | None) -> EndpointRate:
        """A dedicated endpoint's rate; `hardware` None: the provider's first listed."""
        offered = [h for p, h in self.endpoints if p == provider]
        if hardware is None and offered:
            hardware = offered[0]
        rate = self.endpoints.get((provider, hardware or ""))
        if rate is None:
            raise RagtuneError(
                f"{provider} has no dedicated endpoint hardware {hardware!r} in ragtune's prices",
                hint="offered: " + (", ".join(offered) or "none"),
            )
        return rate

    def endpoint_named(self, name: str) -> EndpointRate:
        """`provider:hardware` (a scenario's `serving.gpu`) as its endpoint rate."""
        provider, hardware = hosted_reference(name) or ("", name)
        return self.endpoint(provider, hardware)

    def training_named(self, name: str) -> TrainingRate:
        """`provider:base` (a scenario's `training.model`) as its SFT LoRA rate."""
        provider, base = hosted_reference(name) or ("", name)
        return self.training_rate(provider, self.params_b(base))

    def cutoff(self, provider: str) -> Cutoff | None:
        return next((c for c in self.cutoffs.values() if c.provider == provider), None)


def hosted_reference(name: str | None) -> tuple[str, str] | None:
    """`together:1x_nvidia_h100_80gb_sxm` or `fireworks:accounts/.../qwen3-8b` as (provider,
    rest), for scenario files that name a hosted endpoint or base; None for other names."""
    provider, sep, rest = (name or "").partition(":")
    return (provider, rest) if sep and rest and provider in ("together", "fireworks") else None


def training_cost(tokens: float, rate: TrainingRate) -> float:
    """Dollars for `tokens` processed (every epoch and evaluation already counted)."""
    return tokens * rate.per_m / 1e6


def endpoint_monthly(rate: EndpointRate, *, hours_per_day: float, replicas: int) -> float:
    """Dollars a month for `replicas` of the endpoint running `hours_per_day` every day."""
    return rate.hourly * hours_per_day * DAYS_PER_MONTH * replicas


@cache
def load_hosted() -> HostedCatalog:
    """The bundled hosted fine-tuning prices and cut-offs (read once)."""
    text = resources.files("ragtune.cost").joinpath("hosted_finetuning.yaml").read_text("utf-8")
    return parse_hosted(yaml.safe_load(text))


def parse_hosted(data: dict[str, Any]) -> HostedCatalog:
    providers: dict[str, ProviderInfo] = {}
    training: list[TrainingRate] = []
    serverless: list[ServerlessRate] = []
    endpoints: dict[tuple[str, str], EndpointRate] = {}
    for name, spec in data["providers"].items():
        providers[name] = ProviderInfo(
            name, spec["api_base"], spec["inference_base"], spec["key_variable"]
        )
        t = spec["training"]
        cited = _sourced(t)
        for row in t["brackets"]:
            for key, value in row.items():
                if key == "max_params_b":
                    continue
                method, kind = key.split("_")
                training.append(
                    TrainingRate(
                        **cited,
                        provider=name,
                        max_params_b=float(row["max_params_b"]),
                        method=method,
                        lora=kind == "lora",
                        per_m=float(value),
                    )
                )
        for row in spec.get("serverless") or []:
            serverless.append(
                ServerlessRate(
                    **_sourced(row),
                    provider=name,
                    max_params_b=float(row["max_params_b"]),
                    input_per_m=float(row["input_per_m"]),
                    output_per_m=float(row["output_per_m"]),
                )
            )
        for hardware, row in (spec.get("endpoints") or {}).items():
            gpus = int(row.get("gpus", 1))
            if "per_minute" in row:
                unit = float(row["per_minute"])
                billed, hourly = "per minute", unit * 60
            else:  # the page quotes $/GPU-hour and meters it by the GPU-second
                hourly = float(row["per_gpu_hour"]) * gpus
                billed, unit = "per GPU-second", float(row["per_gpu_hour"]) / 3600
            endpoints[(name, hardware)] = EndpointRate(
                **_sourced(row),
                provider=name,
                hardware=hardware,
                hourly=float(hourly),
                billed=billed,
                unit_price=unit,
                gpus=gpus,
                max_adapters=int(row.get("max_adapters", 1)),
            )
    cutoffs = {
        name: Cutoff(
            **_sourced(row),
            name=name,
            provider=row["provider"],
            no_new_jobs_from=row["no_new_jobs_from"],
            earlier=row.get("earlier", ""),
            existing_models=row.get("existing_models", ""),
            alternatives=tuple(row.get("alternatives") or ()),
        )
        for name, row in (data.get("cutoffs") or {}).items()
    }
    bases = {str(k): float(v) for k, v in (data.get("bases") or {}).items()}
    return HostedCatalog(providers, tuple(training), tuple(serverless), endpoints, bases, cutoffs)


def _sourced(row: dict[str, Any]) -> dict[str, Any]:
    as_of = row["as_of"]
    return {
        "source": str(row["source"]),
        "as_of": as_of.isoformat() if isinstance(as_of, date) else str(as_of),
        "confirmed": bool(row.get("confirmed", False)),
    }
