"""Read plain answers files (JSONL or CSV, one per system) into arms, mapping other column names.

Each file has a row per item: `id` and `answer`, and optionally the recorded arm's own columns
(`input_tokens`, `output_tokens`, `cache_read_tokens`, `cache_write_tokens`, `latency_s`,
`model`, `error`, `cost_usd`). The items' input and gold come from `--data` (a JSONL/CSV with
`id`, `input`, `target`) or else from `input` and `target` columns of the answers files.
`--map answer=output` reads a column of another name; one mapping applies to every file.
A row that cannot be used is a problem, and every problem is reported at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ragtune.cost import Catalog
from ragtune.data import FieldMap, load_examples, read_rows
from ragtune.errors import Problem, RagtuneError, ValidationError
from ragtune.importers.models import cost_gap, resolve_model
from ragtune.importers.records import (
    Imported,
    ImportedAnswer,
    ImportedArm,
    ImportedItem,
    Note,
    count,
    seconds,
)

TOKENS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
COLUMNS = ("id", "answer", "input", "target", *TOKENS, "latency_s", "model", "error", "cost_usd")


def parse_columns(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`--map answer=output` options: ragtune's column -> the file's column."""
    out: dict[str, str] = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or ours.strip() not in COLUMNS or not theirs.strip():
            raise RagtuneError(
                f"--map {pair!r}: expected COLUMN=THEIR_NAME with COLUMN one of "
                + ", ".join(COLUMNS),
                hint="e.g. --map answer=output --map id=question_id",
            )
        out[ours.strip()] = theirs.strip()
    return out


def read_answers(
    files: Mapping[str, Path],
    catalog: Catalog,
    *,
    columns: Mapping[str, str] | None = None,
    data: Path | None = None,
    models: Mapping[str, str] | None = None,
) -> Imported:
    """One arm per `name -> file`; items from `data` or the files' own input/target columns."""
    names = {c: (columns or {}).get(c, c) for c in COLUMNS}
    problems: list[Problem] = []
    items: dict[str, ImportedItem] = {}
    if data is not None:
        examples, more = load_examples(data, FieldMap())
        problems += more
        items = {e.id: ImportedItem(e.id, e.input, e.target) for e in examples}
    arms, notes = [], []
    for arm, path in files.items():
        rows, more = read_rows(path)
        problems += [Problem(f"{arm} ({path.name})", p.message, p.given) for p in more]
        answers: dict[str, ImportedAnswer] = {}
        seen_models: set[str] = set()
        repeated = []
        for line, row in rows:
            where = f"{arm} ({path.name} line {line})"
            item = row.get(names["id"])
            if item in (None, "") or names["answer"] not in row:
                problems.append(
                    Problem(
                        where,
                        f"each row needs `{names['id']}` and `{names['answer']}` (map other "
                        "names with --map id=... --map answer=...)",
                        ", ".join(map(str, row))[:80],
                    )
                )
                continue
            item = str(item)
            if item in answers:
                repeated.append(item)
                continue
            if data is None and item not in items:
                gold = row.get(names["target"])
                items[item] = ImportedItem(
                    item, row.get(names["input"]), None if gold in (None, "") else gold
                )
            if row.get(names["model"]):
                seen_models.add(str(row[names["model"]]))
            answers[item] = _answer(item, row, names, where, problems)
        if repeated:
            notes.append(
                Note("duplicate", "the first row of each id is kept", arm, tuple(repeated))
            )
        given = (models or {}).get(arm)
        if given is None and len(seen_models) > 1:
            problems.append(
                Problem(
                    f"{arm} ({path.name})",
                    "rows name several models; an arm is priced as one (split the file, or "
                    f"name the model with --model {arm}=MODEL)",
                    ", ".join(sorted(seen_models)),
                )
            )
        source_model = given or next(iter(seen_models), None)
        model, note = resolve_model(source_model, catalog, arm, explicit=given is not None)
        notes += [note] if note else []
        found = tuple(answers.values())
        gap = cost_gap(found, model, catalog)
        notes += [Note("cost", gap, arm)] if gap else []
        arms.append(ImportedArm(arm, f"answers {path}", model, found))
    missing_input = [i.id for i in items.values() if i.input in (None, "")]
    if missing_input:
        problems.append(
            Problem(
                "input",
                f"{len(missing_input)} items have no input: give --data with id, input and "
                f"target, or an `{names['input']}` column",
                ", ".join(missing_input[:5]),
            )
        )
    if problems:
        raise ValidationError("answers files", problems)
    return Imported(
        "answers", ", ".join(map(str, files.values())), tuple(items.values()), tuple(arms),
        tuple(notes),
    )  # fmt: skip


def _answer(
    item: str, row: Mapping[str, Any], names: Mapping[str, str], where: str, problems: list[Problem]
) -> ImportedAnswer:
    numbers: dict[str, float | None] = {}
    for key in (*TOKENS, "latency_s", "cost_usd"):
        value = row.get(names[key])
        if value in (None, ""):
            numbers[key] = None
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        if number < 0:
            problems.append(Problem(f"{where}.{names[key]}", "must be a number >= 0", repr(value)))
        numbers[key] = number if number >= 0 else None
    answer = row[names["answer"]]
    error = row.get(names["error"])
    return ImportedAnswer(
        item,
        "" if answer is None else answer if isinstance(answer, str) else json.dumps(answer),
        input_tokens=count(numbers["input_tokens"]),
        output_tokens=count(numbers["output_tokens"]),
        cache_read_tokens=count(numbers["cache_read_tokens"]),
        cache_write_tokens=count(numbers["cache_write_tokens"]),
        latency_s=seconds(numbers["latency_s"]),
        cost_usd=numbers["cost_usd"],
        error=str(error) if error not in (None, "") else None,
    )
