"""Which catalog model an imported system's answers are priced as, and whether its file agrees.

Another tool names a model its own way: promptfoo `openai:chat:gpt-4o-mini`, Inspect
`openai/gpt-4o-mini`, a CSV whatever its author typed. `resolve_model` tries the whole name,
then the part after the last `:` or `/`, against the price catalog (names, aliases and dated
snapshots); a name it cannot find leaves the arm unpriced with a note naming the `--model` option
that fixes it. It never picks the nearest name. `cost_gap` compares a file's own cost figures
with the catalog's price of the same tokens.
"""

from __future__ import annotations

from collections.abc import Sequence

from ragtune.cost.catalog import Catalog
from ragtune.cost.formulas import api_request_cost
from ragtune.errors import RagtuneError
from ragtune.importers.records import ImportedAnswer, Note

# A file's cost may round; a gap above this share of the catalog's figure is reported.
COST_TOLERANCE = 0.01


def candidates(name: str) -> list[str]:
    """`openai:chat:gpt-4o-mini` -> [itself, `gpt-4o-mini`]; `openai/gpt-4o` -> [.., `gpt-4o`]."""
    out = [name.strip()]
    for sep in (":", "/"):
        tail = out[-1].rsplit(sep, 1)[-1]
        if tail and tail not in out:
            out.append(tail)
    return out


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
    price = catalog.model(model)
    read, write = answer.cache_read_tokens or 0, answer.cache_write_tokens or 0
    prefix = read + write
    return float(
        api_request_cost(
            input_per_m=price.input_per_m,
            output_per_m=price.output_per_m,
            input_tokens=answer.input_tokens or 0,
            output_tokens=answer.output_tokens or 0,
            cached_prefix_tokens=prefix,
            cache_hit_rate=read / prefix if prefix else 0.0,
            cache_write_multiplier=price.cache_write_multiplier,
            cache_read_multiplier=price.cache_read_multiplier,
        )
    )


def cost_gap(answers: Sequence[ImportedAnswer], model: str | None, catalog: Catalog) -> str | None:
    """A sentence when the file's total cost differs from the catalog's price of its tokens."""
    recorded = [a.cost_usd for a in answers if a.cost_usd is not None]
    if model is None or not recorded:
        return None
    theirs = sum(recorded)
    ours = sum(catalog_cost(a, model, catalog) for a in answers if a.cost_usd is not None)
    if abs(theirs - ours) <= COST_TOLERANCE * max(ours, theirs) + 1e-12:
        return None
    return (
        f"the file's cost is ${theirs:.6f} but its tokens at {model}'s catalog price are "
        f"${ours:.6f}; ragtune reports the catalog price (add a price file with the prices "
        "you pay to change it)"
    )
