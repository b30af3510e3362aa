"""The Ray executor: an arm's shards are answered by Ray actors, one per worker.

What runs where. The driver (`ragtune run`) builds the run as always: store, splits, index,
fine-tune, and the arm itself (so an arm that cannot run is reported by the driver). Each worker
actor then rebuilds the run's resources *once* from what the driver left in the run's work dir
(`build_resources(..., reuse_only=True)`: the index and the adapter are opened, never rebuilt),
keeps them across shards and arms, and answers shards of items. The work dir and the workload's
files travel by **shared path**: workers read them where the driver wrote them, so on a cluster
every node must mount the store's folder at the same path (a local cluster shares the disk). The
driver writes each finished shard to the store in one transaction (`runner.answer_items`).

Failures. A worker that dies (killed, out of memory, node lost) has its in-flight shard retried
on a fresh actor, at most `MAX_SHARD_RETRIES` times per shard, each retry logged. An exception
raised by the arm itself is not retried: it fails the run as it would in-process. A killed
driver loses only its unwritten shards; `--resume RUN_ID` answers what the store lacks.

API calls. Workers' calls to API backends (anything not `local:`) pass one `CallGate` actor, so
at most `api_concurrency` requests are in flight across the whole cluster, the limit one process
applies on its own; retries and secret scrubbing are the backends' own, as in-process.

Ray is imported here only; `pip install 'ragtune[ray]'` installs it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.backends.base import Backend, Request, Response
from ragtune.backends.registry import parse_backend_name
from ragtune.config import Workload
from ragtune.data import Example
from ragtune.errors import RagtuneError
from ragtune.evaluation.shards import ArmJob, ExecutorOptions, ShardResult, Write, answer_shard
from ragtune.strategies import Arm

log = logging.getLogger(__name__)

INSTALL = "pip install 'ragtune[ray]'"
MAX_SHARD_RETRIES = 2  # a shard whose worker dies 3 times points at the shard, not bad luck
TORCH_THREADS = 1  # per worker: N single-threaded workers beat threads fighting over cores


def import_ray() -> Any:
    try:
        import ray
    except ImportError as err:
        raise RagtuneError(
            "the Ray executor needs the `ray` package, which is not installed",
            hint=f"install it with `{INSTALL}`, or run without `--executor ray`",
        ) from err
    return ray


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to rebuild the arms: everything else it reads from `work_dir`."""

    workload: Workload
    arms: tuple[str, ...]
    work_dir: Path
    cache_path: Path | None  # the response cache; None: --no-cache
    gated: tuple[str, ...] = ()  # resource slots ("cheap", "strong") whose calls pass the gate


