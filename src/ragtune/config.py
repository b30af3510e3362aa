"""Workload files (`ragtune run workload.yaml`): schema and a check that reports every problem.

A workload says what the task is, where its data and knowledge base live, which arms to build
and with which backends, and the volume assumptions used to price the results. `load_workload`
validates the YAML (pydantic), then checks the world it points at: files exist, the data loads,
every split the run needs is non-empty, labels are inside the label set, the JSON Schema is
valid, every arm's settings fit the arm's own settings model. All problems come back together
in one `ValidationError`. Without a validation split, when an arm needs one (the router
calibrates on it), one is carved from train (seeded, stratified by label for classification)
and recorded in `Workload.carved`; otherwise train stays whole for the arms that learn from it.

Deliberately not here: running arms (`ragtune.strategies`), pricing (`ragtune.cost`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from ragtune.cost import formulas
from ragtune.data import (
    SPLITS,
    Carved,
    Example,
    FieldMap,
    Limit,
    assign_splits,
    carve_validation,
    load_examples,
    parse_limit,
)
from ragtune.data.sampling import CARVE_FRACTION, CARVE_MAX
from ragtune.errors import (
    Problem,
    RagtuneError,
    ValidationError,
    problem_from_pydantic,
    read_user_file,
)
from ragtune.strategies import (
    ARMS,
    ArmSettings,
    ChatSettings,
    Traits,
    kind_of,
    parse_settings,
    requirements,
)
from ragtune.strategies.rag import FinetuneSettings, HostedFinetune
from ragtune.strategies.recorded import RecordedSettings, load_answers
from ragtune.strategies.settings import curve_arm

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

    @pydantic.field_validator("pairwise")
    @classmethod
    def _two_arms(cls, value: list[str]) -> list[str]:
        if value and (len(value) != 2 or value[0] == value[1]):
            raise ValueError(
                f"pairwise needs two different arms, e.g. [rag, finetune]; got {value}"
            )
        return value


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
    `pairwise`, `constrained`)."""

    @property
    def judge_spec(self) -> Judge | None:
        return Judge(backend=self.judge) if isinstance(self.judge, str) else self.judge


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
    """Local arms are priced as self-hosted: measured machine time x this catalog item's rate."""
    project_to: str = "claude-haiku-4-5"
    """API alternatives are projected from measured token counts at this catalog model's prices."""


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
    the parts that apply to it (`evaluation.people`): a tuned arm the training data's curation,
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
    """Tuned arms are retrained this often for drift (article 004: every 1-3 months), on top of
    retraining after each knowledge change (advice.knowledge_changes_per_month).
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


@dataclass(frozen=True)
class Workload:
    """A validated workload with its data loaded and split, and every path made absolute."""

    spec: WorkloadSpec
    root: Path
    examples: tuple[Example, ...]
    json_schema: dict[str, Any] | None
    # Each arm's typed settings, instructions read from their files; `settings.arm` is the class.
    arms: Mapping[str, ArmSettings] = field(default_factory=dict)
    carved: Carved | None = None  # the validation split carved from train, when one was
    instruction_files: Mapping[str, str] = field(default_factory=dict)  # arm -> prompt file

    def split(self, name: str) -> list[Example]:
        return [e for e in self.examples if e.split == name]

    def path(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    def needs(self, arms: list[str] | None = None) -> Traits:
        """What the given arms (default: all) need together."""
        total = Traits()
        for name in arms or list(self.arms):
            total = total | requirements(name, self.arms[name])
        return total


def load_workload(path: str | Path) -> Workload:
    """Read, validate and load a workload file; every problem is reported at once."""
    path = Path(path)
    text = read_user_file(
        path, "workload file", hint="`ragtune init --task qa` writes a commented example"
    )
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RagtuneError(f"{path} is not valid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise RagtuneError(f"{path}: expected a mapping at the top level (task:, data:, arms: ...)")
    root = path.resolve().parent
    arms, instruction_files, problems = _check_arms(raw, root)
    try:
        spec = WorkloadSpec.model_validate(raw)
    except pydantic.ValidationError as err:
        problems = [problem_from_pydantic(e) for e in err.errors()] + problems
        problems += _data_problems_alone(raw, root)  # a missing file, even when more is wrong
        raise ValidationError(str(path), problems) from None
    needs_validation = any(requirements(n, s).needs_validation for n, s in arms.items())
    examples, carved, data_problems = _load_data(spec, root, carve=needs_validation)
    problems += data_problems
    json_schema, schema_problems = _load_schema(spec, root)
    problems += schema_problems
    problems += _check_task(spec, examples, json_schema, arms)
    problems += _check_paths(spec, root)
    problems += _check_judge(spec)
    problems += _check_hosted(spec)
    problems += _check_curve(examples, arms)
    problems += _check_recorded(spec, root, examples, arms)
    if problems:
        raise ValidationError(str(path), problems)
    return Workload(spec, root, tuple(examples), json_schema, arms, carved, instruction_files)


def _check_arms(
    raw: dict[str, Any], root: Path
) -> tuple[dict[str, ArmSettings], dict[str, str], list[Problem]]:
    """Every arm's settings against its own model, and its instructions read from their file."""
    given = arms_mapping(raw.get("arms"))
    if not isinstance(given, dict):
        return {}, {}, []
    arms: dict[str, ArmSettings] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for name, settings in given.items():
        if not isinstance(settings, dict):
            problems.append(
                Problem(f"arms.{name}", "settings must be a mapping (or nothing)", repr(settings))
            )
            continue
        parsed, more = parse_settings(str(name), settings)
        problems += more
        if parsed is None:
            continue
        if isinstance(parsed, RecordedSettings):
            found = (root / parsed.answers).resolve()
            if not found.is_file():
                problems.append(
                    Problem(
                        f"arms.{name}.answers",
                        "answers file not found (paths are relative to the workload file)",
                        parsed.answers,
                    )
                )
                continue
            parsed = parsed.model_copy(update={"answers": str(found)})
        if isinstance(parsed, ChatSettings) and parsed.instructions is not None:
            text, file, problem = _read_instructions(parsed.instructions, root, f"arms.{name}")
            if problem is not None:
                problems.append(problem)
                continue
            parsed = parsed.model_copy(update={"instructions": text})
            if file is not None:
                files[str(name)] = file
        arms[str(name)] = parsed
    return arms, files, problems


