"""`rag` and `finetune_rag`: retrieve the top-k chunks (hybrid BM25 + dense) and answer from them.

The sources go in the user turn, labelled with their document ids. An answer's citations are
the ids it cites in [brackets]; a model that cites nothing is credited with the retrieved
sources, which a RAG interface would show under the answer anyway.
"""

from __future__ import annotations

from typing import Any

from ragtune.backends.base import Backend, Response
from ragtune.data import Example
from ragtune.strategies.base import ArmFailed, ArmUnavailable, Resources
from ragtune.strategies.chat import ChatArm
from ragtune.strategies.prompts import CONTEXT_RULE, TUNED_SYSTEM, cited_ids, format_sources


class RagArm(ChatArm):
    name = "rag"

    def __init__(self, resources: Resources, params: dict[str, Any]) -> None:
        if resources.index is None:
            raise ArmUnavailable(f"{self.name} needs a retrieval index (workload `knowledge:`)")
        super().__init__(resources, params)
        self.k = int(params.get("k", 4))
        self.mode = str(params.get("mode", "hybrid"))
        self._hits: dict[str, list[Any]] = {}

    def hits(self, item: Example) -> list[Any]:
        if item.id not in self._hits:
            self._hits[item.id] = list(
                self.resources.index.search(  # type: ignore[union-attr]
                    item.input, k=self.k, mode=self.mode
                )
            )
        return self._hits[item.id]

    def system(self) -> str:
        return f"{super().system()} {CONTEXT_RULE}"

    def user_turn(self, item: Example) -> str:
        return f"Sources:\n{format_sources(self.hits(item))}\n\nQuestion: {item.input}"

    def citations(self, item: Example, response: Response) -> tuple[str, ...]:
        offered = [h.citation.doc_id for h in self.hits(item)]
        return cited_ids(response.text, offered) or tuple(dict.fromkeys(offered))


class FinetuneArm(ChatArm):
    """`finetune`: the tuned model with the one-line prompt it was trained with."""

    name = "finetune"

    def pick_backend(self) -> Backend:
        if self.resources.tuned is None:
            if "tuned_error" in self.resources.extras:  # a hosted job failed: an arm error
                raise ArmFailed(f"{self.name}: {self.resources.extras['tuned_error']}")
            raise ArmUnavailable(f"{self.name} needs a fine-tuned model and none was trained")
        return self.resources.tuned

    def system(self) -> str:
        return TUNED_SYSTEM[self.task.task]


class FinetuneRagArm(RagArm):
    """`finetune_rag`: tune for behaviour, retrieve for knowledge."""

    name = "finetune_rag"

    def pick_backend(self) -> Backend:
        return FinetuneArm.pick_backend(self)  # type: ignore[arg-type]

    def system(self) -> str:
        return f"{TUNED_SYSTEM[self.task.task]} {CONTEXT_RULE}"
