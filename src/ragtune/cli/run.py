"""`ragtune run` (the evidence run) and `ragtune runs list|show|compare` (reading the store)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from ragtune.cli.main import cli
from ragtune.cli.output import console
from ragtune.config import load_workload
from ragtune.cost.analysis import jsonable
from ragtune.cost.catalog import load_catalog
from ragtune.evaluation.summary import RunSummary, pricing_for, summarise
from ragtune.store.runstore import RunStore

DEFAULT_STORE = Path(".ragtune") / "ragtune.db"

_store_option = click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    default=lambda: os.environ.get("RAGTUNE_STORE", str(DEFAULT_STORE)),
    show_default=True,
    help="The run store (SQLite); also $RAGTUNE_STORE.",
)


def open_store(path: str) -> RunStore:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return RunStore.open(path)


@cli.command("run")
@click.argument("workload_file", type=click.Path(dir_okay=False))
@click.option("--arms", help="Comma-separated arms to run (default: all in the workload).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N test items.")
@click.option("--repeats", type=click.IntRange(min=1), help="Repeat each arm R times.")
@click.option("--resume", "resume", help="Continue the run with this id (finished items are kept).")
@click.option("--no-cache", is_flag=True, help="Bypass the response cache.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_store_option
def run_command(
    workload_file: str,
    arms: str | None,
    limit: int | None,
    repeats: int | None,
    resume: str | None,
    no_cache: bool,
    as_json: bool,
    store_path: str,
) -> None:
    """Build every arm of a workload, evaluate them on the test split, price them.

    \b
    Example:
      ragtune run workload.yaml --arms prompt,fewshot,rag --limit 20
      ragtune run workload.yaml --resume 3f2a        # after an interruption
    """
    from ragtune.evaluation.runner import RunOptions, run_workload

    workload = load_workload(workload_file)
    store = open_store(store_path)
    options = RunOptions(
        arms=tuple(a.strip() for a in arms.split(",")) if arms else None,
        limit=limit,
        repeats=repeats,
        resume=resume,
        use_cache=not no_cache,
        work_root=Path(store_path).parent / "runs",
    )
    run_id = run_workload(workload, store, options, source=workload_file)
    spec = workload.spec.pricing
    catalog = load_catalog(*(workload.path(p) for p in spec.prices))
    summary = summarise(store, run_id, pricing_for(catalog, spec.self_hosted, spec.project_to))
    show_summary(summary, as_json)


@cli.group()
def runs() -> None:
    """Runs in the store: list them, show one, compare two.

    \b
    Example:
      ragtune runs list
      ragtune runs show 3f2a
    """


@runs.command("list")
@click.option("--json", "as_json", is_flag=True)
@_store_option
def runs_list(as_json: bool, store_path: str) -> None:
    """List runs, newest first."""
    store = open_store(store_path)
    found = store.list_runs()
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(r) for r in found], indent=2, default=str))
        return
    table = Table(
        "run", "created", "workload", "status", "predictions", box=None, header_style="bold"
    )
    for r in found:
        count = sum(store.prediction_counts(r.id).values())
        table.add_row(r.id, r.created[:19], str(r.workload), r.status, str(count))
    console().print(table)


@runs.command("show")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True)
@_store_option
def runs_show(run_id: str, as_json: bool, store_path: str) -> None:
    """Re-score and re-price one run from the store (no model is called)."""
    store = open_store(store_path)
    run = store.get_run(run_id)
    pricing = run.config.get("pricing", {})
    catalog = load_catalog()
    summary = summarise(
        store,
        run.id,
        pricing_for(catalog, pricing.get("self_hosted", "hetzner-cx42"), pricing.get("project_to")),
    )
    show_summary(summary, as_json)


def show_summary(summary: RunSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(jsonable(dataclasses.asdict(summary)), indent=2, default=str))
        return
    out = console()
    out.print(f"[bold]run {summary.run_id}[/bold] ({summary.task})")
    table = Table(
        "arm",
        "quality (95% CI)",
        "n",
        "valid",
        "p50 / p95 s",
        "tokens in/cw/cr/out",
        "$/1k measured",
        "$/1k projected",
        box=None,
        header_style="bold",
    )
    for a in summary.arms:
        if a.status != "done":
            table.add_row(a.arm, f"[dim]{a.status}: {a.reason or ''}[/dim]", "", "", "", "", "", "")
            continue
        q = a.quality
        quality = f"{a.metric} {q.estimate:.2f} [{q.low:.2f}, {q.high:.2f}]" if q else "-"
        t = a.tokens
        table.add_row(
            a.arm,
            quality,
            str(a.n),
            _pct(a.validity),
            f"{_num(a.latency_p50)} / {_num(a.latency_p95)}",
            f"{t['input']:.0f}/{t['cache_write']:.0f}/{t['cache_read']:.0f}/{t['output']:.0f}",
            _usd(a.cost_per_1k),
            _usd(a.projected_per_1k),
        )
    out.print(table)
    significant = [c for c in summary.comparisons if c.significant()]
    if summary.comparisons:
        out.print(
            f"{len(significant)} of {len(summary.comparisons)} pairwise differences "
            "significant after Holm correction (alpha 0.05)"
        )
    for c in significant:
        out.print(
            f"  {c.arm_a} vs {c.arm_b}: {c.effect:+.2f} [{c.ci_low:+.2f}, "
            f"{c.ci_high:+.2f}], p_holm {c.p_holm:.3g} ({c.test}, n={c.n})"
        )
    if summary.freshness:
        out.print("[bold]Knowledge freshness[/bold] (changed facts; tuned model not retrained)")
    for f in summary.freshness:
        before = f"{f.before.estimate:.2f}" if f.before else "-"
        after = (
            f"{f.after.estimate:.2f} [{f.after.low:.2f}, {f.after.high:.2f}]" if f.after else "-"
        )
        out.print(f"  {f.arm} after {f.version}: {before} -> {after} (n={f.n})")
    for job in summary.training:
        cost = f", ${job.cost:.4f} of machine time to retrain" if job.cost is not None else ""
        out.print(
            f"fine-tune ({job.method}): {job.examples} examples, {job.tokens} tokens, "
            f"{_num(job.seconds)} s{cost}"
        )
    for note in summary.pricing_notes:
        out.print(f"[dim]{note}[/dim]")


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"


def _usd(value: Any) -> str:
    return "-" if value is None else f"${value:.4f}" if value < 1 else f"${value:,.2f}"
