"""`ragtune demo`: the whole pipeline on the bundled sample, with local models only.

Three workloads over the sample data (`ragtune/examples/demo/`): questions over a fictional
company's docs with a knowledge update (all eight arms), intent classification and JSON
extraction (prompting vs a LoRA fine-tune). Each is indexed, tuned, run, scored, priced and
judged; the reports land in the output folder and a verdict table is printed. `--quick` runs the
question workload alone, with four arms, fewer queries and a shorter fine-tune.

Everything is an ordinary run in an ordinary store, so `ragtune runs list`, `ragtune report` and
`ragtune serve` work on the demo's results afterwards.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from ragtune.cli.main import cli
from ragtune.cli.output import console
from ragtune.report import ArmDoc, VerdictDoc


@dataclass(frozen=True)
class Part:
    """One demo workload and how much of it to run."""

    workload: str  # file in ragtune/examples/demo
    limit: int  # test queries
    arms: tuple[str, ...] | None = None  # None: all the workload's arms
    max_steps: int | None = None  # shorter fine-tune than the workload's


FULL = (Part("qa.yaml", 20), Part("classify.yaml", 30), Part("extract.yaml", 16))
QUICK = (Part("qa.yaml", 12, ("prompt", "rag", "finetune", "memory"), max_steps=16),)


@cli.command("demo")
@click.option("--quick", is_flag=True, help="One workload, four arms, 12 queries (about 2 min).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="ragtune-demo",
    show_default=True,
    help="Folder for the run store and the reports.",
)
@click.option(
    "--volume",
    type=click.FloatRange(min=1),
    help="Requests/month to price at (default: each workload's).",
)
@click.option("--no-cache", is_flag=True, help="Call the models even for answers cached before.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
def demo_command(
    quick: bool, out_dir: str, volume: float | None, no_cache: bool, as_json: bool
) -> None:
    """Run the whole pipeline on the bundled sample with local models, then write the reports.

    \b
    Example:
      ragtune demo --quick            # about 2 minutes on a 2-core laptop
      ragtune demo --out /tmp/demo    # all three workloads, under 10 minutes
      ragtune report RUN_ID --volume 5000000   # re-price a demo run afterwards
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = [run_part(part, out, volume, not no_cache) for part in (QUICK if quick else FULL)]
    elapsed = time.perf_counter() - started
    if as_json:
        plain = [r.to_json() for r in results]
        click.echo(json.dumps({"seconds": elapsed, "workloads": plain}, indent=2))
        return
    show(results, elapsed)


@dataclass(frozen=True)
class PartResult:
    """One demo workload's run: its verdict and recommended arm, read from the report document."""

    workload: str
    task: str
    run_id: str
    seconds: float
    report: str
    verdict: VerdictDoc
    recommended: ArmDoc | None

    def to_json(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "task": self.task,
            "run_id": self.run_id,
            "seconds": self.seconds,
            "report": self.report,
            "verdict": self.verdict.model_dump(mode="json"),
            "recommended": None
            if self.recommended is None
            else self.recommended.model_dump(mode="json"),
        }


def run_part(part: Part, out: Path, volume: float | None, use_cache: bool) -> PartResult:
    """Run one demo workload into the demo store and write its reports."""
    from ragtune.advisor import build_document
    from ragtune.config import load_workload
    from ragtune.data import Limit
    from ragtune.report import render_html, render_json, write_markdown
    from ragtune.running import RunOptions, run_workload
    from ragtune.store import RunStore

    path = resources.files("ragtune.examples").joinpath("demo", part.workload)
    workload = load_workload(str(path))
    if part.max_steps is not None:
        arms = {
            name: settings.model_copy(update={"max_steps": part.max_steps})
            if getattr(settings, "max_steps", None) is not None
            else settings
            for name, settings in workload.arms.items()
        }
        workload = dataclasses.replace(workload, arms=arms)
    store = RunStore.open(out / "ragtune.db")
    started = time.perf_counter()
    click.echo(f"{workload.spec.name} ({workload.spec.task}): running", err=True)
    run_id = run_workload(
        workload,
        store,
        RunOptions(
            arms=part.arms,
            limit=Limit(part.limit, "first"),  # the measured demo: its first N items
            use_cache=use_cache,
            work_root=out / "runs",
        ),
        source=str(path),
    )
    document = build_document(store, run_id, volume=volume)
    reports = out / "reports"
    reports.mkdir(exist_ok=True)
    stem = reports / workload.spec.name
    stem.with_suffix(".html").write_text(render_html(document), encoding="utf-8")
    write_markdown(document, stem.with_suffix(".md"))  # charts as SVG files beside it
    stem.with_suffix(".json").write_text(render_json(document), encoding="utf-8")
    verdict = document.verdict
    chosen = next((a for a in document.arms if a.arm == verdict.recommended), None)
    return PartResult(
        workload.spec.name,
        workload.spec.task,
        run_id,
        time.perf_counter() - started,
        str(stem.with_suffix(".html")),
        verdict,
        chosen,
    )


def show(results: list[PartResult], elapsed: float) -> None:
    out = console()
    table = Table(
        "workload", "verdict", "quality (95% CI, n)", "$/month", "also equal", "undetermined",
        "flips at", box=None, header_style="bold",
    )  # fmt: skip
    for r in results:
        v, arm = r.verdict, r.recommended
        q = arm.quality if arm is not None else None
        quality = f"{v.metric} {q.estimate:.2f} [{q.low:.2f}, {q.high:.2f}] n={q.n}" if q else "-"
        monthly = arm.monthly_cost if arm is not None else None
        volume_flips = [f for f in v.flips if f.kind == "volume" and f.at]
        table.add_row(
            r.workload,
            (v.recommended or "none") + ("" if v.decided else " (for now: not decided yet)"),
            quality,
            "-" if monthly is None else f"${monthly:,.2f}",
            ", ".join(a for a in v.equivalent if a != v.recommended) or "-",
            ", ".join(v.undetermined) or "-",
            ", ".join(f"{f.at:,.0f}/mo -> {f.to}" for f in volume_flips[:2] if f.at) or "-",
        )
    out.print(table)
    for r in results:
        out.print(f"  {r.workload}: {r.verdict.headline}")
    for r in results:
        for claim in r.verdict.expectations:
            mark = (
                claim.result
                or {True: "holds", False: "does not hold", None: "not checked"}[claim.holds]
            )
            out.print(f"  {r.workload}: {claim.claim} - {mark} ({claim.evidence})")
    for r in results:
        out.print(f"report: {r.report}  (run {r.run_id}, {r.seconds:.0f} s)")
    out.print(
        f"[dim]demo finished in {elapsed:.0f} s; prices and assumptions are in each report[/dim]"
    )
