"""A run whose arm's model shuts down inside the horizon: the report warns, prices the forced
migration into the arm's TCO, and the verdict's reasons name the date (issue 32, item 3).

Runs are written record by record (`conftest.make_run`): every call is 300 input and 2 output
tokens on the arm's model, 40 items a copy. "Today" is fixed per test.
"""

from __future__ import annotations

from datetime import date

import pytest

from ragtune.advisor import build_document
from ragtune.report import render_markdown

TODAY = date(2026, 12, 7)
# gpt-4o at $2.50/M in, $10/M out: 300 x 2.5e-6 + 2 x 10e-6 = $0.00077 a call
GPT4O_CALL = 0.00077
# ft:gpt-4o-mini (the catalog's gpt-4o-mini-ft) at $0.30/$1.20: 300 x 0.3e-6 + 2 x 1.2e-6
FT_CALL = 0.0000924
# claude-haiku-4-5 at $1/$5: 300 x 1e-6 + 2 x 5e-6
HAIKU_CALL = 0.00031


def migration_items(doc, arm: str):  # type: ignore[no-untyped-def]
    return [i for i in doc.cost.one_time.get(arm, []) if i.name.startswith("forced migration")]


def test_shutdown_inside_the_horizon_is_warned_priced_and_named(run_factory) -> None:  # type: ignore[no-untyped-def]
    store, run_id = run_factory({"prompt": {"correct": 36, "model": "gpt-4o"}})
    doc = build_document(store, run_id, today=TODAY)
    [item] = migration_items(doc, "prompt")
    # re-evaluation: 1 repeat x 40 items x $0.00077 = $0.0308 (no machine time, not tuned)
    assert item.name == "forced migration: gpt-4o shuts down 2027-01-14"
    assert item.amount == pytest.approx(0.0308)
    row = next(a for a in doc.arms if a.arm == "prompt")
    # TCO: 12 months x 100,000 x $0.00077 = $924.00, plus the migration once
    assert row.monthly_cost == pytest.approx(77.0)
    assert row.tco == pytest.approx(924.0308)
    reasons = " ".join(r.text for r in doc.verdict.reasons)
    assert (
        "prompt's model gpt-4o shuts down on 2027-01-14, inside the 12-month horizon: its TCO "
        "includes the forced migration on 2027-01-14, $0.03 (re-evaluation $0.03)" in reasons
    )
    warning = next(c for c in doc.verdict.caveats if c.startswith("Warning: prompt's model"))
    assert "gpt-4o shuts down on 2027-01-14, within the 12-month horizon" in warning
    assert "costs $0.03 (re-evaluation $0.03) and is counted in its TCO" in warning
    text = render_markdown(doc)
    assert "Warning: prompt's model gpt-4o shuts down on 2027-01-14" in text
    assert "forced migration: gpt-4o shuts down 2027-01-14" in text


def test_outside_the_horizon_nothing_changes(run_factory) -> None:  # type: ignore[no-untyped-def]
    store, run_id = run_factory({"prompt": {"correct": 36, "model": "gpt-4o"}})
    # from 2025-12-01 the 12 months end on 2026-12-01, before gpt-4o's 2027-01-14
    doc = build_document(store, run_id, today=date(2025, 12, 1))
    assert not migration_items(doc, "prompt")
    assert next(a for a in doc.arms if a.arm == "prompt").tco == pytest.approx(924.0)
    assert not any("2027-01-14" in r.text for r in doc.verdict.reasons)


def test_past_shutdown_migrates_now(run_factory) -> None:  # type: ignore[no-untyped-def]
    store, run_id = run_factory({"prompt": {"correct": 36, "model": "gpt-4o"}})
    doc = build_document(store, run_id, today=date(2027, 2, 1))
    reasons = " ".join(r.text for r in doc.verdict.reasons)
    assert "gpt-4o shut down on 2027-01-14" in reasons
    assert "forced migration now (it shut down on 2027-01-14)" in reasons
    assert any("already shut down on 2027-01-14" in c for c in doc.verdict.caveats)


