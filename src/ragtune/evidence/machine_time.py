"""Machine seconds an arm costs on our own machine: its items' share of batch wall time, less
the time that machine only waited for a priced API.

A router that escalates to an API model, and a RAG arm whose answer comes from an API, both
run part of their work here (the local model, the retrieval) and wait for the rest. Their wall
time includes the wait, which costs the API's list price already and no machine time. The
wait of one call is its latency over its batch size (calls in a batch run concurrently, and a
batch's share of wall time is what `running.runner.stored_batch` splits the same way); the
arm's waits are taken out of its total wall time, and what is left is spread over its items in
proportion to their shares, so the arm's total is exact and no item goes below zero.

Deliberately not here: which machine the seconds are priced on (`pricing.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ragtune.store import Measurement, Prediction

# (API dollars, machine seconds, ran locally, catalog models) of one item, as `query_cost` gives
ItemCost = tuple[float, float, bool, tuple[str, ...]]


def api_wait_s(calls: Sequence[Measurement], priced: Callable[[str | None], bool]) -> float:
    """Seconds of one item's wall time spent waiting on priced API calls."""
    return sum((c.latency_s or 0.0) / max(1, c.batch or 1) for c in calls if priced(c.model))


def local_machine_time(
    predictions: Sequence[Prediction],
    costs: Sequence[ItemCost],
    *,
    priced: Callable[[str | None], bool],
    retrieves: bool,
) -> list[ItemCost]:
    """`costs` with each local item's machine seconds net of API waits.

    An arm that retrieves runs its search here even when every call is priced, so it is local
    and pays machine time for it (it paid nothing before).
    """
    local = [c[2] or retrieves for c in costs]
    if not any(local):
        return list(costs)
    wall = sum(p.wall_share_s for p, here in zip(predictions, local, strict=True) if here)
    waits = sum(
        api_wait_s(p.measurements, priced)
        for p, here in zip(predictions, local, strict=True)
        if here
    )
    keep = max(0.0, 1.0 - waits / wall) if wall > 0 else 0.0
    return [
        (usd, p.wall_share_s * keep if here else 0.0, here, models)
        for p, here, (usd, _, _, models) in zip(predictions, local, costs, strict=True)
    ]
