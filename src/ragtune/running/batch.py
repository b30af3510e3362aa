"""An arm's (or the judge's) requests answered through the provider's batch API, resumably.

The arm code stays as it is: its API backend is wrapped in a `BatchedBackend`. Before the arm
answers, its first request for every test item not yet answered is built (`arm.build`, the same
request `predict` sends), the requests are submitted as one batch per backend (one provider
model), the batch id is written to the run store *before* the first poll, and the batch is
polled with a growing wait until it ends. Its results, matched by custom id (a hash of the
request), fill the wrapper; the arm then answers as usual and each of its calls is served from
the results. A call the batch did not hold (a router's escalation, which depends on the cheap
answer; a re-ask after a knowledge update) goes to the provider interactively and is counted,
so the run can say what ran interactively.

A killed run finds its batch in the store on `--resume` and polls the same id: no second
submission, no double charge. A request the batch returns errored, expired or cancelled follows
`backends.api.retry`: `interactive` (asked again interactively), `batch` (one follow-up batch),
`none` (an error at once); still failing, it is an error in the arm's errors column. A batch
cancelled outside ragtune is reported and its answered requests kept.

Batch answers are priced at the catalog's batch rates (their model is "MODEL (batch)",
`backends/batch_api.py`). Their latency is the batch's turnaround, which no user waits per
request, so it is recorded apart (`batch_turnaround_s`) and never as a request's latency; the
request latency comes from the usual batch-1 timing sample, asked interactively.

Deliberately not here: the providers' wire formats (`backends/batch_api.py`), the dry run's
estimate (`batch_plan.py`).
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from ragtune.backends import (
    Backend,
    BackendError,
    BatchClient,
    BatchResult,
    Latency,
    Request,
    Response,
    ResponseCache,
    Usage,
    batch_client,
    cache_key,
    create_backend,
)
from ragtune.config import (
    BatchApi,
    Judge,
    Workload,
    WorkloadSpec,
    batch_problems,
    batched_backends,
    with_batch,
)
from ragtune.data import Example
from ragtune.errors import Problem, RagtuneError, ValidationError
from ragtune.running.judge_run import judge_requests
from ragtune.store import BatchRecord, RunStore

log = logging.getLogger(__name__)

BATCH_CHUNK = 64  # items per `arm.build` call while collecting (building is local work)
TURNAROUND = "batch turnaround (not a request latency)"


class BatchedBackend:
    """A backend whose answers come from a finished batch where it holds them.

    `results` (custom id -> response) and `failed` (custom id -> reason) are filled by
    `run_batches`; a request in neither goes to `inner` interactively and is counted. `bypass`
    sends everything to `inner` (the request-latency timing). `as_text`: a failed request comes
    back as an empty answer instead of an error (the judge records it as unparsed).
    """

    def __init__(self, inner: Backend, *, as_text: bool = False) -> None:
        self.inner = inner
        self.name, self.model = inner.name, inner.model
        self.results: dict[str, Response] = {}
        self.failed: dict[str, str] = {}
        self.as_text = as_text
        self.bypass = False
        self.interactive = 0  # requests answered interactively (cache hits not counted)

    @property
    def params(self) -> dict[str, Any]:
        return dict(getattr(self.inner, "params", {}))

    def key(self, request: Request) -> str:
        """The request's custom id: ≤ 64 characters of [A-Za-z0-9_-] (Anthropic's rule)."""
        return "rq-" + cache_key(self, request)[:40]

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        if self.bypass:
            return self.inner.generate(requests)
        out: list[Response | None] = []
        for request in requests:
            k = self.key(request)
            if k in self.failed and not self.as_text:
                raise BackendError(self.name, self.model, self.failed[k])
            out.append(self.results.get(k) or (self._empty(k) if k in self.failed else None))
        missing = [i for i, r in enumerate(out) if r is None]
        if missing:
            fresh = self.inner.generate([requests[i] for i in missing])
            self.interactive += sum(1 for r in fresh if not r.cached)
            for i, response in zip(missing, fresh, strict=True):
                out[i] = response
        return [r for r in out if r is not None]

    def _empty(self, key: str) -> Response:
        return Response("", "stop", Usage(), Latency(0.0), self.name, self.model,
                        raw={"batch_error": self.failed[key]})  # fmt: skip

    def close(self) -> None:
        self.inner.close()


def batched(backend: Any) -> BatchedBackend | None:
    """The `BatchedBackend` in a chain of wrappers (call recorder, response cache), if any."""
    while backend is not None:
        if isinstance(backend, BatchedBackend):
            return backend
        backend = getattr(backend, "inner", None)
    return None


def wrap_batched(resources: Any, names: frozenset[str]) -> None:
    """Put the resources' backends named in `names` behind a `BatchedBackend`, shared ones
    staying shared, and backends built later by name too."""
    if not names:
        return
    wrapped: dict[int, BatchedBackend] = {}

    def wrap(backend: Backend) -> Backend:
        if backend.name not in names or batched(backend) is not None:
            return backend
        if id(backend) not in wrapped:
            wrapped[id(backend)] = BatchedBackend(backend)
        return wrapped[id(backend)]

    resources.cheap, resources.strong = wrap(resources.cheap), wrap(resources.strong)
    make = resources.make_backend
    if make is not None:
        resources.make_backend = lambda name: wrap(make(name))


@dataclass
class Poller:
    """How batches are waited for: injectable so tests never sleep."""

    settings: BatchApi = field(default_factory=BatchApi)
    sleep: Callable[[float], None] = time.sleep
    progress: Callable[[str], None] = log.info
    # a resumed run may find a batch its killed run created but never stored (`find`); a fresh
    # run's labels carry its new id, so it skips that look-up (a list call per batch)
    resumed: bool = False


def collect(arm: Any, items: Sequence[Example], backend: BatchedBackend) -> dict[str, Request]:
    """The first request of each item, by custom id (the same request the arm will send).

    Identical requests (two repeats asking the same, two arms whose answers the judge sees
    word for word) share a custom id: sent once, their one answer serves each use, as the
    response cache would serve it. A request the response cache holds is sent all the same:
    its cached answer was bought interactively, and a batch run measures batch answers."""
    out: dict[str, Request] = {}
    for start in range(0, len(items), BATCH_CHUNK):
        for request in arm.build(items[start : start + BATCH_CHUNK]):
            k = backend.key(request)
            if k not in backend.results:
                out[k] = request
    return out


def run_batches(
    store: RunStore,
    run_id: str,
    stage: str,
    backend: BatchedBackend,
    requests: Mapping[str, Request],
    poller: Poller,
) -> None:
    """Submit (or find on resume) the batch of `requests`, wait for it, and fill `backend`."""
    if not requests:
        return
    client = batch_client(backend.inner)
    if client is None:
        raise RagtuneError(f"{backend.name} has no provider batch API")
    failures = _round(store, run_id, stage, backend, client, requests, 0, poller)
    rule = poller.settings.retry
    if failures and rule == "batch":
        again = {r.custom_id: requests[r.custom_id] for r in failures}
        failures = _round(store, run_id, stage, backend, client, again, 1, poller)
    if rule != "interactive":  # `none`, or `batch` whose follow-up failed too: errors
        for r in failures:
            backend.failed[r.custom_id] = f"batch request {r.outcome}: {r.error} (retry: {rule})"


def _round(
    store: RunStore,
    run_id: str,
    stage: str,
    backend: BatchedBackend,
    client: BatchClient,
    requests: Mapping[str, Request],
    round: int,
    poller: Poller,
) -> list[BatchResult]:
    """One batch, submitted once ever: its results into `backend`, its failures returned."""
    record = _recorded(store, run_id, stage, backend.name, round)
    if record is None:
        label = f"{run_id}/{stage}/{round}"
        found = client.find(label) if poller.resumed else None
        batch_id = found or _submit(client, requests, label, stage)
        record = store.add_batch(
            run_id, stage, backend.name, round, batch_id, client.provider, list(requests)
        )  # the id is kept before the first poll: a killed run polls it again on --resume
        poller.progress(f"{stage}: submitted {len(requests)} requests as batch {batch_id}")
    else:
        poller.progress(f"{stage}: polling batch {record.batch_id} again (resumed)")
    held = {cid: requests[cid] for cid in record.requests if cid in requests}
    try:
        wait_for(store, record, client, poller)
        results = client.results(record.batch_id, held)
    except Exception as err:  # both SDKs' NotFoundError carry status_code 404
        if getattr(err, "status_code", None) != 404:
            raise
        raise RagtuneError(
            f"batch {record.batch_id} ({stage}, round {round}, submitted {record.created}) is "
            f"no longer held by {client.provider}: it answered 404 Not Found, so its "
            f"{len(record.requests)} requests can neither be polled nor read",
            hint="start a new run (drop --resume); this run's stored answers stay in the store",
        ) from err
    for r in results:
        if r.response is not None:
            backend.results[r.custom_id] = r.response
    answered = {r.custom_id for r in results}
    missing = [
        BatchResult(cid, "expired", error="no result") for cid in held if cid not in answered
    ]
    return [r for r in results if r.response is None] + missing


def _recorded(
    store: RunStore, run_id: str, stage: str, backend: str, round: int
) -> BatchRecord | None:
    for record in store.batches(run_id, stage):
        if record.backend == backend and record.round == round:
            return record
    return None


def _submit(client: BatchClient, requests: Mapping[str, Request], label: str, stage: str) -> str:
    """Create the batch once: the SDK never re-sends a create (see `batch_api`), so a timeout
    here may have left a batch on the provider's side, which --resume looks up by label."""
    try:
        return client.submit(list(requests.items()), label)
    except Exception as err:  # a timeout, a dropped connection or a 5xx: made or not?
        status = getattr(err, "status_code", None)
        unsure = "Timeout" in type(err).__name__ or "Connection" in type(err).__name__
        if not (unsure or (isinstance(status, int) and status >= 500)):
            raise
        raise RagtuneError(
            f"creating the {client.provider} batch for {stage} ({len(requests)} requests) "
            f"failed ({type(err).__name__}), and the provider may have created it all the same",
            hint="run again with --resume RUN_ID: an OpenAI batch is found by its label and "
            "reused; Anthropic batches carry no label, so check its console and cancel a "
            "duplicate",
        ) from err


