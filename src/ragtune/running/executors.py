"""Who answers an arm's items: this process (the default) or Ray workers (`ray_executor.py`).

The runner cuts the items still to answer into shards (one backend batch each) and hands them to
an executor with a `write` callback. The executor answers each shard and calls `write` with the
result; the runner turns that into store records (`stored_batch`) in one transaction. So the
executor decides only *where* items are answered; what is stored, resuming and the progress bar
stay in the runner, the same for every executor.

Deliberately not here: anything that imports Ray. `create_executor("ray", ...)` imports
`ray_executor` only when asked for, so the default install never needs `ray`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ragtune.data import Example
from ragtune.errors import RagtuneError
from ragtune.running.shards import (
    ArmJob,
    ExecutorOptions,
    ShardResult,
    Write,
    answer_shard,
)
from ragtune.strategies import Arm

if TYPE_CHECKING:
    from ragtune.config import Workload

EXECUTORS = ("inprocess", "ray")
__all__ = ["ArmJob", "ExecutorOptions", "ShardResult", "Write", "answer_shard"]


class Executor(Protocol):
    """Answers shards of items with an arm and hands each finished shard to `write`."""

    name: str

    def answer(
        self, arm: Arm, job: ArmJob, shards: Sequence[Sequence[Example]], write: Write
    ) -> None: ...

    def close(self) -> None: ...


class InProcess:
    """Today's loop: this process answers shard after shard with the arm it was given."""

    name = "inprocess"

    def answer(
        self, arm: Arm, job: ArmJob, shards: Sequence[Sequence[Example]], write: Write
    ) -> None:
        for shard in shards:
            write(answer_shard(arm, shard))

    def close(self) -> None:
        pass


def check_executor(kind: str, options: ExecutorOptions) -> None:
    """Fail before any work when the executor or its options cannot be used."""
    if kind not in EXECUTORS:
        raise RagtuneError(
            f"unknown executor {kind!r}",
            hint=f"use one of: {', '.join(EXECUTORS)} (e.g. --executor ray)",
        )
    ray_only = (
        options.address,
        options.workers,
        options.api_concurrency,
        options.shard_timeout_s,
        options.start_timeout_s,
    )
    if kind == "inprocess" and any(v is not None for v in ray_only):
        raise RagtuneError(
            "--ray-address, --workers, --api-concurrency and --shard-timeout apply to the Ray "
            f"executor only (given: address={options.address}, workers={options.workers}, "
            f"api_concurrency={options.api_concurrency}, shard_timeout={options.shard_timeout_s}"
            ", executor=inprocess)",
            hint="add `--executor ray` (or `executor: ray` in the workload), or drop them",
        )
    for field, value in (("shard timeout", options.shard_timeout_s),
                         ("start timeout", options.start_timeout_s)):  # fmt: skip
        if value is not None and value <= 0:
            raise RagtuneError(
                f"the Ray {field} must be more than 0 seconds (given: {value})",
                hint="give the seconds a shard (16 items) may take, e.g. --shard-timeout 1800",
            )
    if kind == "ray":
        from ragtune.running.ray_executor import import_ray

        import_ray()


def create_executor(
    kind: str,
    options: ExecutorOptions,
    *,
    workload: Workload,
    arms: Sequence[str],
    work_dir: Path,
    cache_path: Path | None,
    run_id: str | None = None,
) -> Executor:
    """The executor called `kind`; the Ray one rebuilds arms from `workload` and `work_dir`
    and names its actors after `run_id` (so a resumed run finds what a killed driver left)."""
    check_executor(kind, options)
    if kind == "ray":
        from ragtune.running.ray_executor import RayExecutor

        return RayExecutor(
            workload, tuple(arms), work_dir, cache_path=cache_path, options=options, run_id=run_id
        )
    return InProcess()
