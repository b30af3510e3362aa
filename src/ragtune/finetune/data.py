"""Training data for fine-tuning: read the layouts people already have, normalise to chat turns.

Accepted JSONL layouts (one object per line, detected per line):

- ``messages``: ``{"messages": [{"role": "user", "content": ...}, ...]}`` (OpenAI chat format)
- ``sharegpt``: ``{"conversations": [{"from": "human"|"gpt"|"system", "value": ...}, ...]}``
- ``alpaca``: ``{"instruction": ..., "input": ...?, "output": ...}``
- ``prompt-completion``: ``{"prompt": ..., "completion": ...}``
- task examples: ``{"input"|"question"|"text": ..., "output"|"answer"|"label": ...}``

Every problem in a file is reported at once (`ValidationError`). This module also splits off a
validation set (never overlapping a given evaluation test set), mixes in a general-purpose set
and hashes the data for the model card. It does not tokenise: see `render`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.errors import Problem, RagtuneError, ValidationError

log = logging.getLogger(__name__)

ROLES = ("system", "user", "assistant")
SHAREGPT_ROLES = {"system": "system", "human": "user", "user": "user", "gpt": "assistant"}
SHAREGPT_ROLES |= {"assistant": "assistant", "model": "assistant"}
LAYOUTS = ("messages", "sharegpt", "alpaca", "prompt-completion", "task")
# (prompt field, answer field) pairs of the task-example layout, in order of preference.
TASK_FIELDS = (("input", "output"), ("question", "answer"), ("text", "label"))


@dataclass(frozen=True)
class Message:
    role: str  # one of ROLES
    content: str


@dataclass(frozen=True)
class Conversation:
    """One training example as chat turns; the last turn is the assistant's answer."""

    messages: tuple[Message, ...]
    source: str = ""  # "file.jsonl:12" for error messages and warnings

    @property
    def prompt_key(self) -> str:
        """The non-assistant turns; two examples with the same key ask the same thing."""
        return "\x1e".join(f"{m.role}:{m.content}" for m in self.messages[:-1])

    @property
    def answer(self) -> str:
        return self.messages[-1].content

    def to_json(self) -> dict[str, Any]:
        return {"messages": [{"role": m.role, "content": m.content} for m in self.messages]}


def conversation(prompt: str, answer: str, *, system: str | None = None) -> Conversation:
    """A single-turn example (the shape of qa / classify / extract / generate workload data)."""
    turns = [Message("system", system)] if system else []
    return Conversation((*turns, Message("user", prompt), Message("assistant", answer)))


def detect_layout(row: dict[str, Any]) -> str | None:
    if "messages" in row:
        return "messages"
    if "conversations" in row:
        return "sharegpt"
    if "instruction" in row and "output" in row:
        return "alpaca"
    if "prompt" in row and "completion" in row:
        return "prompt-completion"
    if any(p in row and a in row for p, a in TASK_FIELDS):
        return "task"
    return None


def parse_row(row: Any, where: str, *, system: str | None = None) -> Conversation:
    """Normalise one JSON object; raises ValueError with a one-line reason when it does not fit."""
    if not isinstance(row, dict):
        raise ValueError(f"expected a JSON object, got {type(row).__name__}")
    layout = detect_layout(row)
    if layout is None:
        raise ValueError(
            f"unknown layout, fields {sorted(row)}; expected one of: 'messages', 'conversations' "
            "(sharegpt), 'instruction'+'output' (alpaca), 'prompt'+'completion', "
            "'input'+'output', 'question'+'answer' or 'text'+'label'"
        )
    if layout == "messages":
        turns = [_turn(t, "role", "content", {r: r for r in ROLES}) for t in _list(row, "messages")]
    elif layout == "sharegpt":
        turns = [_turn(t, "from", "value", SHAREGPT_ROLES) for t in _list(row, "conversations")]
    elif layout == "alpaca":
        prompt = _text(row, "instruction")
        extra = row.get("input") or ""
        if not isinstance(extra, str):
            raise ValueError("'input' must be a string")
        prompt = f"{prompt}\n\n{extra}" if extra.strip() else prompt
        turns = [Message("user", prompt), Message("assistant", _text(row, "output"))]
    elif layout == "prompt-completion":
        turns = [
            Message("user", _text(row, "prompt")),
            Message("assistant", _text(row, "completion")),
        ]
    else:
        p, a = next((p, a) for p, a in TASK_FIELDS if p in row and a in row)
        answer = row[a] if isinstance(row[a], str) else json.dumps(row[a], ensure_ascii=False)
        turns = [Message("user", _text(row, p)), Message("assistant", answer)]
    if system and turns[0].role != "system":
        turns.insert(0, Message("system", system))
    if not turns or turns[-1].role != "assistant":
        raise ValueError(
            "the last turn must be the assistant's answer (nothing to learn otherwise)"
        )
    if not turns[-1].content.strip():
        raise ValueError("the assistant's answer is empty")
    if not any(t.role == "user" for t in turns):
        raise ValueError("there is no user turn")
    return Conversation(tuple(turns), where)


def _list(row: dict[str, Any], key: str) -> list[Any]:
    value = row[key]
    if not isinstance(value, list) or not value:
        raise ValueError(f"{key!r} must be a non-empty list of turns")
    return value


