"""What every executor shares: the job, a shard's result, the options, and answering a shard.

Kept apart from `executors.py` so the Ray executor (imported by `executors` only on demand) can
use them without importing `executors` back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ragtune.data import Example
from ragtune.strategies import Arm, ArmSettings, Prediction

# A shard not answered within this many seconds counts as stalled: its worker is killed and the
# shard retried. Generous on purpose: 16 items of a 7B model decoding 256 tokens on CPU take
# minutes; a stall (a lost node, a worker blocked on a dead actor) otherwise waits forever.
SHARD_TIMEOUT_S = 1800.0
# Seconds a worker actor may take to start (process, imports; models load on its first shard)
# before the executor goes on without it or, with none started, fails saying why.
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ArmJob:
    """Which arm answers, with which seed (the workload's seed + the repeat) and settings.

    `settings`: the arm's typed settings as the driver built it, with anything the driver
    computed once filled in (a router's calibrated threshold), so a worker rebuilding the arm
    answers as the driver's arm would; None: the workload's settings for `name`.
    """

    name: str
    seed: int
    settings: ArmSettings | None = None


@dataclass(frozen=True)
class ShardResult:
    """One answered shard: its predictions (their calls carry their notes) and the wall time.

    `wall_s` excludes one-off model loading (each call's `load_s`): loading is not serving.
    """

    predictions: tuple[Prediction, ...]
    wall_s: float


Write = Callable[[ShardResult], None]


@dataclass(frozen=True)
class ExecutorOptions:
    """What `ragtune run --executor ray` was given; None means Ray's own default."""

    address: str | None = None  # a running cluster ("auto", "ray://host:10001", host:port)
    workers: int | None = None  # actors; None: one per CPU of the cluster
    api_concurrency: int | None = None  # API requests in flight, all workers; None: a process's
    shard_timeout_s: float | None = None  # None: SHARD_TIMEOUT_S
    start_timeout_s: float | None = None  # None: START_TIMEOUT_S


def answer_shard(arm: Arm, shard: Sequence[Example]) -> ShardResult:
    """The arm answers one shard, timed without model loading.

    Shared by the in-process executor and the Ray worker, so both measure alike.
    """
    started = time.perf_counter()
    predictions = arm.predict(shard)
    loading = sum(c.load_s for p in predictions for c in p.calls)
    return ShardResult(tuple(predictions), time.perf_counter() - started - loading)
