"""Seeded, stratified subsets: the `--limit` sample of the test split, the validation split
carved out of train when the data has none, and the nested training subsets of a learning curve.

A data file sorted by label is common (one block of messages per intent), so "the first N items"
measures a handful of labels. Both subsets here are drawn at random with the workload's seed,
in proportion to each stratum (a label for classification, the first gold document for QA with
document ids), with largest-remainder rounding and ties broken by the seed, so N items cover
min(N, strata) strata. The same seed and data always give the same items.

Deliberately not here: reading files or deciding which split is needed (`ragtune.config`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ragtune.data.records import Example

# Validation carved from train when none is given: 10% (a common hold-out share), at most 500
# items (enough to calibrate a router threshold to a few points; more only slows the run).
CARVE_FRACTION = 0.1
CARVE_MAX = 500


@dataclass(frozen=True)
class Limit:
    """`--limit N` (a seeded sample) or `--limit first:N` (the first N in file order)."""

    n: int
    mode: Literal["sample", "first"] = "sample"

    def __str__(self) -> str:
        return f"first:{self.n}" if self.mode == "first" else str(self.n)


_LIMIT = re.compile(r"^\s*(?:(first):)?\s*(\d+)\s*$")


def parse_limit(value: int | str | Limit) -> Limit:
    """`200`, `"200"` or `"first:200"`; a ValueError that says what is allowed otherwise."""
    if isinstance(value, Limit):
        return value
    if isinstance(value, bool):
        raise ValueError(f"limit must be N or first:N, got {value!r}")
    match = _LIMIT.match(str(value))
    if match is None or int(match.group(2)) < 1:
        raise ValueError(
            f"limit must be a positive count N (a seeded random sample) or first:N (the first "
            f"N items in file order), got {value!r}"
        )
    return Limit(int(match.group(2)), "first" if match.group(1) else "sample")


@dataclass(frozen=True)
class Sample:
    """Which test items a run evaluates, recorded with the run."""

    n: int
    of: int  # test items available
    mode: Literal["all", "sample", "first"]
    seed: int
    stratified_by: str | None  # "label" | "document" | None
    ids: tuple[str, ...]

    def describe(self) -> str:
        """One line for `check`, the run summary and the report."""
        if self.mode == "all":
            return f"{self.n} of {self.of} test items (all)"
        if self.mode == "first":
            return f"{self.n} of {self.of} test items, the first {self.n} in file order"
        how = (
            f"stratified sample (by {self.stratified_by})"
            if self.stratified_by
            else "random sample"
        )
        return f"{self.n} of {self.of} test items, {how}, seed {self.seed}"


@dataclass(frozen=True)
class Carved:
    """The validation split carved from train: how many of how many, and how."""

    n: int
    of: int  # train items before carving
    fraction: float
    max_items: int
    seed: int
    stratified_by: str | None

    def describe(self) -> str:
        how = f", stratified by {self.stratified_by}" if self.stratified_by else ""
        return (
            f"validation carved from train: {self.n} of {self.of} items ({self.fraction:.0%}, "
            f"at most {self.max_items}{how}, seed {self.seed})"
        )


def stratum_key(task: str) -> tuple[str | None, Callable[[Example], str]]:
    """What a task's items are stratified by: label (classify), first gold document (qa)."""
    if task == "classify":
        return "label", lambda e: str(e.target)
    if task == "qa":
        return "document", lambda e: e.doc_ids[0] if e.doc_ids else ""
    return None, lambda e: ""


def allocate(sizes: Sequence[int], n: int, rng: random.Random) -> list[int]:
    """Items per stratum: proportional, largest remainder first, ties broken by `rng`."""
    total = sum(sizes)
    n = min(n, total)
    quotas = [n * s / total if total else 0.0 for s in sizes]
    counts = [min(int(q), s) for q, s in zip(quotas, sizes, strict=True)]
    ties = [rng.random() for _ in sizes]
    order = sorted(range(len(sizes)), key=lambda i: (-(quotas[i] - int(quotas[i])), ties[i]))
    left = n - sum(counts)
    while left > 0:
        for i in order:
            if left and counts[i] < sizes[i]:
                counts[i] += 1
                left -= 1
    return counts


def stratified_pick(
    examples: Sequence[Example], n: int, key: Callable[[Example], str], seed: int
) -> list[Example]:
    """`n` of `examples`, in proportion to their strata, kept in file order."""
    rng = random.Random(seed)
    strata: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        strata.setdefault(key(e), []).append(i)
    groups = list(strata.values())
    chosen: list[int] = []
    for group, count in zip(groups, allocate([len(g) for g in groups], n, rng), strict=True):
        chosen += rng.sample(group, count)
    return [examples[i] for i in sorted(chosen)]


