"""`ragtune run` (the evidence run) and `ragtune runs list|show|compare` (reading the store)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from ragtune.cli.batch import batched, show_batches, show_plan
from ragtune.cli.main import cli
from ragtune.cli.output import console
from ragtune.cli.workload import warn_shutdowns
from ragtune.config import load_workload
from ragtune.cost import jsonable
from ragtune.data import Limit, parse_limit
from ragtune.errors import RagtuneError
from ragtune.evidence import Evidence, RunSummary, evaluate, load_run, run_pricing, summary_of
from ragtune.running import SHARD_TIMEOUT_S
from ragtune.store import RunStore

DEFAULT_STORE = Path(".ragtune") / "ragtune.db"

_store_option = click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    default=lambda: os.environ.get("RAGTUNE_STORE", str(DEFAULT_STORE)),
    show_default=True,
    help="The run store (SQLite); also $RAGTUNE_STORE.",
)


def _limit(value: str | None) -> Limit | None:
    if value is None:
        return None
    try:
        return parse_limit(value)
    except ValueError as err:
        raise RagtuneError(
            f"--limit: {err}", hint="e.g. --limit 200 or --limit first:200"
        ) from None


def open_store(path: str) -> RunStore:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return RunStore.open(path)


@cli.command("run")
@click.argument("workload_file", type=click.Path(dir_okay=False))
@click.option("--arms", help="Comma-separated arms to run (default: all in the workload).")
@click.option(
    "--limit",
    callback=lambda ctx, param, value: _limit(value),
    help="Evaluate N test items: a seeded sample, stratified by label (classify) or document "
    "(qa); first:N takes the first N in file order.",
)
@click.option("--repeats", type=click.IntRange(min=1), help="Repeat each arm R times.")
@click.option("--resume", "resume", help="Continue the run with this id (finished items are kept).")
@click.option("--no-cache", is_flag=True, help="Bypass the response cache.")
@click.option(
    "--executor",
    type=click.Choice(["inprocess", "ray"]),
    help="Who answers the items: this process, or Ray workers (default: the workload's "
    "`executor:`, else inprocess). Ray needs `pip install 'ragtune[ray]'`.",
)
@click.option(
    "--ray-address",
    help="Join this Ray cluster (e.g. auto, or the head's host:6379); also $RAY_ADDRESS. "
    "Without one, Ray starts locally.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Ray worker actors (default: one per CPU of the cluster).",
)
@click.option(
    "--api-concurrency",
    type=click.IntRange(min=1),
    help="Ray: API requests in flight across all workers together (default 8, one process's).",
)
@click.option(
    "--shard-timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Ray: seconds a shard of 16 items may take before its worker counts as stalled and "
    f"the shard is retried (default {SHARD_TIMEOUT_S:g}).",
)
@click.option(
    "--until-decided",
    is_flag=True,
    help="Evaluate in rounds of the workload's `sampling.batch` items and stop as soon as every "
    "comparison with the best arm is decided (anytime-valid intervals), or a `sampling:` "
    "budget is reached. Arms shown worse stop being answered.",
)
@click.option(
    "--batch",
    is_flag=True,
    help="Send every openai: / anthropic: backend's requests, and the judge's, through the "
    "provider's batch API: half the list price, results within 24 hours; resumable by batch id.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the requests, tokens and dollars the run would cost, batched and interactive; "
    "send nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_store_option
def run_command(
    workload_file: str,
    arms: str | None,
    limit: Limit | None,
    repeats: int | None,
    resume: str | None,
    no_cache: bool,
    executor: str | None,
    ray_address: str | None,
    workers: int | None,
    api_concurrency: int | None,
    shard_timeout: float | None,
    until_decided: bool,
    batch: bool,
    dry_run: bool,
    as_json: bool,
    store_path: str,
) -> None:
    """Build every arm of a workload, evaluate them on the test split, price them.

    \b
    Example:
      ragtune run workload.yaml --arms prompt,fewshot,rag --limit 20
      ragtune run workload.yaml --limit first:20   # the first 20 items in file order
      ragtune run workload.yaml --resume 3f2a        # after an interruption
      ragtune run workload.yaml --executor ray --workers 2
      ragtune run workload.yaml --until-decided     # rounds until the verdict is settled
      ragtune run workload.yaml --batch --dry-run   # batch vs interactive dollars, nothing sent
      ragtune run workload.yaml --batch             # through the providers' batch APIs
    """
    from ragtune.running import ExecutorOptions, RunOptions, run_workload

    workload = load_workload(workload_file)
    warn_shutdowns(workload)
    if batch:
        workload = batched(workload)
    if dry_run:
        show_plan(
            workload, arms, limit, repeats, Path(store_path).parent / "runs", as_json, flag=batch
        )
        return
    store = open_store(store_path)
    options = RunOptions(
        arms=tuple(a.strip() for a in arms.split(",")) if arms else None,
        limit=limit,
        repeats=repeats,
        resume=resume,
        use_cache=not no_cache,
        work_root=Path(store_path).parent / "runs",
        executor=executor,
        batch=batch,
        executor_options=ExecutorOptions(
            address=ray_address,
            workers=workers,
            api_concurrency=api_concurrency,
            shard_timeout_s=shard_timeout,
        ),
    )
    if until_decided:
        if batch or _batching(workload):
            raise RagtuneError(
                "--until-decided and batch APIs do not mix: each round depends on the last",
                hint="drop --batch (or backends.api.batch / backends.judge.batch) for this run",
            )
        if limit is not None:
            raise RagtuneError(
                f"--limit {limit} and --until-decided both choose the test items",
                hint="drop --limit; cap a sequential run with `sampling.max_items` instead",
            )
        run_id = run_sequential(workload, store, options, workload_file, quiet=as_json)
    else:
        run_id = run_workload(workload, store, options, source=workload_file)
    sample = store.get_run(run_id).config.get("run", {}).get("sample") or {}
    if sample.get("text"):
        click.echo(f"evaluated {sample['text']}", err=True)
    show_summary(stored_summary(store, run_id), as_json)
    if not as_json:
        show_batches(store, run_id)
        show_sequential(store, run_id)
        show_verdict(store, run_id)


def _batching(workload: Any) -> bool:
    judge = workload.spec.backends.judge_spec
    return bool(workload.spec.backends.api.batch) or bool(judge and judge.batch)


def run_sequential(
    workload: Any, store: RunStore, options: Any, source: str, *, quiet: bool
) -> str:
    """`run --until-decided`: rounds, one progress line per round on stderr."""
    from ragtune.evidence import SequentialAssessor, sequential_progress
    from ragtune.running import Assessment, run_until_decided

    assess = SequentialAssessor(store)  # each round scores and prices only its new answers

    def on_round(a: Assessment) -> None:
        if not quiet and a.items:
            click.echo(sequential_progress(a), err=True)

    return run_until_decided(workload, store, options, assess, on_round=on_round, source=source)


def show_sequential(store: RunStore, run_id: str) -> None:
    """What a `--until-decided` run did: items per arm, rounds, why it stopped, money."""
    from ragtune.evidence import MAX_ERROR_SHARE, assess_sequential

    run = load_run(store, run_id)
    a = assess_sequential(run, run_pricing(run))
    if a is None:
        return
    out = console()
    used = ", ".join(f"{arm} {n:,}" for arm, n in a.items_by_arm.items())
    out.print(f"[bold]until decided[/bold]: {a.items:,} items in {a.rounds} rounds; {a.stop_text}")
    out.print(f"  items answered per arm: {used}")
    if a.ineligible:
        out.print(
            f"  stopped answering (failed on more than {MAX_ERROR_SHARE:.0%}, not eligible): "
            + ", ".join(a.ineligible)
        )
    for c in a.comparisons:
        out.print(
            f"  {c.arm} - {c.best}: {c.effect:+.3f}, anytime-valid {c.confidence:.1%} interval "
            f"[{c.ci_low:+.3f}, {c.ci_high:+.3f}] -> {c.status}"
            + (f" (decided at {c.decided_at:,} items)" if c.decided_at else "")
        )
    if a.spent_usd is not None:
        label = "" if a.labelling_priced else " (labelling not priced: set costs.usd_per_example)"
        plan = (
            "a fixed-n plan at 80% power has no size at a difference of exactly -margin"
            if a.fixed_items is None
            else f"a fixed-n plan at 80% power at the observed differences: {a.fixed_items:,} "
            f"items per arm, ${a.fixed_usd or 0:,.2f}"
        )
        out.print(f"  spent ${a.spent_usd:,.2f} on answering and labelling{label}; {plan}")


def show_verdict(store: RunStore, run_id: str) -> None:
    """The verdict's headline, and when it is not decided yet what would settle it."""
    from ragtune.advisor import build_document

    verdict = build_document(store, run_id).verdict
    out = console()
    out.print(f"[bold]verdict[/bold]: {verdict.headline}")
    if verdict.undetermined:
        out.print(
            f"  undetermined against the best (CI contains -{verdict.margin:g}): "
            + ", ".join(verdict.undetermined)
        )
    out.print(f"[dim]full report: ragtune report {run_id}[/dim]")


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
    show_summary(stored_summary(store, run_id), as_json)


