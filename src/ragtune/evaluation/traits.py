"""Arm traits the readers of a run depend on, as string sets in one place.

Issue 14 moves these onto the arm classes (traits declared where the arm is defined); until it
merges, every reader imports them from here rather than keeping its own copy.
"""

from __future__ import annotations

TUNED = frozenset({"finetune", "finetune_rag"})  # answered by a fine-tuned model
CITING = frozenset({"rag", "finetune_rag"})  # answers carry their sources
# Arms whose prompt a frontier API model could answer as is (a tuned model lives only here).
PROJECTABLE = frozenset({"prompt", "fewshot", "long_context", "rag", "memory"})
