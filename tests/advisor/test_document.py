"""The report document built from a store: schema, verdict, costs, re-pricing, constraints."""

from __future__ import annotations

import json

import pytest

from ragtune.advisor import SCHEMA, build_document
from ragtune.errors import RagtuneError


def build(*args, **kwargs):
    """The document as the JSON a reader gets (`report --format json`)."""
    return build_document(*args, **kwargs).to_json()


MACHINE = 26.0  # hetzner-cx42, $/month (the catalog)
USABLE_S = 720 * 3600 * 0.5  # machine-seconds a month at the default 50% utilisation cap
TRAIN_USD = 120 * MACHINE / 720 / 3600  # 120 s of training at the machine's hourly rate

ARMS = {
    "prompt": {"correct": 24, "machine_s": 0.5},
    "finetune": {"correct": 38, "machine_s": 0.2},
    "memory": {"correct": 37, "machine_s": 0.01, "no_calls": True},
}
TOP_KEYS = {
    "schema", "title", "generated", "run", "verdict", "arms", "comparisons", "cost", "latency",
    "freshness", "training", "router", "prices", "assumptions",
}  # fmt: skip


def test_document_has_every_section_and_is_strict_json(run_factory):
    store, run_id = run_factory(ARMS, unavailable={"long_context": "needs 90k tokens"})
    doc = build(store, run_id)
    assert doc["schema"] == SCHEMA
    assert doc.keys() >= TOP_KEYS
    json.dumps(doc, allow_nan=False)  # no NaN or numpy left
    arms = {a["arm"]: a for a in doc["arms"]}
    assert arms["long_context"]["status"] == "unavailable"
    assert arms["finetune"]["quality"]["n"] == 40
    assert arms["finetune"]["quality"]["estimate"] == pytest.approx(0.95)
    assert arms["finetune"]["deployment"] == "self-hosted on hetzner-cx42"
    assert doc["training"][0]["curves"]["validation"] == [[10, 0.4]]
    assert {p["name"] for p in doc["prices"]} >= {"hetzner-cx42 (self-hosted machine)"}


def test_equal_quality_arms_go_to_the_cheapest_and_ties_to_quality(run_factory):
    store, run_id = run_factory(ARMS)
    doc = build(store, run_id)
    verdict = doc["verdict"]
    # finetune 0.95 and memory 0.925: within the 0.05 margin, one discordant pair apart.
    assert set(verdict["equivalent"]) == {"finetune", "memory"}
    # One machine each at 100k/month: a tie on cost, broken by quality.
    assert verdict["recommended"] == "finetune"
    assert "prompt" in " ".join(r["text"] for r in verdict["reasons"])
    # Past 6.48M requests/month the tuned arm needs a second machine; memory does not.
    volume_flip = next(f for f in verdict["flips"] if f["to"] == "memory")
    assert volume_flip["at"] == pytest.approx(USABLE_S / 0.2, rel=0.01)


def test_repricing_at_another_volume_changes_the_verdict(run_factory):
    store, run_id = run_factory(ARMS)
    doc = build(store, run_id, volume=10_000_000)
    assert doc["verdict"]["volume"] == 10_000_000
    assert doc["verdict"]["recommended"] == "memory"
    arms = {a["arm"]: a for a in doc["arms"]}
    assert arms["finetune"]["monthly_cost"] == pytest.approx(2 * MACHINE)
    assert arms["memory"]["monthly_cost"] == pytest.approx(MACHINE)
    assert arms["finetune"]["tco"] == pytest.approx(12 * 2 * MACHINE + TRAIN_USD)


@pytest.mark.parametrize("volume", [0.0, -5.0])
def test_volume_must_be_positive(run_factory, volume):
    store, run_id = run_factory(ARMS)
    with pytest.raises(RagtuneError, match="positive"):
        build(store, run_id, volume=volume)


def test_cost_series_bands_contain_the_point_and_grow_with_volume(run_factory):
    store, run_id = run_factory(ARMS)
    cost = build(store, run_id)["cost"]
    names = {s["name"] for s in cost["series"]}
    assert {"prompt", "finetune", "memory", "prompt @ claude-haiku-4-5"} <= names
    for s in cost["series"]:
        assert len(s["monthly"]) == len(cost["volumes"])
        assert all(
            lo <= m + 1e-9 and m <= hi + 1e-9
            for lo, m, hi in zip(s["low"], s["monthly"], s["high"], strict=True)
        )
        assert all(b >= a - 1e-9 for a, b in zip(s["monthly"], s["monthly"][1:], strict=False))
    projection = next(s for s in cost["series"] if s["kind"] == "projection")
    # 300 input + 2 output tokens on claude-haiku-4-5 ($1 / $5 per M) per query.
    per_query = (300 * 1.0 + 2 * 5.0) / 1e6
    assert projection["monthly"][0] == pytest.approx(cost["volumes"][0] * per_query, rel=1e-6)
    assert cost["breakevens"] and all(b["a"] == "finetune" for b in cost["breakevens"])


