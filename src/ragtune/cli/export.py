"""`ragtune runs export`: one row per item x arm x repeat, for pandas, a notebook or a warehouse."""

from __future__ import annotations

from pathlib import Path

import click

from ragtune.cli.run import _store_option, open_store, runs, stored_evidence
from ragtune.evidence import (
    EXPORT_FORMATS,
    EXPORT_SCHEMA_VERSION,
    ExportFormat,
    columns_of,
    export_rows,
    write_export,
)


@runs.command("export")
@click.argument("run_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="File format; parquet needs `pip install 'ragtune[parquet]'`.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="File to write (default: <run id>.<format> here).",
)
@_store_option
def runs_export(run_id: str, fmt: ExportFormat, out: str | None, store_path: str) -> None:
    """Export a run's per-item evidence: one row per item x arm x repeat.

    Columns: ids, input, gold, answer, error, every metric, judge and human scores, tokens by
    kind, latency, machine seconds and dollars at the run's pricing (docs/import-export.md).

    \b
    Example:
      ragtune runs export 3f2a --format parquet
      ragtune runs export 3f2a --format csv --out run.csv
    """
    store = open_store(store_path)
    evidence = stored_evidence(store, run_id)
    rows = list(export_rows(evidence))
    path = Path(out or f"{evidence.run.id}.{fmt}")
    write_export(rows, columns_of(evidence), path, fmt)
    skipped = [a for a in evidence.arms if not a.done]
    arms = len(evidence.done())
    click.echo(
        f"wrote {path}: {len(rows)} rows ({arms} arms x items x {evidence.repeats} repeat(s)), "
        f"schema version {EXPORT_SCHEMA_VERSION}",
        err=True,
    )
    for a in skipped:
        click.echo(f"  {a.arm}: not exported ({a.status}: {a.reason or 'no answers'})", err=True)
    click.echo(str(path))
