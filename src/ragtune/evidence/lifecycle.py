"""What a model's shutdown costs an arm: the forced migration inside the TCO horizon.

An arm whose model (or a hosted fine-tune's base model) shuts down before the horizon ends
cannot keep running as measured: on the shutdown date it must move to another model, and that
move costs at least what this run spent to know the arm works (a re-evaluation) and, for a tuned
arm, its training again (a re-tune, with the retraining cycle's people hours). ragtune prices
that migration from the run's own measurements:

    re-evaluation = repeats x (sum of the arm's per-item API dollars
                               + sum of its machine seconds x the machine's $/hour / 3600)
    re-tune       = the arm's measured training cost + costs.retraining_hours x hourly_rate
    migration     = re-evaluation + re-tune (tuned arms only)

It is a one-time cost inside the horizon (`cost.tco` sums without discounting, so the month it
falls in does not change the TCO; the cumulative chart draws it with the other one-time costs).
The successor model's own prices are not known here: the arm stays priced at the measured
model's. A model already past shutdown migrates at once. The judge is priced apart from the
arms, so its shutdown is a notice only (`judge_notice`).

Deliberately not here: the dates (`cost/lifecycle.py`), the verdict's wording (advisor).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ragtune.cost import CostItem, Lifecycles, ShutdownNotice, load_lifecycles, shutdown_notice
from ragtune.evidence.evidence import ArmEvidence, Evidence
from ragtune.evidence.people import people_costs


@dataclass(frozen=True)
class Migration:
    """The forced migration of one arm: which shutdown forces it and what it costs."""

    arm: str
    notice: ShutdownNotice  # the earliest shutdown among the arm's models
    models: tuple[str, ...]  # every model of the arm that shuts down inside the horizon
    reevaluation_usd: float
    retune_usd: float | None  # None: not a tuned arm
    basis: str  # how both were priced

    @property
    def usd(self) -> float:
        return self.reevaluation_usd + (self.retune_usd or 0.0)

    @property
    def when(self) -> str:
        """'on 2027-01-14' or 'now (it shut down on 2026-11-30)'."""
        shutdown = self.notice.lifecycle.shutdown
        return f"now (it shut down on {shutdown})" if self.notice.past else f"on {shutdown}"

    def item(self) -> CostItem:
        """The migration as the one-time cost line every TCO, table and chart reads."""
        return CostItem(
            f"forced migration: {self.notice.lifecycle.model} shuts down "
            f"{self.notice.lifecycle.shutdown}",
            self.usd,
            self.basis,
        )


@lru_cache(maxsize=1)
def lifecycles() -> Lifecycles:
    """The bundled lifecycles, read once per process."""
    return load_lifecycles()


def notices(models: tuple[str, ...], evidence: Evidence) -> list[ShutdownNotice]:
    """Shutdowns of `models` inside the run's horizon, read on the pricing's day, earliest
    first."""
    pricing = evidence.pricing
    horizon = evidence.run.config.pricing.horizon_months
    found = [
        shutdown_notice(
            m, lifecycles(), pricing.catalog, today=pricing.today, horizon_months=horizon
        )
        for m in models
    ]
    return sorted((n for n in found if n is not None), key=lambda n: n.lifecycle.shutdown)


def migration(evidence: Evidence, arm: ArmEvidence) -> Migration | None:
    """The arm's forced migration, or None when none of its models shuts down in the horizon."""
    if not arm.done or not arm.api_models:
        return None
    found = notices(arm.api_models, evidence)
    if not found:
        return None
    machine = evidence.pricing.machine
    repeats = evidence.repeats
    api = float(np.sum(arm.api_usd))
    seconds = float(np.sum(arm.machine_s))
    reevaluation = repeats * (api + seconds * machine.hourly / 3600.0)
    basis = (
        f"re-evaluation: {repeats} x ({arm.n} test queries' ${api:,.4f} of API calls"
        + (f" + {seconds:,.1f} machine s at ${machine.hourly:.4f}/h" if seconds else "")
        + ")"
    )
    retune = None
    if arm.traits.tuned:
        config = evidence.run.config
        examples = next((t.examples for t in evidence.training if t.examples), None)
        people = people_costs(config.costs, arm.traits, train_examples=examples)
        training = evidence.training_usd_for(arm.arm) or 0.0
        retune = training + people.retrain_usd
        basis += (
            f"; re-tune: training ${training:,.2f} + retraining hours ${people.retrain_usd:,.2f}"
        )
    return Migration(
        arm.arm,
        found[0],
        tuple(n.model for n in found),
        reevaluation,
        retune,
        basis + "; the successor model is priced as the measured one",
    )


def migrations(evidence: Evidence) -> dict[str, Migration]:
    """Every finished arm's forced migration, by arm."""
    out = {}
    for arm in evidence.done():
        found = migration(evidence, arm)
        if found is not None:
            out[arm.arm] = found
    return out


def judge_notice(evidence: Evidence) -> ShutdownNotice | None:
    """The judge's model shutting down inside the horizon (its next run needs another judge)."""
    judge = evidence.judge
    if judge is None or not judge.model:
        return None
    found = notices((judge.model,), evidence)
    return found[0] if found else None
