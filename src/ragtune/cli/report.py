"""`ragtune report RUN_ID`: re-price and re-render a run's report from the store (no model runs).

HTML goes to a file (default `<store folder>/reports/<run id>.html`, path printed on stdout);
Markdown and JSON go to stdout unless `--out` is given; a Markdown file gets its charts as SVG
files in `<name>-charts/` beside it (stdout gets the tables only).
"""

from __future__ import annotations

from pathlib import Path

import click

from ragtune.cli.main import cli
from ragtune.cli.run import _store_option
from ragtune.errors import RagtuneError
from ragtune.report import FORMATS, SUFFIXES, render, write_markdown
from ragtune.store import RunStore

MAX_VOLUME = 1e12  # requests/month; far beyond any real workload, keeps the axes finite


def report_path(store_path: str | Path, run_id: str, fmt: str = "html") -> Path:
    """Where `ragtune report` writes a file by default."""
    return Path(store_path).parent / "reports" / f"{run_id}{SUFFIXES[fmt]}"


@cli.command("report")
@click.argument("run_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="html",
    show_default=True,
    help="html: one offline file with charts; md: Markdown tables; json: the report document.",
)
@click.option(
    "--volume",
    type=click.FloatRange(min=0, min_open=True, max=MAX_VOLUME),
    help="Requests per month to price at (default: the workload's).",
)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write to this file.")
@_store_option
def report_command(
    run_id: str, fmt: str, volume: float | None, out_path: str | None, store_path: str
) -> None:
    """Re-price a run and render its report, without running any model.

    \b
    Example:
      ragtune report 20261122-021500-a3f9                 # HTML next to the store, path printed
      ragtune report 20261122 --format md --volume 1e6    # Markdown on stdout, at 1M requests
      ragtune report 20261122 --format json --out report.json
      ragtune report 20261122 --format md --out r.md      # charts as SVG in r-charts/
    """
    from ragtune.advisor import build_document

    if not Path(store_path).is_file():
        raise RagtuneError(
            f"no run store at {store_path}",
            hint="give --store (or $RAGTUNE_STORE), or make a run first with `ragtune run`",
        )
    with RunStore.open(store_path) as store:
        run = store.get_run(run_id)  # a clear error for an unknown or ambiguous id
        doc = build_document(store, run.id, volume=volume)
    text = render(doc, fmt)
    if out_path is None and fmt != "html":
        click.echo(text, nl=False)
        return
    path = Path(out_path) if out_path else report_path(store_path, run.id, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":  # a file can link its charts: SVG files in <name>-charts/ beside it
        write_markdown(doc, path)
    else:
        path.write_text(text, encoding="utf-8")
    click.echo(str(path))
