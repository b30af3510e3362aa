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

An arm that fails on more than `MAX_ERROR_SHARE` of the items it answered so far is not eligible
(the fixed-n verdict's rule): it stops being answered, is no candidate for best and needs no
decision, so it neither costs more nor keeps the run going.

Each round costs only its new answers: `SequentialAssessor` (what `run --until-decided` calls)
keeps a `SequentialCache` of every answer's score and price and each comparison's running
sequence (`stats.CompareState`), and `assess` with a cache scores and prices the answers it has
not seen. Without one it starts from nothing, with the same result (a test checks the two agree
round by round).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ragtune.evidence.evidence import query_cost
from ragtune.evidence.pricing import Pricing, run_pricing
from ragtune.evidence.rundata import RunData, load_run
from ragtune.evidence.scores import score_predictions
from ragtune.evidence.summary import MAX_ERROR_SHARE
from ragtune.running import Assessment, SequentialPlan, StopReason
from ragtune.scoring import PRIMARY
from ragtune.stats import CompareState, SequentialComparison, fixed_plan_items, sequential_compare

if TYPE_CHECKING:
    from ragtune.store import RunStore

RUNNING = ("done", "running", "pending")  # arms that answer (not unavailable or failed)


def sequential_plan_of(run: RunData) -> SequentialPlan | None:
    """The plan recorded with a `--until-decided` run, None for a fixed run."""
    record = (run.raw_config.get("run") or {}).get("sequential")
    return None if record is None else SequentialPlan.from_json(dict(record))


@dataclass
class SequentialCache:
    """What one run's assessments carry from round to round: per arm, each answered item's
    primary score, API dollars and whether it failed; and the comparisons' running sequences."""

    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    usd: dict[str, dict[str, float]] = field(default_factory=dict)
    failed: dict[str, set[str]] = field(default_factory=dict)
    compare: CompareState = field(default_factory=CompareState)


class SequentialAssessor:
    """`assess` for `run_until_decided`: each round reads from `store` only the answers to items
    some arm has no score for yet, and scores and prices only those (one cache per run id)."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self._caches: dict[str, tuple[Pricing, SequentialCache]] = {}
        self._items: dict[str, tuple[tuple[str, int], ...]] = {}  # run -> test (id, position)

    def __call__(self, run_id: str) -> Assessment:
        kept = self._caches.get(run_id)
        run = load_run(self.store, run_id, from_positions=self._unread(run_id))
        if kept is None:
            kept = self._caches[run_id] = (run_pricing(run), SequentialCache())
        pricing, cache = kept
        self._items[run_id] = tuple((i.id, i.position or 0) for i in run.items if i.split == "test")
        found = assess(run, pricing, cache)
        if found is None:
            raise ValueError(f"run {run_id} was not started with --until-decided")
        return found

    def _unread(self, run_id: str) -> dict[str, int] | None:
        """arm -> the first item position whose answer the cache lacks or holds as a failure
        (None: read it all). Items are added in rounds at growing positions, so later ones are
        all unread; a failed answer is read again because the runner retries failed items each
        round, and a retry that succeeds replaces it in the store."""
        if run_id not in self._caches:
            return None
        cache = self._caches[run_id][1]
        items = self._items[run_id]
        after = max((pos for _, pos in items), default=-1) + 1
        return {
            arm: min(
                (pos for item, pos in items if item not in scores or item in cache.failed[arm]),
                default=after,
            )
            for arm, scores in cache.scores.items()
        }


def assess(
    run: RunData, pricing: Pricing, cache: SequentialCache | None = None
) -> Assessment | None:
    """Where the sequential run stands now (None for a fixed run); `cache`: the earlier rounds'
    scores, prices and sequences (see `SequentialAssessor`), else computed from nothing."""
    plan = sequential_plan_of(run)
    if plan is None:
        return None
    cache = SequentialCache() if cache is None else cache
    taken = [i.id for i in run.items if i.split == "test"]
    _score_and_price(run, pricing, cache)
    scores = cache.scores
    usd = {a: sum(cache.usd[a].values()) for a in scores}
    rounds = -(-len(taken) // plan.batch)
    looks = [min(plan.batch * r, len(taken)) for r in range(1, rounds + 1)]
    ineligible = {
        a for a in scores if scores[a] and len(cache.failed[a]) / len(scores[a]) > MAX_ERROR_SHARE
    }
    active = [a for a in scores if scores[a] and a not in ineligible]
    best = max(active, key=lambda a: sum(scores[a].values()) / len(scores[a]), default=None)
    comparisons: tuple[SequentialComparison, ...] = ()
    if best is not None and len(active) > 1:
        comparisons = tuple(
            sequential_compare(
                {a: scores[a] for a in active}, plan.order, looks, best, plan.margin,
                alpha=plan.alpha, state=cache.compare,
            )
        )  # fmt: skip
    stopped = {c.arm for c in comparisons if c.status == "inferior"} | ineligible
    answering = tuple(a.name for a in run.arms if a.arm.status in RUNNING and a.name not in stopped)
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
        ineligible=tuple(sorted(ineligible)),
        fixed_items=fixed,
        fixed_usd=None if fixed is None else fixed * (sum(per_item.values()) + (label or 0.0)),
        labelling_priced=label is not None,
        plan=plan,
    )


def _score_and_price(run: RunData, pricing: Pricing, cache: SequentialCache) -> None:
    """Add to `cache` the primary score, API dollars and failure of each answered test item
    (repeat 0) it has not seen yet, per answering arm, and score again each item it holds as a
    failure (a retry may have replaced it). An arm whose earlier score changes loses its carried
    sequences, which start again from the first item (`stats.CompareState`)."""
    test = {i.id for i in run.items if i.split == "test"}
    name = PRIMARY[run.config.task]
    for data in run.arms:
        if data.arm.status not in RUNNING:
            continue
        scores = cache.scores.setdefault(data.name, {})
        usd = cache.usd.setdefault(data.name, {})
        failed = cache.failed.setdefault(data.name, set())
        new = [
            p
            for p in data.predictions
            if p.repeat == 0
            and p.item_id in test
            and (p.item_id not in scores or p.item_id in failed)
        ]
        if not new:
            continue
        primary = score_predictions(run, new)[name].per_item
        changed = False
        for p, v in zip(new, primary, strict=True):
            old = scores.get(p.item_id)
            scores[p.item_id] = float(v or 0.0)
            changed = changed or (old is not None and old != scores[p.item_id])
            usd[p.item_id] = query_cost(p, pricing)[0]
            if p.error is not None:
                failed.add(p.item_id)
            else:
                failed.discard(p.item_id)
        if changed:
            cache.compare.pairs = {
                k: v for k, v in cache.compare.pairs.items() if data.name not in k
            }


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


__all__ = [
    "SequentialAssessor",
    "SequentialCache",
    "assess",
    "progress_line",
    "sequential_plan_of",
]