def stored_evidence(store: RunStore, run_id: str) -> Evidence:
    """A run read back and evaluated at the pricing it recorded (its price files, machine,
    projection model and volume): the same path `ragtune report` takes."""
    run = load_run(store, run_id)
    return evaluate(run, run_pricing(run))


def stored_summary(store: RunStore, run_id: str) -> RunSummary:
    """A run re-scored and re-priced from the store, at the pricing its workload asked for."""
    return summary_of(stored_evidence(store, run_id))


@runs.command("compare")
@click.argument("run_a")
@click.argument("run_b")
@click.option("--json", "as_json", is_flag=True)
@_store_option
def runs_compare(run_a: str, run_b: str, as_json: bool, store_path: str) -> None:
    """Compare two runs arm by arm: quality (A minus B, paired on shared items), cost, latency.

    \b
    Example:
      ragtune runs compare 3f2a 9c1d          # e.g. before and after a prompt change
      ragtune runs compare 3f2a 9c1d --json
    """
    from ragtune.evidence import compare_runs

    store = open_store(store_path)
    comparison = compare_runs(stored_evidence(store, run_a), stored_evidence(store, run_b))
    if as_json:
        click.echo(json.dumps(jsonable(dataclasses.asdict(comparison)), indent=2, default=str))
        return
    out = console()
    out.print(
        f"[bold]run A {comparison.run_a}[/bold] vs [bold]run B {comparison.run_b}[/bold] "
        f"({comparison.task})"
    )
    table = Table(
        "arm", "quality A", "quality B", "A - B (95% CI)", "p", "test", "$/1k A / B",
        "p50 s A / B", box=None, header_style="bold",
    )  # fmt: skip
    for d in comparison.arms:
        diff = "-" if d.effect is None else f"{d.effect:+.2f} [{d.ci_low:+.2f}, {d.ci_high:+.2f}]"
        test = f"{d.test}, n={d.n}" + ("" if d.paired else " (unpaired: no shared items)")
        table.add_row(
            d.arm,
            _interval(d.metric, d.quality_a),
            _interval(d.metric, d.quality_b),
            diff,
            "-" if d.p_value is None else f"{d.p_value:.3g}",
            test,
            f"{_usd(d.cost_per_1k_a)} / {_usd(d.cost_per_1k_b)}",
            f"{_num(d.latency_p50_a)} / {_num(d.latency_p50_b)}",
        )
    out.print(table)
    for name, only in (("A", comparison.only_a), ("B", comparison.only_b)):
        if only:
            out.print(f"[dim]only in run {name}: {', '.join(only)}[/dim]")


