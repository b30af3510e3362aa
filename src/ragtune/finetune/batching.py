"""Turn rendered examples into micro-batches that waste as little compute on padding as possible.

Three modes, chosen by name (default ``group``: on CPU it was the fastest, see
BENCHMARKS.md, fine-tuning; one long packed row pays for a large masked attention):

- ``pack``: each micro-batch's examples are packed end to end into as few rows as fit
  `row_tokens` (first-fit decreasing). Position ids restart at 0 for every example and no
  attention mask is passed, which transformers turns into a block-diagonal mask, so packed
  examples never attend to each other.
- ``group``: examples of similar length share a micro-batch (sorted inside shuffled windows),
  each row padded to the longest in its batch.
- ``pad``: plain shuffled batches padded to the longest (the usual Trainer behaviour; kept as a
  baseline for the benchmark).

The plan for an epoch depends only on (seed, epoch), which is what makes `--resume` exact.
Tensors are built in `to_tensors`; nothing here touches the model.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ragtune.errors import RagtuneError
from ragtune.finetune.render import IGNORE, Rendered

MODES = ("pack", "group", "pad")
GROUP_WINDOW = 64  # micro-batches per sorting window in "group" mode: enough to find neighbours,
# small enough that batch order stays random across the epoch


@dataclass(frozen=True)
class MicroBatch:
    rows: tuple[tuple[int, ...], ...]  # example indices per row
    packed: bool


def plan_epoch(
    lengths: Sequence[int],
    *,
    batch_size: int,
    seed: int,
    epoch: int,
    mode: str = "pack",
    row_tokens: int = 512,
) -> list[MicroBatch]:
    """The micro-batches of one epoch, as example indices; deterministic in (seed, epoch)."""
    if mode not in MODES:
        raise RagtuneError(f"unknown batching mode {mode!r}; allowed: {', '.join(MODES)}")
    if batch_size < 1:
        raise RagtuneError(f"batch size must be at least 1, got {batch_size}")
    rng = random.Random(seed * 1_000_003 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if mode == "pad":
        return [MicroBatch(tuple((i,) for i in c), False) for c in chunks]
    if mode == "group":
        window = batch_size * GROUP_WINDOW
        batches: list[list[int]] = []
        for w in range(0, len(order), window):
            part = sorted(order[w : w + window], key=lambda i: lengths[i])
            batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
        rng.shuffle(batches)
        return [MicroBatch(tuple((i,) for i in b), False) for b in batches]
    return [MicroBatch(pack_rows(c, lengths, row_tokens), True) for c in chunks]


def pack_rows(
    indices: Sequence[int], lengths: Sequence[int], row_tokens: int
) -> tuple[tuple[int, ...], ...]:
    """First-fit decreasing: put each example (longest first) in the first row it fits."""
    rows: list[list[int]] = []
    room: list[int] = []
    for i in sorted(indices, key=lambda i: -lengths[i]):
        for r, free in enumerate(room):
            if lengths[i] <= free:
                rows[r].append(i)
                room[r] -= lengths[i]
                break
        else:
            rows.append([i])
            room.append(row_tokens - lengths[i])
    return tuple(tuple(r) for r in rows)


@dataclass(frozen=True)
class BatchCounts:
    tokens: int  # real (non-pad) tokens fed to the model
    trained: int  # tokens carrying loss
    padded: int  # rows x longest row: what the model actually computes on


def to_tensors(
    mb: MicroBatch, examples: Sequence[Rendered], pad_id: int, device: Any = "cpu"
) -> tuple[dict[str, Any], BatchCounts]:
    """Model inputs for one micro-batch: input_ids, labels and position_ids or attention_mask."""
    import torch

    rows_ids: list[list[int]] = []
    rows_labels: list[list[int]] = []
    rows_pos: list[list[int]] = []
    for row in mb.rows:
        ids: list[int] = []
        labels: list[int] = []
        pos: list[int] = []
        for i in row:
            ex = examples[i]
            ids += ex.input_ids
            labels += ex.labels
            pos += range(len(ex.input_ids))
        rows_ids.append(ids)
        rows_labels.append(labels)
        rows_pos.append(pos)
    width = max(len(r) for r in rows_ids)
    tokens = sum(len(r) for r in rows_ids)
    trained = sum(1 for r in rows_labels for x in r if x != IGNORE)
    mask = [[1] * len(r) + [0] * (width - len(r)) for r in rows_ids]
    for r in range(len(rows_ids)):
        pad = width - len(rows_ids[r])
        rows_ids[r] += [pad_id] * pad
        rows_labels[r] += [IGNORE] * pad
        rows_pos[r] += range(pad)  # padding is its own segment: attends only to itself
    batch: dict[str, Any] = {
        "input_ids": torch.tensor(rows_ids, device=device),
        "labels": torch.tensor(rows_labels, device=device),
    }
    if mb.packed:
        batch["position_ids"] = torch.tensor(rows_pos, device=device)
    else:
        batch["attention_mask"] = torch.tensor(mask, device=device)
    return batch, BatchCounts(tokens, trained, width * len(rows_ids))
