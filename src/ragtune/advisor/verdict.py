"""The verdict: which arm to run at the stated volume, why, and what would change the answer.

Quality first, then cost. The candidates are the best arm on the primary metric and every arm
*shown* to be at most `margin` worse: the lower bound of the paired interval of (arm - best),
adjusted over the k - 1 comparisons with the best, lies above -margin (`standing.py`). An arm
whose interval straddles -margin is "undetermined": not recommended, not dropped silently.
Stated constraints narrow the candidates: citations and a latency budget are relaxed with a
caveat when nothing would be left; data that must stay local is never sent to an API, so then
the best local arm is offered with the quality it gives up. The cheapest candidate over the
horizon (upfront people costs included) is recommended. When a cheaper undetermined arm exists
the verdict is "not decided yet": the cheapest candidate is run for now, and the verdict says
how many more test items would settle it and what labelling them costs (`costs:`).

The decision rules of the source articles (knowledge change cadence, source attribution,
privacy, labelled-example counts, the 5% format-failure signal, few stable patterns, latency)
become reasons or caveats, each tied to a measured number or a stated assumption.

Deliberately not here: building the cost options (`options`), the document layout (`document`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ragtune.advisor.human_facts import human_facts, human_notes
from ragtune.advisor.standing import Standing, correction, standings
from ragtune.evidence import (
    HUMAN,
    MAX_ERROR_SHARE,
    ArmSummary,
    FreshnessRow,
    HumanEvidence,
    TrainingSummary,
    retrains_for_knowledge,
)
from ragtune.stats import PairwiseComparison

ARTICLES = {
    "000": "article 000 (knowledge base in context vs a local fine-tuned model)",
    "001": "article 001 (RAG vs fine-tuning)",
    "002": "article 002 (fine-tuning open models vs APIs)",
    "003": "article 003 (fine-tune vs RAG cost)",
    "004": "article 004 (is fine-tuning cheaper than a larger model)",
}
# How each arm learns of a knowledge update, as the freshness reasons say it.
KNOWLEDGE_SOURCE = {
    "finetune": " (not retrained)",
    "finetune_rag": " (index updated, model not retrained)",
    "rag": " (index updated)",
    "fewshot": " (examples from the training data)",
    "memory": " (memories from the training data)",
}
FORMAT_FAILURE_SIGNAL = 0.05  # article 003: a format-failure rate above 5% argues for tuning
FEW_EXAMPLES = 500  # article 001: below ~500 good examples, fine-tuning underperforms
FEW_PATTERNS, STABLE_MONTHS = 20, 6  # article 004's rule for when fine-tuning is worth it
WEEKLY = 4.0  # changes per month at which article 001 calls retraining an ops burden
SMALL_SAMPLE = 100


@dataclass(frozen=True)
class Pending:
    """What would settle a verdict that is not decided yet: the cheaper undetermined arm."""

    arm: str  # the cheaper arm whose standing against the best is undetermined
    best: str
    monthly_saving: float | None  # vs the arm run for now, at the stated volume
    items_needed: int | None  # total test items (None: more would not show it as good)
    more_items: int | None  # items to add to those already compared
    labelling_usd: float | None  # of `more_items`, at the workload's labelling price
    labelling_note: str  # how `labelling_usd` was priced, or why it was not


@dataclass
class Verdict:
    volume: float
    metric: str
    margin: float
    recommended: str | None = None
    headline: str = ""
    decided: bool = True  # False: "not decided yet", see `pending`
    equivalent: list[str] = field(default_factory=list)  # best + shown non-inferior
    undetermined: list[str] = field(default_factory=list)
    standings: list[Standing] = field(default_factory=list)
    correction: str = ""
    pending: Pending | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    flips: list[dict[str, Any]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    expectations: list[dict[str, Any]] = field(default_factory=list)

    def reason(self, text: str, basis: str, source: str | None = None) -> None:
        self.reasons.append({"text": text, "basis": basis, "source": source})

    def flip(
        self, text: str, kind: str, to: str | None, at: float | None, unit: str | None
    ) -> None:
        self.flips.append({"text": text, "kind": kind, "to": to, "at": at, "unit": unit})


@dataclass(frozen=True)
class Facts:
    """Everything the verdict reads; costs are callables so it can ask about any volume."""

    task: str
    volume: float
    arms: Sequence[ArmSummary]
    comparisons: Sequence[PairwiseComparison]
    freshness: Sequence[FreshnessRow]
    training: Sequence[TrainingSummary]
    advice: Mapping[str, Any]
    train_examples: int
    labels: int | None
    monthly: Callable[[str], float]  # arm -> measured monthly cost at `volume`
    cost_at: Callable[[str, float], float]  # series, volume -> monthly cost there
    breakeven: Callable[[str, str], float | None]  # series a, b -> first crossing volume
    projection: Callable[[str], str | None]  # arm -> its projection series name, if any
    local_only_backends: bool  # arms answered on a small local stand-in model
    api_arms: frozenset[str] = frozenset()  # arms that called a third-party API
    human: HumanEvidence | None = None  # people's ratings (human_facts.py decides their use)
    # arm -> item id -> primary score (failures as 0): what non-inferiority pairs
    scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    labelling_usd: Callable[[int], float | None] = lambda n: None  # costs.labelling_usd
    labelling_basis: str = ""  # how labelling is priced ("" when costs: does not say)
    tco: Callable[[str], float] | None = None  # arm -> TCO over the horizon (upfront included)
    retrain_usd: Mapping[str, float] = field(default_factory=dict)  # per knowledge retrain
    unpriced: frozenset[str] = frozenset()  # recorded arms with no catalog model
    stand_in_arms: tuple[str, ...] = ()  # arms answered by a local model


def decide(facts: Facts) -> Verdict:
    facts = human_facts(facts)  # people's scores replace the metric when they rated every arm
    finished = [a for a in facts.arms if a.status == "done" and a.quality is not None]
    margin = float(facts.advice.get("margin", 0.05))
    metric = finished[0].metric if finished else ""
    verdict = Verdict(facts.volume, metric, margin)
    human_notes(verdict, facts)
    _error_caveats(verdict, finished)
    done = [a for a in finished if a.eligible]
    if not done:
        verdict.headline = "No arm finished, so there is nothing to recommend yet."
        if finished:
            verdict.headline = (
                f"No arm failed on at most {MAX_ERROR_SHARE:.0%} of its items, so there is "
                "nothing to recommend yet."
            )
        verdict.caveats.append("Every arm failed or was unavailable; see the arm table.")
        return verdict
    for a in finished:
        if not a.eligible:
            verdict.reason(
                f"{a.arm} is not eligible: it failed on {a.errors} of {a.n} test queries "
                f"({a.error_share:.0%}), more than the {MAX_ERROR_SHARE:.0%} an arm may fail "
                "and still be recommended.",
                "measured",
            )
    best = max(done, key=lambda a: a.quality.estimate if a.quality else 0.0)
    stood = standings(_item_scores(facts, metric), [a.arm for a in done], best.arm, margin)
    verdict.standings = stood
    verdict.correction = correction(max(1, len(done) - 1))
    status = {s.arm: s.status for s in stood}
    candidates = [a for a in done if status[a.arm] in ("best", "equivalent")]
    undetermined = [a for a in done if status[a.arm] == "undetermined"]
    verdict.equivalent = [a.arm for a in candidates]
    verdict.undetermined = [a.arm for a in undetermined]
    candidates, undetermined = _constrain(candidates, undetermined, done, best, facts, verdict)
    chosen = min(candidates, key=lambda a: _cost_key(a, facts))
    verdict.recommended = chosen.arm
    q = chosen.quality
    assert q is not None
    verdict.headline = (
        f"Run {chosen.arm}: {metric} {q.estimate:.2f} [{q.low:.2f}, {q.high:.2f}] on "
        f"{chosen.n} test queries, {_money(chosen, facts)} at "
        f"{facts.volume:,.0f} requests/month."
    )
    cost = _cost_key(chosen, facts)[:2]
    cheaper = [a for a in undetermined if _cost_key(a, facts)[:2] < cost]  # costs less, strictly
    if cheaper:
        _not_decided(verdict, chosen, best, min(cheaper, key=lambda a: _cost_key(a, facts)), facts)
    _quality_reasons(verdict, chosen, best, candidates, done)
    _cost_reasons(verdict, chosen, candidates, facts)
    _rule_reasons(verdict, chosen, done, facts)
    _flips(verdict, chosen, best, done, facts)
    _caveats(verdict, done, facts)
    for claim in expectations(facts):
        verdict.expectations.append(claim)
        if claim["holds"] is False:
            verdict.caveats.append(
                f"The articles predict that {claim['claim']}, but this run does not show it: "
                f"{claim['evidence']}."
            )
    return verdict


def expectations(facts: Facts) -> list[dict[str, Any]]:
    """What the source articles predict for this task, checked against the measurements.

    `holds` is True / False on the point estimates, with the significance said in `evidence`,
    or None when an arm the check needs did not run.
    """
    arms = {a.arm: a for a in facts.arms if a.status == "done"}
    out = []
    if facts.freshness:
        after = {f.arm: f.after for f in facts.freshness if f.after is not None}
        rag, tuned = after.get("rag"), after.get("finetune")
        out.append(
            _claim(
                "retrieval beats fine-tuning on facts that changed after training",
                ARTICLES["001"],
                None if rag is None or tuned is None else (rag.estimate, tuned.estimate),
                "rag", "finetune", "on the changed facts", facts.comparisons, paired=False,
            )
        )  # fmt: skip
    if facts.task in ("classify", "extract"):
        prompt, tuned_arm = arms.get("prompt"), arms.get("finetune")
        if facts.task == "classify":
            claim, source = "fine-tuning beats prompting the same small model on accuracy", "002"
            values = (
                None
                if prompt is None or tuned_arm is None or not (prompt.quality and tuned_arm.quality)
                else (tuned_arm.quality.estimate, prompt.quality.estimate)
            )
        else:
            claim = "fine-tuning beats prompting the same small model on format validity"
            source = "003"
            values = (
                None
                if prompt is None or tuned_arm is None
                or prompt.validity is None or tuned_arm.validity is None
                else (tuned_arm.validity, prompt.validity)
            )  # fmt: skip
        paired = facts.task == "classify"
        out.append(
            _claim(
                claim, ARTICLES[source], values, "finetune", "prompt", "", facts.comparisons, paired
            )
        )
    return out


def _claim(
    claim: str,
    source: str,
    values: tuple[float, float] | None,
    a: str,
    b: str,
    where: str,
    comparisons: Sequence[PairwiseComparison],
    paired: bool,
) -> dict[str, Any]:
    if values is None:
        return {"claim": claim, "source": source, "holds": None,
                "evidence": f"{a} or {b} did not run"}  # fmt: skip
    evidence = f"{a} {values[0]:.2f} vs {b} {values[1]:.2f}{' ' + where if where else ''}"
    pair = _pair(a, b, comparisons) if paired else None
    if pair is not None:
        evidence += f" (p_holm {pair.p_holm:.3g}, n={pair.n})"
    return {"claim": claim, "source": source, "holds": values[0] > values[1], "evidence": evidence}


def _pair(a: str, b: str, comparisons: Sequence[PairwiseComparison]) -> PairwiseComparison | None:
    for c in comparisons:
        if {c.arm_a, c.arm_b} == {a, b}:
            return c
    return None


def _item_scores(facts: Facts, metric: str) -> Mapping[str, Mapping[str, float]]:
    """Per-item scores the standings pair: people's, when the verdict decides on them
    (`advisor/human_facts.py`), else the primary metric's."""
    if metric == HUMAN and facts.human is not None:
        return {
            s.arm: dict(zip(s.item_ids, (v or 0.0 for v in s.scores.per_item), strict=True))
            for s in facts.human.scores
        }
    return facts.scores


