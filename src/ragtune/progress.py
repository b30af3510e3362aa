"""Progress bars for long loops, on stderr, off when quiet or when stderr is not a terminal.

Library code wraps a loop in `progress(items, total=..., desc=...)`; the CLI decides visibility
once with `set_quiet`. Bars show count, rate and ETA (rich).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_quiet = False


def set_quiet(quiet: bool) -> None:
    """Switch every progress bar in this process off (or back on)."""
    global _quiet
    _quiet = quiet


def enabled() -> bool:
    return not _quiet and sys.stderr.isatty()


def progress(
    items: Iterable[T], *, total: int | None = None, desc: str = "working", unit: str = "item"
) -> Iterator[T]:
    """Yield from `items`, advancing a progress bar on stderr when enabled."""
    if not enabled():
        yield from items
        return
    with bar(desc=desc, total=total, unit=unit) as advance:
        for item in items:
            yield item
            advance(1)


class bar:
    """Context manager for loops that advance by more than one (batches, tokens)."""

    def __init__(self, *, desc: str, total: float | None, unit: str = "item") -> None:
        self.desc, self.total, self.unit = desc, total, unit
        self._progress: Any = None

    def __enter__(self) -> Any:
        if not enabled():
            return lambda n=1, **fields: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        unit = self.unit
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=Console(stderr=True),
        )
        self._progress.start()
        task = self._progress.add_task(self.desc, total=self.total, rate="", info="")
        progress = self._progress

        def advance(n: float = 1, info: str = "") -> None:
            progress.advance(task, n)
            speed = progress.tasks[0].speed
            rate = f"{speed:,.1f} {unit}/s" if speed else ""
            progress.update(task, rate=rate, info=info)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
