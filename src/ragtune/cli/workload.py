"""`ragtune init` writes a commented workload; `ragtune check` validates one without running."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import click

from ragtune.cli.main import cli
from ragtune.config import (
    TASKS,
    BackendShutdown,
    Workload,
    backend_shutdowns,
    cutoff_warnings,
    hosted_finetune,
    load_workload,
    refuse_shut_down,
)
from ragtune.cost import today
from ragtune.data import SPLITS, sample_test
from ragtune.errors import RagtuneError
from ragtune.strategies import ArmSettings, ChatSettings


def template(task: str) -> str:
    """The bundled commented workload for `task`, with sample paths made absolute."""
    examples = resources.files("ragtune.examples")
    text = examples.joinpath("workloads", f"{task}.yaml").read_text(encoding="utf-8")
    sample = Path(str(examples.joinpath("sample")))
    return text.replace("../sample/", f"{sample}/").replace("../sample", str(sample))


@cli.command()
@click.argument("path", default="workload.yaml", type=click.Path(dir_okay=False))
@click.option(
    "--task",
    type=click.Choice(TASKS),
    default="qa",
    show_default=True,
    help="Which task type the example workload is for.",
)
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: str, task: str, force: bool) -> None:
    """Write a commented example workload file to start from.

    The example points at ragtune's bundled sample data, so it runs as written; replace the data
    and knowledge paths with your own.

    \b
    Example:
      ragtune init --task classify intents.yaml
      ragtune check intents.yaml
    """
    target = Path(path)
    if target.exists() and not force:
        raise RagtuneError(f"{target} already exists", hint="pass --force to overwrite it")
    target.write_text(template(task), encoding="utf-8")
    click.echo(str(target))
    click.echo(
        f"wrote a {task} workload; edit its data paths, then `ragtune check {target}`", err=True
    )


@cli.command()
@click.argument("workload_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--estimate/--no-estimate",
    default=True,
    show_default=True,
    help="Time a short fine-tuning warm-up (loads the model) to estimate the fine-tune's time.",
)
def check(workload_file: str, as_json: bool, estimate: bool) -> None:
    """Validate a workload file and its data without running any model.

    Reports every problem at once (missing files, unknown arms, labels outside the label set,
    empty splits, invalid JSON Schema) and exits with code 2 if there are any. With a finetune
    arm it also prints the fine-tune's plan: steps, examples seen, tokens, and the time estimated
    from a few timed training steps (--no-estimate skips the timing).

    \b
    Example:
      ragtune check workload.yaml
    """
    workload = load_workload(workload_file)
    shutdowns = warn_shutdowns(workload)
    spec = workload.spec
    for warning in cutoff_warnings(spec):
        click.echo(f"warning: {warning}", err=True)
    _, sample = sample_test(workload.split("test"), spec.test_limit, spec.task, spec.seed)
    arms = {name: arm_line(name, settings, workload) for name, settings in workload.arms.items()}
    summary = {
        "name": spec.name,
        "task": spec.task,
        "examples": {name: len(workload.split(name)) for name in SPLITS},
        "validation": _validation(workload),
        "test": sample.describe(),
        "arms": arms,
        "backends": spec.backends.model_dump(),
        "knowledge": spec.knowledge.path if spec.knowledge else None,
        "shutdowns": [
            {
                "field": s.field,
                "backend": s.backend,
                "model": s.notice.lifecycle.model,
                "shutdown": s.notice.lifecycle.shutdown.isoformat(),
                "source": s.notice.lifecycle.source,
            }
            for s in shutdowns
        ],
    }
    plan_line = None
    hosted = hosted_finetune(spec) is not None  # the provider plans a hosted job, not ragtune
    if {"finetune", "finetune_rag"} & set(spec.arms) and workload.split("train") and not hosted:
        from ragtune.finetune import estimate_plan, workload_job

        job = workload_job(workload)
        plan = estimate_plan(job, timed=estimate)
        summary["finetune"] = plan.to_json(job.config)
        plan_line = plan.describe(job.config)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    counts = ", ".join(f"{n} {s}" for s, n in summary["examples"].items())  # type: ignore[union-attr]
    click.echo(f"{spec.name}: {spec.task} task, {counts}")
    click.echo(f"validation: {summary['validation']}")
    click.echo(f"test: {summary['test']}")
    click.echo("arms:")
    for name, line in arms.items():
        click.echo(f"  {name}: {line}")
    click.echo(
        f"backends: cheap={spec.backends.cheap} strong={spec.backends.strong} "
        f"judge={spec.backends.judge}"
    )
    if plan_line:
        click.echo(plan_line)
    click.echo("ok")


def warn_shutdowns(workload: Workload) -> list[BackendShutdown]:
    """Warn (stderr) about each API backend whose model shuts down inside the horizon, and stop
    with exit 2 when one already has (`config/lifecycle.py`); "today" is `$RAGTUNE_TODAY` when
    set."""
    shutdowns = backend_shutdowns(workload, today=today())
    for s in shutdowns:
        if not s.notice.past:
            click.echo(s.warning(), err=True)
    refuse_shut_down(shutdowns)
    return shutdowns


def _validation(workload: Workload) -> str:
    if workload.carved is not None:
        return workload.carved.describe()
    if workload.split("validation"):
        return "given in the data"
    return "none (no arm needs one)"


def arm_line(name: str, settings: ArmSettings, workload: Workload) -> str:
    """`prompt on anthropic:claude-haiku-4-5, instructions from prompts/v2.txt`-style summary."""
    parts = [str(settings.arm)] if settings.arm != name else []
    if isinstance(settings, ChatSettings):
        backend = settings.backend
        resolved = getattr(workload.spec.backends, backend, backend)
        parts.append(f"on {resolved}" + (f" ({backend})" if resolved != backend else ""))
        if name in workload.instruction_files:
            parts.append(f"instructions from {workload.instruction_files[name]}")
        elif settings.instructions is not None:
            parts.append("own instructions")
    changed = settings.model_dump(exclude_defaults=True, exclude={"arm", "backend", "instructions"})
    parts += [f"{key} {value}" for key, value in changed.items()]
    return ", ".join(parts) or "default settings"
