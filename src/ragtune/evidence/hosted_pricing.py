"""A Together or Fireworks fine-tune priced as the provider bills it.

Training: the job's reported trained tokens x the rate for the base's size bracket, SFT, LoRA or
full (`cost/hosted_finetuning.yaml`). Serving: serverless, each call's tokens at the per-token
rate for the base's size; dedicated, each call is free per token and the endpoint is billed for
its running time: hourly rate (shared by the adapters on it) x hours a day x 30 days x replicas,
replicas sized from the measured latency and the volume (`GpuServing`, where a "token" is one
request and one replica answers one request at a time).

What the run measured is read from its training record (`HostedResult` as stored), so a run is
priced the same way from any working directory. Deliberately not here: OpenAI's `ft:` models,
which the catalog prices per token (`training.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ragtune.cost import (
    Catalog,
    GpuServing,
    ModelPrice,
    load_hosted,
    training_cost,
)
from ragtune.evidence.rundata import RunData

PROVIDERS = ("together", "fireworks")
DAYS_PER_MONTH = 30.0


@dataclass(frozen=True)
class HostedServingCost:
    """A dedicated endpoint as the cost engine sees it: one replica's rate and hours."""

    provider: str
    hardware: str
    hourly: float  # per replica, this arm's share of the adapters on it
    hours_per_day: float
    min_replicas: int
    basis: str

    def serving(self, seconds_per_request: float, max_utilisation: float) -> GpuServing:
        return GpuServing(
            gpu=f"{self.provider} endpoint {self.hardware}",
            gpu_hourly=self.hourly,
            tokens_per_second=1.0 / max(seconds_per_request, 1e-9),  # requests per second
            tokens_per_request=1.0,
            hours_per_month=self.hours_per_day * DAYS_PER_MONTH,
            max_utilisation=max_utilisation,
            min_gpus=float(self.min_replicas),
        )


def is_hosted(params: Any) -> bool:
    return dict(params or {}).get("provider") in PROVIDERS


def hosted_training_cost(params: Any, tokens: int | None) -> tuple[float | None, str]:
    """(dollars, basis) of a Together / Fireworks job from its stored `HostedResult`."""
    p = dict(params)
    catalog = load_hosted()
    rate = catalog.training_rate(
        p["provider"], float(p["params_b"]), method="sft", lora=p.get("method") != "full"
    )
    kind = "LoRA" if rate.lora else "full"
    cost = None if tokens is None else training_cost(tokens, rate)
    basis = (
        f"{tokens or 0:,} trained tokens x ${rate.per_m}/M ({p['provider']} SFT {kind}, bases "
        f"up to {rate.max_params_b:g}B; {rate.cite}); job {p.get('job_id')}"
    )
    return cost, basis


def serving_cost(params: Any) -> HostedServingCost | None:
    """The dedicated endpoint a stored hosted result was served on, or None (serverless)."""
    p = dict(params)
    serving = p.get("serving") or {}
    if serving.get("kind") != "dedicated":
        return None
    rate = load_hosted().endpoint(p["provider"], serving.get("hardware"))
    adapters = int(serving.get("adapters") or 1)
    share = f", shared by {adapters} adapters" if adapters > 1 else ""
    return HostedServingCost(
        provider=p["provider"],
        hardware=rate.hardware,
        hourly=rate.hourly / adapters,
        hours_per_day=float(serving.get("hours_per_day") or 24.0),
        min_replicas=int(serving.get("min_replicas") or 1),
        basis=f"{p['provider']} dedicated endpoint {rate.hardware}: ${rate.unit_price:g} "
        f"{rate.billed} = ${rate.hourly:.2f}/hour per replica{share} ({rate.cite})",
    )


def dedicated_endpoint(run: RunData) -> HostedServingCost | None:
    """The dedicated endpoint the run's hosted fine-tune is served on, if it has one."""
    for job in run.training:
        if is_hosted(job.record.params):
            return serving_cost(job.record.params)
    return None


def with_hosted_models(catalog: Catalog, run: RunData) -> Catalog:
    """`catalog` plus the run's Together / Fireworks tuned models as priced `ModelPrice`s, so
    their calls are API calls (never the local machine): serverless at the base size's
    per-token rate, dedicated at $0 per token (the endpoint's time is priced apart)."""
    hosted = load_hosted()
    models = dict(catalog.models)
    for job in run.training:
        p = dict(job.record.params or {})
        if not is_hosted(p) or not p.get("served_model"):
            continue
        name = str(p["served_model"]).strip().lower()
        if (p.get("serving") or {}).get("kind") == "dedicated":
            rate = hosted.endpoint(p["provider"], p["serving"].get("hardware"))
            models[name] = ModelPrice(
                name, p["provider"], 0.0, 0.0,
                source=f"dedicated endpoint, billed by time ({rate.source})", as_of=rate.as_of,
            )  # fmt: skip
            continue
        per_token = hosted.serverless_rate(p["provider"], float(p["params_b"]))
        if per_token is not None:
            models[name] = ModelPrice(
                name, p["provider"], per_token.input_per_m, per_token.output_per_m,
                source=per_token.source, as_of=per_token.as_of,
            )  # fmt: skip
    return replace(catalog, models=models)
