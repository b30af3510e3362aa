"""The priced learning curve on a run written through the store: `finetune@N` arms whose answers
follow a known power law, a rival prompt arm, training runs with measured times. Every price,
gain, payback and decision is worked out by hand here; the report section round-trips through
JSON and shows the chart, the table and the statement."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ragtune.evidence.curve_pricing import _decide, priced_curves
from ragtune.evidence.evidence import evaluate
from ragtune.evidence.pricing import run_pricing
from ragtune.evidence.rundata import load_run
from ragtune.stats.curve_fit import Estimate, Projection
from ragtune.store.records import Item, Measurement, Prediction
from ragtune.store.runstore import RunStore

LABELS = ["billing", "bug", "other"]
N = 600  # test items: standard error ~0.019 at quality 0.7
SIZES = (100, 200, 400)
SECONDS = {100: 60.0, 200: 120.0, 400: 240.0}  # measured training time per size


def truth(n: float) -> float:
    return 0.95 - 5.0 * n**-0.5  # 0.4500, 0.5964, 0.7000 at 100, 200, 400; 0.7732 at 800


def write_run(
    store: RunStore,
    *,
    rival_correct: int,
    costs: dict[str, Any],
    margin: float,
    base: str = "finetune",
    extra: dict[str, tuple[str, int]] | None = None,
) -> str:
    """`base`: the curve arms' name before `@` (a variant of finetune when not "finetune");
    `extra`: more arms, name -> (class, items right of the first ones)."""
    config = {
        "name": "curve",
        "task": "classify",
        "labels": LABELS,
        "seed": 0,
        "backends": {"cheap": "local:smollm2-135m", "strong": "local:smollm2-135m"},
        "arms": {"prompt": {}, base: {"arm": "finetune", "learning_curve": list(SIZES)}},
        "pricing": {"requests_per_month": 100_000, "horizon_months": 12},
        "advice": {"margin": margin},
        "costs": costs,
    }
    run = store.create_run(config, seed=0, workload="curve.yaml", run_id="curve-run")
    items = [Item(f"t{i}", "test", f"message {i}", {"answer": LABELS[i % 3]}) for i in range(N)]
    store.add_items(run.id, items)
    # item i is right at size n when u_i < truth(n): nested (learnt stays learnt), and each
    # size's observed quality is within 1/N of the truth (stratified uniforms)
    rng = np.random.default_rng(11)
    u = (rng.permutation(N) + rng.random(N)) / N
    right = {"prompt": np.arange(N) < rival_correct}
    right |= {f"{base}@{n}": u < truth(n) for n in SIZES}
    kinds = {"prompt": "prompt"} | {f"{base}@{n}": "finetune" for n in SIZES}
    for name, (kind, correct) in (extra or {}).items():
        right[name], kinds[name] = np.arange(N) < correct, kind
    for name, ok in right.items():
        store.add_arm(run.id, name, {"arm": kinds[name]})
        predictions = []
        for item, good in zip(items, ok, strict=True):
            gold = item.gold["answer"]
            answer = gold if good else next(x for x in LABELS if x != gold)
            call = Measurement("answer", "smollm2-135m", 40, 0, 0, 2, 0.2)
            extra = {"answer": answer, "latency_s": 0.2, "wall_share_s": 0.1}
            predictions.append(
                Prediction(run.id, name, item.id, 0, answer, (), None, extra, (call,))
            )
        store.record_predictions(predictions)
        store.set_arm_status(run.id, name, "done")
    for n in SIZES:
        job = store.create_training_run(
            "smollm2-135m", "lora", {"train_set": n}, run_id=run.id, train_examples=n
        )
        store.finish_training_run(job.id, duration_s=SECONDS[n], train_tokens=n * 50)
    store.finish_run(run.id)
    return run.id


@pytest.fixture(scope="module")
def store_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    # rival 0.71 (426 of 600), margin 0: the tuned arm at 400 (0.700) is below it; the
    # projection at 800 (0.776 [0.721, 0.834]) clears it; labelling 40/h at $50/h
    path = tmp_path_factory.mktemp("curve") / "runs.db"
    with RunStore.open(path) as store:
        run_id = write_run(
            store,
            rival_correct=426,
            costs={"examples_per_hour": 40, "hourly_rate": 50},
            margin=0.0,
        )
    return path, run_id


@pytest.fixture(scope="module")
def worth(store_run: tuple[Path, str]) -> Any:
    with RunStore.open(store_run[0]) as store:
        run = load_run(store, store_run[1])
    evidence = evaluate(run, run_pricing(run))
    monthly = {"prompt": 900.0, "finetune@100": 400.0, "finetune@200": 400.0, "finetune@400": 400.0}
    [curve] = priced_curves(evidence, volume=100_000, monthly=monthly.__getitem__)
    return evidence, curve


def test_the_curve_is_fitted_on_the_tuned_arms_and_priced_per_size(worth: Any) -> None:
    evidence, p = worth
    hourly = evidence.pricing.self_hosted_hourly
    assert p.arm == "finetune" and p.rival == "prompt"
    assert p.curve.status == "fitted" and p.curve.n_items == N
    assert [s.size for s in p.steps] == [100, 200, 400]
    # each size's observed quality is within 1/600 of the truth (stratified uniforms)
    for pt in p.curve.points:
        assert pt.quality.value == pytest.approx(truth(pt.size), abs=1 / N)
    # labelling 100 examples at 40/h and $50/h: 2.5 h x $50 = $125; 400 -> $500
    assert [s.labelling_usd for s in p.steps] == pytest.approx([125.0, 250.0, 500.0])
    # tuning: the measured seconds at the self-hosted machine's hourly rate (240 s = 1/15 h)
    assert p.steps[2].tuning_usd == pytest.approx(240 * hourly / 3600)
    assert p.curve.exponent is not None
    assert p.curve.exponent.value == pytest.approx(0.5, rel=0.10)  # three exact points: c ~ 0.5
    assert p.rival_quality.value == pytest.approx(0.71)
    # where the curve reaches prompt's 0.71: 0.95 - 5 / sqrt(n) = 0.71 -> n = (5 / 0.24)^2 = 434
    reach = p.curve.size_for_target
    assert reach is not None and reach.low <= 434 <= reach.high


def test_the_next_step_is_priced_and_worth_it(worth: Any) -> None:
    evidence, p = worth
    hourly = evidence.pricing.self_hosted_hourly
    n = p.next
    assert n is not None
    # the first projection: 2 x 400 = 800 examples, 400 more to label: 10 h x $50 = $500
    assert (n.size, n.more_examples) == (800, 400)
    assert n.labelling_usd == pytest.approx(500.0)
    # tuning at 800: the 400-size run's 240 s x 800 / 400 = 480 s at the machine's rate
    assert n.tuning_usd == pytest.approx(480 * hourly / 3600)
    # projected quality at 800 ~ truth 0.7732, gain ~ +0.073 over the measured 0.700
    assert n.quality.low <= truth(800) <= n.quality.high
    assert n.gain.value == pytest.approx(truth(800) - truth(400), abs=0.01)
    assert n.gain.low < n.gain.value < n.gain.high
    # saving: prompt $900 - finetune@400 $400 = $500/month; payback = one-off / 500
    assert n.monthly_saving == pytest.approx(500.0)
    assert n.payback_months == pytest.approx((500.0 + n.tuning_usd) / 500.0)
    assert n.decision == "worth", n.reason
    assert p.statement.startswith(
        f"labelling 400 more examples costs about ${500 + n.tuning_usd:,.0f}"
    )
    assert "projected to gain +" in p.statement and "worth it against prompt" in p.statement


def test_the_report_section_round_trips_through_json_and_renders(worth: Any) -> None:
    from ragtune.report import render
    from ragtune.report.charts_more import curve_chart
    from ragtune.report.learning_curve import LearningCurveDoc, curve_docs

    _, p = worth
    [doc] = curve_docs([p])
    back = LearningCurveDoc.model_validate(json.loads(json.dumps(doc.model_dump(mode="json"))))
    assert back == doc
    assert doc.next is not None and doc.next.gain_points.estimate == pytest.approx(
        100 * p.next.gain.value
    )
    assert doc.size_for_rival is not None  # where the curve reaches prompt's 0.805
    chart = curve_chart(doc)  # a Vega-Lite spec: measured points, fitted band, the rival's rule
    assert chart is not None
    data = chart["datasets"]
    assert sum(r["low"] is not None for r in data["rows"]) == 3  # three sizes with CI bars
    assert data["band"] and all(r["layer"] == "fitted curve and band" for r in data["band"])
    assert [r["layer"] for r in data["rival"]] == ["prompt (best not tuned)"]
    del render  # rendered through the whole document below


def test_build_document_carries_the_curve_in_every_format(store_run: tuple[Path, str]) -> None:
    from ragtune.advisor import build_document
    from ragtune.report import render
    from ragtune.report.model import as_document

    with RunStore.open(store_run[0]) as store:
        doc = build_document(store, store_run[1])
    [curve] = doc.learning_curve
    assert curve.arm == "finetune" and curve.rival == "prompt"
    assert [p.arm for p in curve.points] == ["finetune@100", "finetune@200", "finetune@400"]
    assert curve.next is not None and curve.next.labelling_usd == pytest.approx(500.0)
    # the report's own cost engine: the tuned and the prompt arm use the same machine time per
    # item, so the tuned arm is not cheaper and catching up saves nothing
    assert curve.next.decision == "not_worth", curve.next.reason
    assert curve.next.reason.startswith("catching up saves nothing")
    again = as_document(json.loads(json.dumps(doc.to_json())))
    assert again == doc
    markdown = render(doc, "md")
    assert "## Learning curve" in markdown and "labelling 400 more examples" in markdown
    assert "| 400 | finetune@400 |" in markdown and "$500" in markdown
    html = render(doc, "html")
    assert 'data-chart="learning-curve"' in html and "id='learning-curve'" in html


BEHIND = (-0.15, -0.20, -0.10)  # tuned - rival: shown more than the margin worse


@pytest.mark.parametrize(
    ("paired", "high", "low", "saving", "one_off", "expected"),
    [
        # rival 0.85, margin 0.05 -> bar 0.80 throughout; `paired` = (effect, low, high) of
        # tuned - rival, read like the verdict: lower bound above -0.05 = shown within it
        ((-0.04, -0.045, -0.03), 0.79, 0.72, 100.0, 500.0, "already_matches"),  # -0.045 > -0.05
        # the point estimate is within the margin (0.81 vs 0.85) but the interval is not: not
        # "already matches" (the old point-estimate rule said it was); the projection decides
        ((-0.04, -0.09, +0.01), 0.79, 0.72, 100.0, 500.0, "not_worth"),
        (BEHIND, 0.79, 0.72, 100.0, 500.0, "not_worth"),  # top 0.79 < 0.80
        (BEHIND, 0.90, 0.82, -5.0, 500.0, "not_worth"),  # costs more per month than the rival
        (BEHIND, 0.90, 0.78, 100.0, 500.0, "uncertain"),  # [0.78, 0.90] straddles 0.80
        (BEHIND, 0.90, 0.82, 100.0, 500.0, "worth"),  # payback 500 / 100 = 5 <= 12 months
        (BEHIND, 0.90, 0.82, 10.0, 500.0, "not_worth"),  # payback 50 months > 12
        (BEHIND, 0.90, 0.82, 100.0, None, "unknown"),  # no labelling price
        (BEHIND, 0.90, 0.82, None, 500.0, "unknown"),  # no monthly costs
        (None, 0.90, 0.82, 100.0, 500.0, "worth"),  # no common items: no "already matches"
    ],
)
def test_the_decision_rule(
    paired: tuple[float, float, float] | None,
    high: float,
    low: float,
    saving: float | None,
    one_off: float | None,
    expected: str,
) -> None:
    projection = Projection(800, Estimate((low + high) / 2, low, high))
    payback = one_off / saving if one_off is not None and saving and saving > 0 else None
    decision, reason = _decide(
        projection,
        paired,
        ("prompt", Estimate(0.85, 0.83, 0.87)),
        saving,
        payback,
        one_off,
        margin=0.05,
        horizon=12,
    )
    assert decision == expected, reason
    assert not math.isnan(len(reason))


def test_already_matches_uses_the_verdicts_interval_rule(tmp_path: Path) -> None:
    # rival 0.70 (420 of 600) and the tuned arm at 400 examples 0.700 (truth(400)), margin
    # 0.05: the point estimates are equal (0.700 each), but the two arms disagree on 254 of
    # the 600 items (42.3%, about 2 x 0.7 x 0.3 for independent draws), so the paired interval
    # of the difference is 0 +- 1.96 x sqrt(0.423 / 600) = +-0.052 (Tango's: [-0.0521,
    # +0.0521]): its lower bound is below -0.05, so the tuned arm
    # is not *shown* to be within the margin, and the old point-estimate rule's "already
    # matches" (0.700 >= 0.70 - 0.05) is not said.
    with RunStore.open(tmp_path / "runs.db") as store:
        run_id = write_run(store, rival_correct=420, costs={}, margin=0.05)
        run = load_run(store, run_id)
    evidence = evaluate(run, run_pricing(run))
    [p] = priced_curves(evidence, volume=100_000, monthly=lambda a: 100.0, n_resamples=400)
    assert p.next is not None and p.next.decision != "already_matches", p.next.reason
    # with a margin of 0.10 the same interval's lower bound is above -0.10: shown, and said
    with RunStore.open(tmp_path / "wide.db") as store:
        run_id = write_run(store, rival_correct=420, costs={}, margin=0.10)
        run = load_run(store, run_id)
    evidence = evaluate(run, run_pricing(run))
    [p] = priced_curves(evidence, volume=100_000, monthly=lambda a: 100.0, n_resamples=400)
    assert p.next is not None and p.next.decision == "already_matches", p.next.reason
    assert "paired difference" in p.next.reason and "lower bound above -0.10" in p.next.reason


def test_tuned_variants_are_recognised_by_their_traits(tmp_path: Path) -> None:
    # The curve's arms are a variant `ft: {arm: finetune}` (ft@100, ft@200, ft@400), and a
    # second tuned variant `ft_big: {arm: finetune}` scores 0.90 (540 of 600). By name neither
    # is a registered tuned arm: the old code found no curve, and would have taken ft_big as
    # the "non-tuned" rival. By traits the curve is ft's and the rival is prompt (0.71).
    with RunStore.open(tmp_path / "runs.db") as store:
        run_id = write_run(
            store,
            rival_correct=426,
            costs={},
            margin=0.0,
            base="ft",
            extra={"ft_big": ("finetune", 540)},
        )
        run = load_run(store, run_id)
    evidence = evaluate(run, run_pricing(run))
    [p] = priced_curves(evidence, volume=100_000, n_resamples=400)
    assert p.arm == "ft" and [s.arm for s in p.steps] == ["ft@100", "ft@200", "ft@400"]
    assert p.rival == "prompt" and p.rival_quality is not None
    assert p.rival_quality.value == pytest.approx(0.71)