def _cost_key(a: ArmSummary, facts: Facts) -> tuple[float, float, float, float]:
    """Cheapest over the horizon first (unpriced arms last), then quality, then latency."""
    if a.arm in facts.unpriced:
        return (1.0, 0.0, -(a.quality.estimate if a.quality else 0.0), a.latency_p50 or 0.0)
    cost = facts.tco(a.arm) if facts.tco is not None else facts.monthly(a.arm)
    return (0.0, round(cost, 2), -(a.quality.estimate if a.quality else 0.0), a.latency_p50 or 0.0)


def _money(a: ArmSummary, facts: Facts) -> str:
    if a.arm in facts.unpriced:
        return "cost not priced (recorded answers without a catalog model)"
    return f"${facts.monthly(a.arm):,.2f}/month"


def _not_decided(
    verdict: Verdict, chosen: ArmSummary, best: ArmSummary, cheap: ArmSummary, facts: Facts
) -> None:
    """A cheaper arm is undetermined against the best: say so, and what would settle it."""
    stand = next(s for s in verdict.standings if s.arm == cheap.arm)
    assert stand.effect is not None and stand.ci_low is not None and stand.ci_high is not None
    more = stand.more_items
    usd = facts.labelling_usd(more) if more else None
    if more is None:
        note = "more items would not show it as good at the observed difference"
    elif usd is None:
        note = (
            "labelling cost not counted: set costs.usd_per_example, or costs.examples_per_hour "
            "with costs.hourly_rate"
        )
    else:
        note = facts.labelling_basis or "at the workload's labelling price"
    saving = None
    if cheap.arm not in facts.unpriced and chosen.arm not in facts.unpriced:
        saving = facts.monthly(chosen.arm) - facts.monthly(cheap.arm)
    verdict.decided = False
    verdict.pending = Pending(cheap.arm, best.arm, saving, stand.items_needed, more, usd, note)
    interval = (
        f"{cheap.arm} - {best.arm} = {stand.effect:+.3f} [{stand.ci_low:+.3f}, "
        f"{stand.ci_high:+.3f}] ({stand.confidence or 0.95:.1%} CI, n={stand.n})"
    )
    if more is None:
        settle = (
            f"Its observed difference is past -{verdict.margin:g}, so more items would more "
            "likely show it worse than the margin."
        )
    else:
        cost = f"; labelling them costs ${usd:,.0f} ({note})" if usd is not None else f"; {note}"
        settle = (
            f"About {more:,} more test items ({stand.items_needed:,} in all, 80% power at the "
            f"observed difference) would settle it{cost}."
        )
    q = chosen.quality
    assert q is not None
    cheaper = "" if saving is None else f" and saves ${saving:,.2f}/month"
    verdict.headline = (
        f"Not decided yet: run {chosen.arm} for now ({verdict.metric} {q.estimate:.2f} "
        f"[{q.low:.2f}, {q.high:.2f}], {_money(chosen, facts)}). {cheap.arm} costs less"
        f"{cheaper}, but whether it is within {verdict.margin:g} of {best.arm} is undetermined: "
        f"{interval} straddles -{verdict.margin:g}. {settle}"
    )
    verdict.reason(
        f"{cheap.arm} is undetermined against {best.arm}: {interval}, which contains "
        f"-{verdict.margin:g}; absence of a significant difference is not evidence that it is "
        "as good.",
        "measured",
    )


