"""The Ray executor: an arm's shards are answered by Ray actors, one per worker.

What runs where. The driver (`ragtune run`) builds the run as always: store, splits, index,
fine-tune, and the arm itself (so an arm that cannot run is reported by the driver). Each worker
actor then rebuilds the run's resources *once* from what the driver left in the run's work dir
(`build_resources(..., reuse_only=True)`: the index and the adapter are opened, never rebuilt),
keeps them across shards and arms, and answers shards of items. The work dir and the workload's
files travel by **shared path**: workers read them where the driver wrote them, so on a cluster
every node must mount the store's folder at the same path (a local cluster shares the disk). The
driver writes each finished shard to the store in one transaction (`runner.answer_items`).

Arms are rebuilt on the workers from the typed settings the driver used (instructions already
read from their files), with what the driver computed once shipped in them: a router's threshold
is calibrated on the driver and sent along, never calibrated again per worker.

Failures. A worker that dies (killed, out of memory, node lost) has its in-flight shard retried
on a fresh actor, at most `MAX_SHARD_RETRIES` times per shard, each retry logged. A shard that
does not come back within the shard timeout counts as stalled: its worker is killed (the warning
names the shard and the worker) and the shard retried the same way. An exception raised by the
arm itself is not retried: it fails the run as it would in-process. A killed driver loses only
its unwritten shards; `--resume RUN_ID` answers what the store lacks.

Attempts. Every actor of a run is named `ragtune-<run id>-job<Ray job>-<attempt>-...` in the
`ragtune` namespace, and each attempt (a first run, each `--resume`) starts its own workers and
its own API gate. Actors a killed driver of the same run left behind (Ray reaps them only once it
notices the driver is gone) are killed before the new workers start, so they neither hold the
cluster's CPUs nor answer shards twice. Workers that do not start within the start timeout (a
full cluster) are dropped with a warning; with none started the run fails saying what the
cluster has free.

API calls. Workers' calls to API backends (anything not `local:`) pass one `CallGate` actor
(`call_gate.py`), so
at most `api_concurrency` requests are in flight across the whole cluster, the limit one process
applies on its own; retries and secret scrubbing are the backends' own, as in-process.

Ray is imported here only; `pip install 'ragtune[ray]'` installs it.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.backends import parse_backend_name
from ragtune.config import Workload
from ragtune.data import Example
from ragtune.errors import RagtuneError
from ragtune.running.call_gate import CallGate, GatedBackend
from ragtune.running.shards import (
    SHARD_TIMEOUT_S,
    START_TIMEOUT_S,
    ArmJob,
    ExecutorOptions,
    ShardResult,
    Write,
    answer_shard,
)
from ragtune.strategies import Arm, ArmSettings

log = logging.getLogger(__name__)

INSTALL = "pip install 'ragtune[ray]'"
MAX_SHARD_RETRIES = 2  # a shard whose worker dies 3 times points at the shard, not bad luck
TORCH_THREADS = 1  # per worker: N single-threaded workers beat threads fighting over cores
NAMESPACE = "ragtune"  # every run's named actors live here, so a later attempt can find them


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


class ArmWorker:
    """One Ray worker: rebuilds the run's resources once, then answers shards of any arm."""

    def __init__(self, spec: WorkerSpec, gate: Any = None, holder: str = "") -> None:
        self.spec = spec
        self.gate = gate
        self.holder = holder  # this worker's name at the gate
        self.resources: Any = None
        self.arms: dict[str, Arm] = {}
        if uses_torch(spec):  # an API-only run never imports torch (seconds per worker start)
            try:
                import torch

                torch.set_num_threads(TORCH_THREADS)
            except ImportError:  # an install without local models: nothing to pin
                pass

    def pid(self) -> int:
        return os.getpid()

    def answer(self, job: ArmJob, shard: Sequence[Example]) -> ShardResult:
        arm = self._arm(job.name, job.settings)
        self.resources.seed = job.seed
        return answer_shard(arm, shard)

    def _arm(self, name: str, settings: ArmSettings | None = None) -> Arm:
        from ragtune.backends import ResponseCache
        from ragtune.running.prefixes import record_calls
        from ragtune.running.resources import build_resources
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
            # the driver's typed settings (instructions read from their files), never the raw
            # mapping of the workload file, so the worker's arm is the driver's arm
            typed = settings if settings is not None else spec.workload.arms[name]
            self.arms[name] = create_arm(name, self.resources, typed)
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