def _read_instructions(
    value: str, root: Path, where: str
) -> tuple[str, str | None, Problem | None]:
    """(text, file it came from, problem): a value naming a file is replaced by its text."""
    single_line = "\n" not in value and len(value) < 300
    candidate = root / value if single_line else None
    if candidate is not None and candidate.is_file():
        try:
            return candidate.read_text(encoding="utf-8").strip(), value, None
        except (OSError, UnicodeDecodeError) as err:
            return value, None, Problem(f"{where}.instructions", f"cannot read: {err}", value)
    if single_line and " " not in value and value.endswith(PROMPT_SUFFIXES):
        return (
            value,
            None,
            Problem(
                f"{where}.instructions",
                "prompt file not found (paths are relative to the workload file)",
                value,
            ),
        )
    if not value.strip():
        return value, None, Problem(f"{where}.instructions", "empty instructions", repr(value))
    return value, None, None


def _data_problems_alone(raw: dict[str, Any], root: Path) -> list[Problem]:
    """Problems of the data section checked on its own (files that do not exist or load)."""
    try:
        data = Data.model_validate(raw.get("data"))
    except pydantic.ValidationError:
        return []  # already reported with the rest of the file
    seed = raw["seed"] if isinstance(raw.get("seed"), int) else 0
    task = str(raw["task"]) if raw.get("task") in TASKS else "qa"
    _, _, problems = _read_data(data, root, seed, task)
    return problems


def _load_data(
    spec: WorkloadSpec, root: Path, *, carve: bool
) -> tuple[list[Example], Carved | None, list[Problem]]:
    return _read_data(spec.data, root, spec.seed, spec.task, carve=carve)


