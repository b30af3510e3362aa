"""The report document ("ragtune.report/2"): one typed, versioned model that every output reads.

`advisor.build_document` fills it; the HTML and Markdown renderers, the JSON output and the web
runs viewer read it by attribute, so a renamed or missing field is a type error (mypy) and an
`AttributeError` in the tests, never a silent "-". Every model is frozen and forbids unknown
fields; `ReportDocument.model_json_schema()` is the schema other programs can check against.

Version 2 (this release): arms carry `errors`, `error_share`, `eligible` and the `volume` their
$/1k is priced at (a local arm's $/1k is its machine's monthly cost at that volume over the
volume), and the document has an `errors` section.

Deliberately not here: computing any number (the advisor), formatting (`fmt.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from ragtune.errors import Problem, ValidationError
from ragtune.report.judge_human import JudgeHumanDoc
from ragtune.report.learning_curve import LearningCurveDoc
from ragtune.report.sequential import SequentialDoc

SCHEMA = "ragtune.report/2"
# The JSON report's Vega-Lite specs (`render_json`): derived from the numbers, dropped on read.
CHARTS_KEY = "charts"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class IntervalDoc(_Model):
    """A point estimate with its 95% interval; `n` where the document knows it."""

    estimate: float
    low: float
    high: float
    method: str
    n: int | None = None
    confidence: float | None = None


class SpreadDoc(_Model):
    """The primary metric across repeats (`stats.RepeatSpread`)."""

    n_repeats: int
    n_items: int
    means: list[float]
    mean: float
    sd: float
    min: float
    max: float
    item_flip_rate: float
    mean_item_sd: float


class ArmDoc(_Model):
    arm: str
    status: str
    reason: str | None = None
    n: int = 0
    errors: int = 0
    error_share: float = 0.0
    eligible: bool = True  # few enough failures to be recommended
    metric: str = ""
    quality: IntervalDoc | None = None
    metrics: dict[str, float | None] = {}
    validity: float | None = None
    latency_p50: float | None = None
    latency_p95: float | None = None
    tokens: dict[str, float] = {}
    cost_per_1k: float | None = None  # at `volume` requests/month
    projected_per_1k: float | None = None
    info: dict[str, Any] = {}
    projected_tokens: dict[str, float] = {}
    judge_metric: str = ""
    judge_quality: IntervalDoc | None = None
    spread: SpreadDoc | None = None
    volume: float | None = None
    local: bool = False
    kind: str = ""  # the arm class (a variant's `arm:`, `recorded` for an answers file)
    priced: bool = True  # False: recorded answers with no catalog model
    monthly_cost: float | None = None
    tco: float | None = None
    deployment: str = ""
    pareto: bool = False

    @property
    def latency_timed(self) -> int | None:
        """Items this arm answered alone (batch size 1) to time request latency; None when the
        run predates the timing or the arm answered nothing (a recorded-answers arm reports its
        file's latencies)."""
        timing = self.info.get("request_latency")
        return timing.get("timed_items") if isinstance(timing, dict) else None


class Reason(_Model):
    text: str
    # measured | rule | assumption | projection (an API price on tokens measured elsewhere)
    basis: str
    source: str | None = None


class Flip(_Model):
    text: str
    kind: str  # volume | quality | cadence
    to: str | None = None
    at: float | None = None
    unit: str | None = None


class Expectation(_Model):
    claim: str
    source: str
    holds: bool | None  # True: holds; False: does not hold; None: not shown or not checked
    evidence: str
    # holds only when significant in the claimed direction on the automatic metric; None in
    # documents written before it was recorded (read `holds` then)
    result: Literal["holds", "not shown", "does not hold", "not checked"] | None = None


class StandingDoc(_Model):
    """One arm against the best (`advisor.standing.Standing`): the verdict table's row."""

    arm: str
    status: Literal["best", "equivalent", "undetermined", "inferior", "not compared"]
    n: int = 0
    effect: float | None = None  # mean(arm) - mean(best) on their common items
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float | None = None  # per interval, after the family adjustment
    p_value: float | None = None
    p_holm: float | None = None
    test: str = ""
    items_needed: int | None = None
    more_items: int | None = None
    power: float = 0.8
    items_needed_at_zero: int | None = None  # if the arms are in fact equal (planning value)
    more_items_at_zero: int | None = None


class PendingDoc(_Model):
    """What would settle a verdict that is not decided yet (`advisor.verdict.Pending`)."""

    arm: str
    best: str
    monthly_saving: float | None = None
    items_needed: int | None = None
    more_items: int | None = None
    labelling_usd: float | None = None
    labelling_note: str = ""
    items_needed_at_zero: int | None = None  # if the arms are in fact equal (planning value)
    more_items_at_zero: int | None = None
    tco_saving: float | None = None  # over the horizon, what the choice is made on


class VerdictDoc(_Model):
    volume: float
    horizon_months: int
    growth_per_month: float
    recommended: str | None = None
    headline: str = ""
    decided: bool = True  # False: "not decided yet", see `pending`
    metric: str = ""
    margin: float = 0.05
    correction: str = ""  # how the intervals of `standings` were adjusted
    selection: str = ""  # that the best arm was picked on the same items, and what that does
    standings: list[StandingDoc] = []
    pending: PendingDoc | None = None
    undetermined: list[str] = []
    equivalent: list[str] = []
    reasons: list[Reason] = []
    flips: list[Flip] = []
    caveats: list[str] = []
    expectations: list[Expectation] = []


class ComparisonDoc(_Model):
    """One pair of arms on one metric (`stats.PairwiseComparison`)."""

    arm_a: str
    arm_b: str
    n: int
    mean_a: float
    mean_b: float
    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    p_holm: float
    test: str
    significant: bool
    metric: str | None = None


class Series(_Model):
    """One line of the cost chart: monthly cost at each of `CostDoc.volumes`, with its band."""

    name: str
    arm: str
    kind: Literal["measured", "projection", "batch"]  # batch: the batch-API alternative
    label: str
    monthly: list[float]
    low: list[float]
    high: list[float]


class Breakeven(_Model):
    a: str
    b: str
    volume: float | None = None
    low: float | None = None
    high: float | None = None
    note: str = ""


class CostLine(_Model):
    name: str
    amount: float
    note: str = ""


class CostDoc(_Model):
    volume: float
    horizon_months: int
    volumes: list[float]
    series: list[Series] = []
    breakevens: list[Breakeven] = []
    items: dict[str, list[CostLine]] = {}
    one_time: dict[str, list[CostLine]] = {}  # per measured arm: people, data and training
    not_counted: dict[str, list[str]] = {}  # per arm: costs that apply but were not stated


class FreshnessDoc(_Model):
    arm: str
    version: str
    n: int
    before: IntervalDoc | None = None
    after: IntervalDoc | None = None


class Curves(_Model):
    train: list[tuple[int, float]] = []
    validation: list[tuple[int, float]] = []


class TrainingDoc(_Model):
    method: str
    examples: int | None = None
    tokens: int | None = None
    seconds: float | None = None
    cost: float | None = None
    final_loss: float | None = None
    basis: str = ""  # how `cost` was priced (a hosted job: trained tokens x catalog price)
    train_set: int | None = None  # examples it was given (a learning curve's size)
    curves: Curves = Curves()


class PairwiseSummaryDoc(_Model):
    n: int
    wins_a: int
    wins_b: int
    ties: int
    unparsed: int
    win_rate_a: float | None = None
    consistency: float | None = None
    first_position_wins: float | None = None


class PairwiseDoc(_Model):
    arm_a: str
    arm_b: str
    summary: PairwiseSummaryDoc


class JudgeDoc(_Model):
    backend: str | None = None
    model: str | None = None
    rubric: str
    calls: int
    judgements: int
    tokens: dict[str, int]
    seconds: float
    cost: float | None = None
    priced: str
    comparisons: list[ComparisonDoc] = []
    pairwise: list[PairwiseDoc] = []


class HumanScoreDoc(_Model):
    """One arm's human score: mean of its reviewed items (each the mean over reviewers)."""

    arm: str
    quality: IntervalDoc | None = None
    reviewers: int
    ratings: int


class HumanPairwiseDoc(_Model):
    arm_a: str
    arm_b: str
    n: int
    wins_a: int
    wins_b: int
    ties: int
    reviewers: int
    win_rate_a: float | None = None


class RaterAgreementDoc(_Model):
    """Reviewers against each other: Cohen's kappa (two, with interval) or Fleiss' (three+)."""

    reviewers: list[str]
    n: int
    method: str
    kappa: float | None = None
    kappa_low: float | None = None
    kappa_high: float | None = None
    accuracy: float | None = None
    note: str | None = None


class CalibrationDoc(_Model):
    """The LLM judge against people; `table[i][j]`: judge said categories[i], people [j]."""

    judge_metric: str
    n: int
    accuracy: float
    kappa: float | None = None
    weighted_kappa: float | None = None
    """Quadratic-weighted kappa on an ordinal scale (the 1-5 rubric): the one the threshold
    reads there; None on a two-category scale, where it equals `kappa`."""
    label_rule: str | None = None
    """How people's labels and the judge's scores were put on one scale (e.g. "partly")."""
    kappa_low: float | None = None
    kappa_high: float | None = None
    confidence: float | None = None
    threshold: float
    below: bool
    categories: list[str]
    table: list[list[int]]
    note: str | None = None


class HumanDoc(_Model):
    """People's blind ratings (`ragtune review`): scores, comparisons, agreement, calibration."""

    reviewers: list[str]
    ratings: int
    scale: list[str]
    scores: list[HumanScoreDoc] = []
    comparisons: list[ComparisonDoc] = []
    pairwise: list[HumanPairwiseDoc] = []
    agreement: RaterAgreementDoc | None = None
    calibration: CalibrationDoc | None = None
    judge_human: list[JudgeHumanDoc] = []  # judge-only, human-only and PPI estimates per arm
    # which ratings the judge + people estimate used (uniformly drawn reviews only) and which not
    ppi_ratings: str | None = None


class RouterPoint(_Model):
    threshold: float
    escalation: float
    quality: float


class RouterDoc(_Model):
    arm: str
    threshold: float | None = None
    escalation_rate: float | None = None
    points: list[RouterPoint] = []


class PriceDoc(_Model):
    name: str
    value: str
    source: str
    as_of: str | None = None


class AssumptionDoc(_Model):
    name: str
    value: str
    source: str


class ErrorDoc(_Model):
    """An arm with failed items: how many, what share, whether the verdict may pick it."""

    arm: str
    errors: int
    n: int
    share: float
    eligible: bool


class RunDoc(_Model):
    id: str
    name: str | None = None
    task: str
    workload: str | None = None
    created: str
    status: str
    seed: int
    versions: dict[str, str] = {}
    machine: dict[str, Any] = {}
    config: dict[str, Any] = {}  # the stored workload config (free-form: what the user wrote)


class ReportDocument(_Model):
    schema_: Literal["ragtune.report/2"] = Field("ragtune.report/2", alias="schema")
    title: str
    generated: str
    run: RunDoc
    verdict: VerdictDoc
    arms: list[ArmDoc] = []
    comparisons: list[ComparisonDoc] = []
    cost: CostDoc
    latency: dict[str, list[float]] = {}
    freshness: list[FreshnessDoc] = []
    training: list[TrainingDoc] = []
    judge: JudgeDoc | None = None
    human: HumanDoc | None = None
    router: list[RouterDoc] = []
    prices: list[PriceDoc] = []
    assumptions: list[AssumptionDoc] = []
    errors: list[ErrorDoc] = []
    learning_curve: list[LearningCurveDoc] = []  # tuned arms measured at several sizes
    sequential: SequentialDoc | None = None  # `run --until-decided`: rounds, stop, money

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values, the schema field under its name "schema"."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return data


Document = ReportDocument | Mapping[str, Any]


def as_document(doc: Document) -> ReportDocument:
    """`doc` as the model: a document built in this process, or JSON read back (a saved
    `report --format json`), checked against this release's schema with every problem listed.
    The JSON report's `charts` are left out: the renderers draw from the numbers alone."""
    if isinstance(doc, ReportDocument):
        return doc
    data = {k: v for k, v in doc.items() if k != CHARTS_KEY}  # specs are rebuilt, never read
    try:
        return ReportDocument.model_validate(data)
    except pydantic.ValidationError as err:
        problems = [
            Problem(".".join(str(p) for p in e["loc"]), e["msg"], repr(e.get("input"))[:80])
            for e in err.errors()
        ]
        raise ValidationError(f"report document ({SCHEMA})", problems) from None
