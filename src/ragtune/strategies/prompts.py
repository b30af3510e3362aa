"""Task instructions, context formatting and answer parsing, shared by every arm.

Instructions are short and fixed per task so the cacheable prefix is stable; a workload may
bring its own per arm (`instructions:`), with the same placeholders. Answers are not
parsed here: labels and JSON go to `ragtune.scoring.metrics` as written, which is strict on
purpose (a label in a sentence, or JSON wrapped in prose, is a format failure).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ragtune.strategies.base import TaskSpec

INSTRUCTIONS = {
    "qa": "Answer the question with a short phrase: a number, a name or a few words. No "
    "explanation.",
    "classify": "Classify the customer message. Reply with exactly one label from this list: "
    "{labels}.",
    "extract": "Extract the fields as one JSON object matching this JSON Schema, and nothing "
    "else:\n{schema}",
    "generate": "Answer helpfully and concisely.",
}
# The fine-tuned arms learn the format from examples, so their prompt is one line.
TUNED_SYSTEM = {
    "qa": "Answer briefly.",
    "classify": "Label the message.",
    "extract": "Extract the fields as JSON.",
    "generate": "Answer concisely.",
}
CONTEXT_RULE = (
    "Use only the sources below. After the answer, cite the source ids you used in "
    "square brackets, like [doc-id]."
)


def instructions(task: TaskSpec, given: str | None = None) -> str:
    """The system prompt: `given` (a workload's own instructions) or the task's, with `{labels}`
    and `{schema}` filled in. Other braces are left alone, so a prompt may show JSON."""
    text = INSTRUCTIONS[task.task] if given is None else given
    labels = ", ".join(task.labels or ())
    schema = json.dumps(task.json_schema or {}, separators=(",", ":"))
    return text.replace("{labels}", labels).replace("{schema}", schema)


def target_text(target: Any) -> str:
    """How a gold target is written as an assistant turn (few-shot, training)."""
    if isinstance(target, dict | list):
        return json.dumps(target, ensure_ascii=False, separators=(", ", ": "))
    return str(target)


def format_sources(hits: Sequence[Any]) -> str:
    """Retrieved chunks as numbered source blocks labelled with their document id."""
    blocks = []
    for hit in hits:
        citation = hit.citation
        blocks.append(f"[{citation.doc_id}] {citation.title}\n{hit.text.strip()}")
    return "\n\n".join(blocks)


def answer_text(task: TaskSpec, text: str) -> str:
    """What the metrics score: the answer without citation markers for free text, the raw output
    for labels and JSON (the metrics parse those strictly, so format failures count)."""
    return strip_citations(text) if task.task in ("qa", "generate") else text.strip()


_CITE = re.compile(r"\[([A-Za-z0-9][\w.\-/]*)\]")


def cited_ids(text: str, known: Sequence[str]) -> tuple[str, ...]:
    """Document ids cited as [id] in the text, limited to ids that were actually offered."""
    offered = set(known)
    seen: list[str] = []
    for match in _CITE.findall(text):
        if match in offered and match not in seen:
            seen.append(match)
    return tuple(seen)


def strip_citations(text: str) -> str:
    return _CITE.sub("", text).strip().rstrip(".").strip()
