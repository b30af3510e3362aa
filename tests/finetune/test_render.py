"""Chat rendering with the real SmolLM2 tokenizer: loss mask on answers only, truncation counts."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ragtune.errors import RagtuneError
from ragtune.finetune.data import Conversation, Message, conversation
from ragtune.finetune.render import IGNORE, prompt_text, render, render_all

pytestmark = pytest.mark.slow


def trained_text(tokenizer: Any, r: Any) -> str:
    return str(
        tokenizer.decode([t for t, lab in zip(r.input_ids, r.labels, strict=True) if lab != IGNORE])
    )


def test_only_the_answer_and_end_of_turn_carry_loss(tokenizer: Any) -> None:
    ex = conversation("Where is my parcel?", "shipping", system="Classify.")
    r = render(tokenizer, ex, 512)
    assert trained_text(tokenizer, r) == "shipping<|im_end|>\n"
    full = tokenizer.decode(list(r.input_ids))
    assert full == tokenizer.apply_chat_template(
        [{"role": m.role, "content": m.content} for m in ex.messages], tokenize=False
    )
    assert full.startswith(prompt_text(tokenizer, ex))  # training format == inference format
    assert not r.truncated and r.full_length == len(r.input_ids)


def test_every_assistant_turn_of_a_dialogue_is_trained(tokenizer: Any) -> None:
    ex = Conversation(
        (
            Message("user", "hi"),
            Message("assistant", "Hello!"),
            Message("user", "order A1?"),
            Message("assistant", "On its way."),
        )
    )
    r = render(tokenizer, ex, 512)
    assert trained_text(tokenizer, r) == "Hello!<|im_end|>\nOn its way.<|im_end|>\n"


def test_long_examples_are_truncated_and_counted(tokenizer: Any, caplog: Any) -> None:
    short = conversation("hi", "billing")
    long_answer = conversation("tell me", "word " * 200)
    long_prompt = conversation("word " * 200, "billing")
    with caplog.at_level(logging.WARNING):
        kept, stats = render_all(tokenizer, [short, long_answer, long_prompt], 64)
    assert (stats.examples, stats.truncated, stats.dropped, stats.kept) == (3, 2, 1, 2)
    assert stats.max_length_seen > 200
    assert all(len(r.input_ids) <= 64 for r in kept)
    assert "2 of 3 examples were longer than max_length=64" in caplog.text
    assert "1 dropped" in caplog.text


def test_truncation_policy_error_rejects_with_the_count(tokenizer: Any) -> None:
    exs = [conversation("hi", "billing"), conversation("word " * 100, "x")]
    with pytest.raises(RagtuneError, match="1 of 2 examples are longer than max_length=48"):
        render_all(tokenizer, exs, 48, policy="error")
    with pytest.raises(RagtuneError, match="unknown truncation policy"):
        render_all(tokenizer, exs, 48, policy="drop")


def test_nothing_left_to_learn_is_an_error(tokenizer: Any) -> None:
    with pytest.raises(RagtuneError, match="no example has answer tokens"):
        render_all(tokenizer, [conversation("word " * 100, "x")], 16)
