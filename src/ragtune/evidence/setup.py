"""What a run evaluated, as plain lines for the report: the test sample, and each arm's class,
model and system prompt as the runner stored them (variants of one arm differ here).

Reads the stored run config and arm info (free-form dicts written by `runner.py`); the report
renderers only call this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PROMPT_SHOWN = 160  # characters of a system prompt shown in the report (the store has it all)


def setup_lines(
    config: Mapping[str, Any], arms: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[str]:
    sample = (config.get("run") or {}).get("sample") or {}
    lines = [f"test items: {sample['text']}"] if sample.get("text") else []
    for name, info in arms:
        if not info.get("model"):
            continue
        kind = f" ({info['arm']})" if info.get("arm") and info["arm"] != name else ""
        line = f"{name}{kind}: model {info['model']}"
        prompt = str(info.get("prompt") or "")
        if prompt:
            short = prompt if len(prompt) <= PROMPT_SHOWN else prompt[:PROMPT_SHOWN] + "..."
            line += f"; prompt: {short!r}"
        lines.append(line)
    return lines
