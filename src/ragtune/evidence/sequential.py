"""Where a `--until-decided` run stands: each comparison's anytime-valid interval, money, stop.

`assess(run, pricing)` is the one home of every figure a sequential run shows: the runner calls
it after each round to decide whether to go on (`running/sequential.py`), the CLI prints its
progress line, and the report and the verdict read it from `Evidence.sequential`. It scores the
stored answers of every arm (failed answers score 0, as in the fixed-n verdict), picks the best
arm (highest mean so far), asks `stats.sequential_compare` for each other arm's interval, and
reads the budgets recorded with the run.

Which comparisons must be decided: every one of the k - 1 with the best. (Only the arms cheaper
than the best matter to the choice, but the best is picked on the items so far: when the cheapest
arm leads after one round by chance, "nothing cheaper than the best" would stop the run on that
chance, so a pricier arm must be shown equivalent or worse too.) Money spent is the arms' measured
API dollars plus labelling the items taken (`costs.usd_per_example`, or hours x rate); self-hosted
machine time is not counted here (the report prices it). The fixed-n plan beside it is the size a
plan at 80% power would have needed at the differences observed (`stats.fixed_plan_items`), priced
the same way: what a plan that guessed the truth right would have spent. Writes nothing.
"""

from __future__ import annotations

from ragtune.evidence.evidence import query_cost
from ragtune.evidence.pricing import Pricing
from ragtune.evidence.rundata import RunData
from ragtune.evidence.scores import score_predictions
from ragtune.running import Assessment, SequentialPlan, StopReason
from ragtune.scoring import PRIMARY
from ragtune.stats import SequentialComparison, fixed_plan_items, sequential_compare

RUNNING = ("done", "running", "pending")  # arms that answer (not unavailable or failed)


def sequential_plan_of(run: RunData) -> SequentialPlan | None:
    """The plan recorded with a `--until-decided` run, None for a fixed run."""
    record = (run.raw_config.get("run") or {}).get("sequential")
    return None if record is None else SequentialPlan.from_json(dict(record))


def assess(run: RunData, pricing: Pricing) -> Assessment | None:
    """Where the sequential run stands now (None for a fixed run)."""
    plan = sequential_plan_of(run)
    if plan is None:
        return None
    taken = [i.id for i in run.items if i.split == "test"]
    scores, usd = _scores_and_usd(run, pricing)
    rounds = -(-len(taken) // plan.batch)
    looks = [min(plan.batch * r, len(taken)) for r in range(1, rounds + 1)]
    active = [a for a in scores if scores[a]]
    best = max(active, key=lambda a: sum(scores[a].values()) / len(scores[a]), default=None)
    comparisons: tuple[SequentialComparison, ...] = ()
    if best is not None and len(active) > 1:
        comparisons = tuple(
            sequential_compare(
                {a: scores[a] for a in active}, plan.order, looks, best, plan.margin,
                alpha=plan.alpha,
            )
        )  # fmt: skip
    inferior = {c.arm for c in comparisons if c.status == "inferior"}
    answering = tuple(
        a.name for a in run.arms if a.arm.status in RUNNING and a.name not in inferior
    )
    per_item = {a: usd[a] / len(scores[a]) for a in active}
    label = run.config.costs.labelling_usd(1.0)
    spent = sum(usd.values()) + (label or 0.0) * len(taken)
    next_round = plan.batch * (sum(per_item.get(a, 0.0) for a in answering) + (label or 0.0))
    stop, text = _stop(plan, len(taken), rounds, comparisons, spent, next_round, len(answering))
    fixed = _fixed_items(comparisons)
    return Assessment(
        items=len(taken),
        rounds=rounds,
        best=best,
        comparisons=comparisons,
        answering=answering,
        items_by_arm={a: len(scores.get(a, {})) for a in (x.name for x in run.arms)},
        spent_usd=spent,
        next_round_usd=next_round,
        stop=stop,
        stop_text=text,
        fixed_items=fixed,
        fixed_usd=None if fixed is None else fixed * (sum(per_item.values()) + (label or 0.0)),
        labelling_priced=label is not None,
        plan=plan,
    )


def _scores_and_usd(
    run: RunData, pricing: Pricing
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per arm: the primary score of each answered test item (repeat 0), and API dollars."""
    test = {i.id for i in run.items if i.split == "test"}
    name = PRIMARY[run.config.task]
    scores: dict[str, dict[str, float]] = {}
    usd: dict[str, float] = {}
    for data in run.arms:
        if data.arm.status not in RUNNING:
            continue
        answered = [p for p in data.predictions if p.repeat == 0 and p.item_id in test]
        primary = score_predictions(run, answered)[name].per_item if answered else []
        scores[data.name] = {
            p.item_id: float(v or 0.0) for p, v in zip(answered, primary, strict=True)
        }
        usd[data.name] = sum(query_cost(p, pricing)[0] for p in answered)
    return scores, usd


def _stop(
    plan: SequentialPlan,
    items: int,
    rounds: int,
    needing: tuple[SequentialComparison, ...],
    spent: float,
    next_round: float,
    answering: int,
) -> tuple[StopReason | None, str]:
    """Why the run stops now, or (None, "") to take another round."""
    if items == 0:
        return None, ""
    open_ = [c for c in needing if not c.decided]
    undecided = "; ".join(
        f"{c.arm} vs {c.best} [{c.ci_low:+.3f}, {c.ci_high:+.3f}] contains -{c.margin:g}"
        for c in open_
    )
    if not open_:
        return "decided", "every comparison with the best arm is decided"
    if items >= len(plan.order):
        if plan.max_items is not None and len(plan.order) >= plan.max_items:
            return "max_items", f"reached max_items ({plan.max_items:,}); undecided: {undecided}"
        return "exhausted", f"used every test item ({items:,}); undecided: {undecided}"
    if plan.max_usd is not None and answering and spent + next_round > plan.max_usd:
        return "max_usd", (
            f"another round (${next_round:,.2f}) would take the ${spent:,.2f} spent past "
            f"max_usd ${plan.max_usd:,.2f}; undecided: {undecided}"
        )
    return None, ""


def _fixed_items(comparisons: tuple[SequentialComparison, ...]) -> int | None:
    """The largest fixed-n size at 80% power over the comparisons (every arm answers them all);
    None when any comparison sits exactly at -margin or there is none."""
    sizes = [fixed_plan_items(c.effect, c.sd, c.margin, c.confidence) for c in comparisons]
    if not sizes or any(s is None for s in sizes):
        return None
    return max(s for s in sizes if s is not None)


def progress_line(a: Assessment) -> str:
    """One line per round for stderr: items, money, and each comparison's interval."""
    money = "" if a.spent_usd is None else f", ${a.spent_usd:,.2f} spent"
    parts = [f"{c.arm} [{c.ci_low:+.3f}, {c.ci_high:+.3f}] {c.status}" for c in a.comparisons]
    head = f"round {a.rounds}: {a.items:,} items{money}"
    return head + (f"; vs {a.best}: " + ", ".join(parts) if parts else "")


__all__ = ["assess", "progress_line", "sequential_plan_of"]
