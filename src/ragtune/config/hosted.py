"""The hosted fine-tuning rules `check` and `run` apply before any job is created.

OpenAI is winding self-serve fine-tuning down; the date after which no organisation can create a
job is a dated fact in ragtune's hosted price file (`cost/hosted_finetuning.yaml`, `cutoffs:`),
not a hard-coded `if`. On or after that date a tuned arm with `provider: openai` is refused
(naming the date and the providers that still sell fine-tuning); before it, `check` warns.
A server of OpenAI's shape at another `base_url` (a gateway, a test server) is not OpenAI and
is not held to OpenAI's dates. "Today" is `cost.today()`, which $RAGTUNE_TODAY can fix.
"""

from __future__ import annotations

from datetime import date

from ragtune.config.schema import TUNED_ARMS, WorkloadSpec
from ragtune.cost import Cutoff, load_hosted, today
from ragtune.errors import Problem


def _openai_arms(spec: WorkloadSpec) -> list[str]:
    arms = []
    for arm in TUNED_ARMS:
        raw = spec.arms.get(arm)
        if isinstance(raw, dict) and raw.get("provider") == "openai" and not raw.get("base_url"):
            arms.append(arm)
    return arms


def _alternatives(cutoff: Cutoff) -> str:
    return ", ".join(f"provider: {p}" for p in cutoff.alternatives)


def cutoff_problems(spec: WorkloadSpec, on: date | None = None) -> list[Problem]:
    """A tuned arm that would create an OpenAI fine-tuning job on or after the cut-off."""
    cutoff = load_hosted().cutoff("openai")
    day = on or today()
    if cutoff is None or day < cutoff.no_new_jobs_from:
        return []
    return [
        Problem(
            f"arms.{arm}.provider",
            f"OpenAI stopped self-serve fine-tuning jobs on {cutoff.no_new_jobs_from} (today is "
            f"{day}; {cutoff.source}); tune with {_alternatives(cutoff)} instead, or answer "
            "with an existing ft: model as a backend until its base shuts down",
            "openai",
        )
        for arm in _openai_arms(spec)
    ]


def cutoff_warnings(spec: WorkloadSpec, on: date | None = None) -> list[str]:
    """Before the cut-off: a warning per OpenAI-tuned arm, with the date and the alternatives."""
    cutoff = load_hosted().cutoff("openai")
    day = on or today()
    if cutoff is None or day >= cutoff.no_new_jobs_from:
        return []
    days = (cutoff.no_new_jobs_from - day).days
    return [
        f"arms.{arm}: OpenAI self-serve fine-tuning ends on {cutoff.no_new_jobs_from} ({days} "
        f"days from {day}): no new jobs after it; {cutoff.earlier}; {cutoff.existing_models} "
        f"({cutoff.source}). Alternatives: {_alternatives(cutoff)}."
        for arm in _openai_arms(spec)
    ]
