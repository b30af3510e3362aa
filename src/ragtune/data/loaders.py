"""Read rows from JSONL, CSV or Parquet and map the user's column names onto `Example` fields.

Problems are collected, not raised one by one: a malformed line, a missing field or an empty file
each becomes a `Problem` naming the file and line, so a workload check can report all of them.
Deliberately not here: splitting (see `splits.py`) and task-specific checks (see `ragtune.config`).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.data.records import Example
from ragtune.errors import MissingDependencyError, Problem

FORMATS = ("jsonl", "csv", "parquet")


@dataclass(frozen=True)
class FieldMap:
    """Which column holds each `Example` field (defaults match the bundled sample data)."""

    input: str = "input"
    target: str = "target"
    id: str | None = "id"
    split: str | None = "split"
    doc_ids: str | None = "doc_ids"


def detect_format(path: Path, declared: str = "auto") -> str:
    if declared != "auto":
        return declared
    suffix = path.suffix.lower().lstrip(".")
    return {
        "jsonl": "jsonl",
        "ndjson": "jsonl",
        "json": "jsonl",
        "csv": "csv",
        "tsv": "csv",
        "parquet": "parquet",
        "pq": "parquet",
    }.get(suffix, "jsonl")


Row = tuple[int, dict[str, Any]]  # (line number in the file, the row)


def read_rows(path: Path, fmt: str = "auto") -> tuple[list[Row], list[Problem]]:
    """Rows of a data file with their line numbers, plus a problem per unreadable line."""
    fmt = detect_format(path, fmt)
    where = str(path)
    if not path.is_file():
        return [], [Problem(where, "file not found (paths are relative to the workload file)")]
    if fmt == "parquet":
        return _read_parquet(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        return [], [Problem(where, f"not UTF-8 text (byte {err.start}); re-save it as UTF-8")]
    if not text.strip():
        return [], [Problem(where, "file is empty")]
    if fmt == "csv":
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
        return [(number, dict(row)) for number, row in enumerate(reader, start=2)], []
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(Problem(f"{where}:{number}", f"not valid JSON ({err.msg})", line[:40]))
            continue
        if not isinstance(row, dict):
            problems.append(
                Problem(f"{where}:{number}", "each line must be a JSON object", line[:40])
            )
            continue
        rows.append((number, row))
    return rows, problems


def _read_parquet(path: Path) -> tuple[list[Row], list[Problem]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise MissingDependencyError("pyarrow", "parquet") from err
    try:
        table = pq.read_table(path)
    except Exception as err:  # pyarrow raises several types for corrupt files
        return [], [Problem(str(path), f"cannot read Parquet: {err}")]
    return list(enumerate(table.to_pylist(), start=1)), []


def load_examples(
    path: Path, fields: FieldMap, fmt: str = "auto"
) -> tuple[list[Example], list[Problem]]:
    """Examples from one file; rows missing the input or target field are reported, not kept."""
    rows, problems = read_rows(path, fmt)
    examples: list[Example] = []
    seen: set[str] = set()
    mapped = {fields.input, fields.target, fields.id, fields.split, fields.doc_ids}
    for number, row in rows:
        where = f"{path}:{number}"
        missing = [name for name in (fields.input, fields.target) if row.get(name) in (None, "")]
        if missing:
            problems.append(
                Problem(
                    where,
                    f"missing field(s) {', '.join(missing)}; columns "
                    f"present: {', '.join(sorted(map(str, row)))}",
                )
            )
            continue
        item_id = (
            str(row[fields.id])
            if fields.id and row.get(fields.id) not in (None, "")
            else (f"{path.stem}-{number}")
        )
        if item_id in seen:
            problems.append(Problem(where, "duplicate id", item_id))
            continue
        seen.add(item_id)
        examples.append(
            Example(
                id=item_id,
                input=str(row[fields.input]),
                target=_target(row[fields.target]),
                split=str(row[fields.split]) if fields.split and row.get(fields.split) else None,
                doc_ids=_doc_ids(row.get(fields.doc_ids)) if fields.doc_ids else (),
                extra={k: v for k, v in row.items() if k not in mapped},
            )
        )
    if not rows and not problems:
        problems.append(Problem(str(path), "no rows"))
    return examples, problems


def _target(value: Any) -> Any:
    """CSV cells hold JSON objects as text; decode them so extraction targets are dicts."""
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _doc_ids(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    text = str(value)
    if text.startswith("["):
        try:
            return tuple(str(v) for v in json.loads(text))
        except json.JSONDecodeError:
            pass
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())
