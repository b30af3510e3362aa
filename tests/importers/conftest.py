"""A promptfoo results file written from promptfoo's documented result shape.

Shape: promptfoo's `OutputFile` (`promptfoo eval --output results.json`): `{evalId, results,
config, shareableUrl, metadata}`, with `results` an `EvaluateSummaryV3` (`version: 3`,
`timestamp`, `results: EvaluateResult[]`, `prompts: CompletedPrompt[]`, `stats`). Each
`EvaluateResult` carries `promptIdx`, `testIdx`, `testCase`, `promptId`, `provider {id, label}`,
`prompt`, `vars`, `response` (a `ProviderResponse`: `output`, `tokenUsage`, `cost`, `cached`,
`latencyMs`), `error`, `failureReason`, `success`, `score`, `latencyMs`, `gradingResult`,
`namedScores`, `cost`, `metadata`, `tokenUsage`. Sources, read on 2026-12-06:
https://www.promptfoo.dev/docs/configuration/reference/ (sections "EvaluateSummary",
"EvaluateResult", "ProviderResponse", "TokenUsage", "CompletedPrompt") and promptfoo's
`src/types/index.ts` (`OutputFile`, "File exported as --output option");
https://www.promptfoo.dev/docs/configuration/outputs/ for the command.

Costs are what promptfoo computes from its own price table; here they are set from the same list
prices as ragtune's catalog ($0.15/$0.60 per M for gpt-4o-mini, $1/$5 for claude-haiku-4-5), so
the file's costs and ragtune's must agree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PROMPTS = [
    ("Answer briefly: {{question}}", 100),  # (template, prompt tokens it takes)
    ("You are a support agent. Use the product facts you know.\nQ: {{question}}", 300),
]
PROVIDERS = [
    ("openai:chat:gpt-4o-mini", 0.15, 0.60),  # (id, $/M in, $/M out)
    ("anthropic:messages:claude-haiku-4-5", 1.0, 5.0),
]
COMPLETION_TOKENS = 10
N_TESTS = 40
# items each (prompt, provider) answers right: the first k tests
RIGHT = {(0, 0): 30, (0, 1): 34, (1, 0): 32, (1, 1): 36}


def result(
    prompt_idx: int, provider_idx: int, test_idx: int, *, right: bool | None = None
) -> dict[str, Any]:
    """One `EvaluateResult` cell, as promptfoo writes it."""
    template, prompt_tokens = PROMPTS[prompt_idx]
    pid, price_in, price_out = PROVIDERS[provider_idx]
    question = f"What is the order code of item {test_idx}?"
    gold = f"code-{test_idx}"
    ok = test_idx < RIGHT[(prompt_idx, provider_idx)] if right is None else right
    output = f"The code is {gold}." if ok else "I do not know."
    cost = prompt_tokens * price_in / 1e6 + COMPLETION_TOKENS * price_out / 1e6
    usage = {
        "total": prompt_tokens + COMPLETION_TOKENS,
        "prompt": prompt_tokens,
        "completion": COMPLETION_TOKENS,
        "cached": 0,
        "numRequests": 1,
        "completionDetails": {"reasoning": 0, "acceptedPrediction": 0, "rejectedPrediction": 0},
    }
    latency = 400 + 10 * test_idx + 100 * provider_idx
    assertion = {"type": "icontains", "value": gold}
    grading = {
        "pass": ok,
        "score": 1.0 if ok else 0.0,
        "reason": "Assertion passed" if ok else f'Expected output to contain "{gold}"',
        "namedScores": {},
        "tokensUsed": {"total": 0, "prompt": 0, "completion": 0, "cached": 0},
        "componentResults": [],
        "assertion": assertion,
    }
    return {
        "id": f"res-{prompt_idx}-{provider_idx}-{test_idx}",
        # promptfoo numbers the columns of its table, provider-major: promptIdx is provider x
        # prompt (its evaluator's `for provider: for prompt: promptIdx++`), not the prompt
        "promptIdx": provider_idx * len(PROMPTS) + prompt_idx,
        "testIdx": test_idx,
        "testCase": {"vars": {"question": question}, "assert": [assertion], "options": {}},
        "promptId": f"prompt-{prompt_idx}",
        "provider": {"id": pid, "label": ""},
        "prompt": {"raw": template.replace("{{question}}", question), "label": template},
        "vars": {"question": question},
        "response": {
            "output": output,
            "tokenUsage": usage,
            "cached": False,
            "cost": cost,
            "latencyMs": latency,
            "finishReason": "stop",
        },
        "error": None if ok else f'Expected output to contain "{gold}"',
        "failureReason": 0 if ok else 1,
        "success": ok,
        "score": 1.0 if ok else 0.0,
        "latencyMs": latency,
        "gradingResult": grading,
        "namedScores": {},
        "cost": cost,
        "metadata": {},
        "tokenUsage": usage,
    }


def output_file(cells: list[dict[str, Any]], version: int = 3) -> dict[str, Any]:
    """promptfoo's `OutputFile` around `cells`."""
    prompts = [
        {
            "raw": template,
            "label": template,
            "provider": pid,
            "metrics": {"score": 0, "testPassCount": 0, "testFailCount": 0, "cost": 0},
        }
        for pid, _, _ in PROVIDERS
        for template, _ in PROMPTS
    ]
    return {
        "evalId": "eval-2026-12-06T10:00:00",
        "results": {
            "version": version,
            "timestamp": "2026-12-06T10:00:00.000Z",
            "results": cells,
            "prompts": prompts,
            "stats": {
                "successes": sum(c["success"] for c in cells),
                "failures": sum(not c["success"] for c in cells),
                "errors": 0,
                "tokenUsage": {"total": 0, "prompt": 0, "completion": 0, "cached": 0},
            },
        },
        "config": {
            "prompts": [t for t, _ in PROMPTS],
            "providers": [p for p, _, _ in PROVIDERS],
        },
        "shareableUrl": None,
        "metadata": {
            "promptfooVersion": "0.120.0",
            "nodeVersion": "v22.11.0",
            "platform": "linux",
            "arch": "x64",
            "exportedAt": "2026-12-06T10:00:05.000Z",
        },
    }


def all_cells() -> list[dict[str, Any]]:
    """2 prompts x 2 providers x 40 tests, in promptfoo's order (test, provider, prompt)."""
    return [
        result(p, q, t)
        for t in range(N_TESTS)
        for q in range(len(PROVIDERS))
        for p in range(len(PROMPTS))
    ]


def write_results(path: Path, cells: list[dict[str, Any]] | None = None, **kw: Any) -> Path:
    path.write_text(json.dumps(output_file(all_cells() if cells is None else cells, **kw)))
    return path


@pytest.fixture
def promptfoo_results(tmp_path: Path) -> Path:
    return write_results(tmp_path / "results.json")


@pytest.fixture
def pf() -> ModuleType:
    """This module: its builders (`result`, `all_cells`, `output_file`, `write_results`)."""
    return sys.modules[__name__]