def _interval(metric: str, q: Any) -> str:
    return "-" if q is None else f"{metric} {q.estimate:.2f} [{q.low:.2f}, {q.high:.2f}]"


def show_summary(summary: RunSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(jsonable(dataclasses.asdict(summary)), indent=2, default=str))
        return
    out = console()
    out.print(f"[bold]run {summary.run_id}[/bold] ({summary.task})")
    judged = any(a.judge_quality is not None for a in summary.arms)
    repeated = summary.repeats > 1
    columns = ["arm", "quality (95% CI)"]
    columns += ["judge (95% CI)"] if judged else []
    columns += [f"over {summary.repeats} repeats"] if repeated else []
    columns += ["n", "errors", "valid", "request p50 / p95 s", "tokens in/cw/cr/out"]
    columns += [f"$/1k at {summary.volume:,.0f} requests/month"]
    columns += ["$/1k projected", "projected in/cw/cr"]
    table = Table(*columns, box=None, header_style="bold")
    for a in summary.arms:
        if a.status != "done":
            blank = [""] * (len(columns) - 2)
            table.add_row(a.arm, f"[dim]{a.status}: {a.reason or ''}[/dim]", *blank)
            continue
        t, pt = a.tokens, a.projected_tokens
        cells = [a.arm, _interval(a.metric, a.quality)]
        cells += [_interval(a.judge_metric, a.judge_quality)] if judged else []
        cells += [_spread(a.spread)] if repeated else []
        cells += [
            str(a.n),
            _errors(a.errors, a.n),
            _pct(a.validity),
            f"{_num(a.latency_p50)} / {_num(a.latency_p95)}",
            f"{t['input']:.0f}/{t['cache_write']:.0f}/{t['cache_read']:.0f}/{t['output']:.0f}",
            _usd(a.cost_per_1k),
            _usd(a.projected_per_1k),
            f"{pt['input']:.0f}/{pt['cache_write']:.0f}/{pt['cache_read']:.0f}" if pt else "-",
        ]
        table.add_row(*cells)
    out.print(table)
    if summary.judge is not None:
        j = summary.judge
        tk = j.tokens
        out.print(
            f"judge {j.backend} ({j.rubric}): {j.judgements} judgements, {j.calls} calls, tokens "
            f"in/cw/cr/out {tk['input']}/{tk['cache_write']}/{tk['cache_read']}/{tk['output']}, "
            f"{'-' if j.cost is None else f'${j.cost:.6f}'} ({j.priced}; not in any arm's $/1k)"
        )
    for c in [c for c in summary.judge_comparisons if c.significant()]:
        out.print(
            f"  judge: {c.arm_a} vs {c.arm_b}: {c.effect:+.2f} [{c.ci_low:+.2f}, "
            f"{c.ci_high:+.2f}], p_holm {c.p_holm:.3g} ({c.test}, n={c.n})"
        )
    for pj in summary.judge_pairwise:
        ps = pj.summary
        out.print(
            f"judge pairwise {pj.arm_a} vs {pj.arm_b}: {ps.wins_a} wins / {ps.wins_b} losses / "
            f"{ps.ties} ties, win rate {_num(ps.win_rate_a)}, position-swap consistency "
            f"{_pct(ps.consistency)} (n={ps.n})"
        )
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
        basis = job.basis or "machine time"
        cost = f", ${job.cost:.4f} to retrain ({basis})" if job.cost is not None else ""
        out.print(
            f"fine-tune ({job.method}): {job.examples} examples seen, {job.tokens} tokens, "
            f"{_num(job.seconds)} s{cost}"
        )
    for a in summary.error_arms:
        out.print(
            f"[yellow]{a.arm}: {a.errors} of {a.n} test queries failed ({a.error_share:.0%}); "
            "they score as wrong and count in latency and cost"
            + ("" if a.eligible else "; too many to be recommended")
            + "[/yellow]"
        )
    for note in summary.pricing_notes:
        out.print(f"[dim]{note}[/dim]")
    for note in summary.machine_notes:
        out.print(f"[yellow]{note}[/yellow]")


def _errors(errors: int, n: int) -> str:
    return "0" if not errors else f"{errors} ({errors / n:.0%})"


def _spread(spread: Any) -> str:
    if spread is None:
        return "-"
    return f"{spread.mean:.2f} ± {spread.sd:.2f} [{spread.min:.2f}, {spread.max:.2f}]"


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"


def _usd(value: Any) -> str:
    return "-" if value is None else f"${value:.4f}" if value < 1 else f"${value:,.2f}"
