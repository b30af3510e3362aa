"""The example record every task shares: an input, a target, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class Example:
    """One labelled item.

    `target` is the gold answer (qa, generate), the label (classify) or a JSON object (extract).
    `doc_ids` are gold knowledge-base documents when known (citation hit rate, retrieval eval).
    `extra` keeps unmapped columns so nothing the user had is lost.
    """

    id: str
    input: str
    target: Any
    split: str | None = None
    doc_ids: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
