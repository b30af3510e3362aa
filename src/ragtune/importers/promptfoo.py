"""Read promptfoo's JSON results (`promptfoo eval --output results.json`) into arms of answers.

The file is promptfoo's `OutputFile`: `{evalId, results: EvaluateSummaryV3, config, ...}` where
`results` is `{version: 3, timestamp, results: EvaluateResult[], prompts, stats}`; each result is
one (prompt, provider, test) cell with `promptIdx`, `testIdx`, `provider.id`, `vars`,
`testCase.assert`, `response.output`, `response.tokenUsage`, `latencyMs`, `cost` and `error`
(https://www.promptfoo.dev/docs/configuration/reference/, "EvaluateSummary" and
"EvaluateResult"; promptfoo `src/types/index.ts`). Version 2 files (with a `table`) are refused
by name.

Mapping: one arm per prompt x provider; an item per test (`t<testIdx>`), its input the test's
variable (or `--input-var`, or every variable as `name: value` lines, noted), its gold the
`--gold-var` variable or the value of its first `equals`/`contains`-like assertion (an LLM rubric
is not a gold, so such a test has none and is reported). promptfoo's `prompt` token count is the
whole prompt, cached or not; ragtune's input tokens are the uncached part, so cache reads and
writes (`completionDetails`) are subtracted. Deliberately not here: deciding which items a
workload keeps, and writing files (`workload.py`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ragtune.cost.catalog import Catalog
from ragtune.errors import RagtuneError
from ragtune.importers.models import cost_gap, resolve_model
from ragtune.importers.records import (
    Imported,
    ImportedAnswer,
    ImportedArm,
    ImportedItem,
    Note,
    count,
    seconds,
    slug,
    unique_names,
)

VERSION = 3  # the results format read here (`EvaluateSummaryV3`)
# Assertions whose `value` is the expected answer itself; the first one found is the gold.
GOLD_ASSERTIONS = (
    "equals",
    "contains",
    "icontains",
    "starts-with",
    "similar",
    "levenshtein",
    "rouge-n",
    "bleu",
    "meteor",
)
EXPECTED = "promptfoo's JSON results: `promptfoo eval --output results.json` (results format 3)"


def read_promptfoo(
    path: Path,
    catalog: Catalog,
    *,
    models: Mapping[str, str] | None = None,
    input_var: str | None = None,
    gold_var: str | None = None,
    reserved: tuple[str, ...] = (),
) -> Imported:
    """Every (prompt, provider) of a promptfoo results file as an arm; `models` maps a provider
    id (or label) to a catalog model where its id names none; `reserved` are names an arm must
    not take (ragtune's own arms)."""
    results = _summary(path)
    cells = results.get("results")
    if not isinstance(cells, list) or not cells:
        raise RagtuneError(
            f"{path}: `results.results` holds no results", hint=f"expected {EXPECTED}"
        )
    notes: list[Note] = []
    prompts = _prompt_labels(results.get("prompts"), cells)
    keys: list[tuple[int, str]] = []  # (promptIdx, provider id) in first-seen order
    providers: dict[str, str] = {}  # provider id -> label
    for cell in cells:
        key = _key(cell)
        if key not in keys:
            keys.append(key)
        providers.setdefault(key[1], str((cell.get("provider") or {}).get("label") or key[1]))
    names = _arm_names(keys, prompts, providers, reserved)
    width = len(str(max(int(c.get("testIdx", 0)) for c in cells)))
    items: dict[str, ImportedItem] = {}
    answers: dict[tuple[int, str], dict[str, ImportedAnswer]] = {k: {} for k in keys}
    repeated: dict[tuple[int, str], list[str]] = {}
    several_inputs = False
    for cell in cells:
        key = _key(cell)
        item_id = f"t{int(cell.get('testIdx', 0)):0{width}d}"
        test = cell.get("testCase") or {}
        variables = cell.get("vars") or test.get("vars") or {}
        if item_id not in items:
            text, joined = _input(variables, input_var, gold_var, item_id)
            several_inputs |= joined
            gold, gold_note = _gold(test, variables, gold_var)
            if gold_note:
                notes.append(Note("gold", gold_note, items=(item_id,)))
            items[item_id] = ImportedItem(item_id, text, gold)
        if item_id in answers[key]:
            repeated.setdefault(key, []).append(item_id)
            continue
        answers[key][item_id] = _answer(item_id, cell)
    if several_inputs:
        notes.append(
            Note(
                "input",
                "tests have several variables: the input is every variable as `name: value` "
                "lines (choose one with --input-var)",
            )
        )
    arms = []
    overrides = dict(models or {})
    for key in keys:
        name = names[key]
        provider = key[1]
        given = overrides.get(provider) or overrides.get(providers[provider]) or overrides.get(name)
        model, note = resolve_model(given or provider, catalog, name, explicit=given is not None)
        notes += [note] if note else []
        found = tuple(answers[key].values())
        if key in repeated:
            notes.append(
                Note(
                    "duplicate",
                    "answered the same test more than once (promptfoo --repeat); the first "
                    "answer of each is kept",
                    name,
                    tuple(repeated[key]),
                )
            )
        gap = cost_gap(found, model, catalog)
        notes += [Note("cost", gap, name)] if gap else []
        notes += _token_notes(name, found)
        label = " ".join(prompts[key[0]].split())
        label = label if len(label) <= 30 else label[:29] + "…"
        source = f"prompt {key[0] + 1} ({label}) x {provider}"
        arms.append(ImportedArm(name, source, model, found))
    return Imported(
        "promptfoo",
        str(path),
        tuple(items.values()),
        tuple(arms),
        tuple(notes),
        extra={"timestamp": results.get("timestamp")},
    )


def _summary(path: Path) -> dict[str, Any]:
    """The file's `results` (an `EvaluateSummaryV3`), or an error naming what was expected."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RagtuneError(f"{path}: file not found", hint=f"expected {EXPECTED}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise RagtuneError(f"{path} is not JSON ({err})", hint=f"expected {EXPECTED}") from None
    if isinstance(data, dict) and "eval" in data and ("samples" in data or "status" in data):
        raise RagtuneError(
            f"{path} is an Inspect AI eval log, not promptfoo results",
            hint=f"use `ragtune import inspect {path}`",
        )
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict) or "version" not in results:
        raise RagtuneError(
            f"{path} is not promptfoo results: no `results.version`",
            hint=f"expected {EXPECTED}; a CSV of answers imports with `ragtune import answers`",
        )
    version = results["version"]
    if version != VERSION:
        raise RagtuneError(
            f"{path}: promptfoo results format {version!r} is not supported; expected format "
            f"{VERSION} (`results.version: 3`, written by promptfoo since 0.50)",
            hint="re-run the suite with a current promptfoo: `promptfoo eval --output "
            "results.json`",
        )
    return results


def _key(cell: Mapping[str, Any]) -> tuple[int, str]:
    provider = cell.get("provider") or {}
    pid = provider.get("id") if isinstance(provider, dict) else provider
    return int(cell.get("promptIdx", 0)), str(pid or "provider")


def _prompt_labels(prompts: Any, cells: list[Any]) -> dict[int, str]:
    """promptIdx -> the prompt's label (its text when it has none)."""
    out: dict[int, str] = {}
    for cell in cells:
        idx = int(cell.get("promptIdx", 0))
        prompt = cell.get("prompt") or {}
        out.setdefault(idx, str(prompt.get("label") or prompt.get("raw") or f"prompt {idx + 1}"))
    if isinstance(prompts, list):
        for idx, prompt in enumerate(prompts):
            if isinstance(prompt, dict) and idx not in out:
                out[idx] = str(prompt.get("label") or prompt.get("raw") or f"prompt {idx + 1}")
    return out


def _arm_names(
    keys: list[tuple[int, str]],
    prompts: Mapping[int, str],
    providers: Mapping[str, str],
    reserved: tuple[str, ...],
) -> dict[tuple[int, str], str]:
    """Short names: the provider's model (`gpt-4o-mini`), prefixed by the prompt (`p1-`) when
    there are several prompts; a short prompt label names its prompt."""
    several_prompts = len({p for p, _ in keys}) > 1
    several_providers = len({q for _, q in keys}) > 1
    tails = {q: slug(providers[q].split(":")[-1].split("/")[-1]) for _, q in keys}
    if len(set(tails.values())) < len(tails):  # two providers serve the same model
        tails = {q: slug(providers[q]) for q in tails}
    wanted = []
    for p, q in keys:
        label = prompts.get(p, "")
        head = slug(label) if label and len(label) <= 24 and "{{" not in label else f"p{p + 1}"
        parts = ([head] if several_prompts or not several_providers else []) + (
            [tails[q]] if several_providers or not several_prompts else []
        )
        wanted.append("-".join(parts))
    return dict(zip(keys, unique_names(wanted, reserved), strict=True))


def _input(
    variables: Mapping[str, Any], input_var: str | None, gold_var: str | None, item: str
) -> tuple[Any, bool]:
    """The item's input and whether several variables were joined to make it."""
    if input_var is not None:
        if input_var not in variables:
            raise RagtuneError(
                f"--input-var {input_var!r}: test {item} has no such variable",
                hint="its variables: " + (", ".join(variables) or "none"),
            )
        return variables[input_var], False
    shown = {k: v for k, v in variables.items() if k != gold_var}
    if len(shown) == 1:
        return next(iter(shown.values())), False
    return "\n".join(f"{k}: {_text(v)}" for k, v in shown.items()), len(shown) > 1


def _gold(
    test: Mapping[str, Any], variables: Mapping[str, Any], gold_var: str | None
) -> tuple[Any, str | None]:
    """The expected answer, and a note when a choice was made between several."""
    if gold_var is not None:
        value = variables.get(gold_var)
        return (None if value in (None, "") else value), None
    found = []
    for assertion in test.get("assert") or []:
        if not isinstance(assertion, dict) or assertion.get("type") not in GOLD_ASSERTIONS:
            continue
        value = assertion.get("value")
        if isinstance(value, str | int | float) and not isinstance(value, bool) and value != "":
            found.append((assertion["type"], value))
    if not found:
        return None, None
    note = None
    if len({str(v) for _, v in found}) > 1:
        note = (
            f"several expected values ({', '.join(f'{t}: {v!r}' for t, v in found)}); the "
            f"first, {found[0][1]!r}, is the gold (choose a variable with --gold-var)"
        )
    return found[0][1], note


def _answer(item_id: str, cell: Mapping[str, Any]) -> ImportedAnswer:
    response = cell.get("response") or {}
    output = response.get("output")
    # `error` also holds a failed assertion's reason (failureReason 1, ASSERT): that answer
    # stands. Only failureReason 2 (ERROR), or no output at all, is a failed call.
    failure = cell.get("failureReason")
    error = response.get("error")
    if failure == 2 or (failure is None and output is None):
        error = error or cell.get("error") or "promptfoo recorded an error for this result"
    usage = response.get("tokenUsage") or cell.get("tokenUsage") or {}
    details = usage.get("completionDetails") or {}
    prompt = count(usage.get("prompt"))
    read = count(details.get("cacheReadInputTokens")) or 0
    write = count(details.get("cacheCreationInputTokens")) or 0
    latency = cell.get("latencyMs", response.get("latencyMs"))
    cost = cell.get("cost", response.get("cost"))
    return ImportedAnswer(
        item_id,
        "" if output is None else _text(output),
        input_tokens=None if prompt is None else max(prompt - read - write, 0),
        output_tokens=count(usage.get("completion")),
        cache_read_tokens=read or None,
        cache_write_tokens=write or None,
        latency_s=seconds(latency, 1e-3),
        cost_usd=float(cost) if isinstance(cost, int | float) else None,
        error=str(error) if error else None,
    )


def _token_notes(arm: str, answers: tuple[ImportedAnswer, ...]) -> list[Note]:
    missing = tuple(a.item_id for a in answers if a.input_tokens is None or a.output_tokens is None)
    if not missing:
        return []
    return [
        Note(
            "tokens",
            "no prompt/completion token split recorded (a response served from promptfoo's "
            "cache records only a total); those tokens count as 0",
            arm,
            missing,
        )
    ]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
