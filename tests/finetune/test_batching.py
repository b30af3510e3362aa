"""Batch plans (pack / group / pad) and the tensors built from them."""

from __future__ import annotations

import pytest

from ragtune.errors import RagtuneError
from ragtune.finetune.batching import MicroBatch, pack_rows, plan_epoch, to_tensors
from ragtune.finetune.render import IGNORE, Rendered

LENGTHS = [5, 9, 3, 12, 7, 7, 2, 11, 4, 6, 8, 10, 1]


def indices(plan: list[MicroBatch]) -> list[int]:
    return sorted(i for mb in plan for row in mb.rows for i in row)


@pytest.mark.parametrize("mode", ["pack", "group", "pad"])
def test_each_example_once_per_epoch_and_plans_are_reproducible(mode: str) -> None:
    plan = plan_epoch(LENGTHS, batch_size=4, seed=3, epoch=1, mode=mode, row_tokens=16)
    assert indices(plan) == list(range(len(LENGTHS)))
    assert plan == plan_epoch(LENGTHS, batch_size=4, seed=3, epoch=1, mode=mode, row_tokens=16)
    assert plan != plan_epoch(LENGTHS, batch_size=4, seed=3, epoch=2, mode=mode, row_tokens=16)
    assert all(sum(len(r) for r in mb.rows) <= 4 for mb in plan)


def test_packing_fills_rows_without_overflow() -> None:
    rows = pack_rows(range(len(LENGTHS)), LENGTHS, 16)
    assert sorted(i for r in rows for i in r) == list(range(len(LENGTHS)))
    assert all(sum(LENGTHS[i] for i in r) <= 16 for r in rows if len(r) > 1)
    assert len(rows) == 6  # 85 tokens need at least ceil(85 / 16) = 6 rows


def test_grouping_puts_similar_lengths_together() -> None:
    lengths = list(range(1, 65))
    plan = plan_epoch(lengths, batch_size=8, seed=0, epoch=0, mode="group")
    spread = [
        max(lengths[r[0]] for r in mb.rows) - min(lengths[r[0]] for r in mb.rows) for mb in plan
    ]
    assert max(spread) == 7  # 8 consecutive lengths per batch


def test_bad_mode_and_batch_size() -> None:
    with pytest.raises(RagtuneError, match="allowed: pack, group, pad"):
        plan_epoch(LENGTHS, batch_size=4, seed=0, epoch=0, mode="sorted")
    with pytest.raises(RagtuneError, match="at least 1"):
        plan_epoch(LENGTHS, batch_size=0, seed=0, epoch=0)


def test_packed_tensors_restart_positions_and_mask_padding() -> None:
    ex = [
        Rendered((1, 2, 3), (IGNORE, 2, 3)),
        Rendered((4, 5), (IGNORE, 5)),
        Rendered((6, 7, 8, 9, 10, 11), (IGNORE,) * 5 + (11,)),
    ]
    batch, counts = to_tensors(MicroBatch(((0, 1), (2,)), True), ex, pad_id=0)
    assert batch["input_ids"].tolist() == [[1, 2, 3, 4, 5, 0], [6, 7, 8, 9, 10, 11]]
    assert batch["position_ids"].tolist() == [[0, 1, 2, 0, 1, 0], [0, 1, 2, 3, 4, 5]]
    assert batch["labels"].tolist()[0] == [IGNORE, 2, 3, IGNORE, 5, IGNORE]
    assert "attention_mask" not in batch
    assert (counts.tokens, counts.trained, counts.padded) == (11, 4, 12)
    batch, _ = to_tensors(MicroBatch(((0,), (1,)), False), ex, pad_id=0)
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert "position_ids" not in batch
