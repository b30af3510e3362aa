"""Which people and data costs each arm pays (`evidence.people`), worked by hand."""

from __future__ import annotations

import pytest

from ragtune.config import Costs
from ragtune.evidence.people import people_costs, retrains_per_month
from ragtune.evidence.traits import traits_of

FULL = Costs(
    hourly_rate=150,
    examples_per_hour=40,
    eval_setup_hours=16,
    pipeline_hours=24,
    maintenance_hours_per_month=4,
    retraining_hours=6,
    retrain_every_months=2,
)


def amounts(items) -> dict[str, float]:
    return {i.name: float(i.amount) for i in items}


def test_prompt_pays_only_the_evaluation_set_up() -> None:
    cost = people_costs(FULL, traits_of("prompt"), train_examples=600)
    assert amounts(cost.one_time) == {"evaluation set-up": 16 * 150}  # $2,400
    assert cost.monthly == () and cost.per_retrain == () and cost.not_counted == ()


def test_rag_pays_its_index_pipeline_and_upkeep() -> None:
    cost = people_costs(FULL, traits_of("rag"), train_examples=600)
    assert amounts(cost.one_time) == {"evaluation set-up": 2_400, "pipeline": 24 * 150}
    assert amounts(cost.monthly) == {"maintenance": 4 * 150}  # $600 a month
    assert cost.per_retrain == ()


def test_a_tuned_arm_pays_curation_of_its_examples_and_each_retraining_cycle() -> None:
    # 600 examples at 40 an hour = 15 h x $150 = $2,250 of curation; a cycle 6 h x $150 = $900
    cost = people_costs(FULL, traits_of("finetune@250", None), train_examples=600)
    assert amounts(cost.one_time) == {
        "evaluation set-up": 2_400, "data curation": 2_250, "pipeline": 3_600,
    }  # fmt: skip
    assert cost.retrain_usd == pytest.approx(900)
    # finetune: one retrain per knowledge change (3 a month) or every 2 months (0.5), the more
    # frequent: 3 a month (a retrain on fresh data resets drift too; issue 32: they were added);
    # finetune_rag learns changes from its index: only the 0.5 drift retrains
    assert retrains_per_month(FULL, traits_of("finetune"), 3) == pytest.approx(3.0)
    # the case: a change a month and drift every 3 months is 1 a month, not 1.33
    every_3 = Costs(retrain_every_months=3)
    assert retrains_per_month(every_3, traits_of("finetune"), 1) == pytest.approx(1.0)
    assert retrains_per_month(every_3, traits_of("finetune"), 0.2) == pytest.approx(1 / 3)
    assert retrains_per_month(FULL, traits_of("finetune_rag"), 3) == pytest.approx(0.5)
    assert retrains_per_month(FULL, traits_of("rag"), 3) == 0.0


def test_unset_parts_are_not_counted_and_a_recorded_arm_pays_nothing() -> None:
    cost = people_costs(Costs(curation_hours=40), traits_of("finetune"), train_examples=None)
    assert cost.one_time == ()
    assert cost.not_counted == (
        "evaluation set-up (costs.eval_setup_hours)",
        "data curation: 40 h with no costs.hourly_rate",
        "pipeline (costs.pipeline_hours)",
        "maintenance (costs.maintenance_hours_per_month)",
        "retraining: data and deploy (costs.retraining_hours)",
    )
    assert people_costs(FULL, traits_of("production", "recorded"), train_examples=600) == (
        people_costs(Costs(), traits_of("production", "recorded"), train_examples=None)
    )
