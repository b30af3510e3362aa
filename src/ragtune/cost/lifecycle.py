"""Model lifecycles: when a catalog model stops answering, with the page that says so.

Loaded from the bundled `lifecycle.yaml`, keyed by catalog model name. `Lifecycles.of(id,
catalog)` resolves a model ID the way prices are resolved (aliases, dated snapshots, a hosted
fine-tune through its base), so `claude-sonnet-4-5-20250929`, `sonnet-4.5` and
`ft:gpt-4o-mini:org::id` all find their model's dates. `shutdown_notice` says whether a shutdown
falls inside a horizon that starts on a given day.

"Today" is always a parameter: the CLI passes `today()` (the `RAGTUNE_TODAY` environment
variable, else the system date), tests pass a fixed day. Deliberately not here: what a shutdown
costs (`evidence/lifecycle.py`) and what the verdict says about it (advisor).
"""

from __future__ import annotations

import calendar
import os
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from ragtune.cost.catalog import Catalog, finetuned_base
from ragtune.cost.yaml_files import parse_bundled_yaml
from ragtune.errors import Problem, RagtuneError, ValidationError

TODAY_VARIABLE = "RAGTUNE_TODAY"  # YYYY-MM-DD: pins "today" (docs, reproducible reports)
# Anthropic (claude-haiku-4-5-20251001) and OpenAI (gpt-4o-2024-05-13) dated IDs, `-latest`
_DATED = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$")


@dataclass(frozen=True)
class ModelLifecycle:
    """When one model shuts down (requests fail from that day on), and where that was read."""

    model: str  # the catalog name
    shutdown: date
    source: str
    as_of: date
    deprecated: date | None = None
    tentative: bool = False  # the provider calls the date tentative


@dataclass(frozen=True)
class DatedFact:
    """A provider fact with a date that is not a model's shutdown (a fine-tuning cut-off)."""

    name: str
    on: date  # (`date:` in the YAML: YAML 1.1 reads a bare `on` key as true)
    text: str
    source: str
    as_of: date


@dataclass(frozen=True)
class ShutdownNotice:
    """A model that shuts down before the end of a horizon (or already has)."""

    model: str  # as configured (a backend's model ID)
    lifecycle: ModelLifecycle
    today: date
    horizon_end: date

    @property
    def past(self) -> bool:
        """Already shut down: calls to it fail today."""
        return self.lifecycle.shutdown <= self.today

    @property
    def months_left(self) -> float:
        """Months from today to the shutdown (0 when already past), 30.4375-day months."""
        return max(0.0, (self.lifecycle.shutdown - self.today).days / 30.4375)

    def describe(self) -> str:
        """'gpt-4o shuts down on 2027-01-14, 1.2 months from 2026-12-07 (SOURCE)'."""
        lc = self.lifecycle
        name = self.model if self.model == lc.model else f"{self.model} ({lc.model})"
        when = "shut down on" if self.past else "shuts down on"
        tentative = " (a tentative date)" if lc.tentative else ""
        ahead = "" if self.past else f", {self.months_left:.1f} months from {self.today}"
        return f"{name} {when} {lc.shutdown}{tentative}{ahead} ({lc.source}, read {lc.as_of})"


@dataclass(frozen=True)
class Lifecycles:
    """Every model's lifecycle by catalog name, and the other dated facts by name."""

    models: dict[str, ModelLifecycle] = field(default_factory=dict)
    facts: dict[str, DatedFact] = field(default_factory=dict)

    def of(self, model: str, catalog: Catalog) -> ModelLifecycle | None:
        """The lifecycle of `model` (any ID the catalog resolves, or a dated / `-latest` form
        of a lifecycle name); a hosted fine-tune's is its base model's. None: no known end."""
        name = model.strip().lower()
        base = finetuned_base(name)
        if base is not None:
            return self.of(base, catalog)
        try:
            entry = catalog.model(name)
        except RagtuneError:
            entry = None
        if entry is not None:
            if entry.name in self.models:
                return self.models[entry.name]
            if entry.base:
                return self.of(entry.base, catalog)
        undated = _DATED.sub("", name)
        found = self.models.get(name) or self.models.get(undated)
        if found is None and undated != name:
            return self.of(undated, catalog) if catalog.has("models", undated) else None
        return found