def _constrain(
    candidates: list[ArmSummary],
    undetermined: list[ArmSummary],
    done: list[ArmSummary],
    best: ArmSummary,
    facts: Facts,
    verdict: Verdict,
) -> tuple[list[ArmSummary], list[ArmSummary]]:
    """Apply the stated constraints to the candidates (and to the undetermined arms alike).

    Citations and a latency budget are relaxed, with a caveat, when no candidate meets them.
    Data that must stay local is never relaxed: with no local candidate the best local arm is
    offered with the quality it gives up (an API arm only when no arm at all is local).
    """
    advice = facts.advice
    if advice.get("data_must_stay_local"):
        local = [a for a in candidates if a.arm not in facts.api_arms]
        dropped = sorted({a.arm for a in candidates} - {a.arm for a in local})
        undetermined = [a for a in undetermined if a.arm not in facts.api_arms]
        if local and dropped:
            verdict.reason(
                f"Stated constraint 'data must stay local' rules out {', '.join(dropped)}.",
                "assumption",
                ARTICLES["002"],
            )
        if not local:
            options = [a for a in done if a.arm not in facts.api_arms]
            if options:
                fallback = max(options, key=lambda a: a.quality.estimate if a.quality else 0.0)
                _local_fallback(verdict, fallback, best)
                local = [fallback]
                undetermined = []
            else:
                verdict.caveats.append(
                    "No arm keeps the data local (every arm called a third-party API); the "
                    "verdict ignores 'data must stay local'."
                )
                local = candidates
        candidates = local
    rules: list[tuple[str, Callable[[ArmSummary], bool], str]] = []
    if advice.get("needs_citations"):
        rules.append(("answers need citations", lambda a: a.traits.cites, ARTICLES["001"]))
    budget = advice.get("latency_budget_s")
    if budget:
        rules.append(
            (
                f"p95 request latency within {budget:g} s",
                lambda a: a.latency_p95 is not None and a.latency_p95 <= budget,
                ARTICLES["003"],
            )
        )
    for name, keep, source in rules:
        kept = [a for a in candidates if keep(a)]
        if kept:
            dropped = sorted({a.arm for a in candidates} - {a.arm for a in kept})
            if dropped:
                verdict.reason(
                    f"Stated constraint '{name}' rules out {', '.join(dropped)}.",
                    "assumption",
                    source,
                )
            candidates = kept
            undetermined = [a for a in undetermined if keep(a)]
        else:
            verdict.caveats.append(
                f"No arm of equal quality meets '{name}'; the verdict ignores that constraint."
            )
    return candidates, undetermined


