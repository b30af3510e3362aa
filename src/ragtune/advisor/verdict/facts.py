"""What the verdict reads and what it writes: `Facts` in, `Verdict` (with its `Pending`) out.

Also the source articles the reasons cite, and the cost order every room of the verdict uses
(cheapest over the horizon, unpriced arms last). Deliberately not here: any decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ragtune.advisor.standing import Standing
from ragtune.evidence import ArmSummary, FreshnessRow, HumanEvidence, TrainingSummary
from ragtune.stats import PairwiseComparison

ARTICLES = {
    "000": "article 000 (knowledge base in context vs a local fine-tuned model)",
    "001": "article 001 (RAG vs fine-tuning)",
    "002": "article 002 (fine-tuning open models vs APIs)",
    "003": "article 003 (fine-tune vs RAG cost)",
    "004": "article 004 (is fine-tuning cheaper than a larger model)",
}


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


def cost_key(a: ArmSummary, facts: Facts) -> tuple[float, float, float, float]:
    """Cheapest over the horizon first (unpriced arms last), then quality, then latency."""
    if a.arm in facts.unpriced:
        return (1.0, 0.0, -(a.quality.estimate if a.quality else 0.0), a.latency_p50 or 0.0)
    cost = facts.tco(a.arm) if facts.tco is not None else facts.monthly(a.arm)
    return (0.0, round(cost, 2), -(a.quality.estimate if a.quality else 0.0), a.latency_p50 or 0.0)


def money(a: ArmSummary, facts: Facts) -> str:
    if a.arm in facts.unpriced:
        return "cost not priced (recorded answers without a catalog model)"
    return f"${facts.monthly(a.arm):,.2f}/month"
