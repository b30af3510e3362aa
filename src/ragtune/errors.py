"""One base error for everything a user can cause.

A message says what was given, what is allowed and how to fix it. The CLI catches
`RagtuneError`, prints its message to stderr and exits with `exit_code`; anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class RagtuneError(Exception):
    """Base class for errors caused by input, configuration or the environment."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is, what was given, what is allowed."""

    path: str
    message: str
    given: str | None = None

    def render(self) -> str:
        given = f" (given: {self.given})" if self.given is not None else ""
        return f"  {self.path}: {self.message}{given}"


class ValidationError(RagtuneError):
    """A user file failed validation; carries every problem found, not just the first."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        n = len(self.problems)
        lines = [f"{source}: {n} problem{'s' if n != 1 else ''} found"]
        lines += [p.render() for p in self.problems]
        super().__init__("\n".join(lines))


class MissingDependencyError(RagtuneError):
    """An optional extra is needed for this feature; the message gives the install command."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the Python package {package!r}, which is not installed",
            hint=f"pip install 'ragtune[{extra}]'",
        )


def problem_from_pydantic(error: Mapping[str, Any]) -> Problem:
    """One pydantic validation error as a `Problem` with a dotted field path."""
    path = ".".join(str(p) for p in error["loc"]) or "(top)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check the spelling)"
    shown = None if error["type"] == "missing" else repr(error.get("input"))[:60]
    return Problem(path, message, shown)


def read_user_file(path: Path, what: str, *, hint: str) -> str:
    """The text of a file the user named, or a `RagtuneError` saying which file and why."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise RagtuneError(f"{what} not found: {path}", hint=hint) from err
    except (OSError, UnicodeDecodeError) as err:
        raise RagtuneError(f"cannot read {what} {path}: {err}", hint=hint) from err


def suggest(name: str, choices: list[str]) -> str:
    """'did you mean ...' text with the nearest names, or the first few valid ones."""
    close = difflib.get_close_matches(name.lower(), choices, n=3, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "known names include " + ", ".join(repr(c) for c in sorted(choices)[:6])