def uses_torch(spec: WorkerSpec) -> bool:
    """Whether the worker runs a model in torch: a local backend, the tuned model, an embedder."""
    needs = spec.workload.needs(list(spec.arms))
    local = len(spec.gated) < 2  # cheap or strong is not an API
    return local or needs.needs_tuned or needs.needs_embed or needs.needs_index


def gated_slots(workload: Workload) -> tuple[str, ...]:
    """The backends whose calls go to an API (anything not `local:`)."""
    backends = workload.spec.backends
    return tuple(
        slot
        for slot, name in (("cheap", backends.cheap), ("strong", backends.strong))
        if parse_backend_name(name).kind != "local"
    )


def shipped(arm: Arm) -> ArmSettings | None:
    """The driver's arm's settings with what it computed once filled in (a router's calibrated
    threshold), for the workers to rebuild it from; None: the workload's settings do."""
    ship = getattr(arm, "shipped_settings", None)  # arms that compute something once declare it
    return ship() if callable(ship) else None


@dataclass
class Running:
    """A shard in flight: which one, on which worker, and when it must be back."""

    index: int
    actor: Any
    deadline: float


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
        run_id: str | None = None,
    ) -> None:
        self.ray = import_ray()
        self.options = options or ExecutorOptions()
        self.spec = WorkerSpec(
            workload, arms, Path(work_dir).resolve(), cache_path, gated_slots(workload)
        )
        self.spec.work_dir.mkdir(parents=True, exist_ok=True)  # workers check they can see it
        # the run's actors share this prefix across attempts; an attempt adds its Ray job (its
        # driver) and its own id (see `_start`)
        self.scope = f"ragtune-{run_id or self.spec.work_dir.name}-"
        self.attempt = ""
        self.shard_timeout_s = self.options.shard_timeout_s or SHARD_TIMEOUT_S
        self.start_timeout_s = self.options.start_timeout_s or START_TIMEOUT_S
        self.actors: list[Any] = []
        self.holders: dict[int, str] = {}  # id(actor handle) -> its name (at the gate, in logs)
        self.spawned = 0
        self.gate: Any = None
        self.retries = 0  # shards re-sent after a worker died or stalled, over this executor's life
        self.stale_killed = 0  # actors a previous attempt of this run left behind
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
        job = f"{self.scope}job{ray.get_runtime_context().get_job_id()}-"
        self.attempt = f"{job}{uuid.uuid4().hex[:8]}"
        self._kill_stale(keep=job)
        workers = self.options.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        if self.spec.gated:
            from ragtune.backends import DEFAULT_CONCURRENCY

            limit = self.options.api_concurrency or DEFAULT_CONCURRENCY
            self.gate = (
                ray.remote(num_cpus=0)(CallGate)
                .options(name=f"{self.attempt}-gate", namespace=NAMESPACE)
                .remote(limit)
            )
        self.spec_ref = ray.put(self.spec)
        self.actors = self._started([self._spawn() for _ in range(workers)])
        log.info(
            "ray executor: %d workers on %s", len(self.actors),
            ray.get_runtime_context().gcs_address,
        )  # fmt: skip

    def _kill_stale(self, keep: str) -> None:
        """Kill the actors another driver's attempt at this run left (that driver was killed);
        this driver's own (names starting with `keep`) stay."""
        ray = self.ray
        from ray.util import list_named_actors

        for entry in list_named_actors(all_namespaces=True):
            name = entry["name"]
            if entry["namespace"] != NAMESPACE or not name.startswith(self.scope):
                continue
            if name.startswith(keep):
                continue
            try:
                ray.kill(ray.get_actor(entry["name"], namespace=NAMESPACE))
            except ValueError:  # gone meanwhile
                continue
            self.stale_killed += 1
            log.warning("killed %s, left running by an earlier attempt of this run", name)

    def _started(self, actors: list[Any]) -> list[Any]:
        """The actors that started within the start timeout; the others are killed."""
        ray = self.ray
        probes = {actor.pid.remote(): actor for actor in actors}
        ready, pending = ray.wait(
            list(probes), num_returns=len(probes), timeout=self.start_timeout_s
        )
        if not pending:
            return actors
        late = [probes[ref] for ref in pending]
        for actor in late:
            ray.kill(actor)
        free = ray.available_resources().get("CPU", 0.0)
        names = ", ".join(self.holders[id(a)] for a in late)
        if not ready:
            raise RagtuneError(
                f"none of the {len(actors)} Ray workers started within "
                f"{self.start_timeout_s:.0f} s (the cluster has {free:g} CPUs free; each worker "
                "needs 1)",
                hint="check `ray status`; lower `--workers`, or wait until another run's workers "
                "have finished; `--resume RUN_ID` keeps every shard already written",
            )
        log.warning(
            "%d of %d Ray workers did not start within %.0f s (%s; %g CPUs free): going on "
            "with %d", len(late), len(actors), self.start_timeout_s, names, free, len(ready),
        )  # fmt: skip
        return [a for a in actors if a not in late]

    def _spawn(self) -> Any:
        self.spawned += 1
        holder = f"{self.attempt}-worker-{self.spawned}"
        remote = self.ray.remote(num_cpus=1, max_restarts=0)(ArmWorker)
        actor = remote.options(name=holder, namespace=NAMESPACE).remote(
            self.spec_ref, self.gate, holder
        )
        self.holders[id(actor)] = holder
        return actor

    def _replace(self, dead: Any) -> Any:
        """A fresh worker for a dead one, whose API slots go back to the gate."""
        self.ray.kill(dead)  # a stalled worker is still alive; a dead one: nothing happens
        if self.gate is not None:
            freed = self.ray.get(self.gate.forget.remote(self.holders[id(dead)]))
            if freed:
                log.warning("freed %d API slots the lost worker held", freed)
        replacement = self._spawn()
        self.actors = [replacement if a is dead else a for a in self.actors]
        return replacement

    def worker_pids(self) -> list[int]:
        self._start()
        return [int(pid) for pid in self.ray.get([a.pid.remote() for a in self.actors])]

    def answer(
        self, arm: Arm, job: ArmJob, shards: Sequence[Sequence[Example]], write: Write
    ) -> None:
        """Each idle worker takes the next shard; a lost or stalled worker's shard goes back in
        the queue (bounded), and every wait is bounded by the shard timeout."""
        if not shards:
            return
        self._start()
        ray = self.ray
        if job.settings is None:
            job = ArmJob(job.name, job.seed, shipped(arm))
        observe = getattr(arm, "observe", None)  # the driver's arm counts what workers answered
        queue: deque[int] = deque(range(len(shards)))
        tries = [0] * len(shards)
        idle = list(self.actors)
        running: dict[Any, Running] = {}  # result ref -> the shard in flight
        while queue or running:
            while queue and idle:
                index, actor = queue.popleft(), idle.pop()
                ref = actor.answer.remote(job, list(shards[index]))
                running[ref] = Running(index, actor, time.monotonic() + self.shard_timeout_s)
            wait_s = max(0.0, min(r.deadline for r in running.values()) - time.monotonic())
            ready, _ = ray.wait(list(running), num_returns=1, timeout=wait_s)
            if not ready:  # the earliest deadline passed: that shard stalled
                now = time.monotonic()
                for ref in [ref for ref, r in running.items() if r.deadline <= now]:
                    shard = running.pop(ref)
                    self._lost(job, shards, tries, shard, f"stalled > {self.shard_timeout_s:g} s")
                    idle.append(self._replace(shard.actor))
                    queue.appendleft(shard.index)
                continue
            shard = running.pop(ready[0])
            try:
                result = ray.get(ready[0])
            except ray.exceptions.RayActorError as err:
                self._lost(job, shards, tries, shard, f"died ({type(err).__name__})", err)
                idle.append(self._replace(shard.actor))
                queue.appendleft(shard.index)
                continue
            if callable(observe):
                observe(result.predictions)
            write(result)
            idle.append(shard.actor)

    def _lost(
        self,
        job: ArmJob,
        shards: Sequence[Sequence[Example]],
        tries: list[int],
        shard: Running,
        why: str,
        cause: BaseException | None = None,
    ) -> None:
        """Count a shard whose worker was lost; fail once it has been lost too often."""
        tries[shard.index] += 1
        worker = self.holders.get(id(shard.actor), "?")
        if tries[shard.index] > MAX_SHARD_RETRIES:
            raise RagtuneError(
                f"arm {job.name}: shard {shard.index} ({len(shards[shard.index])} items) lost "
                f"its Ray worker {tries[shard.index]} times (last: {worker} {why})",
                hint="check the workers' memory and logs (`ray status`); raise --shard-timeout "
                "for a slow model; `--resume RUN_ID` keeps every shard already written",
            ) from cause
        self.retries += 1
        log.warning(
            "arm %s: Ray worker %s %s with shard %d (%d items); retrying it (%d of %d)",
            job.name, worker, why, shard.index, len(shards[shard.index]), tries[shard.index],
            MAX_SHARD_RETRIES,
        )  # fmt: skip

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