def sample_test(
    test: Sequence[Example], limit: Limit | None, task: str, seed: int
) -> tuple[list[Example], Sample]:
    """The test items a run evaluates under `limit`, and the record of how they were chosen."""
    if limit is None or limit.n >= len(test):
        items = list(test)
        return items, Sample(len(items), len(test), "all", seed, None, _ids(items))
    if limit.mode == "first":
        items = list(test[: limit.n])
        return items, Sample(limit.n, len(test), "first", seed, None, _ids(items))
    by, key = stratum_key(task)
    items = stratified_pick(test, limit.n, key, seed)
    strata = len({key(e) for e in test})
    stratified = by if by is not None and strata > 1 else None
    return items, Sample(len(items), len(test), "sample", seed, stratified, _ids(items))


def carve_validation(
    examples: Sequence[Example],
    task: str,
    seed: int,
    fraction: float = CARVE_FRACTION,
    max_items: int = CARVE_MAX,
) -> tuple[list[Example], Carved | None]:
    """Move a seeded, stratified share of train to validation (none when train has < 2 items)."""
    train = [e for e in examples if e.split == "train"]
    n = min(max_items, round(fraction * len(train)))
    if len(train) < 2 or n < 1:
        return list(examples), None
    by, key = stratum_key(task)
    if task != "classify":
        by, key = None, lambda e: ""
    moved = {e.id for e in stratified_pick(train, n, key, seed)}
    out = [
        replace(e, split="validation") if e.split == "train" and e.id in moved else e
        for e in examples
    ]
    return out, Carved(len(moved), len(train), fraction, max_items, seed, by)


def nested_order(
    examples: Sequence[Example], key: Callable[[Example], str], seed: int
) -> list[Example]:
    """`examples` in an order whose every prefix is a stratified sample: the learning curve's
    subsets are its first N items, so each size holds every smaller one (nested) and the label
    shares of each are those of the whole split to within one example.

    Each stratum is shuffled with the seed; then, one position at a time, the next item comes
    from the stratum whose next item is due soonest among those at least 1/(2k - 2) behind their
    share (Tijdeman's rule for the "chairman assignment" problem, which keeps every prefix within
    1 - 1/(2k - 2) of its proportional share for k strata; ties broken by the seed).
    """
    rng = random.Random(seed)
    strata: dict[str, list[Example]] = {}
    for e in examples:
        strata.setdefault(key(e), []).append(e)
    groups = [rng.sample(g, len(g)) for g in strata.values()]
    shares = [len(g) / len(examples) for g in groups]
    ties = [rng.random() for _ in groups]
    taken = [0] * len(groups)
    delta = 1 / (2 * len(groups) - 2) if len(groups) > 1 else 0.0
    out: list[Example] = []
    for position in range(1, len(examples) + 1):
        open_ = [i for i, g in enumerate(groups) if taken[i] < len(g)]
        behind = [i for i in open_ if position * shares[i] - taken[i] >= delta - 1e-12]
        best = min(behind or open_, key=lambda i: ((taken[i] + 1 - delta) / shares[i], ties[i]))
        out.append(groups[best][taken[best]])
        taken[best] += 1
    return out


def nested_subsets(
    examples: Sequence[Example], sizes: Sequence[int], task: str, seed: int
) -> dict[int, list[Example]]:
    """Size -> the first `size` items of `nested_order` (kept in file order); a size at least as
    large as `examples` is the whole of it, so the largest subset is the plain tuned arm's
    training set when that is the whole train split."""
    _, key = stratum_key(task)
    order = nested_order(examples, key, seed)
    rank = {id(e): i for i, e in enumerate(examples)}
    return {
        n: sorted(order[: min(n, len(order))], key=lambda e: rank[id(e)]) for n in sorted(sizes)
    }


def sequential_order(examples: Sequence[Example], task: str, seed: int) -> list[Example]:
    """The order `run --until-decided` takes test items in: every prefix a stratified sample
    (by the task's stratum, as `--limit` samples), so each round's items keep the label mix."""
    _, key = stratum_key(task)
    return nested_order(examples, key, seed)


def _ids(items: Sequence[Example]) -> tuple[str, ...]:
    return tuple(e.id for e in items)
