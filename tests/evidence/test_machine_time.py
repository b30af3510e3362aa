"""Machine seconds net of API waits (issue 32): a router's local part and a RAG arm's retrieval
pay machine time; the time spent waiting for a priced API does not. Worked by hand."""

from __future__ import annotations

import pytest

from ragtune.evidence.machine_time import api_wait_s, local_machine_time
from ragtune.store import Measurement, Prediction

PRICED = {"gpt-4o"}


def priced(model: str | None) -> bool:
    return model in PRICED


def item(i: int, share: float, *calls: Measurement) -> Prediction:
    return Prediction("r", "arm", f"q{i}", 0, "a", measurements=calls, wall_share_s=share)


def test_a_router_pays_its_local_model_and_not_its_wait_for_the_api() -> None:
    """Four items in one batch took 10 s of wall time: 7 s of the local model (one batch of 4)
    and 3 s escalating two of them to gpt-4o (one concurrent batch of 2, 3 s each). Shares are
    2.5 s each; the waits are 3 / 2 = 1.5 s for each escalated item, 3 s in all, so the arm keeps
    1 - 3/10 = 70% of its wall time: 1.75 s an item, 7 s in all, the local model's time (it
    was 10 s, the API's wait included)."""
    local = Measurement("answer", "qwen-local", latency_s=7.0, batch=4)
    api = Measurement("escalation", "gpt-4o", latency_s=3.0, batch=2)
    items = [item(0, 2.5, local, api), item(1, 2.5, local, api)]
    items += [item(2, 2.5, local), item(3, 2.5, local)]
    assert api_wait_s(items[0].measurements, priced) == pytest.approx(1.5)
    costs = [(0.01, 2.5, True, ("gpt-4o",))] * 2 + [(0.0, 2.5, True, ())] * 2
    out = local_machine_time(items, costs, priced=priced, retrieves=False)
    assert [c[1] for c in out] == pytest.approx([1.75] * 4)
    assert sum(c[1] for c in out) == pytest.approx(7.0)
    assert [c[0] for c in out] == [0.01, 0.01, 0.0, 0.0]  # API dollars untouched


def test_an_api_rag_arm_pays_the_machine_its_retrieval_runs_on() -> None:
    """Two items answered by gpt-4o (one concurrent batch of 2, 1 s each: 0.5 s of wait per
    item) after retrieving here; each item's share of wall time is 0.8 s, 1.6 s in all. The
    retrieval's machine time is 1.6 - 1.0 = 0.6 s, 0.3 s an item (it paid 0 before: every call
    was priced, so the arm counted as not local)."""
    api = Measurement("answer", "gpt-4o", latency_s=1.0, batch=2)
    items = [item(0, 0.8, api), item(1, 0.8, api)]
    costs = [(0.002, 0.0, False, ("gpt-4o",))] * 2
    out = local_machine_time(items, costs, priced=priced, retrieves=True)
    assert [c[1] for c in out] == pytest.approx([0.3, 0.3])
    assert all(c[2] for c in out)
    # the same arm without retrieval stays API-only
    plain = local_machine_time(items, costs, priced=priced, retrieves=False)
    assert [c[1] for c in plain] == [0.0, 0.0] and not any(c[2] for c in plain)


def test_a_local_arm_keeps_all_its_wall_time() -> None:
    local = Measurement("answer", "qwen-local", latency_s=4.0, batch=2)
    items = [item(0, 2.0, local), item(1, 2.0, local)]
    out = local_machine_time(items, [(0.0, 2.0, True, ())] * 2, priced=priced, retrieves=False)
    assert [c[1] for c in out] == [2.0, 2.0]
