"""Read Inspect AI eval logs (`.eval` or `.json`) into arms of answers, through inspect_ai itself.

Each log is one task run on one model: one arm (named after the model, or the task and model when
several logs share a model). Its samples are the items: `sample.id` the item id, `sample.input`
the input (the last user message when it is a conversation), `sample.target` the gold (the first
of several targets, noted), `sample.output.completion` the answer, `sample.output.usage` the
tokens (Inspect's `input_tokens` already excludes cache reads and writes, as ragtune's do),
`sample.total_time` the latency, `sample.error` a failure. Only epoch 1 is read; more epochs are
noted. The log is read with `inspect_ai.log.read_eval_log`, the supported reader, so every log
version Inspect can read is read here (`pip install 'ragtune[inspect]'`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ragtune.cost import Catalog
from ragtune.errors import MissingDependencyError, RagtuneError
from ragtune.importers.models import cost_gap, resolve_model
from ragtune.importers.records import (
    Imported,
    ImportedAnswer,
    ImportedArm,
    ImportedItem,
    Note,
    count,
    seconds,
    slug,
    unique_names,
)

EXPECTED = "an Inspect AI eval log (`inspect eval ... --log-dir logs`: a .eval or .json file)"


def read_inspect(
    paths: Sequence[Path],
    catalog: Catalog,
    *,
    models: Mapping[str, str] | None = None,
    reserved: tuple[str, ...] = (),
) -> Imported:
    """One arm per log; `models` maps a log's model (or arm name) to a catalog model."""
    try:
        from inspect_ai.log import read_eval_log
    except ImportError as err:
        raise MissingDependencyError("inspect-ai", "inspect") from err
    logs = [(path, _read(read_eval_log, path)) for path in paths]
    model_names = [str(log.eval.model) for _, log in logs]
    wanted = [
        slug(m.rsplit("/", 1)[-1])
        if model_names.count(m) == 1
        else f"{slug(str(log.eval.task))}-{slug(m.rsplit('/', 1)[-1])}"
        for m, (_, log) in zip(model_names, logs, strict=True)
    ]
    names = unique_names(wanted, reserved)
    items: dict[str, ImportedItem] = {}
    arms, notes = [], []
    overrides = dict(models or {})
    for name, (path, log) in zip(names, logs, strict=True):
        answers: dict[str, ImportedAnswer] = {}
        later_epochs = 0
        several_targets = []
        for sample in log.samples or []:
            item_id = str(sample.id)
            if sample.epoch != 1:
                later_epochs += 1
                continue
            target = sample.target
            if isinstance(target, list):
                several_targets += [item_id] if len(target) > 1 else []
                target = target[0] if target else None
            items.setdefault(item_id, ImportedItem(item_id, _input(sample.input), target or None))
            answers[item_id] = _answer(item_id, sample)
        model_name = str(log.eval.model)
        given = overrides.get(model_name) or overrides.get(name)
        model, note = resolve_model(given or model_name, catalog, name, explicit=given is not None)
        notes += [note] if note else []
        if later_epochs:
            notes.append(Note("duplicate", f"{later_epochs} samples of later epochs ignored", name))
        if several_targets:
            notes.append(
                Note("gold", "several targets: the first is the gold", name, tuple(several_targets))
            )
        found = tuple(answers.values())
        gap = cost_gap(found, model, catalog)
        notes += [Note("cost", gap, name)] if gap else []
        source = f"inspect {log.eval.task} on {model_name} ({path.name})"
        arms.append(ImportedArm(name, source, model, found))
    return Imported(
        "inspect", ", ".join(str(p) for p in paths), tuple(items.values()), tuple(arms),
        tuple(notes),
    )  # fmt: skip


def _read(read_eval_log: Any, path: Path) -> Any:
    if not path.is_file():
        raise RagtuneError(f"{path}: file not found", hint=f"expected {EXPECTED}")
    try:
        log = read_eval_log(str(path))
    except Exception as err:  # inspect raises several types for a file that is not its log
        raise RagtuneError(
            f"{path} is not an Inspect eval log that inspect_ai can read ({type(err).__name__}: "
            f"{str(err)[:120]})",
            hint=f"expected {EXPECTED}; promptfoo results import with `ragtune import promptfoo`",
        ) from None
    if log.status != "success" and not log.samples:
        raise RagtuneError(
            f"{path}: the Inspect run ended with status {log.status!r} and holds no samples",
            hint="re-run the task, or pass a log that finished",
        )
    return log


def _input(value: Any) -> str:
    if isinstance(value, str):
        return value
    users = [m for m in value if getattr(m, "role", None) == "user"]
    return str(users[-1].text if users else value[-1].text)


def _answer(item_id: str, sample: Any) -> ImportedAnswer:
    output = sample.output
    usage = output.usage if output is not None else None
    error = sample.error.message if sample.error is not None else None
    cost = getattr(usage, "total_cost", None)
    return ImportedAnswer(
        item_id,
        output.completion if output is not None else "",
        input_tokens=count(getattr(usage, "input_tokens", None)),
        output_tokens=count(getattr(usage, "output_tokens", None)),
        cache_read_tokens=count(getattr(usage, "input_tokens_cache_read", None)),
        cache_write_tokens=count(getattr(usage, "input_tokens_cache_write", None)),
        latency_s=seconds(sample.total_time),
        cost_usd=float(cost) if isinstance(cost, int | float) else None,
        error=str(error) if error else None,
    )
