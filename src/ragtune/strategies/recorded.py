"""`recorded`: answers the user already has (their current system's outputs), scored as an arm.

`arms: {production: {answers: prod.jsonl}}`: any arm name that is not a built-in arm, with an
`answers:` file, is this arm. The file is JSONL (or CSV) with `id` and `answer` per test item,
and optionally `input_tokens`, `output_tokens`, `cache_read_tokens`, `cache_write_tokens`,
`latency_s`, `model` and `error` (the call failed: the item scores as wrong, its tokens and
latency still count). With `model` (a catalog model) the recorded tokens are priced as that
API; without it the arm is unpriced and says so. Scored on the same items as the built arms, it
pairs with them item by item, which is how a team compares "what we run today" with the
alternatives (and how tests build runs with known discordance without a model).

No model is called and nothing is timed: latency is what the file recorded (0 when it does not
say). Deliberately not here: checking the file against the workload's test ids and the price
catalog (`config.load_workload` does that before anything runs, every problem at once).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from ragtune.backends import Backend, Request, Usage
from ragtune.data import Example, read_rows
from ragtune.errors import Problem
from ragtune.strategies.base import Call, Prediction, Resources
from ragtune.strategies.prompts import answer_text
from ragtune.strategies.registry import register_arm
from ragtune.strategies.settings import ArmSettings, Declared, Traits

NAME = "recorded"
TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


class RecordedSettings(ArmSettings):
    """`answers:` the file (relative to the workload file); `format:` auto (by suffix) or forced."""

    answers: str
    """The answers file (JSONL or CSV: id, answer, optional tokens, latency_s, model), relative to
    the workload file.
    """
    format: Literal["auto", "jsonl", "csv"] = "auto"
    """File format; auto: by suffix."""


@dataclass(frozen=True)
class RecordedAnswer:
    """One row of an answers file."""

    id: str
    answer: str
    usage: Usage
    latency_s: float | None
    model: str | None
    error: str | None = None  # the recorded call failed (the answer is then ignored)


def load_answers(
    path: Path, fmt: str = "auto", where: str = "answers"
) -> tuple[dict[str, RecordedAnswer], list[Problem]]:
    """The file's answers by item id, and a problem for each row that cannot be used."""
    rows, problems = read_rows(path, fmt)
    problems = [Problem(where, p.message, p.given or p.path) for p in problems]
    out: dict[str, RecordedAnswer] = {}
    for line, row in rows:
        here = f"{where} ({path.name} line {line})"
        item = row.get("id")
        if item is None or str(item).strip() == "" or "answer" not in row:
            problems.append(Problem(here, "each row needs `id` and `answer`", str(row)[:60]))
            continue
        numbers: dict[str, float] = {}
        for key in (*TOKEN_FIELDS, "latency_s"):
            value = row.get(key)
            if value is None or value == "":
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if not math.isfinite(number) or number < 0:
                problems.append(Problem(f"{here}.{key}", "must be a number >= 0", repr(value)))
                continue
            numbers[key] = number
        usage = Usage(
            input_tokens=int(numbers.get("input_tokens", 0)),
            cache_write_tokens=int(numbers.get("cache_write_tokens", 0)),
            cache_read_tokens=int(numbers.get("cache_read_tokens", 0)),
            output_tokens=int(numbers.get("output_tokens", 0)),
        )
        model = row.get("model")
        answer = row["answer"]
        text = answer if isinstance(answer, str) else _json(answer)
        error = row.get("error")
        out[str(item)] = RecordedAnswer(
            str(item),
            text,
            usage,
            numbers.get("latency_s"),
            str(model) if model else None,
            str(error) if error not in (None, "") else None,
        )
    return out, problems


def _json(value: Any) -> str:
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False)


class _NoBackend:
    """The Arm protocol names a backend; a recorded arm never calls one."""

    name = "recorded answers"

    def generate(self, requests: Sequence[Request]) -> list[Any]:
        raise NotImplementedError("a recorded arm calls no model")


@register_arm
class RecordedArm(Declared):
    name: ClassVar[str] = NAME
    settings: ClassVar[type[ArmSettings]] = RecordedSettings
    traits: ClassVar[Traits] = Traits(recorded=True, freshness=False)

    def __init__(self, resources: Resources, settings: Any) -> None:
        assert isinstance(settings, RecordedSettings)
        self.resources = resources
        self.task = resources.task
        self.config = settings
        self.backend: Backend = _NoBackend()  # type: ignore[assignment]
        self.answers, _ = load_answers(Path(settings.answers), settings.format)
        models = sorted({a.model for a in self.answers.values() if a.model})
        self.info: Mapping[str, Any] = {
            "answers": settings.answers,
            "priced_as": ", ".join(models) or "not priced (no `model` in the answers file)",
        }

    def build(self, items: Sequence[Example]) -> list[Request]:
        return []

    def predict(self, items: Sequence[Example]) -> list[Prediction]:
        out = []
        for item in items:
            found = self.answers.get(item.id)
            if found is None:  # the workload check reports these before a run starts
                out.append(Prediction(item.id, "", None, error="no recorded answer for this id"))
                continue
            latency = found.latency_s or 0.0
            call = Call("answer", NAME, found.model or "", found.usage, latency)
            out.append(
                Prediction(
                    item.id,
                    found.answer,
                    None if found.error else answer_text(self.task, found.answer),
                    calls=(call,),
                    latency_s=latency,
                    error=found.error,
                )
            )
        return out
