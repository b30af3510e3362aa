"""The workload file's schema: what `workload.yaml` may say, as strict pydantic models.

Every key a user writes is a field here, with its default and (in a comment) the reason for it;
`WorkloadSpec` is the whole file. Arm settings stay a mapping here and are typed per arm by
`ragtune.strategies` when the workload is loaded (`checks.py`).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from ragtune.cost import formulas
from ragtune.data import (
    CARVE_FRACTION,
    CARVE_MAX,
    Limit,
    parse_limit,
)
from ragtune.strategies import (
    ARMS,
    FinetuneSettings,
    HostedFinetune,
    curve_arm,
    kind_of,
)

TASKS = ("qa", "classify", "extract", "generate")
# A value of `instructions:` ending like this names a prompt file (missing: a problem, not text).
PROMPT_SUFFIXES = (".txt", ".md", ".prompt", ".j2", ".jinja")


class _Strict(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True, extra="forbid", frozen=True)


class Fields(_Strict):
    input: str = "input"
    """Data column holding the input (the question, message or document to read)."""
    target: str = "target"
    """Data column holding the gold answer, label or JSON object."""
    id: str | None = "id"
    """Data column with a stable item id; null or missing: the row number."""
    split: str | None = "split"
    """Data column naming each row's split (train, validation, test) in a single file."""
    doc_ids: str | None = "doc_ids"
    """Data column listing the knowledge-base documents that answer the item (qa)."""


class CarveValidation(_Strict):
    """How much of train becomes the validation split when the data gives none."""

    fraction: float = Field(CARVE_FRACTION, gt=0, lt=1)
    """Share of train carved off as validation."""
    max_items: int = Field(CARVE_MAX, ge=1)
    """At most this many items are carved."""


class Data(_Strict):
    """One file with a split column, one file split by fractions, or one file per split.

    Without a validation split, an arm that needs one gets it carved from train
    (`carve_validation`); `carve_validation: null` keeps train whole.
    """

    path: str | None = None
    """One file holding every split (with a split column, or split by `split_fractions`)."""
    train: str | None = None
    """Train split file, relative to the workload file."""
    validation: str | None = None
    """Validation split file; absent: carved from train when an arm needs one."""
    test: str | None = None
    """Test split file: the items every arm is evaluated on."""
    format: Literal["auto", "jsonl", "csv", "parquet"] = "auto"
    """File format; auto: by suffix."""
    fields: Fields = Fields()
    """Which data columns hold the input, target, id, split and documents."""
    split_fractions: dict[str, float] = {"train": 0.6, "validation": 0.15, "test": 0.25}
    """Shares of `path` given to each split when the file has no split column."""
    carve_validation: CarveValidation | None = CarveValidation()
    """How validation is carved from train when the data gives none; null keeps train whole."""


class KnowledgeVersion(_Strict):
    """A later version of the knowledge base, and where the data says which answers changed."""

    name: str
    """Name of this knowledge-base version (e.g. v2)."""
    path: str
    """Folder of this version's documents, relative to the workload file."""
    changes: str | None = None
    """JSON listing the facts that changed (documentation only)"""
    changed_field: str = "changed"
    """Data column: true when the answer differs in this version."""
    answer_field: str | None = None
    """Data column with the new answer (default: answer_<name>)"""

    @property
    def new_answer_field(self) -> str:
        return self.answer_field or f"answer_{self.name}"


class Knowledge(_Strict):
    path: str
    """Folder of the knowledge base's documents, relative to the workload file."""
    name: str = "v1"
    """Name of this version of the knowledge base."""
    later: list[KnowledgeVersion] = []
    """Later versions: the changed questions are asked again after each update."""


class Judge(_Strict):
    """LLM-as-judge settings; `backends.judge: NAME` is short for `{backend: NAME}`."""

    backend: str
    """The judge's backend name, e.g. anthropic:claude-haiku-4-5."""
    pairwise: list[str] = Field(default_factory=list)
    """Two arms to compare head to head (pairwise, position-swapped); empty: pointwise only."""
    constrained: bool | None = None
    """Ask for the bare score / letter as a label-constrained answer (None: only for local judges,
    which follow a constrained choice far more reliably than a JSON format).
    """
    batch: bool = False
    """Send the judge's pointwise requests through its provider's batch API (`openai:` and
    `anthropic:` judges; half price, results within 24 hours). Pairwise calls stay interactive."""

    @pydantic.field_validator("pairwise")
    @classmethod
    def _two_arms(cls, value: list[str]) -> list[str]:
        if value and (len(value) != 2 or value[0] == value[1]):
            raise ValueError(
                f"pairwise needs two different arms, e.g. [rag, finetune]; got {value}"
            )
        return value