def wait_for(store: RunStore, record: BatchRecord, client: BatchClient, poller: Poller) -> None:
    """Poll until the batch ends, waiting `poll_s`, then 1.5 times longer each time (at most
    `max_poll_s`); each poll's counts are stored and shown."""
    wait = poller.settings.poll_s
    created = datetime.fromisoformat(record.created)
    while True:
        state = client.poll(record.batch_id)
        turnaround = (datetime.now(UTC) - created).total_seconds()
        counts = {
            "succeeded": state.succeeded,
            "errored": state.errored,
            "expired": state.expired,
            "cancelled": state.cancelled,
            "processing": state.processing,
        }
        store.update_batch(
            record.run_id, record.batch_id, state.status, counts,
            ended=state.ended, turnaround_s=turnaround if state.ended else None,
        )  # fmt: skip
        poller.progress(f"{record.stage}: batch {record.batch_id} {state.describe()}")
        if state.ended:
            if state.status in ("cancelled", "canceled"):
                log.warning(
                    "batch %s was cancelled outside ragtune: %d requests answered are kept, "
                    "the rest follow retry: %s",
                    record.batch_id, state.succeeded, poller.settings.retry,
                )  # fmt: skip
            if state.status == "failed":  # the provider refused the whole batch
                log.warning(
                    "batch %s (%s) ended failed at the provider, %s; its requests follow retry: %s",
                    record.batch_id, record.stage, state.reason or "no reason given",
                    poller.settings.retry,
                )  # fmt: skip
            return
        poller.sleep(wait)
        wait = min(wait * 1.5, poller.settings.max_poll_s)


