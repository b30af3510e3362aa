"""Which backends answer through a provider's batch API, and the checks on asking for it.

`backends.api.batch` (every `openai:` / `anthropic:` backend of the arms, or a list of them) and
`backends.judge.batch` are what a workload writes; `ragtune run --batch` turns both on for every
backend that has a batch API. A backend without one (a local model, an OpenAI-compatible server
such as vLLM) named for batching is a configuration error, not a silent interactive run.
"""

from __future__ import annotations

from ragtune.backends import batchable
from ragtune.config.schema import Judge, WorkloadSpec
from ragtune.errors import Problem

_NO_BATCH_API = (
    "has no provider batch API (only openai: and anthropic: backends do); "
    "remove it from the list or run it interactively"
)


def arm_backends(spec: WorkloadSpec) -> list[str]:
    """Every backend name the arms may call: cheap, strong and any arm's own `backend:`."""
    names = [spec.backends.cheap, spec.backends.strong]
    for settings in spec.arms.values():
        backend = (settings or {}).get("backend") if isinstance(settings, dict) else None
        if isinstance(backend, str) and ":" in backend:
            names.append(backend)
    return list(dict.fromkeys(names))


def batched_backends(spec: WorkloadSpec) -> frozenset[str]:
    """The arms' backends that answer through their provider's batch API."""
    wanted = spec.backends.api.batch
    if wanted is True:
        return frozenset(b for b in arm_backends(spec) if batchable(b))
    if wanted is False:
        return frozenset()
    return frozenset(wanted)


def with_batch(spec: WorkloadSpec) -> WorkloadSpec:
    """The spec `ragtune run --batch` runs: every batchable arm backend and the judge batched."""
    api = spec.backends.api.model_copy(update={"batch": True})
    judge = spec.backends.judge_spec
    update: dict[str, object] = {"api": api}
    if judge is not None and batchable(judge.backend):
        update["judge"] = judge.model_copy(update={"batch": True})
    return spec.model_copy(update={"backends": spec.backends.model_copy(update=update)})


def batch_problems(spec: WorkloadSpec, *, flag: bool = False) -> list[Problem]:
    """What is wrong with the batch settings; `flag`: they came from `--batch`."""
    api = spec.backends.api
    where = "--batch" if flag else "backends.api.batch"
    problems = []
    if api.batch is True and not any(batchable(b) for b in arm_backends(spec)):
        problems.append(
            Problem(
                where,
                "no arm calls an openai: or anthropic: backend, so nothing can be batched; "
                "drop it or point backends.cheap / backends.strong at an API model",
                ", ".join(arm_backends(spec)),
            )
        )
    if isinstance(api.batch, list):
        known = arm_backends(spec)
        for name in api.batch:
            if not batchable(name):
                problems.append(Problem("backends.api.batch", _NO_BATCH_API, name))
            elif name not in known:
                problems.append(
                    Problem(
                        "backends.api.batch",
                        f"not a backend of the workload's arms ({', '.join(known)})",
                        name,
                    )
                )
    if api.max_poll_s < api.poll_s:
        problems.append(
            Problem(
                "backends.api.max_poll_s",
                f"must be at least backends.api.poll_s ({api.poll_s})",
                str(api.max_poll_s),
            )
        )
    if spec.latency_sample == 0 and (api.batch is True or isinstance(api.batch, list)):
        problems.append(
            Problem(
                "latency_sample",
                "must be at least 1 when arms answer through a batch API: their request latency "
                "is timed on these items asked interactively (a batch's turnaround is no "
                "request's latency)",
                "0",
            )
        )
    judge: Judge | None = spec.backends.judge_spec
    if judge is not None and judge.batch and not batchable(judge.backend):
        problems.append(Problem("backends.judge.batch", _NO_BATCH_API, judge.backend))
    return problems