class BatchApi(_Strict):
    """How the arms' API backends answer: interactively (the default) or through the providers'
    batch APIs (OpenAI Batch API, Anthropic Message Batches) at half the list price."""

    batch: bool | list[str] = False
    """true: every `openai:` / `anthropic:` backend of the arms answers the test split through its
    provider's batch API; a list: only the backends named (e.g. [anthropic:claude-haiku-4-5])."""
    retry: Literal["interactive", "batch", "none"] = "interactive"
    """What happens to a request a batch returns errored, expired or cancelled: asked again
    interactively, sent again in one follow-up batch, or recorded as an error. Still failing after
    the retry: an error, in the errors column."""
    poll_s: float = Field(30.0, gt=0)
    """Seconds before the first poll of a batch; each later wait is 1.5 times the last."""
    max_poll_s: float = Field(600.0, gt=0)
    """The longest wait between two polls."""


class Backends(_Strict):
    cheap: str = "local:smollm2-135m"
    """Backend of the arms that run on the cheap model (the default of every arm)."""
    strong: str = "local:smollm2-135m"
    """Backend of `backend: strong` arms and of the router's escalations."""
    judge: (
        Annotated[
            Annotated[str, Tag("name")] | Annotated[Judge, Tag("settings")],
            Discriminator(lambda v: "settings" if isinstance(v, dict | Judge) else "name"),
        ]
        | None
    ) = None
    """The LLM judge: null for automatic metrics only, a backend name, or a mapping (`backend`,
    `pairwise`, `constrained`, `batch`)."""
    api: BatchApi = BatchApi()
    """Provider batch APIs for the arms' API backends (`batch`, `retry`, `poll_s`)."""

    @property
    def judge_spec(self) -> Judge | None:
        return Judge(backend=self.judge) if isinstance(self.judge, str) else self.judge


class DeclaredPrice(_Strict):
    """A per-token price the workload states itself (a contract rate, a gateway's price)."""

    input_per_m: float = Field(ge=0)
    """Dollars per million input tokens."""
    output_per_m: float = Field(ge=0)
    """Dollars per million output tokens."""
    source: str = Field(min_length=1)
    """Where the price was read (every cost traces to a source)."""
    as_of: str = Field(min_length=1)
    """When it was read (YYYY-MM-DD)."""

    @pydantic.field_validator("as_of", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime.date) else value


class Endpoint(_Strict):
    """How calls to one model that no price source knows are priced: give one of the two."""

    machine: str | None = None
    """A self-hosted server (vLLM, Ollama, LM Studio, `ragtune serve-model`) on this catalog GPU
    (`gpus:`) or machine (`infra:`): each answer costs the machine's $/hour times the arm's
    measured seconds per answer (the measured throughput, concurrency included)."""
    price: DeclaredPrice | None = None
    """Or per-token prices, as an API's."""

    @pydantic.model_validator(mode="after")
    def _one(self) -> Endpoint:
        if (self.machine is None) == (self.price is None):
            raise ValueError(
                "give `machine: GPU-OR-INFRA` (a self-hosted server) or `price: {input_per_m, "
                "output_per_m, source, as_of}`, exactly one"
            )
        return self


class Pricing(_Strict):
    requests_per_month: float = Field(100_000, ge=0)
    """Volume the arms are priced at."""
    growth_per_month: float = Field(0.0, ge=-1)
    """Monthly growth of the volume (0.05 = +5% a month)."""
    horizon_months: int = Field(12, ge=1, le=240)
    """Months of the TCO horizon."""
    prices: list[str] = []
    """Extra price files, relative to the workload file."""
    self_hosted: str = "hetzner-cx42"
    """The serving machine local arms are priced as: measured machine time x this catalog item's
    rate (an `infra` item is a CPU machine, a `gpus` entry a GPU)."""
    project_to: str = "claude-haiku-4-5"
    """API alternatives are projected from measured token counts at this catalog model's prices."""
    serving_throughput: dict[str, Annotated[float, Field(gt=0)]] = {}
    """Per local arm, requests per second one serving machine answers, measured on it: replaces
    the arm's measured machine time (required when a GPU measured it and `self_hosted` is a CPU
    machine)."""
    endpoints: dict[str, Endpoint] = {}
    """Models the backends call that no price source knows, by the model name the backend
    sends (`openai-compatible:http://gpu-box:8000/v1#llama-3.1-8b` -> `llama-3.1-8b`): a
    self-hosted server's machine or a stated price. Without one, such a model stops `check` and
    `run` (an unknown price is never taken as $0)."""