def _turn(t: Any, role_key: str, text_key: str, roles: dict[str, str]) -> Message:
    if not isinstance(t, dict) or role_key not in t or text_key not in t:
        raise ValueError(f"each turn needs {role_key!r} and {text_key!r}, got {t!r:.80}")
    if t[role_key] not in roles:
        raise ValueError(f"unknown role {t[role_key]!r}; allowed: {sorted(roles)}")
    if not isinstance(t[text_key], str):
        raise ValueError(f"{text_key!r} must be a string")
    return Message(roles[t[role_key]], t[text_key])


def _text(row: dict[str, Any], key: str) -> str:
    value = row[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key!r} must be a non-empty string")
    return value


def parse_rows(
    rows: Iterable[tuple[str, Any]], source: str, *, system: str | None = None
) -> list[Conversation]:
    """Parse (where, object) pairs, collecting every problem before raising."""
    out: list[Conversation] = []
    problems: list[Problem] = []
    for where, row in rows:
        try:
            out.append(parse_row(row, where, system=system))
        except ValueError as err:
            problems.append(Problem(where, str(err)))
    if problems:
        raise ValidationError(source, problems[:20] + _more(len(problems) - 20))
    if not out:
        raise RagtuneError(
            f"{source}: no training examples found (the file is empty)",
            hint="give a JSONL file with one example per line, e.g. "
            '{"messages": [{"role": "user", "content": "..."}, '
            '{"role": "assistant", "content": "..."}]}',
        )
    return out


def _more(n: int) -> list[Problem]:
    return [Problem("...", f"and {n} more problems")] if n > 0 else []


def load_examples(path: str | Path, *, system: str | None = None) -> list[Conversation]:
    """Read a JSONL training file in any supported layout (mixed layouts are allowed)."""
    path = Path(path)
    if not path.is_file():
        raise RagtuneError(f"training data file not found: {path}", hint="check the --data path")
    rows: list[tuple[str, Any]] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append((f"line {n}", json.loads(line)))
            except json.JSONDecodeError as err:
                problems.append(Problem(f"line {n}", f"not valid JSON ({err.msg})", line[:60]))
    if problems:
        raise ValidationError(str(path), problems[:20] + _more(len(problems) - 20))
    return parse_rows(rows, str(path), system=system)


def check_answers(examples: Sequence[Conversation], *, task: str | None = None) -> list[str]:
    """Raise when every answer is identical; return warnings for lopsided label sets."""
    counts: dict[str, int] = {}
    for ex in examples:
        counts[ex.answer.strip()] = counts.get(ex.answer.strip(), 0) + 1
    if len(counts) == 1 and len(examples) > 1:
        (only,) = counts
        raise RagtuneError(
            f"all {len(examples)} training examples have the same answer ({only[:60]!r}); "
            "a model tuned on them only learns to repeat it",
            hint="a classification set needs at least two labels; add examples of the others",
        )
    warnings = []
    if task == "classify" and counts:
        label, top = max(counts.items(), key=lambda kv: kv[1])
        if top / len(examples) > 0.9:
            warnings.append(f"label {label!r} is {top / len(examples):.0%} of the training data")
    for w in warnings:
        log.warning(w)
    return warnings


def split_validation(
    examples: Sequence[Conversation],
    *,
    fraction: float = 0.1,
    seed: int = 0,
    test: Sequence[Conversation] = (),
) -> tuple[list[Conversation], list[Conversation]]:
    """Shuffle (seeded) and split into train/validation; drop examples that are in the test set.

    A prompt seen in `test` must never be trained or validated on: that contaminates evaluation.
    """
    if not 0.0 <= fraction < 1.0:
        raise RagtuneError(
            f"validation fraction must be in [0, 1), got {fraction}", hint="e.g. --val-fraction 0.1"
        )
    banned = {t.prompt_key for t in test}
    kept = [e for e in examples if e.prompt_key not in banned]
    if len(kept) < len(examples):
        log.warning(
            "dropped %d training examples that appear in the test set", len(examples) - len(kept)
        )
    order = list(range(len(kept)))
    random.Random(seed).shuffle(order)
    n_val = round(len(kept) * fraction) if fraction > 0 else 0
    n_val = max(1, n_val) if fraction > 0 and len(kept) >= 2 else n_val
    val = [kept[i] for i in order[:n_val]]
    train = [kept[i] for i in order[n_val:]]
    if not train:
        raise RagtuneError(
            f"no training examples left after the split ({len(kept)} usable, "
            f"{n_val} for validation)",
            hint="add examples or lower --val-fraction",
        )
    return train, val


def mix_general(
    train: Sequence[Conversation], general: Sequence[Conversation], fraction: float, seed: int = 0
) -> list[Conversation]:
    """Add general-purpose examples so they make up `fraction` of the result (limits forgetting)."""
    if not 0.0 <= fraction < 1.0:
        raise RagtuneError(f"general-data fraction must be in [0, 1), got {fraction}")
    if fraction == 0 or not general:
        return list(train)
    want = round(len(train) * fraction / (1 - fraction))
    rng = random.Random(seed)
    extra = [general[rng.randrange(len(general))] for _ in range(want)]
    mixed = [*train, *extra]
    rng.shuffle(mixed)
    return mixed


def data_hash(examples: Sequence[Conversation]) -> str:
    """sha256 of the examples in order, for the model card (same data -> same hash)."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(json.dumps(ex.to_json(), sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def save_examples(examples: Sequence[Conversation], path: str | Path) -> None:
    with Path(path).open("w", encoding="utf-8") as fh:
        for ex in examples:
            fh.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")
