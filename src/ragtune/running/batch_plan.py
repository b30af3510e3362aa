"""`ragtune run --dry-run`: what a run would send and cost, batched or not, sending nothing.

Each requested arm builds its first request for every test item and repeat (the same requests a
batch would hold, `batch.py`); the requests are counted per arm and backend, their input tokens
estimated the way the run estimates a prompt it has not sent (`resources.count_tokens`: a local
tokenizer, else ~4 characters a token) and their output tokens bounded by each request's
`max_tokens`. Both are priced at the catalog's list price and at its batch price for the same
model (`Catalog.model(NAME + BATCH_SUFFIX)`, the one home of batch rates), all input as uncached
input: an upper bound where a provider would cache a prefix. A local arm is listed with no API
dollars. The judge's requests hold the arms' answers, which a dry run does not have: they are
counted (one per answer) and not priced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.backends import BATCH_SUFFIX, Request, batchable, parse_backend_name
from ragtune.config import Workload, batched_backends
from ragtune.cost import load_catalog
from ragtune.data import Limit, sample_test
from ragtune.errors import Problem, RagtuneError, ValidationError
from ragtune.running.batch import BATCH_CHUNK
from ragtune.running.resources import build_resources, count_tokens
from ragtune.strategies import ArmUnavailable, create_arm


@dataclass(frozen=True)
class PlanRow:
    """One arm's (or the judge's) requests to one backend, priced both ways."""

    stage: str  # the arm's name, or "judge"
    backend: str
    requests: int
    input_tokens: int | None  # estimated; None: not estimated (the judge)
    output_tokens: int | None  # at most: the requests' max_tokens summed
    interactive_usd: float | None  # None: not an API model, or not estimated
    batch_usd: float | None
    batched: bool  # this run would send them as a batch
    note: str = ""


@dataclass(frozen=True)
class PlanTotals:
    """The dry run's totals over the priced rows (API arms; the judge is not priced).

    `interactive_usd`: every row sent interactively. `batch_usd`: every row as a batch. `run_usd`:
    this run as configured, each row at the price of the way it would go (`PlanRow.batched`), so
    an arm on a backend left out of a partial `backends.api.batch` list is counted at its list
    price. A batch price the catalog lacks leaves a total that needs it unknown (None), never $0.
    """

    interactive_usd: float
    batch_usd: float | None
    run_usd: float | None

    @classmethod
    def of(cls, rows: Sequence[PlanRow]) -> PlanTotals:
        priced = [r for r in rows if r.interactive_usd is not None]
        interactive = sum(r.interactive_usd or 0.0 for r in priced)
        batch = [r.batch_usd for r in priced]
        run = [r.batch_usd if r.batched else r.interactive_usd for r in priced]
        return cls(
            interactive,
            None if None in batch else sum(v or 0.0 for v in batch),
            None if None in run else sum(v or 0.0 for v in run),
        )


def plan_run(
    workload: Workload,
    arms: Sequence[str],
    *,
    limit: Limit | None = None,
    repeats: int | None = None,
    work_dir: Path,
    flag: bool = False,
) -> list[PlanRow]:
    """The dry run's rows: every requested arm, then the judge (see the module docstring).
    Refused, as the run itself is, when a batched model has no batch rate (`check_batch_prices`):
    an unpriced batch is never shown as $0. `flag`: batching was asked for with --batch."""
    check_batch_prices(workload, flag=flag)
    spec = workload.spec
    items, _ = sample_test(workload.split("test"), limit or spec.test_limit, spec.task, spec.seed)
    resources = build_resources(workload, list(arms), work_dir, cache=None)
    catalog = load_catalog(*(workload.path(p) for p in spec.pricing.prices))
    batched = batched_backends(spec)
    rows = []
    for name in arms:
        try:
            arm = create_arm(name, resources, workload.arms[name])
        except ArmUnavailable as err:
            rows.append(
                PlanRow(name, "-", 0, None, None, None, None, False, f"not available: {err}")
            )
            continue
        requests: list[Request] = []
        for repeat in range(repeats or spec.repeats):
            resources.seed = spec.seed + repeat
            for start in range(0, len(items), BATCH_CHUNK):
                requests += arm.build(items[start : start + BATCH_CHUNK])
        resources.seed = spec.seed
        backend = arm.backend
        tokens = sum(count_tokens(backend, _text(r)) for r in requests)
        out = sum(r.max_tokens for r in requests)
        dollars = _dollars(catalog, backend.name, tokens, out)
        rows.append(
            PlanRow(name, backend.name, len(requests), tokens, out, *dollars,
                    batched=backend.name in batched)
        )  # fmt: skip
    judge = spec.backends.judge_spec
    if judge is not None and spec.task in ("qa", "generate"):
        answers = len(items) * len(arms)
        rows.append(
            PlanRow("judge", judge.backend, answers, None, None, None, None, judge.batch,
                    "after the arms, one request per answer; its prompts hold the answers, so "
                    "the dry run does not price it")
        )  # fmt: skip
    return rows


def check_batch_prices(workload: Workload, *, flag: bool = False) -> None:
    """Refuse, before anything is sent, a batch whose model the catalog has no batch rate for:
    its answers would be bought and then be unpriceable (ragtune never costs a call at $0).
    Exit 2 naming the backend, the model and both ways out."""
    spec = workload.spec
    where = "--batch" if flag else "backends.api.batch"
    wanted = [(where, b, "leave it out of backends.api.batch (a list of the backends to batch)")
              for b in sorted(batched_backends(spec))]  # fmt: skip
    judge = spec.backends.judge_spec
    if judge is not None and judge.batch and batchable(judge.backend):
        wanted.append(("backends.judge.batch", judge.backend, "set backends.judge.batch: false"))
    if not wanted:  # every run passes here: a run with no batch reads no price file for it
        return
    catalog = load_catalog(*(workload.path(p) for p in spec.pricing.prices))
    problems = []
    for field_, backend, way_out in wanted:
        model = parse_backend_name(backend).model
        try:
            priced = catalog.batch_model(model) is not None
        except RagtuneError:  # no interactive price either: the ordinary price check says so
            continue
        if not priced:
            problems.append(
                Problem(
                    field_,
                    f"{backend}: the price catalog has no batch rate for model {model!r}, so its "
                    f"batch answers could not be priced; add a `batch:` entry for {model!r} "
                    "(input_per_m, output_per_m, source, as_of) to a price file listed in "
                    f"`pricing.prices`, or {way_out}",
                    backend,
                )
            )
    if problems:
        raise ValidationError(where, problems)


def _text(request: Request) -> str:
    return "\n".join([request.system, *(m.content for m in request.messages)])


def _dollars(
    catalog: Any, backend: str, tokens: int, out: int
) -> tuple[float | None, float | None]:
    """(interactive, batch) dollars for the tokens; (None, None) for a model no API bills."""
    if not batchable(backend):
        return None, None
    model = parse_backend_name(backend).model
    interactive = catalog.model(model).usd(input_tokens=tokens, output_tokens=out)
    try:
        batch = catalog.model(model + BATCH_SUFFIX).usd(input_tokens=tokens, output_tokens=out)
    except RagtuneError:
        batch = None
    return float(interactive), None if batch is None else float(batch)