class Advice(_Strict):
    """What the evidence cannot measure but the verdict depends on (the articles' decision rules).

    Unset values are reported as unknown, never guessed.
    """

    knowledge_changes_per_month: float | None = Field(None, ge=0)
    """How often facts change."""
    needs_citations: bool = False
    """Answers must show their sources."""
    data_must_stay_local: bool = False
    """Privacy / data residency: no third-party API."""
    latency_budget_s: float | None = Field(None, gt=0)
    """P95 the product can afford."""
    distinct_patterns: int | None = Field(None, ge=1)
    """Input-output patterns in the spec."""
    spec_stable_months: float | None = Field(None, ge=0)
    """How long the spec will not change."""
    margin: float = Field(0.05, ge=0, le=1)
    """Non-inferiority margin on the primary metric; 0 asks for "at least as good" (a stored run of
    an earlier release may hold 0, so it must stay valid)
    """
    max_utilisation: float = Field(0.5, gt=0, le=1)
    """Self-hosted machines sized for peaks."""
    judge_min_kappa: float = Field(0.6, ge=-1, le=1)
    """Judge-human Cohen's kappa below which the verdict warns that the judge is not calibrated;
    0.6 is where Landis & Koch (1977) put the start of "substantial" agreement.
    """


class Costs(_Strict):
    """People and data costs in the articles' terms, for the measured arms' full TCO.

    Defaults are none: an unset value is shown as "not counted", never guessed. Each arm pays
    the parts that apply to it (`evidence.people`): a tuned arm the training data's curation,
    its pipeline, upkeep and each retraining cycle's hours; a retrieval arm its index pipeline
    and upkeep; every built arm the evaluation set-up; a prompting arm nothing more. The
    labelling figures also price the extra test items a verdict that is not decided yet needs
    (and the learning curve's next step).
    """

    hourly_rate: float | None = Field(None, ge=0)
    """Loaded $/h for every *_hours field."""
    examples_per_hour: float | None = Field(None, gt=0)
    """Labelling speed (article 002: 30-50)"""
    usd_per_example: float | None = Field(None, ge=0)
    """Or a price per labelled example."""
    curation_hours: float | None = Field(None, ge=0)
    """Hours to build the training set (article 004: 20-80 h); unset: the tuned arm's training
    examples at `examples_per_hour` (or `usd_per_example`).
    """
    eval_setup_hours: float | None = Field(None, ge=0)
    """Building the evaluation, once per arm."""
    pipeline_hours: float | None = Field(None, ge=0)
    """Training or indexing pipeline, once."""
    maintenance_hours_per_month: float | None = Field(None, ge=0)
    """Model or index upkeep."""
    retraining_hours: float | None = Field(None, ge=0)
    """Per cycle: data + deploy (004: 6-12 h)"""
    retrain_every_months: float | None = Field(None, gt=0)
    """Tuned arms are retrained this often for drift (article 004: every 1-3 months), or after
    each knowledge change (advice.knowledge_changes_per_month) when that is more often: one
    retrain resets both, so the more frequent cause sets the rate.
    """

    def labelling_usd(self, examples: float) -> float | None:
        """What labelling `examples` more items costs, or None when the workload does not say.

        A price per example wins; otherwise hours at `examples_per_hour` times `hourly_rate`.
        """
        if self.usd_per_example is not None:
            return examples * self.usd_per_example
        if self.examples_per_hour is None or self.hourly_rate is None:
            return None
        hours = formulas.curation_hours(examples=examples, examples_per_hour=self.examples_per_hour)
        return float(formulas.labour_cost(hours=hours, hourly_rate=self.hourly_rate))


class Sampling(_Strict):
    """How `ragtune run --until-decided` grows its sample: rounds of `batch` items from one
    seeded stratified order, until every comparison with the best arm is decided or a budget
    is reached (see docs/sequential.md).
    """

    batch: int = Field(100, ge=1)
    """Items added per round (each arm answers them, then every comparison is updated). 100
    keeps the look count low on a few thousand items; the intervals are valid at every look, so
    a smaller batch only costs more looks."""
    max_items: int | None = Field(None, ge=1)
    """Stop after this many test items even if undecided; unset: the whole test split."""
    max_usd: float | None = Field(None, gt=0)
    """Stop before a round would take the money spent past this: the arms' API dollars
    (measured) plus labelling the items (`costs.usd_per_example` or hours x rate); unset: no
    money budget. The first round always runs (a round's cost is estimated from the cost per
    item so far)."""
    alpha: float = Field(0.05, gt=0, lt=1)
    """Error rate of the whole family of comparisons with the best (Bonferroni over them)."""


