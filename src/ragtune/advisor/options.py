"""Measured arms as cost-engine options: what each strategy would cost to run at any volume.

An arm measured on a sample of queries becomes an `Option`:
- calls to catalog (API) models: their measured list-price dollars per query;
- calls to local models: self-hosted machines sized by capacity. One machine gives
  720 h x 3600 s of compute a month; a query takes its measured share of batch wall time; the
  fleet is sized so average load stays under `max_utilisation` (headroom for peaks), at least one
  machine. So a local arm costs one flat machine until the volume outgrows it, then steps;
- a fine-tuned arm adds its measured training cost up front, and again every retraining cycle
  when the knowledge changes (`knowledge_changes_per_month`).
Projections price the same measured tokens on an API model (`pricing.project_to`): what the arm
would cost if a frontier model answered instead. Their quality was not measured, so they are
labelled, and never recommended.

Each option also comes with a Monte Carlo twin whose per-query amounts are bootstrap means, so
cost bands show how sure the measurement of n queries is. Deliberately not here: the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ragtune.advisor.evidence import ArmEvidence
from ragtune.cost.formulas import Num
from ragtune.cost.model import ApiUsage, CostItem, GpuServing, Option

SECONDS_PER_MONTH = 720 * 3600.0
TUNED = ("finetune", "finetune_rag")
# Arms whose prompt a frontier API model could answer as is (a tuned model lives only here).
PROJECTABLE = ("prompt", "fewshot", "long_context", "rag", "memory")


@dataclass(frozen=True)
class Machine:
    """The self-hosted machine local arms are priced on (a catalog item)."""

    name: str
    monthly: float
    source: str
    max_utilisation: float


@dataclass(frozen=True)
class ArmCost:
    """One series of the cost chart: an option at point values and its bootstrap twin."""

    name: str
    arm: str
    kind: str  # "measured" | "projection"
    label: str
    point: Option
    draws: Option


def per_request(model: str, usd: Num) -> ApiUsage:
    """API usage known as dollars per request (already priced), not as tokens."""
    return ApiUsage(model, input_per_m=1e6 * usd, output_per_m=0.0, input_tokens=1.0)


def measured_option(
    name: str,
    evidence: ArmEvidence,
    machine: Machine,
    *,
    training_usd: float | None = None,
    retrain_every_months: float | None = None,
) -> Option:
    """The arm as measured: API calls at list price, local calls on self-hosted machines."""
    api_usd = evidence.api_usd
    machine_s = evidence.machine_s
    api = None
    if np.any(api_usd > 0):
        models = ", ".join(evidence.api_models) or "API"
        api = per_request(f"{models} (measured)", api_usd.mean())
    serving = None
    if evidence.local:
        seconds = np.maximum(np.asarray(machine_s, dtype=np.float64).mean(), 1e-9)
        serving = GpuServing(
            gpu=machine.name,
            gpu_hourly=machine.monthly / 720.0,
            tokens_per_second=1.0 / seconds,  # queries per machine-second
            tokens_per_request=1.0,
            max_utilisation=machine.max_utilisation,
        )
    one_time: tuple[CostItem, ...] = ()
    retrain: tuple[CostItem, ...] = ()
    if training_usd is not None:
        item = CostItem("fine-tune (measured machine time)", training_usd)
        one_time = (item,)
        retrain = (item,) if retrain_every_months else ()
    return Option(
        name,
        api=api,
        serving=serving,
        one_time=one_time,
        retrain=retrain,
        retrain_every_months=retrain_every_months if retrain else None,
    )


def bootstrap_option(point: Option, evidence: ArmEvidence, draws: ArmEvidence) -> Option:
    """`point` with its per-query amounts replaced by bootstrap means (arrays)."""
    api = point.api
    if api is not None:
        api = per_request(api.model, draws.api_usd)
    serving = point.serving
    if serving is not None:
        seconds = np.maximum(draws.machine_s, 1e-9)
        serving = GpuServing(
            gpu=serving.gpu,
            gpu_hourly=serving.gpu_hourly,
            tokens_per_second=1.0 / seconds,
            tokens_per_request=1.0,
            max_utilisation=serving.max_utilisation,
        )
    return Option(
        point.name,
        api=api,
        serving=serving,
        one_time=point.one_time,
        retrain=point.retrain,
        retrain_every_months=point.retrain_every_months,
    )


def projection_option(name: str, model: str, per_query_usd: float) -> Option:
    """The arm's measured tokens answered by an API model instead, at its list prices."""
    return Option(name, api=per_request(model, per_query_usd))


def arm_costs(
    evidence: ArmEvidence,
    machine: Machine,
    *,
    seed: int,
    training_usd: float | None,
    retrain_every_months: float | None,
    project_to: str | None,
    projected_per_query: float | None,
) -> list[ArmCost]:
    """The measured series of an arm, and its API projection when one makes sense."""
    arm = evidence.arm
    tuned = arm in TUNED
    point = measured_option(
        arm,
        evidence,
        machine,
        training_usd=training_usd if tuned else None,
        retrain_every_months=retrain_every_months if tuned else None,
    )
    draws = evidence.draws(seed)
    where = f"self-hosted on {machine.name}" if evidence.local else "API"
    twin = bootstrap_option(point, evidence, draws)
    out = [ArmCost(arm, arm, "measured", f"{arm} ({where})", point, twin)]
    if project_to and arm in PROJECTABLE and projected_per_query and evidence.local:
        name = f"{arm} @ {project_to}"
        mean = float(evidence.projected_usd.mean()) or 1.0
        # Scale the bootstrap to the summary's point value (which prices cache use) so the band
        # sits around the number the table shows.
        scaled = draws.projected_usd * (projected_per_query / mean)
        out.append(
            ArmCost(
                name,
                arm,
                "projection",
                f"{arm} on {project_to} (projection: tokens measured, quality not)",
                projection_option(name, project_to, projected_per_query),
                Option(name, api=per_request(project_to, scaled)),
            )
        )
    return out
