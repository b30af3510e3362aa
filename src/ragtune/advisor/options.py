"""Measured arms as cost-engine options: what each strategy would cost to run at any volume.

Each arm's option is the one `summary.arm_option_of` builds from the Evidence (API calls at
their measured list-price dollars per query; local calls on a flat self-hosted machine sized for
the volume; a tuned arm's training cost up front and every retraining cycle), so the table's
$/1k, the cost chart and the verdict price an arm the same way. Projections price the same
measured tokens on an API model (`pricing.project_to`), prefix caching included: what the arm
would cost if a frontier model answered instead. Their quality was not measured, so they are
labelled, and never recommended.

Each option also comes with a Monte Carlo twin whose per-query amounts are bootstrap means of
the same per-item arrays, so cost bands show how sure the measurement of n queries is.
Deliberately not here: the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.cost import Option
from ragtune.evidence import (
    PROJECTABLE,
    ArmEvidence,
    Evidence,
    arm_option_of,
    cost_draws,
    projection_option_of,
)


@dataclass(frozen=True)
class ArmCost:
    """One series of the cost chart: an option at point values and its bootstrap twin."""

    name: str
    arm: str
    kind: str  # "measured" | "projection"
    label: str
    point: Option
    draws: Option


def arm_costs(evidence: Evidence, arm: ArmEvidence, *, seed: int) -> list[ArmCost]:
    """The measured series of an arm, and its API projection when one makes sense."""
    machine = arm.machine or evidence.pricing.machine
    draws = cost_draws(arm, seed)
    where = f"self-hosted on {machine.name}" if arm.local else "API"
    out = [
        ArmCost(
            arm.arm,
            arm.arm,
            "measured",
            f"{arm.arm} ({where})",
            arm_option_of(evidence, arm),
            arm_option_of(evidence, arm, draws),
        )
    ]
    to = evidence.pricing.project_to
    if to is not None and arm.arm in PROJECTABLE and arm.local and arm.projected_usd.any():
        point = projection_option_of(evidence, arm)
        out.append(
            ArmCost(
                point.name,
                arm.arm,
                "projection",
                f"{arm.arm} on {to.name} (projection: tokens measured, quality not)",
                point,
                projection_option_of(evidence, arm, draws),
            )
        )
    return out
