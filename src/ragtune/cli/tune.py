"""`ragtune tune`: fine-tune a small open model on a JSONL file or a workload's train split;
`tune export`: merge + GGUF.

Thin layer over `ragtune.finetune`: flags (or the workload's finetune arm, via
`ragtune.finetune.workload`) become a TuneConfig, results go to stdout (a summary with the
estimated cost, or JSON with --json), progress and logs to stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ragtune.cli.main import cli
from ragtune.errors import RagtuneError

# CLI option -> TuneConfig field, for the options a workload run takes from the command line.
_CONFIG_OPTIONS = {
    "base": "base",
    "method": "method",
    "epochs": "epochs",
    "max_steps": "max_steps",
    "batch_size": "batch_size",
    "grad_accum": "grad_accum",
    "lr": "learning_rate",
    "max_length": "max_length",
    "truncation": "truncation",
    "lora_r": "lora_r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "val_fraction": "val_fraction",
    "batching": "batching",
    "early_stopping": "early_stopping_patience",
    "checkpoint_every": "checkpoint_every",
    "seed": "seed",
    "device": "device",
    "threads": "threads",
    "hourly_price": "hourly_price",
}


class _TuneGroup(click.Group):
    """`tune` runs with options alone, or with a workload file as its first argument."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0].endswith((".yaml", ".yml")) and args[0] not in self.commands:
            ctx.meta["tune_workload"] = args[0]
            args = args[1:]
        return super().parse_args(ctx, args)