def _read_data(
    data: Data, root: Path, seed: int, task: str, *, carve: bool = False
) -> tuple[list[Example], Carved | None, list[Problem]]:
    fields = FieldMap(**data.fields.model_dump())
    per_split = {name: getattr(data, name) for name in SPLITS if getattr(data, name)}
    if data.path and per_split:
        return (
            [],
            None,
            [Problem("data", "give either `path` or train/validation/test files, not both")],
        )
    if not data.path and not per_split:
        return [], None, [Problem("data", "give `path` (one file) or train/validation/test files")]
    problems: list[Problem] = []
    examples: list[Example] = []
    if data.path:
        found, problems = load_examples(root / data.path, fields, data.format)
        examples = assign_splits(found, data.split_fractions, seed)
    else:
        for name, relative in per_split.items():
            found, more = load_examples(root / relative, fields, data.format)
            problems += more
            examples += [Example(e.id, e.input, e.target, name, e.doc_ids, e.extra) for e in found]
    unknown = sorted({e.split for e in examples if e.split not in SPLITS}, key=str)
    if unknown:
        problems.append(
            Problem(
                "data.fields.split",
                f"split values must be one of {', '.join(SPLITS)}",
                ", ".join(map(str, unknown)),
            )
        )
    if examples and not any(e.split == "test" for e in examples):
        problems.append(
            Problem("data", "the test split is empty: nothing to evaluate on", _data_files(data))
        )
    carved = None
    share = data.carve_validation
    if carve and share is not None and not any(e.split == "validation" for e in examples):
        examples, carved = carve_validation(examples, task, seed, share.fraction, share.max_items)
    return examples, carved, problems


def _data_files(data: Data) -> str:
    return data.path or ", ".join(
        f"{k}={v}" for k, v in data.model_dump().items() if k in SPLITS and v
    )


