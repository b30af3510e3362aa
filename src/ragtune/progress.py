"""Progress for long loops and phases, on stderr; off with `--quiet`.

Library code wraps a loop in `progress(items, total=..., desc=...)` or `with bar(...) as
advance`, and a step without a count (building an index, loading a model) in `with phase(...)`.
The CLI decides visibility once with `set_quiet`. On a terminal, bars redraw in place (rich);
when stderr is a file or a pipe, the same progress is written as plain lines, one every
`interval` seconds (count, percent, rate, ETA) plus one when the loop ends, so a log of a long
run shows where it is without a screenful of redraws.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_quiet = False
# Seconds between plain progress lines when stderr is not a terminal: often enough to follow a
# run in `tail -f`, rare enough that a 45-minute run's log stays readable.
INTERVAL_S = 5.0
_interval = INTERVAL_S


def set_quiet(quiet: bool) -> None:
    """Switch all progress output in this process off (or back on)."""
    global _quiet
    _quiet = quiet


def set_interval(seconds: float) -> None:
    """Seconds between plain progress lines (tests set 0: a line per advance)."""
    global _interval
    _interval = seconds


def enabled() -> bool:
    """Whether progress is shown at all (redrawn bars or plain lines)."""
    return not _quiet


def interactive() -> bool:
    """Whether stderr is a terminal, where bars may redraw in place."""
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


def duration(seconds: float) -> str:
    """`42s`, `3m05s`, `1h02m`: how long, as a log reader wants it."""
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Lines:
    """Progress as plain lines on stderr, at most one per interval, and one at the end."""

    def __init__(self, desc: str, total: float | None, unit: str, minor: bool = False) -> None:
        self.desc, self.total, self.unit, self.minor = desc, total, unit, minor
        self.done = 0.0
        self.start = time.monotonic()
        # A minor loop (embedding one batch of queries) says nothing unless it runs a while.
        self.last = self.start if minor else -float("inf")
        self.printed = False
        self.info = ""

    def line(self, final: bool = False) -> str:
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        count = f"{self.done:,.0f}" + (f"/{self.total:,.0f}" if self.total else "")
        parts = [f"{self.desc}: {count} {self.unit}s"]
        if self.total:
            parts[0] += f" ({self.done / self.total:.0%})"
        if rate >= 0.1:
            parts.append(f"{rate:,.1f} {self.unit}/s")
        elif rate > 0:  # slow steps (a fine-tune on a CPU): seconds per step reads better
            parts.append(f"{1 / rate:,.0f} s/{self.unit}")
        if final:
            parts.append(f"done in {duration(elapsed)}")
        elif self.total and rate > 0:
            parts.append(f"ETA {duration((self.total - self.done) / rate)}")
        elif self.total:
            parts.append("ETA -")
        if self.info:
            parts.append(self.info)
        return ", ".join(parts)

    def advance(self, n: float = 1, info: str = "") -> None:
        self.done += n
        self.info = info or self.info
        now = time.monotonic()
        finished = bool(self.total) and self.done >= (self.total or 0)  # `finish` says it
        if now - self.last >= _interval and not finished and not (self.minor and now == self.start):
            self.last = now
            self.printed = True
            _write(self.line())

    def finish(self) -> None:
        if self.printed or not self.minor:
            _write(self.line(final=True))


def _write(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def phase(desc: str) -> Iterator[None]:
    """A step without a count: one line when it starts and one with its duration at the end."""
    if not enabled():
        yield
        return
    start = time.monotonic()
    _write(f"{desc} ...")
    yield
    _write(f"{desc}: done in {duration(time.monotonic() - start)}")


class bar:
    """Context manager for loops that advance by more than one (batches, tokens)."""

    def __init__(
        self, *, desc: str, total: float | None, unit: str = "item", minor: bool = False
    ) -> None:
        """`minor`: an inner loop, shown as plain lines only when it lasts `interval` or more."""
        self.desc, self.total, self.unit, self.minor = desc, total, unit, minor
        self._progress: Any = None
        self._lines: Lines | None = None

    def __enter__(self) -> Callable[..., None]:
        if not enabled():
            return lambda n=1, **fields: None
        if not interactive():
            self._lines = Lines(self.desc, self.total, self.unit, self.minor)
            self._lines.advance(0)
            return self._lines.advance
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
        if self._lines is not None and exc[0] is None:
            self._lines.finish()
