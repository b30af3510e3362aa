"""The one pricing path: how a run's measured calls and machine time become dollars.

`run_pricing(run)` resolves the catalog (bundled prices plus the run's own price files, recorded
next to the workload file when the run started), the self-hosted machine and the projection
model once, from the run itself, so `ragtune run`, `runs show`, `runs compare`, the report and
the web viewer price a run the same way from any working directory.

An arm becomes a cost-engine `Option` (`arm_option`): API calls at their measured list-price
dollars per query; local calls on a flat self-hosted machine sized by capacity for the volume
(one machine gives 720 h x 3600 s a month, fleets keep average load under `max_utilisation`, at
least one machine); a tuned arm adds its training cost, again every retraining cycle. A per-query
figure for an arm is always that option's monthly cost at a stated volume divided by the volume
(`per_1k`), so a table, a chart and a verdict at the same volume agree.

Deliberately not here: what the arms measured (`evidence.py`), the verdict (advisor).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
from numpy.typing import NDArray

from ragtune.backends import BATCH_SUFFIX, billed_by_provider, parse_backend_name
from ragtune.config import Backends, Endpoint
from ragtune.cost import (
    ApiUsage,
    Catalog,
    CostItem,
    GpuServing,
    ModelPrice,
    Num,
    Option,
    load_catalog,
    monthly_cost,
    today,
)
from ragtune.errors import RagtuneError
from ragtune.evidence.hosted_pricing import with_hosted_models
from ragtune.evidence.rundata import RunData, price_files
from ragtune.store import Measurement

HOURS_PER_MONTH = 720.0  # a self-hosted machine is rented whole, every hour of the month


@dataclass(frozen=True)
class Machine:
    """The self-hosted machine local arms run on (a catalog infra item)."""

    name: str
    monthly: float
    source: str
    max_utilisation: float = 0.5  # config.Advice's default: headroom for peaks
    as_of: str = ""  # when its price was read
    kind: str = "cpu"  # "cpu" (a catalog infra item) | "gpu" (a catalog GPU, 720 h a month)

    @property
    def hourly(self) -> float:
        return self.monthly / HOURS_PER_MONTH


@dataclass(frozen=True)
class Pricing:
    """How measured calls become dollars; `notes` say where every rate came from.

    `remote` are the models the run's API backends call: one no source can price is an error
    (never $0, never "local machine time"); any other unpriced model ran on our machine. A model
    served by a declared endpoint is machine time on that endpoint's machine (`endpoints`).
    """

    catalog: Catalog
    machine: Machine
    project_to: ModelPrice | None
    volume: float = 100_000.0  # requests/month a per-query figure is shown at by default
    # model -> the machine a declared self-hosted endpoint serves it on (`pricing.endpoints`)
    endpoints: Mapping[str, Machine] = field(default_factory=dict)
    remote: frozenset[str] = frozenset()
    today: date = field(default_factory=today)  # the day model lifecycles are read from
    # model -> its list price, filled on first use: the catalog resolves a name through the
    # price library (~15 ms), and a run prices the same few models on every item
    _prices: dict[str, ModelPrice] = field(default_factory=dict, compare=False, repr=False)

    @property
    def self_hosted_hourly(self) -> float:
        return self.machine.hourly

    @property
    def self_hosted_source(self) -> str:
        return f"{self.machine.name}: ${self.machine.monthly}/month, {self.machine.source}"

    def api_price(self, model: str | None) -> ModelPrice | None:
        """The list price of a call to `model`; None for a local model or a declared endpoint
        (`endpoint`). A model an API backend called that nothing prices is an error."""
        if not model or model in self.endpoints:
            return None
        if model in self._prices:
            return self._prices[model]
        try:
            price = self._prices[model] = self.catalog.model(model)
            return price
        except RagtuneError as err:
            if model in self.remote or model.startswith("ft:") or model.endswith(BATCH_SUFFIX):
                raise unpriced(model, err) from None
            return None

    def endpoint(self, model: str | None) -> Machine | None:
        """The machine a declared self-hosted endpoint serves `model` on, else None."""
        return self.endpoints.get(model) if model else None

    def notes(self) -> list[str]:
        m = self.machine
        lines = [
            f"self-hosted: {m.name} at ${m.monthly:,.2f}/month ({m.source}), sized for the volume "
            f"at most {m.max_utilisation:.0%} busy; local arms' $/1k at "
            f"{self.volume:,.0f} requests/month"
        ]
        for model, e in sorted(self.endpoints.items()):
            lines.append(
                f"endpoint: {model} served on {e.name} at ${e.hourly:,.2f}/hour ({e.source}), "
                "sized for the volume at its measured throughput"
            )
        if self.project_to is not None:
            p = self.project_to
            lines.append(
                f"projection: {p.name} at ${p.input_per_m}/M in, ${p.output_per_m}/M "
                f"out ({p.source}, {p.as_of})"
            )
        return lines


def unpriced(model: str, err: RagtuneError | None = None) -> RagtuneError:
    """The error for a called model that no price source knows (exit 2, naming the fix)."""
    return RagtuneError(
        f"no price for model {model!r}: the run's backends call it, and no price file, "
        "price library or workload declaration prices it (ragtune never costs it at $0)",
        hint="add a `models:` entry to a price file (`pricing.prices`), or declare it in the "
        f"workload: `pricing.endpoints: {{{model}: {{machine: h100-80gb}}}}` for a self-hosted "
        "server, `{price: {input_per_m, output_per_m, source, as_of}}` for a stated rate"
        + (f"; {err.hint}" if err is not None and err.hint else ""),
    )


def pricing_for(
    catalog: Catalog,
    self_hosted: str,
    project_to: str | None,
    *,
    max_utilisation: float = 0.5,
    volume: float = 100_000.0,
    endpoints: Mapping[str, Endpoint] | None = None,
    remote: frozenset[str] = frozenset(),
    on: date | None = None,
) -> Pricing:
    declared = {}
    machines = {}
    for model, endpoint in (endpoints or {}).items():
        if endpoint.price is not None:
            p = endpoint.price
            declared[model.lower()] = ModelPrice(
                model.lower(), "declared", p.input_per_m, p.output_per_m, p.source, p.as_of,
                origin="workload (pricing.endpoints)",
            )  # fmt: skip
        elif endpoint.machine is not None:
            machines[model] = endpoint_machine(catalog, endpoint.machine, max_utilisation)
    if declared:
        catalog = replace(catalog, models={**catalog.models, **declared})
    # `self_hosted` may name a catalog GPU (rented whole) as well as a CPU machine
    machine = endpoint_machine(catalog, self_hosted, max_utilisation)
    projected = catalog.model(project_to) if project_to else None
    pricing = Pricing(catalog, machine, projected, float(volume) or 1.0, machines, remote)
    return pricing if on is None else replace(pricing, today=on)


def endpoint_machine(catalog: Catalog, name: str, max_utilisation: float = 0.5) -> Machine:
    """The catalog GPU (rented whole: $/hour x 720 a month) or machine called `name`; a name
    that is both is the machine (an `infra` item)."""
    if catalog.has("gpus", name) and not catalog.has("infra", name):
        gpu = catalog.gpu(name)
        source = f"{gpu.source}; ${gpu.hourly}/hour x {HOURS_PER_MONTH:.0f} h"
        return Machine(
            gpu.name, gpu.hourly * HOURS_PER_MONTH, source, max_utilisation, gpu.as_of, kind="gpu"
        )
    item = catalog.infra_item(name)  # raises, naming the nearest, when it is neither
    return Machine(item.name, item.monthly, item.source, max_utilisation, item.as_of)


def remote_models(backends: Backends) -> frozenset[str]:
    """Models the run's backends (and judge) call that a provider bills, which must be priced
    (`backends.billed_by_provider`)."""
    judge = backends.judge_spec
    names = [backends.cheap, backends.strong] + ([judge.backend] if judge else [])
    out = set()
    for name in names:
        try:
            parsed = parse_backend_name(name)
        except RagtuneError:
            continue
        if billed_by_provider(parsed):
            out.add(parsed.model)
    return frozenset(out)


def run_pricing(run: RunData, catalog: Catalog | None = None, *, on: date | None = None) -> Pricing:
    """The pricing `run` asked for: its price files, machine, projection model and volume;
    model lifecycles read `on` that day (default: `cost.today()`)."""
    spec = run.config.pricing
    catalog = with_hosted_models(catalog or load_catalog(*price_files(run)), run)
    return pricing_for(
        catalog,
        spec.self_hosted,
        spec.project_to,
        max_utilisation=run.config.advice.max_utilisation,
        volume=spec.requests_per_month,
        endpoints=spec.endpoints,
        remote=remote_models(run.config.backends),
        on=on,
    )


def call_cost(call: Measurement, price: ModelPrice) -> float:
    """Dollars for one measured call at a catalog model's prices (cache and long-context tier
    included: `ModelPrice.usd`)."""
    return price.usd(
        input_tokens=call.input_tokens,
        output_tokens=call.output_tokens,
        cache_write_tokens=call.cache_write_tokens,
        cache_read_tokens=call.cache_read_tokens,
    )


def per_request(model: str, usd: Num) -> ApiUsage:
    """API usage known as dollars per request (already priced), not as tokens."""
    return ApiUsage(model, input_per_m=1e6 * usd, output_per_m=0.0, input_tokens=1.0)


def arm_option(
    name: str,
    *,
    api_usd: Num,
    machine_s: Num | None,
    api_models: tuple[str, ...],
    machine: Machine,
    training_usd: float | None = None,
    retrain_every_months: float | None = None,
) -> Option:
    """An arm as measured: mean API dollars per query, and (when anything ran locally, i.e.
    `machine_s` is not None) mean machine seconds per query served on self-hosted machines.

    Amounts may be arrays of bootstrap means: the option then describes every draw at once.
    """
    api = None
    if np.any(np.asarray(api_usd) > 0):
        api = per_request(f"{', '.join(api_models) or 'API'} (measured)", api_usd)
    serving = None
    if machine_s is not None:
        seconds = np.maximum(np.asarray(machine_s, dtype=np.float64), 1e-9)
        serving = GpuServing(
            gpu=machine.name,
            gpu_hourly=machine.hourly,
            tokens_per_second=1.0 / seconds if seconds.ndim else float(1.0 / seconds),
            tokens_per_request=1.0,  # "tokens" are queries: queries per machine-second
            max_utilisation=machine.max_utilisation,
        )
    one_time: tuple[CostItem, ...] = ()
    retrain: tuple[CostItem, ...] = ()
    if training_usd is not None:
        item = CostItem("fine-tune (measured machine time)", training_usd)
        one_time = (item,)
        retrain = (item,) if retrain_every_months else ()
    return Option(
        name,
        api=api,
        serving=serving,
        one_time=one_time,
        retrain=retrain,
        retrain_every_months=retrain_every_months if retrain else None,
    )


def per_1k(option: Option, volume: float) -> float:
    """Dollars per 1,000 requests at `volume` requests/month: the monthly cost over the volume."""
    return float(monthly_cost(option, volume)) / volume * 1000.0


def mean(values: NDArray[np.float64]) -> float:
    return float(values.mean()) if values.size else 0.0
