"""Command-line interface."""

from ragtune.cli import (
    cost,  # noqa: F401  (registers commands)
    demo,  # noqa: F401  (registers commands)
    export,  # noqa: F401  (registers commands)
    importing,  # noqa: F401  (registers commands)
    index,  # noqa: F401  (registers commands)
    models,  # noqa: F401  (registers commands)
    report,  # noqa: F401  (registers commands)
    review,  # noqa: F401  (registers commands)
    run,  # noqa: F401  (registers commands)
    serve,  # noqa: F401  (registers commands)
    tune,  # noqa: F401  (registers commands)
    workload,  # noqa: F401  (registers commands)
)
from ragtune.cli.main import main

__all__ = ["main"]
