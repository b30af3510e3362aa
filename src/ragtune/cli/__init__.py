"""Command-line interface."""

from ragtune.cli import cost  # noqa: F401  (registers commands)
from ragtune.cli import index  # noqa: F401  (registers commands)
from ragtune.cli import serve  # noqa: F401  (registers commands)
from ragtune.cli import workload  # noqa: F401  (registers commands)
from ragtune.cli.main import main

__all__ = ["main"]
