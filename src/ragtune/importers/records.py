"""What every reader of another tool's results produces: items, arms of answers, and notes.

A reader (promptfoo, Inspect, plain answers files) turns a file into an `Imported`: the items it
saw (input and gold, when the file gives one), one `ImportedArm` per system that answered them,
and a `Note` for everything it could not map. Nothing here decides which items a workload keeps
or writes a file (`workload.py` does both), and nothing is guessed: a field the file does not
hold stays None and a note says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ragtune.errors import RagtuneError

Tool = Literal["promptfoo", "inspect", "answers"]
# What a note is about; `workload.py` adds `missing_in_arm` and `no_gold` when it pairs items.
NoteKind = Literal[
    "no_gold",  # an item without an expected answer: left out of the test split
    "missing_in_arm",  # an item some arm did not answer: left out, so every arm pairs
    "unknown_model",  # an arm's model is not in the price catalog: the arm stays unpriced
    "duplicate",  # the same item answered twice by one arm (a repeat): the first is kept
    "cost",  # the file's own cost differs from the catalog's price of its tokens
    "tokens",  # token counts the file does not split (or does not record)
    "input",  # how several input variables became one input
    "gold",  # how a gold was chosen where the file offers several
]


@dataclass(frozen=True)
class Note:
    """One thing the import could not map as given, and what it did instead."""

    kind: NoteKind
    message: str
    arm: str | None = None
    items: tuple[str, ...] = ()  # the item ids concerned (the first few are shown)

    def render(self) -> str:
        where = f"{self.arm}: " if self.arm else ""
        shown = ""
        if self.items:
            head = ", ".join(self.items[:5]) + (", ..." if len(self.items) > 5 else "")
            shown = f" ({len(self.items)}: {head})"
        return f"{self.kind}: {where}{self.message}{shown}"


@dataclass(frozen=True)
class ImportedItem:
    """One test item: its id, the input the systems saw, the expected answer (None: none given)."""

    id: str
    input: Any
    gold: Any = None


@dataclass(frozen=True)
class ImportedAnswer:
    """One system's answer to one item, with what the file recorded about the call.

    Token counts follow ragtune's `Usage`: `input_tokens` is the uncached input only. None where
    the file does not say; `cost_usd` is the file's own figure, kept for comparison (ragtune prices
    the tokens itself, from the catalog).
    """

    item_id: str
    answer: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    latency_s: float | None = None
    cost_usd: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class ImportedArm:
    """One system's answers: its arm name, where it came from, the catalog model it is priced as
    (None: unpriced), and its answers in item order."""

    name: str
    source: str  # e.g. "promptfoo prompt 1 x openai:gpt-4o-mini"
    model: str | None
    answers: tuple[ImportedAnswer, ...]

    def by_item(self) -> dict[str, ImportedAnswer]:
        return {a.item_id: a for a in self.answers}


@dataclass(frozen=True)
class Imported:
    """A file read: the tool, its items in order, one arm per system, and the notes."""

    tool: Tool
    source: str
    items: tuple[ImportedItem, ...]
    arms: tuple[ImportedArm, ...]
    notes: tuple[Note, ...] = ()
    task_hint: str | None = None  # a task the file suggests (the caller's --task wins)
    extra: Mapping[str, Any] = field(default_factory=dict)  # tool facts for the workload header


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 40) -> str:
    """A lower-case arm-name fragment: letters, digits and single dashes."""
    return _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-") or "arm"


def unique_names(wanted: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """`wanted` with `-2`, `-3`... added where a name repeats or is already taken."""
    seen = set(taken)
    out = []
    for name in wanted:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}-{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def parse_models(pairs: Iterable[str]) -> dict[str, str]:
    """`--model SOURCE=CATALOG_MODEL` options as a mapping (a provider id or an arm name)."""
    out: dict[str, str] = {}
    for pair in pairs:
        source, sep, model = pair.partition("=")
        if not sep or not source.strip() or not model.strip():
            raise RagtuneError(
                f"--model {pair!r} is not SOURCE=MODEL",
                hint="e.g. --model openai:chat:my-proxy=gpt-4o-mini (the provider id or arm "
                "name as the file names it, then a catalog model from `ragtune prices`)",
            )
        out[source.strip()] = model.strip()
    return out


def count(value: Any) -> int | None:
    """A token count from a file: a non-negative whole number, else None (not recorded)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value >= 0 else None


def seconds(value: Any, scale: float = 1.0) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value) * scale
