"""The report document: a run's evidence, priced and judged, as one typed `ReportDocument`.

`build_document` reads a finished (or partial) run from the store (`load_run`), evaluates it once
(`evaluate` -> Evidence, at the run's own pricing), summarises it at the volume asked for, builds
a cost option per arm from the same Evidence, draws the cost-vs-volume curves with Monte Carlo
bands, asks the verdict, and lays everything out in the model
`ragtune.report.model.ReportDocument` that `ragtune.report` renders (HTML, Markdown, JSON) and
the web runs viewer shows. No model is called, so a report can be re-priced at another volume in
a second.

Deliberately not here: formatting (`ragtune.report`), the rules themselves (`verdict`).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from ragtune.advisor.basis import assumption_rows, price_rows
from ragtune.advisor.batch import batch_alternatives, batch_verdict, ruled_in
from ragtune.advisor.human_facts import human_section
from ragtune.advisor.options import ArmCost, arm_costs
from ragtune.advisor.sections import error_section, judge_section, router_section, training_section
from ragtune.advisor.sequential import sequential_section
from ragtune.advisor.standing import comparisons_made
from ragtune.advisor.verdict import Facts, Growth, Verdict, decide
from ragtune.config import Pricing
from ragtune.cost import (
    Analysis,
    Catalog,
    Samples,
    analyse,
    breakeven_volume,
    jsonable,
    monthly_cost,
    tco,
)
from ragtune.errors import RagtuneError
from ragtune.evidence import (
    HUMAN,
    ArmSummary,
    Evidence,
    Machine,
    RunSummary,
    arm_people,
    assess_sequential,
    evaluate,
    judge_notice,
    load_run,
    migrations,
    priced_curves,
    retrains_for_knowledge,
    run_pricing,
    summary_of,
)
from ragtune.report import SCHEMA, ReportDocument, curve_docs
from ragtune.store import RunStore

# The cost chart's x axis, requests/month: ten points a decade, so every power of ten (1k, 100k,
# 10M) is on it exactly and the chart reads the same number as the table at those volumes.
VOLUMES = np.geomspace(1e2, 1e8, 61)
BAND = (5, 95)


def build_document(
    store: RunStore,
    run_id: str,
    *,
    volume: float | None = None,
    catalog: Catalog | None = None,
    today: date | None = None,
) -> ReportDocument:
    """Everything a report shows about `run_id`, priced at `volume` (default: the workload's),
    with model lifecycles read on `today` (default: `cost.today()`)."""
    if volume is not None and not volume > 0:
        raise RagtuneError(f"--volume must be a positive number of requests/month, got {volume}.")
    run = load_run(store, run_id)
    return document_of(evaluate(run, run_pricing(run, catalog, on=today)), volume=volume)


def document_of(evidence: Evidence, *, volume: float | None = None) -> ReportDocument:
    """The report document of evaluated evidence at `volume` (default: the workload's)."""
    run = evidence.run
    config = dict(run.raw_config)
    pricing_spec = run.config.pricing
    advice = run.config.advice.model_dump()
    volume = float(volume if volume is not None else pricing_spec.requests_per_month) or 1.0
    summary = summary_of(evidence, volume)
    catalog = evidence.pricing.catalog
    machine = evidence.pricing.machine
    done = evidence.done()
    series: dict[str, ArmCost] = {}
    for arm in done:
        if not arm.priced:  # recorded answers with no catalog model: no cost to chart
            continue
        # one resample of the items for every arm (common random numbers, issue 13): arms
        # measured on the same items see the same resample in each draw
        for cost in arm_costs(evidence, arm, seed=run.seed):
            series[cost.name] = cost
    budget = advice.get("latency_budget_s")
    alternatives = [
        alt
        for alt in batch_alternatives(evidence, seed=run.seed)
        if ruled_in(budget, alt.latency_s) is not False  # ruled out: not an option at all
    ]
    series.update((alt.cost.name, alt.cost) for alt in alternatives)

    def monthly(name: str) -> float:
        return float(monthly_cost(series[name].point, volume))

    def cost_at(name: str, at: float) -> float:
        return float(monthly_cost(series[name].point, at))

    def crossing(a: str, b: str) -> float | None:
        return breakeven_volume(series[a].point, series[b].point).first

    def total(name: str) -> float:
        return float(tco(series[name].point, volume, growth=growth, horizon=horizon))

    growth, horizon = pricing_spec.growth_per_month, pricing_spec.horizon_months
    costs = run.config.costs
    # one retraining cycle of each arm whose knowledge is in its weights: the fine-tune's cost
    # again plus the cycle's people hours (whether or not a cadence was stated)
    retrain_usd = {
        a.arm: (evidence.training_usd or 0.0) + arm_people(evidence, a).retrain_usd
        for a in done
        if retrains_for_knowledge(a.traits)
    }

    # what one more request costs: machine seconds at the machine's rate with its headroom (a
    # fleet kept at most max_utilisation busy), plus list-price API dollars
    served_on = {a.arm: a.machine or machine for a in done}  # a declared endpoint's, or ours

    def per_machine_s(m: Machine) -> float:
        return m.hourly / 3600 / m.max_utilisation

    growth_of = {
        a.arm: Growth(
            float(np.mean(a.machine_s)) if a.n else 0.0,
            float(np.mean(a.api_usd)) if a.n else 0.0,
            (
                float(np.mean(a.machine_s)) * per_machine_s(served_on[a.arm])
                + float(np.mean(a.api_usd))
            )
            if a.n
            else 0.0,
        )
        for a in done
    }
    facts = Facts(
        task=summary.task,
        volume=volume,
        arms=summary.arms,
        comparisons=summary.comparisons,
        freshness=summary.freshness,
        training=summary.training,
        advice=advice,
        train_examples=next((t.examples for t in summary.training if t.examples), 0),
        labels=len(run.config.labels) if run.config.labels else None,
        monthly=monthly,
        cost_at=cost_at,
        breakeven=crossing,
        projection=lambda arm: (
            f"{arm} @ {pricing_spec.project_to}"
            if f"{arm} @ {pricing_spec.project_to}" in series
            else None
        ),
        local_only_backends=False,
        api_arms=frozenset(a.arm for a in done if a.api_models),
        human=evidence.human,
        scores={
            a.arm: dict(zip(a.item_ids, a.paired_quality().tolist(), strict=True)) for a in done
        },
        labelling_usd=lambda n: costs.labelling_usd(n),
        labelling_basis=labelling_basis(costs),
        tco=total,
        retrain_usd=retrain_usd,
        unpriced=frozenset(a.arm for a in done if not a.priced),
        stand_in_arms=tuple(
            a.arm
            for a in done
            if a.local and not a.api_models and not a.traits.recorded and run.config.local_only
        ),
        horizon_months=horizon,
        growth=growth_of,
        sequential=assess_sequential(run, evidence.pricing),
        migrations=migrations(evidence),
        judge_shutdown=judge_notice(evidence),
        machine_notes=summary.machine_notes,
    )
    verdict = decide(facts)
    if evidence.repeats > 1 and verdict.metric != HUMAN:
        verdict.correction += (
            f"; each arm is paired with the best on every item's mean over the "
            f"{evidence.repeats} repeats (the arms' own figures are from the first repeat)"
        )
    batch_verdict(
        verdict,
        alternatives,
        budget_s=budget,
        volume=volume,
        chosen=verdict.recommended,
        cost_at=cost_at,
        breakeven=crossing,
    )
    analysis = _analysis(series, verdict, volume, pricing_spec, seed=run.seed)
    by_name = {o.name: o for o in analysis.options}
    document = {
        "schema": SCHEMA,
        "title": f"{run.config.name}: which strategy at {volume:,.0f} requests/month",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": {
            "id": run.id,
            "name": run.config.name,
            "task": summary.task,
            "workload": run.workload,
            "created": run.created,
            "status": run.status,
            "seed": run.seed,
            "versions": dict(run.versions),
            "machine": dict(run.machine),
            "config": config,
        },
        "verdict": _verdict(verdict, pricing_spec),
        "arms": [_arm(a, by_name, served_on.get(a.arm, machine), summary) for a in summary.arms],
        "comparisons": [
            {**dataclasses.asdict(c), "metric": verdict.metric, "significant": c.significant()}
            for c in summary.comparisons
        ],
        "cost": {
            **_cost(series, analysis, volume, pricing_spec),
            **_people(evidence, series, analysis),
        },
        "latency": {a.arm: [float(x) for x in a.latency_s] for a in done},
        "freshness": [
            {
                "arm": f.arm,
                "version": f.version,
                "n": f.n,
                "before": _interval(f.before, f.n),
                "after": _interval(f.after, f.n),
            }
            for f in summary.freshness
        ],
        "training": training_section(run, summary),
        "judge": judge_section(summary),
        "human": human_section(evidence.human),
        "sequential": sequential_section(facts.sequential),
        "router": router_section(summary.arms),
        "prices": price_rows(catalog, pricing_spec, evidence),
        "errors": error_section(summary),
        "assumptions": assumption_rows(pricing_spec, advice, config),
        # issue 19: tuned arms measured at several training sizes, fitted and priced
        "learning_curve": [
            c.model_dump()
            for c in curve_docs(
                priced_curves(
                    evidence,
                    volume=volume,
                    monthly=monthly,
                    family=comparisons_made(verdict.standings),
                )
            )
        ],
    }
    return ReportDocument.model_validate(jsonable(document))


def _analysis(
    series: dict[str, ArmCost], verdict: Verdict, volume: float, spec: Pricing, *, seed: int
) -> Analysis:
    points = {name: c.point for name, c in series.items()}
    draws = {name: c.draws for name, c in series.items()}
    chosen = verdict.recommended
    pairs = [(chosen, name) for name in series if chosen in series and name != chosen]
    size = _draw_size(draws)
    samples = Samples(draws, np.full(size, volume), spec.growth_per_month) if size else None
    # Every series against the recommended one only: the verdict's flips, not all pairs.
    return analyse(
        points,
        volume=volume,
        growth=spec.growth_per_month,
        horizon=spec.horizon_months,
        samples=samples,
        pairs=pairs or None,
    )


def _draw_size(draws: dict[str, Any]) -> int:
    sizes = {
        int(np.size(v))
        for option in draws.values()
        for v in (
            option.api.input_per_m if option.api else 0.0,
            option.serving.tokens_per_second if option.serving else 0.0,
        )
        if np.size(v) > 1
    }
    return max(sizes) if sizes else 0


def _cost(
    series: dict[str, ArmCost], analysis: Analysis, volume: float, spec: Pricing
) -> dict[str, Any]:
    grid = VOLUMES
    out = []
    for name, cost in series.items():
        point = np.broadcast_to(monthly_cost(cost.point, grid), grid.shape)
        drawn = np.asarray(monthly_cost(cost.draws, grid[:, None]), dtype=np.float64)
        if drawn.ndim == 2 and drawn.shape[1] > 1:
            low, high = np.percentile(drawn, BAND, axis=1)
        else:
            low = high = point
        out.append(
            {
                "name": name,
                "arm": cost.arm,
                "kind": cost.kind,
                "label": cost.label,
                "monthly": point.tolist(),
                "low": np.minimum(low, point).tolist(),
                "high": np.maximum(high, point).tolist(),
            }
        )
    breakevens = []
    for pair in analysis.pairs:
        band = pair.breakeven_band
        crossing = pair.crossing
        first = crossing.first
        above = crossing.cheaper_after[0] if crossing.cheaper_after else None
        side = (
            f"{crossing.cheaper_below} is cheaper below it"
            if crossing.cheaper_below is not None
            else f"equal below it, {above or 'neither'} cheaper above"
        )
        breakevens.append(
            {
                "a": pair.a,
                "b": pair.b,
                "volume": first,
                # a band end past every crossing sample is "never" (infinite): no number
                "low": band.p10 if band and np.isfinite(band.p10) else None,
                "high": band.p90 if band and np.isfinite(band.p90) else None,
                "note": "never crosses between 1 and 1e12 requests/month"
                if first is None
                else f"{side} ({crossing.method}; band P10-P90 of bootstrap draws)",
            }
        )
    return {
        "volume": volume,
        "horizon_months": spec.horizon_months,
        "volumes": grid.tolist(),
        "series": out,
        "breakevens": breakevens,
        "items": {o.name: [dataclasses.asdict(i) for i in o.breakdown] for o in analysis.options},
    }


def _arm(
    a: ArmSummary, options: dict[str, Any], machine: Machine, summary: RunSummary
) -> dict[str, Any]:
    row = dataclasses.asdict(a)
    row["quality"] = _interval(a.quality, a.n)
    row["error_share"] = a.error_share
    row["eligible"] = a.eligible
    option = options.get(a.arm)
    row["monthly_cost"] = option.monthly if option else None
    row["tco"] = option.tco if option else None
    gpus = [i.name[5:-1] for i in option.breakdown if i.name.startswith("GPU")] if option else []
    hosted = [g for g in gpus if g.startswith(("together endpoint", "fireworks endpoint"))]
    where = hosted[0] if hosted else f"self-hosted on {machine.name}" if gpus else "API"
    row["deployment"] = "" if option is None else where  # hosted: a provider's endpoint
    row["pareto"] = _pareto(a, summary.arms)
    return row


def _pareto(a: ArmSummary, arms: tuple[ArmSummary, ...]) -> bool:
    """No other arm is at least as good and at least as cheap, and better on one of them."""
    if a.quality is None or a.cost_per_1k is None:
        return False
    for b in arms:
        if b is a or b.quality is None or b.cost_per_1k is None:
            continue
        q, c = b.quality.estimate, b.cost_per_1k
        if (
            q >= a.quality.estimate
            and c <= a.cost_per_1k
            and (q > a.quality.estimate or c < a.cost_per_1k)
        ):
            return False
    return True


def _interval(interval: Any, n: int) -> dict[str, Any] | None:
    if interval is None:
        return None
    return {
        "estimate": interval.estimate,
        "low": interval.low,
        "high": interval.high,
        "n": n,
        "method": interval.method,
    }


def labelling_basis(costs: Any) -> str:
    """How the workload prices a labelled item, as the verdict says it ("" when it does not)."""
    if costs.usd_per_example is not None:
        return f"${costs.usd_per_example:g} an item (costs.usd_per_example)"
    if costs.examples_per_hour is not None and costs.hourly_rate is not None:
        return (
            f"{costs.examples_per_hour:g} items/h at ${costs.hourly_rate:g}/h "
            "(costs.examples_per_hour, costs.hourly_rate)"
        )
    return ""


def _people(evidence: Evidence, series: dict[str, ArmCost], analysis: Analysis) -> dict[str, Any]:
    """Per measured arm: its one-time costs (people and training) and what is not counted."""
    one_time = {
        o.name: [dataclasses.asdict(i) for i in series[o.name].point.one_time]
        for o in analysis.options
        if o.name in series and series[o.name].kind == "measured"
    }
    not_counted = {}
    for arm in evidence.done():
        missing = list(arm_people(evidence, arm).not_counted)
        if not arm.priced:
            missing.insert(0, "every cost: the answers file names no catalog model")
        if missing:
            not_counted[arm.arm] = missing
    return {"one_time": one_time, "not_counted": not_counted}


def _verdict(verdict: Verdict, spec: Pricing) -> dict[str, Any]:
    return {
        "volume": verdict.volume,
        "horizon_months": spec.horizon_months,
        "growth_per_month": spec.growth_per_month,
        "recommended": verdict.recommended,
        "headline": verdict.headline,
        "decided": verdict.decided,
        "metric": verdict.metric,
        "margin": verdict.margin,
        "correction": verdict.correction,
        "selection": verdict.selection,
        "standings": [dataclasses.asdict(s) for s in verdict.standings],
        "pending": None if verdict.pending is None else dataclasses.asdict(verdict.pending),
        "undetermined": verdict.undetermined,
        "equivalent": verdict.equivalent,
        "reasons": verdict.reasons,
        "flips": verdict.flips,
        "caveats": verdict.caveats,
        "expectations": verdict.expectations,
    }
