"""Bring results from other eval tools in as recorded-answer arms of a workload.

`read_promptfoo`, `read_inspect` and `read_answers` each read one tool's files into an
`Imported` (items, arms of answers, notes on what could not be mapped); `plan` keeps the items
every arm can be scored on, and `write` writes the workload folder atomically. `ragtune import`
is the command on top.
"""

from ragtune.importers.inspect_log import read_inspect
from ragtune.importers.models import resolve_model
from ragtune.importers.plain import parse_columns, read_answers
from ragtune.importers.promptfoo import read_promptfoo
from ragtune.importers.records import (
    Imported,
    ImportedAnswer,
    ImportedArm,
    ImportedItem,
    Note,
    parse_models,
)
from ragtune.importers.workload import Plan, plan, write

__all__ = [
    "Imported",
    "ImportedAnswer",
    "ImportedArm",
    "ImportedItem",
    "Note",
    "Plan",
    "parse_columns",
    "parse_models",
    "plan",
    "read_answers",
    "read_inspect",
    "read_promptfoo",
    "resolve_model",
    "write",
]
