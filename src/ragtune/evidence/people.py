"""People and data costs of one measured arm: the parts of the workload's `costs:` that apply.

The articles' strongest point is that people cost dominates (seed 003: $40k-120k of engineering;
seed 004: 20-80 h of curation at $100-200/h, 6-12 h a retraining cycle). Which part an arm pays
follows its traits:

| part (costs field)                  | paid by                          | when          |
|-------------------------------------|----------------------------------|---------------|
| evaluation set-up (eval_setup_hours)| every built arm                  | once          |
| curation (curation_hours, or the    | tuned arms                       | once          |
|   training examples x labelling)    |                                  |               |
| pipeline (pipeline_hours)           | tuned and retrieval arms         | once          |
| upkeep (maintenance_hours_per_month)| tuned and retrieval arms         | every month   |
| retraining (retraining_hours)       | tuned arms                       | every cycle   |

A prompting arm pays only the evaluation set-up; a recorded arm (what already runs) pays none:
its build is sunk. A part that applies but whose figures are unset is listed as not counted,
never guessed. Hours become dollars through `cost.formulas.labour_cost` and the labelling price
through `Costs.labelling_usd`, so no other arithmetic lives here.

Deliberately not here: machine and API costs (`pricing.arm_option`), the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.config import Costs
from ragtune.cost import CostItem, formulas
from ragtune.strategies import Traits


@dataclass(frozen=True)
class PeopleCosts:
    """An arm's people and data costs, and the parts that apply but are not counted."""

    one_time: tuple[CostItem, ...] = ()
    monthly: tuple[CostItem, ...] = ()
    per_retrain: tuple[CostItem, ...] = ()
    not_counted: tuple[str, ...] = ()

    @property
    def retrain_usd(self) -> float:
        return float(sum(float(i.amount) for i in self.per_retrain))


def people_costs(costs: Costs, traits: Traits, *, train_examples: int | None) -> PeopleCosts:
    """The parts of `costs` that apply to an arm with `traits` (see the module's table)."""
    if traits.recorded:
        return PeopleCosts()
    tuned, pipeline = traits.tuned, traits.tuned or traits.needs_index
    one: list[CostItem] = []
    monthly: list[CostItem] = []
    retrain: list[CostItem] = []
    missing: list[str] = []

    def hours(field: str, what: str, into: list[CostItem], unit: str = "h") -> None:
        value = getattr(costs, field)
        if value is None:
            missing.append(f"{what} (costs.{field})")
        elif costs.hourly_rate is None:
            missing.append(f"{what}: {value:g} {unit} with no costs.hourly_rate")
        else:
            amount = float(formulas.labour_cost(hours=value, hourly_rate=costs.hourly_rate))
            into.append(CostItem(what, amount, f"{value:g} {unit} x ${costs.hourly_rate:g}/h"))

    hours("eval_setup_hours", "evaluation set-up", one)
    if tuned:
        if costs.curation_hours is not None:
            hours("curation_hours", "data curation", one)
        else:
            _curation(costs, train_examples, one, missing)
    if pipeline:
        hours("pipeline_hours", "pipeline", one)
        hours("maintenance_hours_per_month", "maintenance", monthly, "h/month")
    if tuned:
        hours("retraining_hours", "retraining: data and deploy", retrain, "h a cycle")
    return PeopleCosts(tuple(one), tuple(monthly), tuple(retrain), tuple(missing))


def _curation(costs: Costs, examples: int | None, into: list[CostItem], missing: list[str]) -> None:
    """Labelling the training examples at the workload's labelling price."""
    usd = costs.labelling_usd(examples) if examples else None
    if usd is None:
        why = "training examples unknown" if not examples else "no labelling price"
        missing.append(
            f"data curation ({why}: set costs.curation_hours, or costs.examples_per_hour with "
            "costs.hourly_rate, or costs.usd_per_example)"
        )
        return
    if costs.usd_per_example is not None:
        note = f"{examples:,} examples x ${costs.usd_per_example:g}"
    else:
        note = f"{examples:,} examples at {costs.examples_per_hour:g}/h x ${costs.hourly_rate:g}/h"
    into.append(CostItem("data curation", usd, note))


def retrains_per_month(
    costs: Costs, traits: Traits, knowledge_changes_per_month: float | None
) -> float:
    """Retraining cycles a month: the more frequent of its causes, one per knowledge change when
    the knowledge is in the weights (not for a tuned arm that retrieves) and the stated drift
    cadence of any tuned arm. One retrain on fresh data resets both, so the rates do not add:
    a change a month and drift every 3 months is 1 retrain a month, not 1.33."""
    if not traits.tuned or traits.recorded:
        return 0.0
    changes = 0.0 if traits.needs_index else (knowledge_changes_per_month or 0.0)
    drift = 1.0 / costs.retrain_every_months if costs.retrain_every_months else 0.0
    return max(changes, drift)
