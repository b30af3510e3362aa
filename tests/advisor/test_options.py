"""Report bands compare arms under common random numbers (issue 13).

The advisor's bootstrap resamples the measured queries; every arm is resampled with the same
seed, so arms measured on the same queries see the same resample in each draw. An arm that costs
a fixed $0.001 more on every query is then dearer in every draw: P = 100% (independent resamples
per arm gave overlapping bands and P well below 100%).
"""

from __future__ import annotations

import numpy as np

from ragtune.advisor.evidence import ArmEvidence
from ragtune.advisor.options import Machine, arm_costs
from ragtune.cost.analysis import Samples, analyse


def evidence(arm: str, api_usd: np.ndarray) -> ArmEvidence:
    n = api_usd.size
    zeros = np.zeros(n)
    return ArmEvidence(arm, api_usd, zeros, zeros, zeros, False, ("gpt-4o",))


def test_report_bands_give_p_100_for_a_fixed_difference() -> None:
    rng = np.random.default_rng(3)
    per_query = rng.lognormal(np.log(0.002), 1.0, 40)  # very uneven per-query costs
    machine = Machine("vps", 26.0, "test", 0.7)
    costs = {}
    for arm, usd in (("cheap", per_query), ("dear", per_query + 0.001)):
        [cost] = arm_costs(
            evidence(arm, usd),
            machine,
            seed=11,  # the document passes the run's seed to every arm
            training_usd=None,
            retrain_every_months=None,
            project_to=None,
            projected_per_query=None,
        )
        costs[arm] = cost
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