def _local_fallback(verdict: Verdict, arm: ArmSummary, best: ArmSummary) -> None:
    """No local arm is shown to be as good as the best: offer the best local one, with its gap."""
    stand = next((s for s in verdict.standings if s.arm == arm.arm), None)
    q, b = arm.quality, best.quality
    assert q is not None and b is not None
    gap = b.estimate - q.estimate
    interval = (
        f"; paired difference {stand.effect:+.3f} [{stand.ci_low:+.3f}, {stand.ci_high:+.3f}], "
        f"{stand.status}"
        if stand is not None and stand.effect is not None and stand.ci_low is not None
        and stand.ci_high is not None
        else ""
    )  # fmt: skip
    verdict.caveats.append(
        f"Data must stay local, and no local arm is shown to be as good as {best.arm} (an API "
        f"arm): {arm.arm} is the best local arm and gives up {gap:.2f} {verdict.metric} "
        f"({q.estimate:.2f} vs {b.estimate:.2f}{interval})."
    )
    verdict.reason(
        f"{arm.arm} is recommended as the best arm that keeps the data local.",
        "assumption",
        ARTICLES["002"],
    )


def _quality_reasons(
    verdict: Verdict,
    chosen: ArmSummary,
    best: ArmSummary,
    candidates: list[ArmSummary],
    done: list[ArmSummary],
) -> None:
    q = chosen.quality
    assert q is not None
    if chosen.arm == best.arm:
        verdict.reason(
            f"{chosen.arm} has the best measured {verdict.metric}: {q.estimate:.2f} "
            f"[{q.low:.2f}, {q.high:.2f}], n={chosen.n}.",
            "measured",
        )
    else:
        b = best.quality
        stand = next((s for s in verdict.standings if s.arm == chosen.arm), None)
        assert b is not None
        if stand is not None and stand.status == "equivalent" and stand.ci_low is not None:
            verdict.reason(
                f"{chosen.arm} ({q.estimate:.2f}) is shown to be at most {verdict.margin:g} "
                f"worse than the best arm, {best.arm} ({b.estimate:.2f}): the lower bound of the "
                f"paired interval of the difference, {stand.ci_low:+.3f}, is above "
                f"-{verdict.margin:g} ({verdict.correction}).",
                "measured",
            )
    inferior = [s.arm for s in verdict.standings if s.status == "inferior"]
    if inferior:
        verdict.reason(
            f"Left out for lower quality: {', '.join(inferior)} (shown to be more than "
            f"{verdict.margin:g} worse than {best.arm}).",
            "measured",
        )
    unsettled = [s.arm for s in verdict.standings if s.status in ("undetermined", "not compared")]
    if unsettled:
        verdict.reason(
            f"Not shown to be as good as {best.arm}, so not recommended: {', '.join(unsettled)} "
            f"(their intervals contain -{verdict.margin:g}).",
            "measured",
        )
    if chosen.validity is not None:
        verdict.reason(f"Format validity of {chosen.arm}: {chosen.validity:.0%}.", "measured")


