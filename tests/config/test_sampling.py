"""The `--limit` sample and the carved validation split: seeded, proportional to strata, and
worked out by hand here."""

from __future__ import annotations

import random

import pytest

from ragtune.data import Example, Limit, parse_limit, sample_test
from ragtune.data.sampling import allocate


def test_allocate_is_largest_remainder() -> None:
    # sizes 50, 30, 20 (total 100), n = 7: quotas 3.5, 2.1, 1.4 -> floors 3, 2, 1 (6 items);
    # the one left goes to the largest remainder, 0.5 (the first stratum): 4, 2, 1
    assert allocate([50, 30, 20], 7, random.Random(0)) == [4, 2, 1]
    # n above the total: everything, never more than a stratum holds
    assert allocate([2, 1], 10, random.Random(0)) == [2, 1]


def test_fewer_items_than_strata_cover_distinct_strata() -> None:
    # 10 equal strata, n = 4: every quota is 0.4, all floors 0, ties broken by the seed,
    # so 4 different strata get one item each
    counts = allocate([5] * 10, 4, random.Random(3))
    assert sorted(counts) == [0] * 6 + [1] * 4


def test_qa_sample_is_stratified_by_gold_document() -> None:
    # 3 documents with 6, 3 and 3 questions, sorted by document; n = 4 -> quotas 2, 1, 1
    docs = ["d1"] * 6 + ["d2"] * 3 + ["d3"] * 3
    test = [Example(f"q{i}", "?", "a", "test", (doc,)) for i, doc in enumerate(docs)]
    items, sample = sample_test(test, Limit(4), "qa", seed=5)
    assert sorted(e.doc_ids[0] for e in items) == ["d1", "d1", "d2", "d3"]
    assert sample.describe() == "4 of 12 test items, stratified sample (by document), seed 5"
    assert [e.id for e in items] == sorted((e.id for e in items), key=lambda i: int(i[1:]))
    again, _ = sample_test(test, Limit(4), "qa", seed=5)
    other, _ = sample_test(test, Limit(4), "qa", seed=6)
    assert again == items and [e.id for e in other] != [e.id for e in items]


def test_limit_at_or_above_the_test_size_is_everything() -> None:
    test = [Example(f"q{i}", "?", "a", "test") for i in range(3)]
    items, sample = sample_test(test, Limit(10), "generate", seed=0)
    assert items == test and sample.describe() == "3 of 3 test items (all)"


@pytest.mark.parametrize(
    ("given", "expected"),
    [(200, Limit(200)), ("200", Limit(200)), ("first:20", Limit(20, "first"))],
)
def test_parse_limit(given: object, expected: Limit) -> None:
    assert parse_limit(given) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [0, "first:0", "last:3", "ten", True, -4])
def test_parse_limit_refuses_with_the_allowed_forms(given: object) -> None:
    with pytest.raises(ValueError, match="first:N"):
        parse_limit(given)  # type: ignore[arg-type]
