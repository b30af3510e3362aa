"""`ragtune import promptfoo|inspect|answers`: other tools' results as recorded-answer arms."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from ragtune.cli.main import cli
from ragtune.cli.output import console
from ragtune.config import TASKS
from ragtune.cost import Catalog, load_catalog
from ragtune.importers import (
    Imported,
    Plan,
    parse_columns,
    parse_models,
    plan,
    read_answers,
    read_inspect,
    read_promptfoo,
    write,
)
from ragtune.strategies import arm_names


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--out",
            "out",
            type=click.Path(file_okay=False),
            required=True,
            help="Folder to write: workload.yaml, test.jsonl, answers/<arm>.jsonl.",
        ),
        click.option(
            "--task",
            type=click.Choice(TASKS),
            default="qa",
            show_default=True,
            help="How answers are scored against the gold (qa: the answer contains it).",
        ),
        click.option(
            "--model",
            "models",
            multiple=True,
            metavar="SOURCE=MODEL",
            help="Price a provider / model / arm as this catalog model (repeatable).",
        ),
        click.option(
            "--prices",
            multiple=True,
            type=click.Path(dir_okay=False, exists=True),
            help="Extra price file(s) for models the bundled catalog lacks.",
        ),
        click.option(
            "--labels",
            help="classify: the labels, comma-separated (default: the distinct gold answers).",
        ),
        click.option("--force", is_flag=True, help="Replace --out if it is not empty."),
        click.option("--json", "as_json", is_flag=True, help="Print the result as JSON."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cli.group("import")
def import_group() -> None:
    """Import another tool's results as recorded-answer arms of a new workload.

    \b
    Example:
      ragtune import promptfoo results.json --out imported
      ragtune run imported/workload.yaml
    """


@import_group.command("promptfoo")
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("--input-var", help="The test variable that is the input (default: the only one).")
@click.option("--gold-var", help="The test variable that holds the expected answer.")
@_common
def import_promptfoo(
    results: str, input_var: str | None, gold_var: str | None, **common: Any
) -> None:
    """promptfoo's JSON results: one arm per prompt x provider.

    \b
    Example:
      promptfoo eval --output results.json
      ragtune import promptfoo results.json --out imported
      ragtune import promptfoo results.json --out imported --model openai:chat:proxy=gpt-4o
    """
    catalog = _catalog(common["prices"])
    imported = read_promptfoo(
        Path(results),
        catalog,
        models=parse_models(common["models"]),
        input_var=input_var,
        gold_var=gold_var,
        reserved=tuple(arm_names()),
    )
    _finish(imported, **common)


@import_group.command("inspect")
@click.argument("logs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_common
def import_inspect(logs: tuple[str, ...], **common: Any) -> None:
    """Inspect AI eval logs: one arm per log (needs `pip install 'ragtune[inspect]'`).

    \b
    Example:
      ragtune import inspect logs/*.eval --out imported
    """
    catalog = _catalog(common["prices"])
    imported = read_inspect(
        [Path(p) for p in logs],
        catalog,
        models=parse_models(common["models"]),
        reserved=tuple(arm_names()),
    )
    _finish(imported, **common)


@import_group.command("answers")
@click.argument("files", nargs=-1, required=True, metavar="ARM=FILE...")
@click.option(
    "--data",
    type=click.Path(dir_okay=False),
    help="The items (id, input, target); else `input`/`target` columns of the answers files.",
)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=THEIRS",
    help="Read ragtune's COLUMN (id, answer, input, target, ...) from another name.",
)
@_common
def import_answers(
    files: tuple[str, ...], data: str | None, mapping: tuple[str, ...], **common: Any
) -> None:
    """Plain JSONL/CSV answers, one file per arm, with `id` and `answer` per row.

    \b
    Example:
      ragtune import answers prod=prod.csv candidate=new.jsonl --data test.jsonl --out imported
      ragtune import answers prod=prod.csv --map answer=output --map id=qid --out imported
    """
    arms: dict[str, Path] = {}
    reserved = set(arm_names())
    for pair in files:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise click.UsageError(f"{pair!r} is not ARM=FILE (e.g. prod=prod.csv)")
        if name in reserved or name in arms:
            raise click.UsageError(f"arm name {name!r} is taken; choose another")
        arms[name] = Path(path)
    imported = read_answers(
        arms,
        _catalog(common["prices"]),
        columns=parse_columns(mapping),
        data=Path(data) if data else None,
        models=parse_models(common["models"]),
    )
    _finish(imported, **common)


def _catalog(prices: tuple[str, ...]) -> Catalog:
    return load_catalog(*prices)


def _finish(
    imported: Imported,
    *,
    out: str,
    task: str,
    models: tuple[str, ...],
    prices: tuple[str, ...],
    labels: str | None,
    force: bool,
    as_json: bool,
) -> None:
    p = plan(imported, task, [x.strip() for x in labels.split(",")] if labels else None)
    path = write(p, Path(out), force=force, prices=[Path(f) for f in prices])
    if as_json:
        click.echo(json.dumps(_jsonable(p, path), indent=2))
        return
    out_ = console()
    out_.print(
        f"wrote [bold]{path}[/bold]: {len(p.items)} test items, {len(imported.arms)} arms "
        f"from {imported.tool}"
    )
    table = Table("arm", "source", "priced as", "answers", "errors", box=None, header_style="bold")
    kept = {i.id for i in p.items}
    for arm in imported.arms:
        mine = [a for a in arm.answers if a.item_id in kept]
        table.add_row(
            arm.name,
            arm.source,
            arm.model or "[yellow]unpriced[/yellow]",
            str(len(mine)),
            str(sum(a.error is not None for a in mine)),
        )
    out_.print(table)
    if p.notes:
        out_.print("[bold]not mapped as given[/bold]:")
        for note in p.notes:
            out_.print(f"  {note.render()}", highlight=False)
    out_.print(f"next: ragtune run {path}", highlight=False)


def _jsonable(p: Plan, path: Path) -> dict[str, Any]:
    return {
        "workload": str(path),
        "tool": p.imported.tool,
        "task": p.task,
        "items": len(p.items),
        "arms": [{"name": a.name, "source": a.source, "model": a.model} for a in p.imported.arms],
        "notes": [
            {"kind": n.kind, "arm": n.arm, "message": n.message, "items": list(n.items)}
            for n in p.notes
        ],
    }
