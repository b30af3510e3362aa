"""`ragtune run --batch` and `--dry-run`: the workload switched to batch APIs, the dry run's
table, and the batches a run submitted (ids, counts, turnaround, what ran interactively)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from ragtune.cli.output import console
from ragtune.config import Workload, batch_problems, with_batch
from ragtune.data import Limit
from ragtune.errors import ValidationError
from ragtune.store import RunStore


def batched(workload: Workload) -> Workload:
    """The workload with `--batch`: every batchable backend and the judge; exit 2 when there
    is nothing to batch or a named backend has no batch API."""
    spec = with_batch(workload.spec)
    problems = batch_problems(spec, flag=True)
    if problems:
        raise ValidationError("--batch", problems)
    return dataclasses.replace(workload, spec=spec)


def _usd(value: float | None) -> str:
    return "-" if value is None else f"${value:,.6f}"


def _int(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def show_plan(
    workload: Workload,
    arms: str | None,
    limit: Limit | None,
    repeats: int | None,
    work_dir: Path,
    as_json: bool,
    flag: bool = False,
) -> None:
    """Print what the run would send, batched and interactive (`running/batch_plan.py`)."""
    from ragtune.running import PlanTotals, RunOptions, plan_run, requested_arms

    names = requested_arms(
        workload, RunOptions(arms=tuple(a.strip() for a in arms.split(",")) if arms else None)
    )
    rows = plan_run(workload, names, limit=limit, repeats=repeats, work_dir=work_dir, flag=flag)
    totals = PlanTotals.of(rows)
    if as_json:
        out = {
            "rows": [dataclasses.asdict(r) for r in rows],
            "interactive_usd": totals.interactive_usd,
            "batch_usd": totals.batch_usd,
            "this_run_usd": totals.run_usd,
        }
        click.echo(json.dumps(out, indent=2))
        return
    table = Table(title="dry run: nothing was sent")
    for column in ("arm", "backend", "requests", "input tokens (est.)", "output tokens (max)",
                   "interactive", "batch", "this run"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("arm", "backend") else "right")
    for r in rows:
        table.add_row(
            r.stage, r.backend, _int(r.requests), _int(r.input_tokens), _int(r.output_tokens),
            _usd(r.interactive_usd), _usd(r.batch_usd),
            "batch" if r.batched else "interactive",
        )  # fmt: skip
    table.add_row(
        "total", "", "", "", "", _usd(totals.interactive_usd), _usd(totals.batch_usd),
        _usd(totals.run_usd),
    )  # fmt: skip
    console().print(table)
    for r in rows:
        if r.note:
            click.echo(f"{r.stage}: {r.note}")


def show_batches(store: RunStore, run_id: str) -> None:
    """The run's batches, one line each, and how many requests of each arm ran interactively."""
    batches = store.batches(run_id)
    if not batches:
        return
    click.echo("batches (latency below is request latency; batch turnaround is shown here):")
    for b in batches:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(b.counts.items()) if v)
        turnaround = "" if b.turnaround_s is None else f", turnaround {b.turnaround_s:,.1f} s"
        again = " (follow-up of failed requests)" if b.round else ""
        click.echo(
            f"  {b.stage.split('#')[0]}: {b.provider} batch {b.batch_id}{again}, "
            f"{len(b.requests)} requests: {b.status}, {counts or 'no counts yet'}{turnaround}"
        )
    for arm in store.list_arms(run_id):
        info = _batch_info(arm.params)
        if info and info.get("interactive"):
            click.echo(f"  {arm.name}: {info['interactive']} requests ran interactively")


def _batch_info(params: Any) -> dict[str, Any] | None:
    info = (params or {}).get("info") or {}
    batch = info.get("batch") if isinstance(info, dict) else None
    return batch if isinstance(batch, dict) else None
