"""The advisor's batch-API alternatives, ruled in or out by the stated latency budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ragtune.advisor import build_document
from ragtune.advisor.batch import ruled_in
from ragtune.store.runstore import RunStore

# `prompt` runs on the local model (0.05 machine-seconds a query: one hetzner-cx42 box at
# $26/month serves far past every volume here); `fewshot` calls claude-haiku-4-5 with 300
# input and 2 output tokens a query. Both answer 36 of 40 right (in each of 5 copies of the 40
# items), so both are candidates.
ARMS = {
    "prompt": {"correct": 36, "machine_s": 0.05},
    "fewshot": {"correct": 36, "model": "claude-haiku-4-5", "tokens": 300},
}


def document(run_factory: Callable[..., tuple[RunStore, str]], budget: float | None) -> Any:
    advice = {} if budget is None else {"latency_budget_s": budget}
    # 5 copies of the 40 items: equal arms are shown equal from about 75 identical items
    store, run_id = run_factory(ARMS, advice=advice, copies=5)
    with store:
        return build_document(store, run_id).to_json()


def test_a_day_long_budget_shows_the_batch_alternatives_in_the_verdict(
    run_factory: Callable[..., tuple[RunStore, str]],
) -> None:
    """At 100,000 requests/month:
    fewshot interactive: (300 x $1.00 + 2 x $5.00) / 1e6 = $0.000310 a query -> $31.00/month;
    fewshot batch:       (300 x $0.50 + 2 x $2.50) / 1e6 = $0.000155 a query -> $15.50/month.
    prompt, self-hosted: $26.00/month (recommended: cheaper than fewshot's $31.00).
    The batch fewshot costs the same as the box at 26 / 0.000155 = 167,742 requests/month and
    less below it. The projection of prompt onto claude-haiku-4-5 has the same tokens, so its
    batch twin crosses at the same volume.
    """
    doc = document(run_factory, 86_400)
    verdict = doc["verdict"]
    assert verdict["recommended"] == "prompt"
    flips = [f for f in verdict["flips"] if f["kind"] == "batch"]
    assert {f["to"] for f in flips} == {
        "fewshot (batch)",
        "prompt @ claude-haiku-4-5 (batch)",
    }
    for flip in flips:
        assert flip["at"] == pytest.approx(26 / 155e-6, rel=1e-6)
        assert "cheaper below 167,742 requests/month than prompt" in flip["text"]
        assert flip["text"].startswith("With the batch API, ")
    reasons = [r["text"] for r in verdict["reasons"] if "batch API" in r["text"]]
    assert any("fewshot costs $15.50/month instead of $31.00" in r for r in reasons)
    assert all("within the stated latency budget of 86,400 s" in r for r in reasons)
    series = {s["name"]: s for s in doc["cost"]["series"]}
    assert series["fewshot (batch)"]["kind"] == "batch"


def test_a_two_second_budget_rules_the_batch_api_out(
    run_factory: Callable[..., tuple[RunStore, str]],
) -> None:
    doc = document(run_factory, 2)
    verdict = doc["verdict"]
    assert verdict["recommended"] == "prompt"
    assert not [f for f in verdict["flips"] if f["kind"] == "batch"]
    assert "batch" not in " ".join(r["text"] for r in verdict["reasons"]).lower()
    assert not [s for s in doc["cost"]["series"] if s["kind"] == "batch"]


def test_an_unstated_budget_shows_them_with_the_condition(
    run_factory: Callable[..., tuple[RunStore, str]],
) -> None:
    doc = document(run_factory, None)
    flips = [f for f in doc["verdict"]["flips"] if f["kind"] == "batch"]
    assert flips and all("if a 24-hour turnaround is acceptable" in f["text"] for f in flips)
    assert len([s for s in doc["cost"]["series"] if s["kind"] == "batch"]) == 2


@pytest.mark.parametrize(
    ("budget", "expected"), [(None, None), (2.0, False), (86_399.0, False), (86_400.0, True)]
)
def test_ruled_in_at_the_24_hour_edge(budget: float | None, expected: bool | None) -> None:
    assert ruled_in(budget, 86_400.0) is expected