def batch_arm(
    store: RunStore,
    run_id: str,
    name: str,
    arm: Any,
    items: Sequence[Example],
    repeats: int,
    poller: Poller,
) -> BatchedBackend | None:
    """Batch the arm's first requests for every repeat's unanswered items (see the module
    docstring); the wrapper they fill, or None when the arm's backend is not batched."""
    backend = batched(getattr(arm, "backend", None))
    if backend is None or not hasattr(arm, "build"):
        return None
    if not getattr(arm, "batchable", True):  # its calls depend on what it recalls as it answers
        poller.progress(f"{name}: answered interactively (its requests depend on its answers)")
        return None
    resources = getattr(arm, "resources", None)
    base_seed = resources.seed if resources is not None else 0
    try:
        for repeat in range(repeats):
            if resources is not None:
                resources.seed = base_seed + repeat  # the seed `answer_items` asks with
            done = store.completed_items(run_id, name, repeat)
            todo = [e for e in items if e.id not in done]
            requests = collect(arm, todo, backend)
            run_batches(store, run_id, f"{name}#{repeat}", backend, requests, poller)
    finally:
        if resources is not None:
            resources.seed = base_seed
    return backend


def batch_info(store: RunStore, run_id: str, name: str, backend: BatchedBackend) -> dict[str, Any]:
    """What the arm's batches did, for its stored info and the run's summary."""
    mine = [b for b in store.batches(run_id) if b.stage.split("#", 1)[0] == name]
    counts: dict[str, int] = {}
    for b in mine:
        for k, v in b.counts.items():
            counts[k] = counts.get(k, 0) + int(v)
    turnaround = max((b.turnaround_s or 0.0 for b in mine), default=0.0)
    return {
        "batches": [b.batch_id for b in mine],
        "requests": sum(len(b.requests) for b in mine if b.round == 0),
        **{k: counts.get(k, 0) for k in ("succeeded", "errored", "expired", "cancelled")},
        "interactive": backend.interactive,
        "turnaround_s": turnaround,
        "latency": TURNAROUND,
    }


