"""Which catalog model an imported system's answers are priced as, and whether its file agrees.

Another tool names a model its own way: promptfoo `openai:chat:gpt-4o-mini`, Inspect
`openai/gpt-4o-mini`, a CSV whatever its author typed. `resolve_model` tries the whole name,
then the part after the last `:` or `/`, against the price catalog (names, aliases and dated
snapshots); a name it cannot find leaves the arm unpriced with a note naming the `--model` option
that fixes it. It never picks the nearest name. `cost_gap` compares a file's own cost figures
with the catalog's price of the same tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ragtune.cost import Catalog
from ragtune.errors import RagtuneError
from ragtune.importers.records import ImportedAnswer, Note

# A file's cost may round; a gap above this share of the catalog's figure is reported.
COST_TOLERANCE = 0.01


# How providers spell a model the catalog knows by its bare name: Bedrock's version suffix
# (`...-v1:0`) and vendor / cross-region prefix (`us.anthropic.`), Vertex's `@20241022`,
# Anthropic's dated snapshots (`claude-3-5-haiku-20241022`) and `-latest` aliases. OpenAI's dated
# snapshots (`gpt-4o-mini-2024-07-18`) the catalog resolves itself.
_BEDROCK_VERSION = re.compile(r"-v\d+(?::\d+)?$")
_VENDOR = re.compile(r"^(?:[a-z]{2,6}\.)?(?:anthropic|amazon|meta|mistral|cohere|openai)\.")
_CLAUDE_DATE = re.compile(r"^(claude-.+?)(?:[-@]\d{8}|-latest)$")


def candidates(name: str) -> list[str]:
    """`openai:chat:gpt-4o-mini` -> [itself, `gpt-4o-mini`]; `openai/gpt-4o` -> [.., `gpt-4o`];
    `bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0` -> [.., `claude-3-5-haiku`]."""
    out = [name.strip()]

    def add(candidate: str) -> None:
        if candidate and candidate not in out:
            out.append(candidate)

    tail = _BEDROCK_VERSION.sub("", out[0])
    for sep in (":", "/"):
        tail = tail.rsplit(sep, 1)[-1]
        add(tail)
    tail = _VENDOR.sub("", tail)
    add(tail)
    add(_CLAUDE_DATE.sub(r"\1", tail))
    return out


def model_tail(name: str) -> str:
    """The model part of a provider id: `openai:chat:gpt-4o-mini` -> `gpt-4o-mini`,
    `bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0` -> `claude-3-5-haiku-20241022`."""
    tail = _BEDROCK_VERSION.sub("", name.strip()).rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return _VENDOR.sub("", tail) or name


def resolve_model(
    name: str | None, catalog: Catalog, arm: str, *, explicit: bool = False
) -> tuple[str | None, Note | None]:
    """The catalog model `name` refers to, or None and a note saying the arm is unpriced.

    `explicit`: the user named the model (`--model`), so only the whole name is tried and a miss
    is an error, not a note."""
    if not name:
        return None, Note(
            "unknown_model",
            "no model recorded: the arm is not priced (name one with --model ARM=MODEL)",
            arm,
        )
    for candidate in [name] if explicit else candidates(name):
        try:
            return catalog.model(candidate).name, None
        except RagtuneError as err:
            if explicit:
                raise RagtuneError(f"--model for {arm}: {err.message}", hint=err.hint) from None
    return None, Note(
        "unknown_model",
        f"{name!r} is not a catalog model, so the arm is not priced (price it as one with "
        f"--model {name}=MODEL; `ragtune prices` lists them)",
        arm,
    )


def catalog_cost(answer: ImportedAnswer, model: str, catalog: Catalog) -> float:
    """Dollars for one answer's tokens at the catalog's list price (the formula Evidence uses)."""
    return catalog.model(model).usd(
        input_tokens=answer.input_tokens or 0,
        output_tokens=answer.output_tokens or 0,
        cache_write_tokens=answer.cache_write_tokens or 0,
        cache_read_tokens=answer.cache_read_tokens or 0,
    )


def cost_gap(answers: Sequence[ImportedAnswer], model: str | None, catalog: Catalog) -> str | None:
    """A sentence when the file's total cost differs from the catalog's price of its tokens."""
    # only answers with their tokens split: a cached one's tokens are unknown (noted apart)
    both = [
        a
        for a in answers
        if a.cost_usd is not None and a.input_tokens is not None and a.output_tokens is not None
    ]
    if model is None or not both:
        return None
    theirs = sum(a.cost_usd or 0.0 for a in both)
    ours = sum(catalog_cost(a, model, catalog) for a in both)
    if abs(theirs - ours) <= COST_TOLERANCE * max(ours, theirs) + 1e-12:
        return None
    return (
        f"the file's cost is ${theirs:.6f} but its tokens at {model}'s catalog price are "
        f"${ours:.6f}; ragtune reports the catalog price (add a price file with the prices "
        "you pay to change it)"
    )