def _cost_reasons(
    verdict: Verdict, chosen: ArmSummary, candidates: list[ArmSummary], facts: Facts
) -> None:
    others = [a for a in candidates if a.arm != chosen.arm and a.arm not in facts.unpriced]
    for a in candidates:
        if a.arm in facts.unpriced:
            verdict.reason(
                f"{a.arm} is not priced (its answers file names no catalog model): compared on "
                "quality only, and recommended only when no priced arm is as good.",
                "measured",
            )
    if not others or chosen.arm in facts.unpriced:
        return
    costs = ", ".join(f"{a.arm} ${facts.monthly(a.arm):,.2f}" for a in others)
    verdict.reason(
        f"Cheapest of the arms of equal quality at {facts.volume:,.0f} requests/month: "
        f"{chosen.arm} ${facts.monthly(chosen.arm):,.2f}/month vs {costs}.",
        "measured",
    )


def _rule_reasons(
    verdict: Verdict, chosen: ArmSummary, done: list[ArmSummary], facts: Facts
) -> None:
    by_name = {a.arm: a for a in done}
    changes = facts.advice.get("knowledge_changes_per_month")
    for row in facts.freshness:
        if row.after is None:
            continue
        before = f"{row.before.estimate:.2f} -> " if row.before else ""
        how = KNOWLEDGE_SOURCE.get(row.arm, "")
        verdict.reason(
            f"After knowledge update {row.version}, {row.arm} scores {before}"
            f"{row.after.estimate:.2f} on the {row.n} changed facts{how}.",
            "measured",
            ARTICLES["001"],
        )
    if changes is not None and changes >= WEEKLY and retrains_for_knowledge(chosen.traits):
        verdict.caveats.append(
            f"Knowledge changes {changes:g} times a month; retraining that often is an "
            "operations burden beyond its machine cost."
        )
    if facts.task in ("extract", "classify"):
        prompt = by_name.get("prompt")
        if prompt is not None and prompt.validity is not None:
            failure = 1.0 - prompt.validity
            signal = "above" if failure > FORMAT_FAILURE_SIGNAL else "below"
            verdict.reason(
                f"Prompting fails the format on {failure:.0%} of queries, {signal} the 5% "
                "at which fine-tuning for format pays.",
                "rule",
                ARTICLES["003"],
            )
    patterns = facts.advice.get("distinct_patterns") or facts.labels
    stable = facts.advice.get("spec_stable_months")
    if patterns is not None and stable is not None:
        holds = patterns < FEW_PATTERNS and stable >= STABLE_MONTHS
        verdict.reason(
            f"{patterns} distinct patterns, spec stable for {stable:g} months: fine-tuning "
            f"{'is' if holds else 'is not'} worth evaluating by the <20 patterns / 6 months rule.",
            "rule",
            ARTICLES["004"],
        )
    if facts.advice.get("needs_citations") and chosen.traits.cites:
        verdict.reason("Retrieval gives every answer its sources.", "rule", ARTICLES["001"])