def label_batch_latency(store: RunStore, run_id: str, name: str, turnaround_s: float) -> None:
    """Batch answers carry the turnaround apart; their request latency is the median of the
    batch-1 timing sample (asked interactively), never the turnaround."""
    stored = store.predictions(run_id, name)
    measured = [
        float(p.latency_s or 0.0)
        for p in stored
        if p.extra.get("latency_basis") == "batch-1 timing"
    ]
    median = statistics.median(measured) if measured else None
    out = []
    for p in stored:
        extra = {**p.extra, "batch_turnaround_s": turnaround_s}
        timed = p.extra.get("latency_basis") == "batch-1 timing"
        if p.error is None and not timed and median is not None:  # None: nothing answered
            extra["latency_basis"] = "median of the batch-1 sample (answered by a batch)"
            p = replace(p, latency_s=median)
        out.append(replace(p, extra=extra))
    store.record_predictions(out)


def batch_workload(
    workload: Workload,
    store: RunStore,
    *,
    resume: str | None,
    flag: bool,
    executor: str | None,
) -> Workload:
    """The workload as run: with `--batch` (`flag`), or when resuming a run that has batches in
    the store (so a resumed run never re-asks interactively what a batch already holds), every
    batchable backend goes through its provider's batch API. Bad batch settings: exit 2."""
    resumed = bool(resume) and bool(store.batches(resume or ""))
    spec = workload.spec
    on = bool(batched_backends(spec)) or bool(
        spec.backends.judge_spec and spec.backends.judge_spec.batch
    )
    if not (flag or resumed or on):
        return workload
    if flag or resumed:
        spec = with_batch(spec)
    problems = batch_problems(spec, flag=flag) if flag or resumed else []
    chosen = executor or spec.executor
    if chosen != "inprocess":
        problems.append(
            Problem("executor", "batch runs answer in this process; use inprocess", chosen)
        )
    if problems:
        raise ValidationError("--batch" if flag else "workload", problems)
    return replace(workload, spec=spec)


def batch_judge(
    store: RunStore,
    run_id: str,
    spec: WorkloadSpec,
    judge: Judge,
    cache: ResponseCache | None,
    poller: Poller,
) -> BatchedBackend | None:
    """With `backends.judge.batch`, the judge's pointwise requests answered by one batch; the
    wrapper `judge_run` then asks (pairwise calls, which it does not hold, run interactively)."""
    if not judge.batch:
        return None
    backend = BatchedBackend(create_backend(judge.backend, cache=cache), as_text=True)
    requests = {backend.key(r): r for r in judge_requests(store, run_id, spec.task, judge)}
    run_batches(store, run_id, "judge", backend, requests, poller)
    return backend
