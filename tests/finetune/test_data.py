"""Reading training files in every layout, bad input, validation split, mixing, hashing."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from ragtune.errors import RagtuneError, ValidationError
from ragtune.finetune.data import (
    Conversation,
    check_answers,
    conversation,
    data_hash,
    load_examples,
    mix_general,
    split_validation,
)


def write(tmp_path: Path, rows: list[Any], name: str = "train.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def roles(c: Conversation) -> list[str]:
    return [m.role for m in c.messages]


def test_every_layout_normalises_to_chat_turns(tmp_path: Path) -> None:
    rows = [
        {
            "messages": [
                {"role": "system", "content": "S"},
                {"role": "user", "content": "q1"},
                {"role": "assistant", "content": "a1"},
            ]
        },
        {"conversations": [{"from": "human", "value": "q2"}, {"from": "gpt", "value": "a2"}]},
        {"instruction": "translate", "input": "chat", "output": "cat"},
        {"instruction": "say hi", "output": "hi"},
        {"prompt": "2+2", "completion": "4"},
        {"input": "refund please", "output": "returns"},
        {"question": "capital of France?", "answer": "Paris"},
        {"text": "love it", "label": "positive"},
        {"input": "Ada, 36", "output": {"name": "Ada", "age": 36}},
    ]
    ex = load_examples(write(tmp_path, rows))
    assert len(ex) == 9
    assert roles(ex[0]) == ["system", "user", "assistant"]
    assert roles(ex[1]) == ["user", "assistant"] and ex[1].answer == "a2"
    assert ex[2].messages[0].content == "translate\n\nchat" and ex[2].answer == "cat"
    assert ex[3].messages[0].content == "say hi"
    assert (ex[4].messages[0].content, ex[4].answer) == ("2+2", "4")
    assert ex[7].answer == "positive"
    assert json.loads(ex[8].answer) == {"name": "Ada", "age": 36}  # extraction: JSON answer


def test_system_prompt_is_added_where_missing(tmp_path: Path) -> None:
    ex = load_examples(write(tmp_path, [{"prompt": "p", "completion": "c"}]), system="Be brief.")
    assert roles(ex[0]) == ["system", "user", "assistant"]


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content)
    with pytest.raises(RagtuneError, match="no training examples found"):
        load_examples(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RagtuneError, match="not found"):
        load_examples(tmp_path / "nope.jsonl")


def test_wrong_fields_report_every_bad_line(tmp_path: Path) -> None:
    rows = [
        {"prompt": "fine", "completion": "ok"},
        {"question": "where is my order?"},  # no answer field
        "{not json",
        {"messages": [{"role": "user", "content": "hi"}]},  # no assistant turn
        {"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": "y"}]},
        ["a", "list"],
        {"prompt": "p", "completion": "   "},
    ]
    with pytest.raises(ValidationError) as err:
        load_examples(write(tmp_path, rows))
    assert [p.path for p in err.value.problems] == ["line 3"]  # JSON errors come first, alone
    with pytest.raises(ValidationError) as err:
        load_examples(write(tmp_path, [r for r in rows if r != "{not json"]))
    msg = str(err.value)
    assert [p.path for p in err.value.problems] == [
        "line 2",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]
    assert "unknown layout" in msg and "'question'+'answer'" in msg
    assert "last turn must be the assistant" in msg
    assert "unknown role 'robot'" in msg
    assert "expected a JSON object" in msg
    assert "must be a non-empty string" in msg


def test_a_label_set_of_one_class_is_rejected() -> None:
    ex = [conversation(f"message {i}", "billing") for i in range(10)]
    with pytest.raises(RagtuneError, match="same answer") as err:
        check_answers(ex, task="classify")
    assert "at least two labels" in str(err.value)


def test_lopsided_labels_warn(caplog: pytest.LogCaptureFixture) -> None:
    ex = [conversation(f"m{i}", "billing") for i in range(19)] + [conversation("x", "cancel")]
    with caplog.at_level(logging.WARNING):
        warnings = check_answers(ex, task="classify")
    assert warnings and "95%" in warnings[0]


def test_split_is_seeded_disjoint_and_excludes_the_test_set() -> None:
    ex = [conversation(f"q{i}", f"a{i % 3}") for i in range(50)]
    test = [conversation("q7", "a1"), conversation("q8", "a2")]
    train, val = split_validation(ex, fraction=0.2, seed=1, test=test)
    assert len(train) + len(val) == 48 and len(val) == 10
    keys = {e.prompt_key for e in train} | {e.prompt_key for e in val}
    assert not keys & {t.prompt_key for t in test}
    assert not {e.prompt_key for e in train} & {e.prompt_key for e in val}
    assert (train, val) == split_validation(ex, fraction=0.2, seed=1, test=test)
    assert (train, val) != split_validation(ex, fraction=0.2, seed=2, test=test)


def test_split_rejects_bad_fractions_and_empty_training() -> None:
    ex = [conversation("q", "a")]
    with pytest.raises(RagtuneError, match=r"\[0, 1\)"):
        split_validation(ex, fraction=1.0)
    with pytest.raises(RagtuneError, match="no training examples left"):
        split_validation(ex, fraction=0.5, test=ex)


def test_general_data_is_mixed_at_the_asked_fraction() -> None:
    train = [conversation(f"t{i}", "x") for i in range(30)]
    general = [conversation(f"g{i}", "y") for i in range(5)]
    mixed = mix_general(train, general, 0.25, seed=0)
    assert len(mixed) == 40 and sum(e.answer == "y" for e in mixed) == 10
    assert mix_general(train, general, 0.0) == train
    with pytest.raises(RagtuneError):
        mix_general(train, general, 1.5)


def test_data_hash_depends_on_content_and_order() -> None:
    a, b = conversation("q1", "a"), conversation("q2", "b")
    assert data_hash([a, b]) == data_hash([conversation("q1", "a"), conversation("q2", "b")])
    assert data_hash([a, b]) != data_hash([b, a])
    assert len(data_hash([a])) == 64