def _flips(
    verdict: Verdict, chosen: ArmSummary, best: ArmSummary, done: list[ArmSummary], facts: Facts
) -> None:
    for other in verdict.equivalent:
        if other == chosen.arm or other in facts.unpriced or chosen.arm in facts.unpriced:
            continue
        at = facts.breakeven(chosen.arm, other)
        if at is not None:
            verdict.flip(
                f"At about {at:,.0f} requests/month {other} costs the same as {chosen.arm} "
                "at equal quality; past it the cheaper one changes.",
                "volume",
                other,
                at,
                "requests/month",
            )
    projection = facts.projection(chosen.arm)
    if projection is not None and not facts.advice.get("data_must_stay_local"):
        at = facts.breakeven(chosen.arm, projection)
        if at is not None:
            api_cheaper_below = facts.cost_at(projection, at / 2) < facts.cost_at(
                chosen.arm, at / 2
            )
            side = "below" if api_cheaper_below else "above"
            verdict.flip(
                f"{side.capitalize()} about {at:,.0f} requests/month, sending the same prompts "
                f"to the API ({projection}, a projection: quality not measured) costs less "
                "than self-hosting.",
                "volume",
                projection,
                at,
                "requests/month",
            )
    _cadence_flip(verdict, chosen, facts)
    priced = best.arm not in facts.unpriced and chosen.arm not in facts.unpriced
    if best.arm != chosen.arm and best.quality is not None and priced:
        extra = facts.monthly(best.arm) - facts.monthly(chosen.arm)
        gap = best.quality.estimate - (chosen.quality.estimate if chosen.quality else 0.0)
        verdict.flip(
            f"With a margin below {gap:.2f}, {best.arm} wins on quality at ${extra:+,.2f}/month.",
            "quality",
            best.arm,
            None,
            None,
        )


