"""Batch-API alternatives: every API arm and API projection again, at batch prices.

OpenAI's Batch API and Anthropic's Message Batches answer the same requests with the same model
within 24 hours, at the catalog's batch prices (half the list price). For offline work (a
backlog, nightly extraction) that halves the API side of every break-even; for anything a user
waits on it is no option at all. So the stated latency budget decides: `advice.latency_budget_s`
of at least the batch turnaround rules the alternatives in, a smaller one rules them out (they
are then left out of the cost chart and the verdict), and an unstated budget shows them with
the condition said.

Per query the alternative prices exactly the calls its interactive twin prices: a measured API
arm's own calls, or a projection's calls with their cacheable prefixes split into cache writes
and reads (`prefixes.py`), at the batch `ModelPrice` the catalog derives (`Catalog.batch_model`).

Deliberately not here: the verdict's other rules (`verdict.py`), the cost engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ragtune.advisor.options import ArmCost
from ragtune.cost import Option
from ragtune.errors import RagtuneError
from ragtune.evidence import PROJECTABLE, Evidence, evaluate, per_request

BOOTSTRAP = 1000
SUFFIX = " (batch)"


@dataclass(frozen=True)
class BatchAlternative:
    """One series re-priced at batch prices, with its turnaround."""

    cost: ArmCost  # the batch series (kind "batch")
    of: str  # the interactive series it re-prices: "fewshot" or "prompt @ claude-haiku-4-5"
    model: str  # the batch-priced catalog model
    projection: bool  # True: tokens measured on a local model, quality not measured
    latency_s: float  # the provider's promised turnaround


def ruled_in(budget_s: float | None, latency_s: float) -> bool | None:
    """True / False when the stated latency budget allows / forbids the turnaround; None when
    no budget was stated (the alternative is shown with its condition)."""
    if budget_s is None:
        return None
    return budget_s >= latency_s


def batch_alternatives(evidence: Evidence, *, seed: int) -> list[BatchAlternative]:
    """The batch twin of each measured API arm and each projection the catalog can batch-price.

    Per query the calls are priced exactly as the projection prices them (`evaluate` with the
    batch `ModelPrice` as the projection model): a measured API arm's calls keep their measured
    cache split, a local arm's prompts get the prefix-cache projection.
    """
    pricing = evidence.pricing
    catalog = pricing.catalog
    priced: dict[str, Evidence] = {}

    def at_batch(model: str) -> tuple[str, Evidence] | None:
        try:
            price = catalog.batch_model(model)
        except RagtuneError:
            return None
        if price is None:
            return None
        if price.name not in priced:
            priced[price.name] = evaluate(evidence.run, replace(pricing, project_to=price))
        return price.name, priced[price.name]

    out = []
    for i, arm in enumerate(evidence.done()):
        ok = ~arm.failed
        if not ok.any():
            continue
        if not arm.local and len(arm.api_models) == 1:
            found = at_batch(arm.api_models[0])
            of, projection = arm.arm, False
        elif (
            arm.local and pricing.project_to and arm.arm in PROJECTABLE and arm.projected_usd.any()
        ):
            found = at_batch(pricing.project_to.name)
            of, projection = f"{arm.arm} @ {pricing.project_to.name}", True
        else:
            continue
        if found is None:
            continue
        name, batch = found
        per_query = np.asarray(batch.arm(arm.arm).projected_usd, dtype=np.float64)[ok]
        model = name.removesuffix(SUFFIX)
        out.append(_alternative(arm.arm, of, model, per_query, projection, seed + i))
    return out


def _alternative(
    arm: str, of: str, model: str, per_query: np.ndarray, projection: bool, seed: int
) -> BatchAlternative:
    name = of + SUFFIX
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, per_query.size, size=(BOOTSTRAP, per_query.size))
    turnaround = 24 * 3600.0
    what = "projection: tokens measured, quality not" if projection else "same model and prompts"
    cost = ArmCost(
        name,
        arm,
        "batch",
        f"{arm} on the {model} batch API (answers within 24 h; {what})",
        Option(name, api=per_request(f"{model} batch", float(per_query.mean()))),
        Option(name, api=per_request(f"{model} batch", per_query[idx].mean(axis=1))),
    )
    return BatchAlternative(cost, of, model, projection, turnaround)


def batch_verdict(
    verdict: Any,
    alternatives: Sequence[BatchAlternative],
    *,
    budget_s: float | None,
    volume: float,
    chosen: str | None,
    cost_at: Callable[[str, float], float],
    breakeven: Callable[[str, str], float | None],
) -> None:
    """Reasons and flips for the alternatives the latency budget allows (see `ruled_in`)."""
    if chosen is None:
        return
    for alt in alternatives:
        allowed = ruled_in(budget_s, alt.latency_s)
        if allowed is False:
            continue
        condition = (
            f"within the stated latency budget of {budget_s:,.0f} s"
            if allowed
            else "if a 24-hour turnaround is acceptable; advice.latency_budget_s is not stated"
        )
        name = alt.cost.name
        batch, interactive = cost_at(name, volume), cost_at(alt.of, volume)
        verdict.reason(
            f"With the batch API ({condition}), {alt.of} costs ${batch:,.2f}/month instead of "
            f"${interactive:,.2f} at {volume:,.0f} requests/month"
            + (" (a projection: quality not measured)." if alt.projection else "."),
            "projection" if alt.projection else "measured",
        )
        if alt.of == chosen:
            continue
        at = breakeven(chosen, name)
        subject = f"{alt.cost.arm} on {alt.model}"
        if at is not None and cost_at(name, at / 2) < cost_at(chosen, at / 2):
            verdict.flip(
                f"With the batch API, {subject} is cheaper below {at:,.0f} requests/month "
                f"than {chosen} ({condition}).",
                "batch",
                name,
                at,
                "requests/month",
            )
        elif at is None and batch < cost_at(chosen, volume):
            verdict.flip(
                f"With the batch API, {subject} is cheaper than {chosen} at every volume "
                f"({condition}).",
                "batch",
                name,
                None,
                None,
            )
