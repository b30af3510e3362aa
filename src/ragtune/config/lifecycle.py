"""Which of a workload's API backends shut down inside its horizon, before anything runs.

`check` and `run` print a warning for each backend (and the judge) whose model shuts down on or
before the last day of `pricing.horizon_months` from today, and stop with exit 2 when one has
already shut down: every call to it would fail, so a run would measure nothing but errors. The
decision is the same in both commands, so `check` says beforehand what `run` would refuse.
Recorded arms call nothing and are never refused; the verdict prices their migration.

Deliberately not here: the dates (`cost/lifecycle.py`), what a shutdown costs
(`evidence/lifecycle.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ragtune.config.checks import Workload
from ragtune.cost import Catalog, ShutdownNotice, load_catalog, load_lifecycles, shutdown_notice
from ragtune.errors import RagtuneError

API_PROVIDERS = ("openai", "anthropic")  # backends whose model a provider can shut down


@dataclass(frozen=True)
class BackendShutdown:
    """One configured backend whose model shuts down inside the horizon."""

    field: str  # where the workload names it: backends.cheap, arms.prompt.backend, ...
    backend: str  # as written: openai:gpt-4o
    notice: ShutdownNotice

    def warning(self) -> str:
        return f"warning: {self.field} = {self.backend}: {self.notice.describe()}"


def api_backends(workload: Workload) -> dict[str, str]:
    """field -> backend name for every API backend the workload names (cheap, strong, judge,
    and any arm naming a backend in full)."""
    spec = workload.spec
    named = {"backends.cheap": spec.backends.cheap, "backends.strong": spec.backends.strong}
    judge = spec.backends.judge_spec
    if judge is not None:
        named["backends.judge"] = judge.backend
    for arm, settings in workload.arms.items():
        backend = getattr(settings, "backend", None)
        if isinstance(backend, str) and ":" in backend:
            named[f"arms.{arm}.backend"] = backend
    return {f: b for f, b in named.items() if b.split(":", 1)[0] in API_PROVIDERS}


def backend_shutdowns(
    workload: Workload, *, today: date, catalog: Catalog | None = None
) -> list[BackendShutdown]:
    """Every API backend of `workload` whose model shuts down inside its horizon from `today`."""
    catalog = catalog or load_catalog(*(workload.path(p) for p in workload.spec.pricing.prices))
    lifecycles = load_lifecycles()
    horizon = workload.spec.pricing.horizon_months
    out = []
    for field, backend in api_backends(workload).items():
        model = backend.split(":", 1)[1]
        notice = shutdown_notice(model, lifecycles, catalog, today=today, horizon_months=horizon)
        if notice is not None:
            out.append(BackendShutdown(field, backend, notice))
    return out


def refuse_shut_down(shutdowns: list[BackendShutdown]) -> None:
    """Stop (exit 2) when a backend's model has already shut down: its calls would all fail."""
    past = [s for s in shutdowns if s.notice.past]
    if not past:
        return
    listed = "; ".join(f"{s.field} = {s.backend}: {s.notice.describe()}" for s in past)
    raise RagtuneError(
        f"a backend's model has already shut down, so every call to it would fail: {listed}",
        hint="name a current model in that field (`ragtune prices --section models` lists "
        "them); to price answers you already have, record them as an answers file arm",
    )