@cli.group(cls=_TuneGroup, invoke_without_command=True)
@click.option(
    "--data",
    type=click.Path(dir_okay=False),
    help="Training JSONL (chat messages, "
    "prompt/completion, alpaca, sharegpt or input/output examples).",
)
@click.option(
    "--base",
    default="smollm2-135m",
    show_default=True,
    help="Base model: smollm2-135m, gemma3-270m, a .gguf path, a model folder or a hub id.",
)
@click.option(
    "--method", type=click.Choice(["lora", "full", "qlora"]), default="lora", show_default=True
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Run folder [default: .ragtune/tune/<base>-<method>].",
)
@click.option("--resume", is_flag=True, help="Continue the run in --out from its last checkpoint.")
@click.option("--overwrite", is_flag=True, help="Replace a finished or interrupted run in --out.")
@click.option("--epochs", type=float, default=3.0, show_default=True)
@click.option("--max-steps", type=int, help="Stop after this many optimizer steps.")
@click.option("--batch-size", type=int, default=8, show_default=True)
@click.option("--grad-accum", type=int, default=1, show_default=True)
@click.option("--lr", type=float, help="Learning rate [default: 2e-4 LoRA, 2e-5 full].")
@click.option("--max-length", type=int, default=512, show_default=True)
@click.option(
    "--truncation",
    type=click.Choice(["truncate", "error"]),
    default="truncate",
    show_default=True,
    help="What to do with examples longer than --max-length.",
)
@click.option("--lora-r", type=int, default=16, show_default=True)
@click.option("--lora-alpha", type=int, default=32, show_default=True)
@click.option("--lora-dropout", type=float, default=0.05, show_default=True)
@click.option("--target-modules", help="Comma-separated LoRA targets [default: all projections].")
@click.option("--val-fraction", type=float, default=0.1, show_default=True)
@click.option(
    "--batching", type=click.Choice(["pack", "group", "pad"]), default="group", show_default=True
)
@click.option("--early-stopping", type=int, help="Stop after N validations without improvement.")
@click.option("--checkpoint-every", type=int, default=50, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N.")
@click.option("--threads", type=int, help="CPU threads for torch.")
@click.option("--system", help="System prompt for examples that have none.")
@click.option(
    "--test",
    "test_path",
    type=click.Path(dir_okay=False),
    help="Evaluation test set (JSONL): its prompts are never trained or validated on.",
)
@click.option(
    "--general",
    "general_path",
    type=click.Path(dir_okay=False),
    help="General-purpose examples (JSONL) mixed in to limit forgetting.",
)
@click.option("--general-fraction", type=float, default=0.0, show_default=True)
@click.option("--hourly-price", type=float, help="$/hour of this machine, for the cost estimate.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def tune(ctx: click.Context, **opts: Any) -> None:
    """Fine-tune a small open model on your examples (LoRA by default), on CPU or GPU.

    \b
    Examples:
      ragtune tune --data train.jsonl --base smollm2-135m --out runs/intents
      ragtune tune workload.yaml --max-steps 20         # the workload's train split
      ragtune tune --out runs/intents --resume          # after Ctrl-C
      ragtune tune export runs/intents --gguf           # merged weights + GGUF + Modelfile
    """
    if ctx.invoked_subcommand is not None:
        return
    workload = ctx.meta.get("tune_workload")
    if workload:
        _tune_workload(ctx, workload, opts)
        return
    from ragtune.finetune import TuneConfig, load_examples
    from ragtune.finetune import tune as run_tune

    if not opts["data"] and not opts["resume"]:
        raise click.UsageError("give --data train.jsonl (or --resume with --out)")
    out = opts["out_dir"] or str(
        Path(".ragtune") / "tune" / f"{Path(opts['base']).name}-{opts['method']}"
    )
    targets = opts["target_modules"]
    config = TuneConfig(
        base=opts["base"],
        method=opts["method"],
        epochs=opts["epochs"],
        max_steps=opts["max_steps"],
        batch_size=opts["batch_size"],
        grad_accum=opts["grad_accum"],
        learning_rate=opts["lr"],
        max_length=opts["max_length"],
        truncation=opts["truncation"],
        lora_r=opts["lora_r"],
        lora_alpha=opts["lora_alpha"],
        lora_dropout=opts["lora_dropout"],
        val_fraction=opts["val_fraction"],
        batching=opts["batching"],
        early_stopping_patience=opts["early_stopping"],
        checkpoint_every=opts["checkpoint_every"],
        seed=opts["seed"],
        device=opts["device"],
        threads=opts["threads"],
        system=opts["system"],
        hourly_price=opts["hourly_price"],
    )
    if targets:
        config = config.with_(target_modules=tuple(t.strip() for t in targets.split(",")))
    test = load_examples(opts["test_path"]) if opts["test_path"] else ()
    general = load_examples(opts["general_path"]) if opts["general_path"] else ()
    result = run_tune(
        config,
        out,
        data=opts["data"],
        test=test,
        general=general,
        general_fraction=opts["general_fraction"],
        resume=opts["resume"],
        overwrite=opts["overwrite"],
    )
    _print_result(result, opts["as_json"])


def _tune_workload(ctx: click.Context, path: str, opts: dict[str, Any]) -> None:
    """`ragtune tune workload.yaml`: the workload's train split, its finetune arm's settings."""
    from ragtune.config import hosted_finetune, load_workload
    from ragtune.finetune import tune as run_tune
    from ragtune.finetune import workload_job

    for name in ("data", "test_path", "general_path", "system"):
        if opts[name]:
            flag = "--" + name.removesuffix("_path")
            raise click.UsageError(
                f"{flag} cannot be combined with a workload file (it sets the data, the "
                "held-out test split and the system prompt)"
            )
    given = {
        field: opts[option]
        for option, field in _CONFIG_OPTIONS.items()
        if ctx.get_parameter_source(option) is click.core.ParameterSource.COMMANDLINE
    }
    if opts["target_modules"]:
        given["target_modules"] = tuple(t.strip() for t in opts["target_modules"].split(","))
    workload = load_workload(path)
    hosted = hosted_finetune(workload.spec)
    if hosted is not None:
        raise RagtuneError(
            f"{path}: the finetune arm is a hosted job (provider: {hosted.provider}, base: "
            f"{hosted.base}); `ragtune tune` trains local models only",
            hint=f"run the hosted job with `ragtune run {path} --arms finetune`, or remove "
            "`provider` to tune the local cheap model",
        )
    base = given.pop("base", None)
    job = workload_job(workload, base, **given)
    out = opts["out_dir"] or str(Path(".ragtune") / "tuned" / workload.spec.name)
    result = run_tune(
        job.config,
        out,
        examples=job.examples,
        test=job.test,
        task=job.task,
        resume=opts["resume"],
        overwrite=opts["overwrite"],
        available=job.available,
    )
    _print_result(result, opts["as_json"])


def _print_result(result: Any, as_json: bool) -> None:
    from ragtune.finetune import TuneConfig, cost_lines

    # the run folder's config: on --resume it is the one the run was started with
    costs = cost_lines(TuneConfig.load(Path(result.out_dir) / "config.json"), result.cost)
    if as_json:
        click.echo(json.dumps(result.to_json() | {"estimated_cost": costs}, indent=2))
        return
    c = result.cost
    vs, ve = result.val_loss_start, result.val_loss_end
    click.echo(f"run folder      {result.out_dir}")
    click.echo(f"weights         {result.weights}")
    click.echo(f"steps           {result.steps} ({result.stopped}), {c.epochs} epochs")
    if vs is not None and ve is not None:
        click.echo(f"validation loss {vs:.4f} -> {ve:.4f}")
    click.echo(f"training tokens {c.tokens:,} x {c.epochs} epochs = {c.tokens_processed:,.0f}")
    click.echo(
        f"wall time       {c.wall_seconds:,.1f} s on {c.hardware} "
        f"({c.tokens_per_second:,.0f} tokens/s)"
    )
    click.echo("estimated cost")
    for line in costs:
        click.echo(f"  {line.removeprefix('- ')}")
    click.echo(f"model card      {Path(result.out_dir) / 'README.md'}")


@tune.command("export")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--gguf", is_flag=True, help="Also write a GGUF file and an Ollama Modelfile.")
@click.option("--outtype", type=click.Choice(["q8_0", "f16"]), default="q8_0", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def export_cmd(run_dir: str, gguf: bool, outtype: str, as_json: bool) -> None:
    """Merge a run's adapter into its base (safetensors), optionally write GGUF + Modelfile.

    \b
    Example:
      ragtune tune export .ragtune/tune/smollm2-135m-lora --gguf --outtype q8_0
      ollama create intents -f .ragtune/tune/smollm2-135m-lora/gguf/Modelfile
    """
    from ragtune.finetune.export import export

    result = export(run_dir, gguf=gguf, outtype=outtype)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    click.echo(f"merged model    {result.merged}")
    if result.gguf:
        click.echo(f"gguf            {result.gguf} ({result.gguf_check})")
        click.echo(f"ollama          ollama create tuned -f {result.modelfile}")
