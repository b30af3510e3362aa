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
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ragtune.cost import Catalog
from ragtune.errors import RagtuneError
from ragtune.importers.models import cost_gap, model_tail, resolve_model
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
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][\w]*)\s*\}\}")  # `{{expected}}`, the whole value
Key = tuple[int, str, str]  # a column of promptfoo's table: (promptIdx, provider id, label)
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
            f"{path}: `results.results` holds no results (given: {cells!r:.40}), so there is "
            "nothing to import",
            hint="re-run the suite without filters that leave no test (--filter-pattern, "
            f"--filter-first-n, ...); expected {EXPECTED}",
        )
    notes: list[Note] = []
    # A column of promptfoo's table is one provider x prompt: promptfoo numbers them with
    # `promptIdx` (provider-major, so 2 prompts x 2 providers are promptIdx 0..3). The key also
    # holds the provider's id and label, which tell apart two providers of the same id.
    keys: list[Key] = []  # in first-seen order
    prompt_of: dict[Key, str] = {}  # column -> its prompt (promptId, else label / text)
    prompt_labels: dict[str, str] = {}  # prompt -> its label (its text when it has none)
    for cell in cells:
        key = _key(cell)
        if key not in keys:
            keys.append(key)
            prompt = cell.get("prompt") if isinstance(cell.get("prompt"), dict) else {}
            label = str(prompt.get("label") or prompt.get("raw") or f"prompt {key[0] + 1}")
            which = str(cell.get("promptId") or label)
            prompt_of[key] = which
            prompt_labels.setdefault(which, label)
    order = list(prompt_labels)  # prompt number n is order[n - 1]
    number = {k: order.index(prompt_of[k]) + 1 for k in keys}
    names = _arm_names(keys, number, [prompt_labels[p] for p in order], reserved)
    width = len(str(max(int(c.get("testIdx", 0)) for c in cells)))
    items: dict[str, ImportedItem] = {}
    answers: dict[Key, dict[str, ImportedAnswer]] = {k: {} for k in keys}
    repeated: dict[Key, list[str]] = {}
    several_inputs = False
    gold_notes: dict[str, list[str]] = {}  # a note on the gold -> the items it concerns
    for cell in cells:
        key = _key(cell)
        item_id = f"t{int(cell.get('testIdx', 0)):0{width}d}"
        test = cell.get("testCase") or {}
        variables = cell.get("vars") or test.get("vars") or {}
        if item_id not in items:
            gold, gold_note, source_var = _gold(test, variables, gold_var)
            # the variable holding the gold is no part of the input the systems are asked
            text, joined = _input(variables, input_var, gold_var or source_var, item_id)
            several_inputs |= joined
            if gold_note:
                gold_notes.setdefault(gold_note, []).append(item_id)
            items[item_id] = ImportedItem(item_id, text, gold)
        if item_id in answers[key]:
            repeated.setdefault(key, []).append(item_id)
            continue
        answers[key][item_id] = _answer(item_id, cell)
    notes += [Note("gold", message, items=tuple(ids)) for message, ids in gold_notes.items()]
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
        _, provider, provider_label = key
        given = (
            overrides.get(provider)
            or (overrides.get(provider_label) if provider_label else None)
            or overrides.get(name)
        )
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
        label = " ".join(prompt_labels[prompt_of[key]].split())
        label = label if len(label) <= 30 else label[:29] + "…"
        named = f" ({provider_label})" if provider_label and provider_label != provider else ""
        source = f"prompt {number[key]} ({label}) x {provider}{named}"
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


def _key(cell: Mapping[str, Any]) -> Key:
    """The cell's column: (promptIdx, provider id, provider label)."""
    provider = cell.get("provider") or {}
    pid = provider.get("id") if isinstance(provider, dict) else provider
    label = provider.get("label") if isinstance(provider, dict) else None
    return int(cell.get("promptIdx", 0)), str(pid or "provider"), str(label or "")


def _arm_names(
    keys: list[Key], number: Mapping[Key, int], prompts: list[str], reserved: tuple[str, ...]
) -> dict[Key, str]:
    """Short names: the provider's label or model (`gpt-4o-mini`), prefixed by the prompt
    (`p1-`, or a short prompt label) when there are several prompts."""
    providers = {(q, label) for _, q, label in keys}
    several_prompts = len(prompts) > 1
    several_providers = len(providers) > 1
    shown = {(q, label): label or q for q, label in providers}
    tails = {p: slug(model_tail(s)) for p, s in shown.items()}
    if len(set(tails.values())) < len(tails):  # two providers serve the same model
        tails = {p: slug(s) for p, s in shown.items()}
    wanted = []
    for key in keys:
        n = number[key]
        label = prompts[n - 1]
        head = slug(label) if label and len(label) <= 24 and "{{" not in label else f"p{n}"
        parts = ([head] if several_prompts or not several_providers else []) + (
            [tails[key[1:]]] if several_providers or not several_prompts else []
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
) -> tuple[Any, str | None, str | None]:
    """The expected answer, a note when a choice was made between several, and the variable it
    came from (`--gold-var`, or an assertion's `{{variable}}`)."""
    if gold_var is not None:
        value = variables.get(gold_var)
        return (None if value in (None, "") else value), None, gold_var
    found: list[tuple[str, Any, str | None]] = []
    skipped = []
    for assertion in test.get("assert") or []:
        if not isinstance(assertion, dict) or assertion.get("type") not in GOLD_ASSERTIONS:
            continue
        value = assertion.get("value")
        if isinstance(value, str) and ("{{" in value or value.startswith("file://")):
            # promptfoo keeps an assertion as written: `{{expected}}` is rendered from the
            # test's variables only when it runs, and `file://` is read then
            whole = _VARIABLE.fullmatch(value)
            if whole and whole[1] in variables and variables[whole[1]] not in (None, ""):
                source, value = whole[1], variables[whole[1]]
            else:
                skipped.append(f"{assertion['type']}: {value!r}")
                continue
        else:
            source = None
        if isinstance(value, str | int | float) and not isinstance(value, bool) and value != "":
            found.append((assertion["type"], value, source))
    if not found:
        if skipped:
            return (
                None,
                f"the expected value ({', '.join(skipped)}) is a template or file promptfoo "
                "fills in when it runs, not in the results (name the variable with --gold-var)",
                None,
            )
        return None, None, None
    note = None
    if len({str(v) for _, v, _ in found}) > 1:
        note = (
            f"several expected values ({', '.join(f'{t}: {v!r}' for t, v, _ in found)}); the "
            f"first, {found[0][1]!r}, is the gold (choose a variable with --gold-var)"
        )
    return found[0][1], note, found[0][2]


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
    missing = tuple(
        a.item_id
        for a in answers
        if a.error is None and (a.input_tokens is None or a.output_tokens is None)
    )
    if not missing:
        return []
    return [
        Note(
            "tokens",
            "no prompt/completion token split recorded (a response served from promptfoo's "
            "cache records only a total): those answers count as 0 tokens and $0, so the arm's "
            "cost is understated (re-run with `promptfoo eval --no-cache` for a full count)",
            arm,
            missing,
        )
    ]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