def _load_schema(spec: WorkloadSpec, root: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    if spec.schema_ is None:
        return None, []
    if isinstance(spec.schema_, dict):
        schema = spec.schema_
    else:
        file = root / spec.schema_
        try:
            schema = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, [Problem("schema", "file not found", spec.schema_)]
        except json.JSONDecodeError as err:
            return None, [
                Problem("schema", f"not valid JSON ({err.msg}, line {err.lineno})", spec.schema_)
            ]
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as err:
        return None, [Problem("schema", f"not a valid JSON Schema: {err.message}")]
    return schema, []


def _check_task(
    spec: WorkloadSpec,
    examples: list[Example],
    schema: dict[str, Any] | None,
    arms: Mapping[str, ArmSettings],
) -> list[Problem]:
    problems: list[Problem] = []
    if spec.task == "classify":
        if not spec.labels:
            problems.append(Problem("labels", "a classify task needs its label set"))
        else:
            if len(set(spec.labels)) < 2:
                problems.append(
                    Problem("labels", "needs at least two distinct labels", str(spec.labels))
                )
            outside = sorted({str(e.target) for e in examples} - set(spec.labels))
            if outside:
                problems.append(
                    Problem(
                        "data",
                        f"{len(outside)} label(s) outside the label set",
                        ", ".join(outside[:5]),
                    )
                )
    if spec.task == "extract":
        if schema is None and spec.schema_ is None:
            problems.append(Problem("schema", "an extract task needs a JSON Schema"))
        bad = [e.id for e in examples if not isinstance(e.target, dict)]
        if bad:
            problems.append(
                Problem(
                    "data",
                    f"{len(bad)} extraction target(s) are not JSON objects",
                    ", ".join(bad[:3]),
                )
            )
    needs = Traits()
    for name, settings in arms.items():
        needs = needs | requirements(name, settings)
    by_need = [
        (needs.needs_train, "train", "need a non-empty train split", lambda t: t.needs_train),
        (
            needs.needs_validation,
            "validation",
            "calibrate on a validation split, which is empty (train is too small to carve one "
            "from, or data.carve_validation is null)",
            lambda t: t.needs_validation,
        ),
    ]
    for needed, split, message, trait in by_need:
        if examples and needed and not any(e.split == split for e in examples):
            names = [n for n, s in arms.items() if trait(requirements(n, s))]
            problems.append(Problem("data", f"arms {', '.join(names)} {message}"))
    if needs.needs_knowledge and spec.knowledge is None:
        names = [n for n, s in arms.items() if requirements(n, s).needs_knowledge]
        problems.append(Problem("knowledge", f"arms {', '.join(names)} need a knowledge base path"))
    return problems


def _check_paths(spec: WorkloadSpec, root: Path) -> list[Problem]:
    problems: list[Problem] = []
    if spec.knowledge is not None:
        for where, relative in [("knowledge.path", spec.knowledge.path)] + [
            (f"knowledge.later.{i}.path", v.path) for i, v in enumerate(spec.knowledge.later)
        ]:
            if not (root / relative).exists():
                problems.append(
                    Problem(where, "not found (paths are relative to the workload file)", relative)
                )
    for i, relative in enumerate(spec.pricing.prices):
        if not (root / relative).is_file():
            problems.append(Problem(f"pricing.prices.{i}", "price file not found", relative))
    return problems


def _check_hosted(spec: WorkloadSpec) -> list[Problem]:
    """The tuned arms' `provider` settings (a hosted fine-tune needs its base model)."""
    problems: list[Problem] = []
    for arm in TUNED_ARMS:
        try:
            HostedFinetune.model_validate(spec.arms.get(arm) or {})
        except pydantic.ValidationError as err:
            for e in err.errors():
                p = problem_from_pydantic(e)
                where = f"arms.{arm}" + ("" if p.path == "(top)" else f".{p.path}")
                problems.append(Problem(where, p.message, p.given))
    return problems


def _check_curve(examples: list[Example], arms: Mapping[str, ArmSettings]) -> list[Problem]:
    """A learning curve's sizes must fit in the train split (the largest may be all of it)."""
    train = sum(e.split == "train" for e in examples)
    problems = []
    for name, settings in arms.items():
        sizes = getattr(settings, "learning_curve", None) or []
        over = [n for n in sizes if n > train]
        if over and train:
            problems.append(
                Problem(
                    f"arms.{name}.learning_curve",
                    f"size(s) {', '.join(map(str, over))} exceed the {train} examples of the "
                    f"train split; use sizes up to {train} (the largest may be all of train)",
                    str(sizes),
                )
            )
    return problems


def _check_recorded(
    spec: WorkloadSpec, root: Path, examples: list[Example], arms: Mapping[str, ArmSettings]
) -> list[Problem]:
    """Each answers file: readable rows, an answer for every test item, catalog models only."""
    recorded = {n: s for n, s in arms.items() if isinstance(s, RecordedSettings)}
    if not recorded:
        return []
    from ragtune.cost.catalog import load_catalog

    problems: list[Problem] = []
    test = [e.id for e in examples if e.split == "test"]
    try:
        catalog = load_catalog(*(root / p for p in spec.pricing.prices))
    except RagtuneError:  # the price catalog's own problems are reported where it is read
        catalog = None
    for name, settings in recorded.items():
        where = f"arms.{name}.answers"
        answers, more = load_answers(Path(settings.answers), settings.format, where)
        problems += more
        missing = [i for i in test if i not in answers]
        if missing and answers:
            problems.append(
                Problem(
                    where,
                    f"{len(missing)} of {len(test)} test items have no recorded answer; every "
                    "test item needs one (answer them, or leave them out of the test split)",
                    ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else ""),
                )
            )
        models = sorted({a.model for a in answers.values() if a.model})
        for model in models if catalog is not None else []:
            try:
                catalog.model(model)  # type: ignore[union-attr]
            except RagtuneError as err:
                hint = f"; {err.hint}" if err.hint else ""
                problems.append(
                    Problem(
                        f"{where} (model)",
                        "not a catalog model, so the answers cannot be priced as it (leave "
                        f"`model` out to keep the arm unpriced, or add a price file){hint}",
                        model,
                    )
                )
    return problems


def _check_judge(spec: WorkloadSpec) -> list[Problem]:
    """Pairwise arms must be arms of the workload. (A judge on a classify or extract task is
    ignored: those are scored exactly by their own metrics.)"""
    judge = spec.backends.judge_spec
    if judge is None:
        return []
    return [
        Problem("backends.judge.pairwise", "arm not in the workload's arms", arm)
        for arm in judge.pairwise
        if arm not in spec.arms
    ]