def _cadence_flip(verdict: Verdict, chosen: ArmSummary, facts: Facts) -> None:
    """How often the knowledge may change before retraining outweighs a tuned arm's saving.

    `monthly(chosen)` already pays `c` retrains a month at the stated cadence c (each costing
    r: machine time plus the retraining hours), so at x changes a month it costs
    monthly(chosen) + (x - c) r, equal to the rival's monthly cost at
    x = c + (monthly(rival) - monthly(chosen)) / r. (Subtracting c r again, as an earlier
    release did, put a 2-a-month cadence's flip 2 changes too low.)
    """
    job = next((t for t in facts.training if t.cost), None)
    if job is None or job.cost is None:
        return
    knowledge = retrains_for_knowledge(chosen.traits)
    per_cycle = facts.retrain_usd.get(chosen.arm, job.cost if knowledge else 0.0)
    rivals = [
        name
        for name in verdict.equivalent
        if name != chosen.arm
        and name not in facts.unpriced
        and not retrains_for_knowledge(_traits(name, facts))
    ]
    if knowledge and rivals and per_cycle > 0:
        rival = min(rivals, key=facts.monthly)
        saving = facts.monthly(rival) - facts.monthly(chosen.arm)
        if saving > 0:
            stated = float(facts.advice.get("knowledge_changes_per_month") or 0.0)
            per_month = stated + saving / per_cycle
            verdict.flip(
                f"If the knowledge changes more than {per_month:,.1f} times a month, retraining "
                f"(${per_cycle:,.4f} each) costs more than {chosen.arm} saves over {rival}.",
                "cadence",
                rival,
                per_month,
                "changes/month",
            )
        return
    if knowledge:
        return
    verdict.reason(
        f"One fine-tune cost ${job.cost:,.4f} "
        f"({job.basis or 'measured machine time'}); retraining after each "
        "knowledge change costs that again, and a tuned model that is not retrained keeps "
        "the old facts.",
        "measured",
        ARTICLES["001"],
    )


def _traits(name: str, facts: Facts) -> Any:
    arm = next((a for a in facts.arms if a.arm == name), None)
    return arm.traits if arm is not None else ArmSummary(name, "done", None).traits


def _error_caveats(verdict: Verdict, finished: list[ArmSummary]) -> None:
    """Failures are part of the evidence: scored as wrong, their time and cost counted."""
    failing = [a for a in finished if a.errors]
    if failing:
        listed = ", ".join(f"{a.arm} {a.errors} of {a.n} ({a.error_share:.0%})" for a in failing)
        verdict.caveats.append(
            f"Failed queries: {listed}. Failures score as wrong and count in latency and cost; "
            f"an arm failing on more than {MAX_ERROR_SHARE:.0%} is not recommended."
        )


def _caveats(verdict: Verdict, done: list[ArmSummary], facts: Facts) -> None:
    n = min(a.n for a in done)
    widest = max((a.quality.high - a.quality.low) for a in done if a.quality)
    if n < SMALL_SAMPLE:
        verdict.caveats.append(
            f"Small sample: {n} test queries per arm; the widest 95% CI spans {widest:.2f}."
        )
    if facts.local_only_backends or facts.stand_in_arms:
        which = f" ({', '.join(facts.stand_in_arms)})" if facts.stand_in_arms else ""
        verdict.caveats.append(
            f"Quality was measured on a small local stand-in model{which}; rerun with the models "
            "you would deploy before trusting the quality ranking. API costs are projections "
            "from measured tokens."
        )
    missing = [a for a in facts.arms if a.status != "done"]
    if missing:
        verdict.caveats.append(
            "Not measured: " + "; ".join(f"{a.arm} ({a.reason or a.status})" for a in missing)
        )
    tuned = [a for a in done if a.traits.tuned]
    if tuned and facts.train_examples < FEW_EXAMPLES:
        verdict.caveats.append(
            f"Fine-tuned on {facts.train_examples} examples; below about {FEW_EXAMPLES}, "
            f"tuned models tend to memorise rather than generalise ({ARTICLES['001']})."
        )
    if facts.advice.get("knowledge_changes_per_month") is None and facts.freshness:
        verdict.caveats.append(
            "How often the knowledge changes was not stated (advice.knowledge_changes_per_month)"
            "; tuned arms are priced without retraining."
        )