TUNED_ARMS = ("finetune", "finetune_rag")


def hosted_finetune(spec: WorkloadSpec) -> HostedFinetune | None:
    """The hosted fine-tuning settings of the workload's tuned arm, or None for a local LoRA."""
    for arm in TUNED_ARMS:
        if arm in spec.arms:
            settings = HostedFinetune.model_validate(spec.arms[arm] or {})
            return settings if settings.provider != "local" else None
    return None


# Items per arm timed one at a time for request latency: enough for a median ratio, at the cost of
# about half a batch of extra work (batch-1 calls are several times slower per item than batched).
REQUEST_SAMPLE = 6


class WorkloadSpec(_Strict):
    name: str = "workload"
    """Name of the workload, shown in runs and reports."""
    task: Literal["qa", "classify", "extract", "generate"]
    """Task type: free answers with references, fixed labels, JSON extraction, or open output
    (judged).
    """
    data: Data
    """Where the items are and how they split."""
    knowledge: Knowledge | None = None
    """The knowledge base retrieval arms read (and its later versions)."""
    labels: list[str] | None = None
    """The label set of a classify task."""
    schema_: str | dict[str, Any] | None = Field(None, alias="schema")
    """JSON Schema of an extract task's answers: inline, or a file relative to the workload file."""
    arms: dict[str, dict[str, Any]] = Field(min_length=1)
    """Arm name -> its settings (each checked against its arm's own settings); a list of names is
    short for default settings: `arms: [prompt, rag]`.
    """
    backends: Backends = Backends()
    """Which models the arms and the judge run on."""
    repeats: int = Field(1, ge=1, le=20)
    """Answer every item this many times (seeds seed..seed+repeats-1)."""
    seed: int = 0
    """Seed of every sample, split and repeat."""
    limit: int | str | None = None
    """N: a seeded sample of N test items (stratified); "first:N": the first N in file order."""
    executor: Literal["inprocess", "ray"] = "inprocess"
    """Who answers the items: this process, or Ray workers (`pip install 'ragtune[ray]'`)"""
    latency_sample: int = Field(REQUEST_SAMPLE, ge=0, le=100)
    """Items per arm answered again alone (batch size 1) to time request latency; the rest are
    derived from their share of the batch's wall time. 0: no timing, latency is the batch's.
    """
    pricing: Pricing = Pricing()
    """Volume, horizon and the catalog entries the arms are priced with."""
    advice: Advice = Advice()
    """What the verdict depends on but the run cannot measure."""
    costs: Costs = Costs()
    """People and data costs; unset values are shown as not counted."""
    sampling: Sampling = Sampling()
    """Rounds, item and money budgets of `ragtune run --until-decided`."""

    @pydantic.field_validator("arms", mode="before")
    @classmethod
    def _arms_shorthand(cls, value: Any) -> Any:
        return arms_mapping(value)

    @pydantic.field_validator("limit")
    @classmethod
    def _limit(cls, value: int | str | None) -> int | str | None:
        if value is not None:
            parse_limit(value)
        return value

    @property
    def test_limit(self) -> Limit | None:
        return None if self.limit is None else parse_limit(self.limit)


def arms_mapping(value: Any) -> Any:
    """`[prompt, rag]` -> `{prompt: {}, rag: {}}`; `prompt:` with nothing after it -> `{}`.

    A tuned arm's `learning_curve: [250, 1000]` adds the arms `finetune@250` and
    `finetune@1000` right after it: its settings, trained on that many examples.
    """
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {v: {} for v in value}
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            out[k] = {} if v is None else v
            out.update(_curve_arms(str(k), out[k]))
        return out
    return value


def _curve_arms(name: str, settings: Any) -> dict[str, dict[str, Any]]:
    """The `name@size` arms of a learning curve (none when the sizes are not a list of counts:
    the arm's own check reports that)."""
    sizes = settings.get("learning_curve") if isinstance(settings, dict) else None
    cls = ARMS.get(kind_of(name, settings))
    if cls is None or not issubclass(cls.settings, FinetuneSettings):
        return {}
    if not isinstance(sizes, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in sizes
    ):
        return {}
    point = {k: v for k, v in settings.items() if k not in ("learning_curve", "max_examples")}
    point["arm"] = kind_of(name, settings)
    return {curve_arm(name, n): {**point, "train_size": n} for n in sorted(set(sizes))}
