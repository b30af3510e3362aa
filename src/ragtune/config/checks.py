"""Loading a workload: `load_workload` validates the YAML against the schema, then checks the world
it points at, and returns a `Workload` with its data loaded and split.

Files exist, the data loads, every split the run needs is non-empty, labels are inside the label
set, the JSON Schema is valid, every arm's settings fit the arm's own settings model. All problems
come back together in one `ValidationError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
import yaml

from ragtune.config.batch import batch_problems
from ragtune.config.hosted import cutoff_problems
from ragtune.config.schema import (
    PROMPT_SUFFIXES,
    TASKS,
    TUNED_ARMS,
    Data,
    WorkloadSpec,
    arms_mapping,
)
from ragtune.data import (
    SPLITS,
    Carved,
    Example,
    FieldMap,
    assign_splits,
    carve_validation,
    load_examples,
)
from ragtune.errors import (
    Problem,
    RagtuneError,
    ValidationError,
    problem_from_pydantic,
    read_user_file,
)
from ragtune.strategies import (
    ArmSettings,
    ChatSettings,
    HostedFinetune,
    RecordedSettings,
    Traits,
    load_answers,
    parse_settings,
    requirements,
)


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
    problems += batch_problems(spec)
    problems += _check_hosted(spec)
    problems += cutoff_problems(spec)
    problems += _check_curve(examples, arms)
    problems += _check_recorded(spec, root, examples, arms)
    problems += _check_priced(spec, root)
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
    from ragtune.cost import load_catalog

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


def _check_priced(spec: WorkloadSpec, root: Path) -> list[Problem]:
    """Every model an API backend (or the judge) calls has a price: a price file's, the price
    library's, or the workload's own (`pricing.endpoints`); a local model is machine time."""
    from ragtune.backends import billed_by_provider, parse_backend_name
    from ragtune.cost import load_catalog

    try:
        catalog = load_catalog(*(root / p for p in spec.pricing.prices))
    except RagtuneError:  # the price catalog's own problems are reported where it is read
        return []
    judge = spec.backends.judge_spec
    slots = [("backends.cheap", spec.backends.cheap), ("backends.strong", spec.backends.strong)]
    slots += [("backends.judge", judge.backend)] if judge is not None else []
    problems: list[Problem] = []
    for at, endpoint in spec.pricing.endpoints.items():
        machine = endpoint.machine
        if machine and not (catalog.has("gpus", machine) or catalog.has("infra", machine)):
            problems.append(
                Problem(f"pricing.endpoints.{at}.machine", "not a catalog GPU or machine "
                        "(`ragtune prices --section gpus` lists them)", machine)
            )  # fmt: skip
    for where, name in slots:
        try:
            parsed = parse_backend_name(name)
        except RagtuneError:
            continue  # reported when the backend is built
        if not billed_by_provider(parsed) or parsed.model in spec.pricing.endpoints:
            continue
        try:
            catalog.model(parsed.model)
        except RagtuneError as err:
            problems.append(
                Problem(
                    where,
                    f"no price for model {parsed.model!r} in a price file or the price library "
                    f"({err.hint.split(';')[0] if err.hint else 'no near name'}), so its calls "
                    "cannot be costed (never as $0). Fix: a `models:` entry in a price file "
                    "(`pricing.prices`), or declare it in `pricing.endpoints`: "
                    f"`{parsed.model}: {{machine: h100-80gb}}` for a self-hosted server, or "
                    f"`{parsed.model}: {{price: {{input_per_m, output_per_m, source, as_of}}}}`",
                    name,
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
