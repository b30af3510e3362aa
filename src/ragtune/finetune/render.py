"""Render conversations to token ids with a loss mask on the assistant turns only.

Each conversation goes through the tokenizer's own chat template (a simple one is installed for
base models that have none), so training sees exactly the format inference will use. Labels are
-100 everywhere except the assistant's tokens, end-of-turn marker included, so the model learns
to answer and to stop, not to repeat the prompt.

Examples longer than `max_length` are truncated on the right and counted; one whose assistant
part would vanish entirely is dropped and counted (policy "truncate"), or the whole set is
rejected with the count (policy "error"). Batching lives in `batching`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ragtune.errors import RagtuneError
from ragtune.finetune.data import Conversation

log = logging.getLogger(__name__)

IGNORE = -100  # label value that torch's cross-entropy skips
TRUNCATION_POLICIES = ("truncate", "error")

# For base models without a chat template (e.g. Gemma 3 270M as shipped here). Each assistant
# turn ends with the EOS token so generation stops.
SIMPLE_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'system' %}{{ m['content'] + '\n\n' }}"
    "{% elif m['role'] == 'user' %}{{ '### User:\n' + m['content'] + '\n\n' }}"
    "{% else %}{{ '### Assistant:\n' + m['content'] + eos_token + '\n\n' }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '### Assistant:\n' }}{% endif %}"
)


@dataclass(frozen=True)
class Rendered:
    input_ids: tuple[int, ...]
    labels: tuple[int, ...]  # IGNORE outside assistant turns
    truncated: bool = False
    full_length: int = 0  # before truncation

    @property
    def n_trained(self) -> int:
        """Tokens that carry loss (the "useful" tokens of the benchmark)."""
        return sum(1 for x in self.labels if x != IGNORE)


@dataclass(frozen=True)
class RenderStats:
    examples: int
    kept: int
    truncated: int
    dropped: int  # nothing left to learn after truncation
    tokens: int  # all tokens of the kept examples
    trained_tokens: int  # tokens with loss
    max_length_seen: int


def ensure_chat_template(tokenizer: Any) -> bool:
    """Install SIMPLE_TEMPLATE when the tokenizer has none; return True if it did."""
    if getattr(tokenizer, "chat_template", None):
        return False
    tokenizer.chat_template = SIMPLE_TEMPLATE
    log.info("tokenizer has no chat template; using the simple '### User / ### Assistant' one")
    return True


def _template(tokenizer: Any, messages: Sequence[dict[str, str]], gen: bool) -> str:
    text = tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=gen)
    return str(text)


def prompt_text(tokenizer: Any, conv: Conversation) -> str:
    """The prompt a tuned model is queried with: every turn but the answer, plus the cue."""
    msgs = [{"role": m.role, "content": m.content} for m in conv.messages[:-1]]
    return _template(tokenizer, msgs, True)


def render(tokenizer: Any, conv: Conversation, max_length: int) -> Rendered:
    """Token ids and labels for one conversation (no padding, no truncation beyond max_length)."""
    msgs = [{"role": m.role, "content": m.content} for m in conv.messages]
    full = _template(tokenizer, msgs, False)
    # Character spans of the assistant turns: between "prefix + cue" and "prefix + turn".
    spans: list[tuple[int, int]] = []
    for i, m in enumerate(conv.messages):
        if m.role != "assistant":
            continue
        start = len(_template(tokenizer, msgs[:i], True)) if i else 0
        end = len(_template(tokenizer, msgs[: i + 1], False))
        if not full.startswith(_template(tokenizer, msgs[: i + 1], False)):
            raise RagtuneError(
                "the chat template does not render a conversation as a prefix of a longer one, "
                "so the assistant turns cannot be located",
                hint="use a model whose chat template appends turns (ChatML, Llama, Gemma do)",
            )
        spans.append((start, end))
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(enc["input_ids"])
    labels = [IGNORE] * len(ids)
    for k, (a, b) in enumerate(enc["offset_mapping"]):
        if any(s <= a < e for s, e in spans) and b > a:
            labels[k] = ids[k]
    truncated = len(ids) > max_length
    return Rendered(tuple(ids[:max_length]), tuple(labels[:max_length]), truncated, len(ids))


def render_all(
    tokenizer: Any,
    examples: Sequence[Conversation],
    max_length: int,
    *,
    policy: str = "truncate",
) -> tuple[list[Rendered], RenderStats]:
    """Render every example, applying the truncation policy; warn with the counts."""
    if policy not in TRUNCATION_POLICIES:
        raise RagtuneError(
            f"unknown truncation policy {policy!r}; allowed: {', '.join(TRUNCATION_POLICIES)}"
        )
    if max_length < 8:
        raise RagtuneError(f"max_length must be at least 8 tokens, got {max_length}")
    ensure_chat_template(tokenizer)
    out: list[Rendered] = []
    truncated = dropped = longest = 0
    for ex in examples:
        r = render(tokenizer, ex, max_length)
        longest = max(longest, r.full_length)
        truncated += r.truncated
        if r.n_trained == 0:
            dropped += 1
            continue
        out.append(r)
    if truncated and policy == "error":
        raise RagtuneError(
            f"{truncated} of {len(examples)} examples are longer than "
            f"max_length={max_length} tokens",
            hint="raise --max-length, shorten the examples, or allow truncation",
        )
    if truncated:
        log.warning(
            "%d of %d examples were longer than max_length=%d and were truncated (%d dropped: "
            "no answer tokens left)",
            truncated,
            len(examples),
            max_length,
            dropped,
        )
    if not out:
        raise RagtuneError(
            f"no example has answer tokens within max_length={max_length} ({dropped} dropped)",
            hint="raise --max-length",
        )
    stats = RenderStats(
        examples=len(examples),
        kept=len(out),
        truncated=truncated,
        dropped=dropped,
        tokens=sum(len(r.input_ids) for r in out),
        trained_tokens=sum(r.n_trained for r in out),
        max_length_seen=longest,
    )
    return out, stats
