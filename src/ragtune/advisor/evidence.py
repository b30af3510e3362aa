"""Per-query measurements of each arm, read back from the store, with bootstrap draws.

The verdict prices arms at volumes the run never saw, so it needs more than the summary's means:
each answered test query's API dollars, self-hosted machine seconds, projected API dollars,
tokens and latency. Resampling queries (the same resample for every quantity of an arm) gives the
Monte Carlo draws behind the cost bands: the uncertainty of a mean measured on n queries.

Deliberately not here: scoring (`ragtune.evaluation.summary`) and what the numbers mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ragtune.evaluation.summary import Pricing, answer_calls, call_cost, query_cost
from ragtune.store.runstore import RunStore

BOOTSTRAP = 1000


@dataclass(frozen=True)
class ArmEvidence:
    """One arm's answered test queries, one array entry per query."""

    arm: str
    api_usd: NDArray[np.float64]  # list-price dollars of calls to catalog models
    machine_s: NDArray[np.float64]  # self-hosted machine seconds (local calls only)
    projected_usd: NDArray[np.float64]  # every call priced at the projection model
    latency_s: NDArray[np.float64]  # what the user waited
    local: bool  # any call ran on a local (self-hosted) model
    api_models: tuple[str, ...]  # catalog models the arm called

    @property
    def n(self) -> int:
        return int(self.api_usd.size)

    def draws(self, seed: int, size: int = BOOTSTRAP) -> ArmEvidence:
        """Bootstrap means: each field becomes `size` means over resampled queries."""
        if self.n == 0:
            return self
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, self.n, size=(size, self.n))
        return ArmEvidence(
            self.arm,
            self.api_usd[idx].mean(axis=1),
            self.machine_s[idx].mean(axis=1),
            self.projected_usd[idx].mean(axis=1),
            self.latency_s,
            self.local,
            self.api_models,
        )


def arm_evidence(store: RunStore, run_id: str, arm: str, pricing: Pricing) -> ArmEvidence:
    """Measurements of `arm` on the test split (first repeat), errors left out."""
    test = {i.id for i in store.list_items(run_id, split="test")}
    api, machine, projected, latency = [], [], [], []
    local = False
    models: set[str] = set()
    for p in store.predictions(run_id, arm):
        if p.repeat != 0 or p.item_id not in test or p.error is not None:
            continue
        cost = query_cost(p, pricing)
        api.append(cost.api_usd)
        machine.append(cost.machine_s)
        local = local or cost.local
        models.update(cost.api_models)
        to = pricing.project_to
        projected.append(sum(call_cost(c, to) for c in answer_calls(p)) if to else 0.0)
        latency.append(float((p.extra or {}).get("latency_s") or 0.0))
    return ArmEvidence(
        arm,
        np.asarray(api, dtype=np.float64),
        np.asarray(machine, dtype=np.float64),
        np.asarray(projected, dtype=np.float64),
        np.asarray(latency, dtype=np.float64),
        local,
        tuple(sorted(models)),
    )
