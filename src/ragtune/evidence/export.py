"""`runs export`: a run's per-item evidence, one row per item x arm x repeat; JSONL, CSV, Parquet.

Every number is read from `Evidence` (`evaluate(run, pricing)`), the arrays every other reader
uses, so a notebook sees what `runs show` and the report see: scores of every metric, the judge's
and people's scores, tokens by kind, latency, machine seconds, API dollars measured and
projected. Evidence holds repeat 0; each later repeat is evaluated the same way on that repeat's
answers alone (its own judge verdicts; people rate repeat 0 only). Only finished arms have rows.

The columns are a versioned contract (`SCHEMA_VERSION`, `COLUMNS`, plus one `metric_<name>`
column per metric of the task); a change of name, type or meaning bumps the version, and
`docs/import-export.md` shows the table `schema_markdown()` writes. Deliberately not here:
aggregates (the summary), corpus-level metrics with no per-item value (macro-F1: null per row).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from ragtune.errors import MissingDependencyError
from ragtune.evidence.evidence import TOKEN_KINDS, ArmEvidence, Evidence, evaluate
from ragtune.evidence.rundata import ArmData, RunData

SCHEMA_VERSION = 1
FORMATS = ("jsonl", "parquet", "csv")
Format = Literal["jsonl", "parquet", "csv"]
ColumnType = Literal["string", "int", "float", "bool"]
METRIC_PREFIX = "metric_"


@dataclass(frozen=True)
class Column:
    """One column of the export: its name, type (null allowed unless said) and meaning."""

    name: str
    type: ColumnType
    doc: str


COLUMNS: tuple[Column, ...] = (
    Column("schema_version", "int", f"this table's schema version ({SCHEMA_VERSION})"),
    Column("run_id", "string", "the run"),
    Column("arm", "string", "the arm's name in the workload"),
    Column("arm_kind", "string", "its class: prompt, rag, recorded, ... (a variant's `arm:`)"),
    Column("item_id", "string", "the test item"),
    Column("repeat", "int", "0-based repeat (`--repeats R`: 0..R-1)"),
    Column("input", "string", "the item's input (JSON text when not a string)"),
    Column("gold", "string", "the expected answer (JSON text when not a string)"),
    Column("text", "string", "the arm's raw output; null when the call failed"),
    Column("answer", "string", "the parsed answer the metrics score (JSON text when not text)"),
    Column("error", "string", "why the item failed (it then scores as wrong); null otherwise"),
    Column("primary_metric", "string", "the task's primary metric (accuracy, contains, ...)"),
    Column("score", "float", "the primary metric on this item; runs show's quality is its mean"),
    Column("judge_metric", "string", "the LLM judge's metric, when the run was judged"),
    Column("judge_score", "float", "the judge's verdict on this answer (null: not judged)"),
    Column("human_score", "float", "people's mean rating of this answer (null: not rated)"),
    *(
        Column(f"{kind}_tokens", "float", f"{kind.replace('_', ' ')} tokens of the answering calls")
        for kind in TOKEN_KINDS
    ),
    Column("latency_s", "float", "seconds the user waited (a failure: the time it took)"),
    Column("machine_s", "float", "self-hosted machine seconds (its share of the batch)"),
    Column(
        "api_usd", "float", "list-price dollars of calls to catalog models, at the run's prices"
    ),
    Column("projected_usd", "float", "the same tokens at the projection model, prefix-cache aware"),
    Column("priced", "bool", "false: recorded answers with no catalog model (cost unknown)"),
)


def metric_columns(evidence: Evidence) -> list[Column]:
    """One `metric_<name>` column per metric the run's task scores, in a stable order."""
    names = sorted({m for a in evidence.done() for m in a.scores})
    return [Column(f"{METRIC_PREFIX}{m}", "float", f"metric {m} on this item") for m in names]


def columns_of(evidence: Evidence) -> list[Column]:
    return [*COLUMNS, *metric_columns(evidence)]


def export_rows(evidence: Evidence) -> Iterator[dict[str, Any]]:
    """Every row, arm by arm (workload order), repeat by repeat, item by item (Evidence order)."""
    metrics = [c.name for c in metric_columns(evidence)]
    per_repeat = [evidence, *(_repeat(evidence, r) for r in range(1, evidence.repeats))]
    for arm in evidence.done():
        for r, ev in enumerate(per_repeat):
            yield from _arm_rows(ev, ev.arm(arm.arm), r, metrics)


