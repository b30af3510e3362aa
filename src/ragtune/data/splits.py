"""Seeded train / validation / test splits for data that does not carry its own.

The split of an item depends only on its id and the seed (a hash), so adding examples never moves
existing ones between splits and the test set stays comparable across runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from ragtune.data.records import Example


def assign_splits(
    examples: list[Example], fractions: dict[str, float], seed: int = 0
) -> list[Example]:
    """Give every example without a split one, by hashing (seed, id) into the fractions."""
    total = sum(fractions.values())
    bounds, running = [], 0.0
    for name, share in fractions.items():
        running += share / total
        bounds.append((running, name))
    out = []
    for example in examples:
        if example.split is not None:
            out.append(example)
            continue
        digest = hashlib.sha256(f"{seed}:{example.id}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") / 2**64
        name = next(n for bound, n in bounds if point < bound or bound == bounds[-1][0])
        out.append(replace(example, split=name))
    return out