def test_a_tuned_arm_pays_a_re_tune_and_the_migration_can_change_the_verdict(
    run_factory,  # type: ignore[no-untyped-def]
) -> None:
    costs = {"retraining_hours": 5, "hourly_rate": 100}
    arms = {
        "finetune": {"correct": 36, "model": "ft:gpt-4o-mini:acme::x1"},
        "prompt": {"correct": 36, "model": "claude-haiku-4-5"},
    }
    store, run_id = run_factory(arms, costs=costs, copies=5)  # 200 items: shown equivalent
    doc = build_document(store, run_id, today=TODAY)
    [item] = migration_items(doc, "finetune")
    # re-evaluation: 200 x $0.0000924 = $0.01848
    # re-tune: 120 s of training on hetzner-cx42 ($26/month / 720 h = $0.036111/h):
    #   120 x 26 / 720 / 3600 = $0.0012037; plus 5 h x $100 of retraining = $500
    reevaluation, training = 200 * FT_CALL, 120 * 26 / 720 / 3600
    assert item.amount == pytest.approx(reevaluation + training + 500.0)
    assert item.amount == pytest.approx(500.0196837, abs=1e-6)
    assert not migration_items(doc, "prompt")  # claude-haiku-4-5 has no announced end
    tco = {a.arm: a.tco for a in doc.arms}
    # finetune: 12 x 100,000 x $0.0000924 = $110.88 + training once $0.0012037 + migration
    assert tco["finetune"] == pytest.approx(110.88 + training + item.amount)
    # prompt: 12 x 100,000 x $0.00031 = $372.00
    assert tco["prompt"] == pytest.approx(372.0)
    # without the migration finetune ($110.88) would be cheaper; with it ($610.90) it is not
    assert doc.verdict.recommended == "prompt"
    reasons = " ".join(r.text for r in doc.verdict.reasons)
    assert "Also priced with their forced migration inside the 12-month horizon: finetune " in (
        reasons
    )
    assert "re-tune $500.00" in reasons and "gpt-4o-mini ends 2027-01-14" in reasons
    # a year earlier the shutdown is past the horizon, and the cheaper tuned arm is chosen
    assert build_document(store, run_id, today=date(2025, 12, 1)).verdict.recommended == (
        "finetune"
    )


def test_a_judge_ending_inside_the_horizon_is_a_caveat(run_factory) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace
    from types import SimpleNamespace

    from ragtune.advisor.verdict import Verdict
    from ragtune.advisor.verdict.lifecycle import lifecycle_caveats
    from ragtune.evidence import evaluate, judge_notice, load_run, run_pricing
    from ragtune.running import JudgeCost

    store, run_id = run_factory({"prompt": {"correct": 36, "model": "claude-haiku-4-5"}})
    run = load_run(store, run_id)
    evidence = evaluate(run, run_pricing(run, on=TODAY))
    assert judge_notice(evidence) is None  # not judged
    judge = JudgeCost("openai:gpt-5-mini", "gpt-5-mini", "quality", 40, 40, {}, 0.0, 0.01, "api")
    notice = judge_notice(replace(evidence, judge=judge))
    assert notice is not None and notice.lifecycle.shutdown == date(2026, 12, 11)
    verdict = Verdict(100_000, "accuracy", 0.05)
    facts = SimpleNamespace(migrations={}, horizon_months=12, judge_shutdown=notice)
    lifecycle_caveats(verdict, facts)  # type: ignore[arg-type]
    [caveat] = verdict.caveats
    # 2026-12-07 to 2026-12-11: 4 days = 0.13 months
    assert caveat.startswith(
        "Warning: the judge's model gpt-5-mini shuts down on 2026-12-11, 0.1 months from 2026-12-07"
    )
    assert "judging a later run needs another judge" in caveat
