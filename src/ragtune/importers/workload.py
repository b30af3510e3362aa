"""Turn an `Imported` into a workload folder: `workload.yaml`, `test.jsonl`, `answers/<arm>.jsonl`.

Pairing: the test split is the items every arm answered and that have a gold, so every arm is
scored on the same items; an item left out is reported (`no_gold`, `missing_in_arm`), never
filled in. Writing is all or nothing: the folder is written next to its destination under a
temporary name, loaded back through `config.load_workload` (the check `ragtune run` makes), and
only then renamed into place; any failure removes it and leaves the destination as it was.
Built arms can be added to the written workload beside the imported ones.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ragtune.errors import RagtuneError, ValidationError
from ragtune.importers.records import Imported, ImportedAnswer, ImportedItem, Note

WORKLOAD, TEST, ANSWERS = "workload.yaml", "test.jsonl", "answers"


@dataclass(frozen=True)
class Plan:
    """What will be written: the kept items in order, the imported arms, every note."""

    imported: Imported
    task: str
    items: tuple[ImportedItem, ...]
    labels: tuple[str, ...] | None
    notes: tuple[Note, ...]


def plan(imported: Imported, task: str, labels: Sequence[str] | None = None) -> Plan:
    """Keep the items with a gold that every arm answered; note each one left out, and why.

    A classify task's labels are `labels`, else the distinct golds of the kept items."""
    notes = list(imported.notes)
    no_gold = tuple(i.id for i in imported.items if i.gold is None)
    if no_gold:
        notes.append(
            Note(
                "no_gold",
                "no expected answer (an assertion value or target), so they cannot be scored "
                "and are left out of the test split",
                items=no_gold,
            )
        )
    answered = {arm.name: arm.by_item() for arm in imported.arms}
    for arm in imported.arms:
        missing = tuple(i.id for i in imported.items if i.id not in answered[arm.name])
        if missing:
            notes.append(
                Note(
                    "missing_in_arm",
                    "did not answer these items; they are left out for every arm, so the arms "
                    "stay paired item by item",
                    arm.name,
                    missing,
                )
            )
    kept = tuple(
        i
        for i in imported.items
        if i.gold is not None and all(i.id in a for a in answered.values())
    )
    if not imported.arms:
        raise RagtuneError(f"{imported.source}: no answers found to import")
    if not kept:
        raise RagtuneError(
            f"{imported.source}: no item has both a gold answer and an answer from every arm, "
            "so nothing can be evaluated",
            hint="\n".join(n.render() for n in notes) or None,
        )
    if task != "extract":  # a number in an assertion is still a text answer to these tasks
        kept = tuple(replace(i, gold=str(i.gold)) for i in kept)
    found = tuple(labels) if labels else tuple(sorted({str(i.gold) for i in kept}))
    return Plan(imported, task, kept, found if task == "classify" else None, tuple(notes))


def write(
    p: Plan, out: Path, *, force: bool = False, prices: Sequence[Path] = (), name: str | None = None
) -> Path:
    """Write the workload folder `out` atomically and return its workload file.

    `out` must be empty or absent unless `force`, which replaces it (only once the new folder has
    loaded cleanly)."""
    from ragtune.config import load_workload

    out = out.resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise RagtuneError(
            f"{out} exists and is not empty; nothing was written",
            hint="choose another --out, or pass --force to replace it",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.import-", dir=out.parent))
    try:
        _write_files(p, staging, [str(Path(f).resolve()) for f in prices], name or out.name)
        try:  # what `ragtune run` checks, before anything is moved
            load_workload(staging / WORKLOAD)
        except ValidationError as err:
            raise ValidationError(f"the workload for {out}", err.problems) from None
        if out.exists():
            old = out.with_name(f".{out.name}.replaced")
            _remove(old)
            out.rename(old)
            try:
                staging.rename(out)
            except BaseException:
                old.rename(out)  # put the replaced folder back as it was
                raise
            _remove(old)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / WORKLOAD


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _write_files(p: Plan, root: Path, prices: list[str], name: str) -> None:
    keep = [i.id for i in p.items]
    write_jsonl(root / TEST, [{"id": i.id, "input": i.input, "target": i.gold} for i in p.items])
    (root / ANSWERS).mkdir()
    arms: dict[str, Any] = {}
    for arm in p.imported.arms:
        found = arm.by_item()
        rows = [answer_row(found[i], arm.model) for i in keep]
        write_jsonl(root / ANSWERS / f"{arm.name}.jsonl", rows)
        arms[arm.name] = {"answers": f"{ANSWERS}/{arm.name}.jsonl"}
    spec: dict[str, Any] = {"name": name, "task": p.task}
    if p.labels is not None:
        spec["labels"] = list(p.labels)
    spec["data"] = {"test": TEST}
    spec["arms"] = arms
    if prices:
        spec["pricing"] = {"prices": prices}
    (root / WORKLOAD).write_text(header(p) + yaml.safe_dump(spec, sort_keys=False))


def header(p: Plan) -> str:
    """The workload file's comment: where it came from, each arm's source, what was not mapped."""
    lines = [
        f"Imported from {p.imported.tool} ({p.imported.source}) by `ragtune import`.",
        f"{len(p.items)} test items; {len(p.imported.arms)} recorded-answer arms:",
    ]
    lines += [
        f"  {a.name}: {a.source}, priced as {a.model or 'nothing (unpriced)'}"
        for a in p.imported.arms
    ]
    if p.notes:
        lines.append("Not mapped as given:")
        lines += [f"  {n.render()}" for n in p.notes]
    lines.append("Add built arms (prompt, rag, ...) under `arms:` to compare them with these.")
    return "".join(f"# {line}\n" for line in lines)


def answer_row(a: ImportedAnswer, model: str | None) -> dict[str, Any]:
    """One line of an answers file, in the recorded arm's columns (absent values left out)."""
    row: Mapping[str, Any] = {
        "id": a.item_id,
        "answer": a.answer,
        "input_tokens": a.input_tokens,
        "output_tokens": a.output_tokens,
        "cache_read_tokens": a.cache_read_tokens,
        "cache_write_tokens": a.cache_write_tokens,
        "latency_s": a.latency_s,
        "model": model,
        "error": a.error,
        "cost_usd": a.cost_usd,  # the file's own figure; ragtune prices the tokens itself
    }
    return {k: v for k, v in row.items() if v is not None}


def write_jsonl(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
