"""Quick checks of a tuned model on held-out examples: greedy answers and exact-match accuracy.

This is the fine-tuning pipeline's own sanity check (base vs tuned on the same prompts, merged
vs adapter, GGUF vs merged). Full evaluation with statistics across strategies is the job of
`ragtune.scoring` and `ragtune.stats`; this module does not compute confidence intervals or judge
free text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ragtune.finetune.data import Conversation
from ragtune.finetune.render import prompt_text


@dataclass(frozen=True)
class Accuracy:
    correct: int
    total: int

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 0.0


def generate_greedy(
    model: Any,
    tokenizer: Any,
    examples: Sequence[Conversation],
    *,
    max_new_tokens: int = 16,
    batch_size: int = 16,
) -> list[list[int]]:
    """Greedy continuation token ids for each example's prompt (answer turn left out)."""
    import torch

    prompts = [
        tokenizer(prompt_text(tokenizer, ex), add_special_tokens=False)["input_ids"]
        for ex in examples
    ]
    pad = tokenizer.pad_token_id
    out: list[list[int]] = []
    device = next(model.parameters()).device
    for i in range(0, len(prompts), batch_size):
        chunk = prompts[i : i + batch_size]
        width = max(len(p) for p in chunk)
        ids = torch.tensor([[pad] * (width - len(p)) + p for p in chunk], device=device)
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in chunk], device=device)
        with torch.no_grad():
            gen = model.generate(
                input_ids=ids,
                attention_mask=mask,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=pad,
            )
        out += [row.tolist() for row in gen[:, width:]]
    return out


def decode_answers(tokenizer: Any, outputs: Sequence[Sequence[int]]) -> list[str]:
    eos = tokenizer.eos_token_id
    texts = []
    for ids in outputs:
        ids = list(ids)
        if eos in ids:
            ids = ids[: ids.index(eos)]
        texts.append(tokenizer.decode(ids, skip_special_tokens=True).strip())
    return texts


def normalise(text: str) -> str:
    return " ".join(text.lower().strip().strip(".!").split())


def exact_match(answers: Sequence[str], examples: Sequence[Conversation]) -> Accuracy:
    hits = sum(
        normalise(a) == normalise(ex.answer) for a, ex in zip(answers, examples, strict=True)
    )
    return Accuracy(hits, len(examples))


def first_label(text: str, labels: Sequence[str]) -> str | None:
    """The label mentioned earliest in `text` (whole words, any case), or None."""
    import re

    found = [
        (m.start(), label)
        for label in labels
        for m in [re.search(rf"\b{re.escape(label.lower())}\b", text.lower())]
        if m
    ]
    return min(found)[1] if found else None


def label_match(
    answers: Sequence[str], examples: Sequence[Conversation], labels: Sequence[str]
) -> Accuracy:
    """Lenient accuracy for classification: the first label the answer mentions is the gold one."""
    hits = sum(
        first_label(a, labels) == normalise(ex.answer)
        for a, ex in zip(answers, examples, strict=True)
    )
    return Accuracy(hits, len(examples))