def shutdown_notice(
    model: str, lifecycles: Lifecycles, catalog: Catalog, *, today: date, horizon_months: int
) -> ShutdownNotice | None:
    """A notice when `model` shuts down on or before the horizon's last day, else None."""
    lc = lifecycles.of(model, catalog)
    end = add_months(today, horizon_months)
    if lc is None or lc.shutdown > end:
        return None
    return ShutdownNotice(model, lc, today, end)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (clamped to the month's last day: Jan 31 + 1 = Feb 28)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def today(environ: dict[str, str] | None = None) -> date:
    """Today's date, or the one `RAGTUNE_TODAY` pins (YYYY-MM-DD)."""
    value = (os.environ if environ is None else environ).get(TODAY_VARIABLE)
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise RagtuneError(
            f"{TODAY_VARIABLE}={value!r} is not a date",
            hint=f"give YYYY-MM-DD (e.g. {TODAY_VARIABLE}=2026-12-07) or unset it",
        ) from None


def load_lifecycles() -> Lifecycles:
    """The bundled lifecycles; every entry checked (a source and dates), all problems at once."""
    text = resources.files("ragtune.cost").joinpath("lifecycle.yaml").read_text(encoding="utf-8")
    return parse_lifecycles(parse_bundled_yaml(text) or {}, "bundled lifecycle.yaml")


def parse_lifecycles(data: dict[str, Any], source: str) -> Lifecycles:
    problems: list[Problem] = []
    models: dict[str, ModelLifecycle] = {}
    facts: dict[str, DatedFact] = {}
    for key in set(data) - {"models", "facts"}:
        problems.append(Problem(str(key), "unknown section; allowed: models, facts"))
    for name, raw in (data.get("models") or {}).items():
        where = f"models.{name}"
        values = _fields(raw, where, {"shutdown", "as_of"}, {"source"}, problems)
        if values is None:
            continue
        extra = set(raw) - {"shutdown", "deprecated", "source", "as_of", "tentative"}
        for key in sorted(extra):
            problems.append(Problem(f"{where}.{key}", "unknown field"))
        deprecated = _date(raw.get("deprecated"), f"{where}.deprecated", problems, optional=True)
        if not extra:
            models[str(name).lower()] = ModelLifecycle(
                str(name).lower(),
                values["shutdown"],
                values["source"],
                values["as_of"],
                deprecated,
                bool(raw.get("tentative", False)),
            )
    for name, raw in (data.get("facts") or {}).items():
        values = _fields(raw, f"facts.{name}", {"date", "as_of"}, {"text", "source"}, problems)
        if values is not None:
            facts[str(name)] = DatedFact(
                str(name), values["date"], values["text"], values["source"], values["as_of"]
            )
    if problems:
        raise ValidationError(source, problems)
    return Lifecycles(models, facts)


def _fields(
    raw: Any, where: str, dates: set[str], texts: set[str], problems: list[Problem]
) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems.append(Problem(where, "expected a mapping of fields", repr(raw)))
        return None
    before = len(problems)
    values: dict[str, Any] = {}
    for key in sorted(dates):
        values[key] = _date(raw.get(key), f"{where}.{key}", problems)
    for key in sorted(texts):
        if not raw.get(key):
            problems.append(Problem(f"{where}.{key}", "missing (every date needs a source)"))
        values[key] = str(raw.get(key))
    return values if len(problems) == before else None


def _date(value: Any, where: str, problems: list[Problem], *, optional: bool = False) -> Any:
    if value is None:
        if not optional:
            problems.append(Problem(where, "missing (a date, YYYY-MM-DD)"))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(where, "expected a date, YYYY-MM-DD", repr(value)))
        return None
