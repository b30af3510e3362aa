"""What the verdict reads and what it writes: `Facts` in, `Verdict` (with its `Pending`) out.

Also the source articles the reasons cite, and the cost order every room of the verdict uses
(cheapest over the horizon, unpriced arms last; ties by what grows with volume, then p95
latency, never by quality). Deliberately not here: any decision.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ragtune.advisor.standing import Standing
from ragtune.cost import ShutdownNotice
from ragtune.evidence import ArmSummary, FreshnessRow, HumanEvidence, Migration, TrainingSummary
from ragtune.running import Assessment
from ragtune.stats import PairwiseComparison

ARTICLES = {
    "000": "article 000 (knowledge base in context vs a local fine-tuned model)",
    "001": "article 001 (RAG vs fine-tuning)",
    "002": "article 002 (fine-tuning open models vs APIs)",
    "003": "article 003 (fine-tune vs RAG cost)",
    "004": "article 004 (is fine-tuning cheaper than a larger model)",
}


@dataclass(frozen=True)
class Growth:
    """What one more request costs an arm as volume grows: its machine time and API dollars."""

    machine_s: float  # self-hosted machine seconds per request (mean over the test items)
    api_usd: float  # list-price API dollars per request (mean over the test items)
    usd: float  # both in dollars: machine seconds at the machine's rate (headroom kept) + API


@dataclass(frozen=True)
class Pending:
    """What would settle a verdict that is not decided yet: the cheaper undetermined arm."""

    arm: str  # the cheaper arm whose standing against the best is undetermined
    best: str
    monthly_saving: float | None  # vs the arm run for now, at the stated volume
    items_needed: int | None  # total test items (None: more would not show it as good)
    more_items: int | None  # items to add to those already compared
    labelling_usd: float | None  # of the items to add, at the workload's labelling price
    labelling_note: str  # how `labelling_usd` was priced (and of which figure), or why not
    # the same at a true difference of 0: the planning value when the arms may be equal
    items_needed_at_zero: int | None = None
    more_items_at_zero: int | None = None
    tco_saving: float | None = None  # vs the arm run for now, over the horizon (what chose it)


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
    selection: str = ""  # that the best arm was picked on the same items, and what that does
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
    horizon_months: int | None = None  # the horizon `tco` sums over
    growth: Mapping[str, Growth] = field(default_factory=dict)  # arm -> cost of one more request
    sequential: Assessment | None = None  # a `--until-decided` run's anytime-valid standings
    # arm -> its forced migration (its model shuts down inside the horizon; already in its TCO)
    migrations: Mapping[str, Migration] = field(default_factory=dict)
    judge_shutdown: ShutdownNotice | None = None  # the judge's model shuts down in the horizon
    machine_notes: Sequence[str] = ()  # measuring and serving machines that differ


def cost_key(a: ArmSummary, facts: Facts) -> tuple[float, float, float, float, str]:
    """Cheapest over the horizon first (unpriced arms last). Arms that cost the same are
    ordered by what grows with volume (dollars per extra request: machine seconds and API
    dollars), then by p95 latency, then by name; never by their quality estimates, which the
    equivalence test has just called indistinguishable."""
    latency = a.latency_p95 if a.latency_p95 is not None else math.inf
    if a.arm in facts.unpriced:
        return (1.0, 0.0, 0.0, latency, a.arm)
    growth = facts.growth.get(a.arm)
    per_request = round(growth.usd, 9) if growth is not None else 0.0
    return (0.0, round(total_cost(a.arm, facts), 2), per_request, latency, a.arm)


def total_cost(arm: str, facts: Facts) -> float:
    """What the choice is made on: the TCO over the horizon, or the monthly cost without one."""
    return facts.tco(arm) if facts.tco is not None else facts.monthly(arm)


def cost_basis(facts: Facts) -> str:
    """The unit `total_cost` is in, as a sentence says it."""
    if facts.tco is None:
        return f"per month at {facts.volume:,.0f} requests/month"
    months = f"{facts.horizon_months} months" if facts.horizon_months else "the horizon"
    return f"TCO over {months} from {facts.volume:,.0f} requests/month"


def cost_text(arm: str, facts: Facts) -> str:
    """'TCO $1,200.00 ($100.00/month)', or '$100.00/month' when no TCO is given."""
    if facts.tco is None:
        return f"${facts.monthly(arm):,.2f}/month"
    return f"TCO ${facts.tco(arm):,.2f} (${facts.monthly(arm):,.2f}/month)"


def money(a: ArmSummary, facts: Facts) -> str:
    if a.arm in facts.unpriced:
        return "cost not priced (recorded answers without a catalog model)"
    return f"${facts.monthly(a.arm):,.2f}/month"
