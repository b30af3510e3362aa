"""Command-line interface."""

from ragtune.cli.main import main

__all__ = ["main"]