class CallGate:
    """At most `limit` API requests in flight across every worker (a Ray async actor).

    `acquire(n, holder)` waits for a free slot and grants up to `n` slots; the caller sends that
    many requests and then `release`s them. A worker that dies holding slots never releases
    them, so the driver `forget`s its holder (else the gate would stay full and the run hang).
    `peak` is the most ever in flight, for tests and logs.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise RagtuneError(f"api concurrency must be at least 1 (given: {limit})")
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self.held: dict[str, int] = {}  # holder -> slots it holds now
        self._changed: asyncio.Condition | None = None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # created inside the actor's event loop
            self._changed = asyncio.Condition()
        return self._changed

    async def acquire(self, wanted: int, holder: str = "") -> int:
        changed = self._condition()
        async with changed:
            await changed.wait_for(lambda: self.in_flight < self.limit)
            granted = min(max(1, wanted), self.limit - self.in_flight)
            self.in_flight += granted
            self.held[holder] = self.held.get(holder, 0) + granted
            self.peak = max(self.peak, self.in_flight)
            return granted

    async def release(self, count: int, holder: str = "") -> None:
        changed = self._condition()
        async with changed:
            count = min(count, self.held.get(holder, 0))
            self.in_flight -= count
            self.held[holder] = self.held.get(holder, 0) - count
            changed.notify_all()

    async def forget(self, holder: str) -> int:
        """Free every slot `holder` (a dead worker) still holds; how many there were."""
        changed = self._condition()
        async with changed:
            held = self.held.pop(holder, 0)
            self.in_flight -= held
            changed.notify_all()
        return held

    async def stats(self) -> dict[str, int]:
        return {"limit": self.limit, "in_flight": self.in_flight, "peak": self.peak}


class GatedBackend:
    """A backend whose batches go out in pieces of however many slots the gate grants."""

    def __init__(
        self, inner: Backend, acquire: Callable[[int], int], release: Callable[[int], None]
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self._acquire = acquire
        self._release = release

    def __getattr__(self, name: str) -> Any:  # context_window, params, tokenizer, ...
        return getattr(self.inner, name)

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        out: list[Response] = []
        while len(out) < len(requests):
            granted = self._acquire(len(requests) - len(out))
            try:
                out += self.inner.generate(requests[len(out) : len(out) + granted])
            finally:
                self._release(granted)
        return out

    def close(self) -> None:
        self.inner.close()


class ArmWorker:
    """One Ray worker: rebuilds the run's resources once, then answers shards of any arm."""

    def __init__(self, spec: WorkerSpec, gate: Any = None, holder: str = "") -> None:
        self.spec = spec
        self.gate = gate
        self.holder = holder  # this worker's name at the gate
        self.resources: Any = None
        self.arms: dict[str, Arm] = {}
        try:
            import torch

            torch.set_num_threads(TORCH_THREADS)
        except ImportError:  # an install without local models: nothing to pin
            pass

    def pid(self) -> int:
        return os.getpid()

    def answer(self, job: ArmJob, shard: Sequence[Example]) -> ShardResult:
        arm = self._arm(job.name)
        self.resources.seed = job.seed
        return answer_shard(arm, shard)

    def _arm(self, name: str) -> Arm:
        from ragtune.backends.cache import ResponseCache
        from ragtune.evaluation.prefixes import record_calls
        from ragtune.evaluation.resources import build_resources
        from ragtune.strategies import create_arm

        spec = self.spec
        if self.resources is None:
            if not spec.work_dir.is_dir():
                raise RagtuneError(
                    f"this Ray worker cannot see the run's work dir {spec.work_dir}",
                    hint="mount the store's folder at the same path on every node",
                )
            cache = ResponseCache(spec.cache_path) if spec.cache_path else None
            self.resources = build_resources(
                spec.workload, spec.arms, spec.work_dir, cache=cache, reuse_only=True
            )
            self._gate_backends()
            record_calls(self.resources)
        if name not in self.arms:
            params = spec.workload.spec.arms.get(name, {})
            self.arms[name] = create_arm(name, self.resources, params)
        return self.arms[name]

    def _gate_backends(self) -> None:
        if self.gate is None:
            return
        import ray

        gate, holder = self.gate, self.holder
        wrapped: dict[int, GatedBackend] = {}
        for slot in self.spec.gated:
            backend = getattr(self.resources, slot)
            if id(backend) not in wrapped:  # cheap and strong may be one backend
                wrapped[id(backend)] = GatedBackend(
                    backend,
                    lambda n: int(ray.get(gate.acquire.remote(n, holder))),
                    lambda n: ray.get(gate.release.remote(n, holder)),
                )
            setattr(self.resources, slot, wrapped[id(backend)])


def gated_slots(workload: Workload) -> tuple[str, ...]:
    """The backends whose calls go to an API (anything not `local:`)."""
    backends = workload.spec.backends
    return tuple(
        slot
        for slot, name in (("cheap", backends.cheap), ("strong", backends.strong))
        if parse_backend_name(name).kind != "local"
    )


