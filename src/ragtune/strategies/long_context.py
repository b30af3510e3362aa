"""`long_context`: the whole knowledge base in a cacheable system prompt ("project knowledge").

Refuses, with the numbers, when the knowledge base does not fit the model's context window next
to the question and the answer: the article heuristic "under ~200 pages, put it all in context"
only holds for models whose window is that large.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ragtune.backends import Response
from ragtune.data import Example
from ragtune.strategies.base import ArmUnavailable, Resources
from ragtune.strategies.chat import ChatArm
from ragtune.strategies.prompts import CONTEXT_RULE, cited_ids
from ragtune.strategies.registry import register_arm
from ragtune.strategies.settings import ArmSettings, ChatSettings, Traits

DEFAULT_CONTEXT = 8192  # SmolLM2's window; API backends report theirs via `context_window`
HEADROOM = 512  # question + answer tokens kept free


class LongContextSettings(ChatSettings):
    context_window: int | None = Field(None, ge=1024, le=10_000_000)
    """The model's context window in tokens; None: what the backend reports, else 8192."""


@register_arm
class LongContextArm(ChatArm):
    name: ClassVar[str] = "long_context"
    settings: ClassVar[type[ArmSettings]] = LongContextSettings
    # Fresh by construction (its prompt is the knowledge base), so not re-asked after an update.
    traits: ClassVar[Traits] = Traits(
        needs_knowledge=True, needs_text=True, projectable=True, freshness=False
    )

    def __init__(self, resources: Resources, settings: LongContextSettings) -> None:
        super().__init__(resources, settings)
        if not resources.knowledge_text:
            raise ArmUnavailable("long_context needs a knowledge base (workload `knowledge:`)")
        window = int(
            settings.context_window
            or getattr(self.backend, "context_window", None)
            or DEFAULT_CONTEXT
        )
        needed = (resources.knowledge_tokens or len(resources.knowledge_text) // 4) + HEADROOM
        if needed > window:
            raise ArmUnavailable(
                f"the knowledge base needs ~{needed:,} tokens with the question, more than "
                f"{self.backend.name}'s {window:,}-token context; use rag, or a long-context "
                "backend (e.g. anthropic:claude-haiku-4-5, 200k tokens)"
            )
        self.doc_ids = tuple(resources.extras.get("doc_ids", ()))

    def system(self) -> str:
        return f"{super().system()} {CONTEXT_RULE}\n\n{self.resources.knowledge_text}"

    def citations(self, item: Example, response: Response) -> tuple[str, ...]:
        return cited_ids(response.text, self.doc_ids)
