"""Report bands compare arms under common random numbers (issue 13), on Evidence (issue 12).

The advisor's bootstrap resamples the measured items; every arm is resampled with the same seed
(`evidence.resample`), so arms measured on the same items see the same resample in each draw. An
arm that costs a fixed $0.001 more on every query is then dearer in every draw: P = 100%
(independent resamples per arm gave overlapping bands and P well below 100%).
"""

from __future__ import annotations

import numpy as np

from ragtune.advisor.options import arm_costs
from ragtune.cost.analysis import Samples, analyse
from ragtune.cost.catalog import load_catalog
from ragtune.evidence.evidence import ArmEvidence, Evidence
from ragtune.evidence.pricing import pricing_for
from ragtune.evidence.rundata import RunConfig, RunData


def arm(name: str, api_usd: np.ndarray) -> ArmEvidence:
    n = api_usd.size
    zeros = np.zeros(n)
    return ArmEvidence(
        name, "done", None, item_ids=tuple(f"q{i}" for i in range(n)), errors=(None,) * n,
        latency_s=zeros, machine_s=zeros, api_usd=api_usd, projected_usd=zeros,
        api_models=("gpt-4o",),
    )  # fmt: skip


def test_report_bands_give_p_100_for_a_fixed_difference() -> None:
    rng = np.random.default_rng(3)
    per_query = rng.lognormal(np.log(0.002), 1.0, 40)  # very uneven per-query costs
    pricing = pricing_for(load_catalog(), "hetzner-cx42", None, max_utilisation=0.7)
    run = RunData("r", "", None, "finished", 11, {}, {}, RunConfig(task="qa"), {}, (), ())
    arms = (arm("cheap", per_query), arm("dear", per_query + 0.001))
    evidence = Evidence(run, pricing, arms)
    costs = {}
    for a in arms:
        [cost] = arm_costs(evidence, a, seed=11)  # the document passes the run's seed to every arm
        costs[a.arm] = cost
    draws = {name: c.draws for name, c in costs.items()}
    size = int(np.size(draws["cheap"].api.input_per_m))  # type: ignore[union-attr]
    result = analyse(
        {name: c.point for name, c in costs.items()},
        volume=10_000,
        growth=0.0,
        horizon=12,
        samples=Samples(draws, np.full(size, 10_000.0), 0.0),
    )
    [pair] = result.pairs
    assert pair.p_a_cheaper == 1.0
    # the bands themselves overlap: only pairing makes the comparison certain
    cheap, dear = result.options
    assert cheap.tco_band is not None and dear.tco_band is not None
    assert dear.tco_band.p10 < cheap.tco_band.p90