class RayExecutor:
    """Shards go to a pool of `ArmWorker` actors; finished shards come back to `write`."""

    name = "ray"

    def __init__(
        self,
        workload: Workload,
        arms: tuple[str, ...],
        work_dir: Path,
        *,
        cache_path: Path | None,
        options: ExecutorOptions | None = None,
    ) -> None:
        self.ray = import_ray()
        self.options = options or ExecutorOptions()
        self.spec = WorkerSpec(
            workload, arms, Path(work_dir).resolve(), cache_path, gated_slots(workload)
        )
        self.spec.work_dir.mkdir(parents=True, exist_ok=True)  # workers check they can see it
        self.actors: list[Any] = []
        self.holders: dict[int, str] = {}  # id(actor handle) -> its name at the gate
        self.spawned = 0
        self.gate: Any = None
        self.retries = 0  # shards re-sent after a worker died, over this executor's life
        self._started_ray = False

    def _start(self) -> None:
        """Join the cluster (or start a local one) and start the worker actors, once."""
        ray = self.ray
        if self.actors:
            return
        if not ray.is_initialized():
            address = self.options.address or os.environ.get("RAY_ADDRESS")
            local = {} if address else {"num_cpus": self.options.workers or os.cpu_count() or 1}
            ray.init(address=address, include_dashboard=False, log_to_driver=False, **local)
            self._started_ray = True
        workers = self.options.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        if self.spec.gated:
            from ragtune.backends.http_base import DEFAULT_CONCURRENCY

            limit = self.options.api_concurrency or DEFAULT_CONCURRENCY
            self.gate = ray.remote(num_cpus=0)(CallGate).remote(limit)
        self.spec_ref = ray.put(self.spec)
        self.actors = [self._spawn() for _ in range(workers)]
        log.info("ray executor: %d workers on %s", workers, ray.get_runtime_context().gcs_address)

    def _spawn(self) -> Any:
        self.spawned += 1
        holder = f"worker-{self.spawned}"
        remote = self.ray.remote(num_cpus=1, max_restarts=0)(ArmWorker)
        actor = remote.remote(self.spec_ref, self.gate, holder)
        self.holders[id(actor)] = holder
        return actor

    def _replace(self, dead: Any) -> Any:
        """A fresh worker for a dead one, whose API slots go back to the gate."""
        if self.gate is not None:
            freed = self.ray.get(self.gate.forget.remote(self.holders[id(dead)]))
            if freed:
                log.warning("freed %d API slots the dead worker held", freed)
        replacement = self._spawn()
        self.actors = [replacement if a is dead else a for a in self.actors]
        return replacement

    def worker_pids(self) -> list[int]:
        self._start()
        return [int(pid) for pid in self.ray.get([a.pid.remote() for a in self.actors])]

    def answer(
        self, arm: Arm, job: ArmJob, shards: Sequence[Sequence[Example]], write: Write
    ) -> None:
        """Each idle worker takes the next shard; a dead worker's shard goes back in the queue."""
        if not shards:
            return
        self._start()
        ray = self.ray
        queue: deque[int] = deque(range(len(shards)))
        tries = [0] * len(shards)
        idle = list(self.actors)
        running: dict[Any, tuple[int, Any]] = {}  # result ref -> (shard index, actor)
        while queue or running:
            while queue and idle:
                index, actor = queue.popleft(), idle.pop()
                running[actor.answer.remote(job, list(shards[index]))] = (index, actor)
            [ready], _ = ray.wait(list(running), num_returns=1)
            index, actor = running.pop(ready)
            try:
                result = ray.get(ready)
            except ray.exceptions.RayActorError as err:
                tries[index] += 1
                if tries[index] > MAX_SHARD_RETRIES:
                    raise RagtuneError(
                        f"arm {job.name}: shard {index} lost its Ray worker "
                        f"{tries[index]} times (last: {type(err).__name__})",
                        hint="check the workers' memory and logs; `--resume RUN_ID` keeps "
                        "every shard already written",
                    ) from err
                self.retries += 1
                log.warning(
                    "arm %s: a Ray worker died with shard %d (%d items); retrying it "
                    "(%d of %d)", job.name, index, len(shards[index]), tries[index],
                    MAX_SHARD_RETRIES,
                )  # fmt: skip
                idle.append(self._replace(actor))
                queue.appendleft(index)
                continue
            write(result)
            idle.append(actor)

    def gate_stats(self) -> dict[str, int] | None:
        return None if self.gate is None else dict(self.ray.get(self.gate.stats.remote()))

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        if self.gate is not None:
            self.ray.kill(self.gate)
        self.actors, self.gate = [], None
        if self._started_ray:
            self.ray.shutdown()
            self._started_ray = False