def test_cadence_flip_is_the_saving_over_the_retraining_cost(run_factory):
    arms = {
        "prompt": {"correct": 37, "machine_s": 2.0},  # within the margin, but slow
        "finetune": {"correct": 38, "machine_s": 0.2},
    }
    store, run_id = run_factory(arms)
    verdict = build(store, run_id, volume=1_000_000)["verdict"]
    assert verdict["recommended"] == "finetune"
    cadence = next(f for f in verdict["flips"] if f["kind"] == "cadence")
    # prompt needs 2 machines at 1M/month (2 s each), finetune 1: $26/month saved per retrain.
    assert cadence["at"] == pytest.approx(MACHINE / TRAIN_USD, rel=1e-6)


def test_data_must_stay_local_rules_out_api_arms(run_factory):
    api = {"correct": 39, "model": "claude-haiku-4-5", "tokens": 10}  # $2/month at 100k
    arms = {**ARMS, "rag": api}
    store, run_id = run_factory(arms)
    assert build(store, run_id)["verdict"]["recommended"] == "rag"
    store, run_id = run_factory(arms, advice={"data_must_stay_local": True})
    verdict = build(store, run_id)["verdict"]
    assert verdict["recommended"] != "rag"
    assert any("data must stay local" in r["text"] for r in verdict["reasons"])


def test_expectations_are_checked_and_a_miss_becomes_a_caveat(run_factory):
    store, run_id = run_factory(ARMS)
    claims = build(store, run_id)["verdict"]["expectations"]
    assert [c["holds"] for c in claims] == [True]  # finetune 0.95 > prompt 0.60 on accuracy
    swapped = {**ARMS, "prompt": {"correct": 39, "machine_s": 0.5}}
    store, run_id = run_factory(swapped)
    verdict = build(store, run_id)["verdict"]
    assert verdict["expectations"][0]["holds"] is False
    assert any("does not show it" in c for c in verdict["caveats"])


def test_small_samples_and_stand_in_models_are_caveats(run_factory):
    store, run_id = run_factory(ARMS)
    caveats = " ".join(build(store, run_id)["verdict"]["caveats"])
    assert "Small sample: 40 test queries" in caveats
    assert "stand-in model" in caveats


def test_a_run_with_no_finished_arm_says_so(run_factory):
    store, run_id = run_factory({}, unavailable={"long_context": "too long"})
    doc = build(store, run_id)
    assert doc["verdict"]["recommended"] is None
    assert "No arm finished" in doc["verdict"]["headline"]
    assert doc["cost"]["series"] == []


def test_the_api_projection_is_cheaper_below_its_break_even_not_above(run_factory):
    store, run_id = run_factory({"prompt": ARMS["prompt"]})
    flip = next(f for f in build(store, run_id)["verdict"]["flips"] if "@" in str(f["to"]))
    # A flat $26 machine vs $0.00031 per API request: the API is cheaper at low volume.
    assert flip["text"].startswith("Below about")


def test_judge_calls_are_not_priced_as_the_arms(run_factory):
    plain = build(*run_factory(ARMS))["arms"]
    judged = build(*run_factory(ARMS, judged=True))["arms"]
    assert [a["monthly_cost"] for a in judged] == [a["monthly_cost"] for a in plain]
    assert {a["deployment"] for a in judged} == {"self-hosted on hetzner-cx42"}


@pytest.mark.parametrize(
    ("volume", "cheaper"),
    [(1_000, "long_context"), (100_000, "prompt"), (10_000_000, "prompt")],
)
def test_pareto_chart_and_verdict_agree_on_the_cheaper_arm(run_factory, volume, cheaper):
    """A local arm answering in 0.5 s of machine time per query against an API arm, both 40/40.

    Local (hetzner-cx42, $26/month, at most 50% busy): one machine serves
    720 h x 3600 s / 0.5 s x 0.5 = 2,592,000 queries a month, so 1 machine at 1k and 100k ($26)
    and ceil(1e7 / 2,592,000) = 4 machines at 10M ($104).
    API (claude-haiku-4-5, $1/M in, $5/M out): 300 x $1e-6 + 2 x $5e-6 = $0.00031 a query:
    $0.31 at 1k, $31 at 100k, $3,100 at 10M a month.
    So the API arm is cheaper at 1k and the local arm at 100k and 10M; the Pareto column, the
    cost chart and the verdict must all say so (the old per-query local price, $0.005 per 1k,
    called the local arm cheaper at every volume).
    """
    store, run_id = run_factory(
        {
            "prompt": {"correct": 40, "machine_s": 0.5},
            "long_context": {"correct": 40, "model": "claude-haiku-4-5", "tokens": 300},
        }
    )
    doc = build(store, run_id, volume=volume)
    arms = {a["arm"]: a for a in doc["arms"]}
    monthly = {"prompt": 26.0 if volume < 1e7 else 104.0, "long_context": 0.00031 * volume}
    for name, expected in monthly.items():
        assert arms[name]["monthly_cost"] == pytest.approx(expected)
        assert arms[name]["cost_per_1k"] == pytest.approx(expected / volume * 1000)
    assert [name for name, a in arms.items() if a["pareto"]] == [cheaper]
    grid = doc["cost"]["volumes"]
    at = min(range(len(grid)), key=lambda i: abs(grid[i] - volume))
    assert grid[at] == pytest.approx(volume)
    chart = {s["name"]: s["monthly"][at] for s in doc["cost"]["series"] if s["kind"] == "measured"}
    assert min(chart, key=chart.__getitem__) == cheaper
    assert chart == pytest.approx(monthly)
    assert doc["verdict"]["recommended"] == cheaper
