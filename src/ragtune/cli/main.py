"""Root command group. Subcommands live in sibling modules and attach themselves to `cli`.

The CLI is the only layer that prints or exits: library code raises `RagtuneError`, which is
shown here as a message on stderr with exit code 2, never as a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from ragtune import __version__, progress
from ragtune.errors import RagtuneError


class _Group(click.Group):
    """A click group that turns `RagtuneError` into a clean message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RagtuneError as err:
            click.echo(f"error: {err}", err=True)
            ctx.exit(err.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ragtune")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or informational logs.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging on stderr.")
def cli(quiet: bool, verbose: bool) -> None:
    """Prompt, RAG or fine-tune? Measure each strategy on your own data, then price it."""
    progress.set_quiet(quiet)
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    # ragtune's own progress notes at INFO; libraries (bm25s, transformers, httpx) only say
    # something at WARNING unless -v asks for everything.
    logging.basicConfig(
        level=level if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("ragtune").setLevel(level)
    if not verbose:
        # Libraries may lower their own level when imported later (bm25s sets DEBUG), so filter at
        # the handler: ragtune's records at the chosen level, anyone else's from WARNING up.
        for handler in logging.getLogger().handlers:
            handler.addFilter(
                lambda r: r.name.startswith("ragtune") or r.levelno >= logging.WARNING
            )


def main() -> None:
    cli()