def _repeat(evidence: Evidence, r: int) -> Evidence:
    """Evidence of repeat `r` alone: its answers (and judge verdicts) as if they were repeat 0."""
    run = evidence.run
    arms = tuple(
        ArmData(a.arm, tuple(replace(p, repeat=0) for p in a.predictions if p.repeat == r))
        for a in run.arms
    )
    verdicts = tuple(replace(m, repeat=0) for m in run.judge_metrics if m.repeat == r)
    alone: RunData = replace(run, arms=arms, judge_metrics=verdicts, ratings=(), reviews=())
    return evaluate(alone, evidence.pricing)


def _arm_rows(
    evidence: Evidence, arm: ArmEvidence, repeat: int, metrics: Sequence[str]
) -> Iterator[dict[str, Any]]:
    run = evidence.run
    predictions = {
        p.item_id: p
        for data in run.arms
        if data.name == arm.arm
        for p in data.predictions
        if p.repeat == 0
    }
    human = evidence.human.score(arm.arm) if evidence.human and repeat == 0 else None
    rated = dict(zip(human.item_ids, human.scores.per_item, strict=True)) if human else {}
    for i, item_id in enumerate(arm.item_ids):
        item = run.item(item_id)
        prediction = predictions[item_id]
        gold = item.gold.get("answer") if isinstance(item.gold, Mapping) else item.gold
        row: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "run_id": run.id,
            "arm": arm.arm,
            "arm_kind": arm.kind or arm.arm,
            "item_id": item_id,
            "repeat": repeat,
            "input": _text(item.input),
            "gold": _text(gold),
            "text": prediction.text,
            "answer": None if prediction.error else _text(prediction.answer),
            "error": arm.errors[i],
            "primary_metric": arm.metric,
            "score": arm.primary.per_item[i],
            "judge_metric": arm.judge.name if arm.judge else None,
            "judge_score": arm.judge.per_item[i] if arm.judge else None,
            "human_score": rated.get(item_id),
        }
        for kind in TOKEN_KINDS:
            row[f"{kind}_tokens"] = _number(arm.tokens[kind][i])
        row |= {
            "latency_s": _number(arm.latency_s[i]),
            "machine_s": _number(arm.machine_s[i]),
            "api_usd": _number(arm.api_usd[i]),
            "projected_usd": _number(arm.projected_usd[i]) if len(arm.projected_usd) else None,
            "priced": arm.priced,
        }
        for name in metrics:
            scores = arm.scores.get(name.removeprefix(METRIC_PREFIX))
            per_item = scores.per_item if scores is not None else ()
            row[name] = per_item[i] if len(per_item) == arm.n else None
        yield row


def write_export(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], path: Path, fmt: Format
) -> None:
    """Write `rows` with exactly `columns`, in order; Parquet carries the schema version.

    All or nothing: the file is written beside `path` under a temporary name and renamed over it
    only when complete, so a failure half-way leaves `path` as it was."""
    names = [c.name for c in columns]
    part = path.with_name(f".{path.name}.{os.getpid()}.part")  # the user's umask, like `path`
    try:
        if fmt == "jsonl":
            with part.open("w", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps({n: row.get(n) for n in names}, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            with part.open("w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=names, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
        else:
            _write_parquet(rows, columns, part)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _write_parquet(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], path: Path
) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:
        raise MissingDependencyError("pyarrow", "parquet") from err
    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    schema = pa.schema(
        [pa.field(c.name, types[c.type], metadata={"doc": c.doc}) for c in columns],
        metadata={"ragtune.export.schema_version": str(SCHEMA_VERSION)},
    )
    table = pa.Table.from_pylist([{c.name: r.get(c.name) for c in columns} for r in rows], schema)
    pq.write_table(table, path)


def schema_markdown() -> str:
    """The fixed columns as a Markdown table (the docs page shows this; a test keeps it current)."""
    lines = ["| column | type | meaning |", "|---|---|---|"]
    lines += [f"| `{c.name}` | {c.type} | {c.doc} |" for c in COLUMNS]
    lines.append(f"| `{METRIC_PREFIX}<name>` | float | one column per metric of the task |")
    return "\n".join(lines)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number
