"""Shared output helpers for CLI commands: a stdout console that does not wrap when piped."""

from __future__ import annotations

from rich.console import Console

PIPED_WIDTH = 140  # wide enough for the summary tables; a terminal keeps its own width


def console() -> Console:
    """stdout console; when piped, wide enough that tables do not wrap."""
    out = Console()
    return out if out.is_terminal else Console(width=PIPED_WIDTH)
