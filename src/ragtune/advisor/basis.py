"""What a report's numbers rest on: the catalog prices used and the assumptions made.

Two sections of the report document (`prices`, `assumptions`), built from the run's pricing
settings and the catalog so a reader can check every price against its source and date.
"""

from __future__ import annotations

from typing import Any

from ragtune.config import Pricing
from ragtune.cost import Catalog
from ragtune.evidence import Evidence


def price_rows(catalog: Catalog, spec: Pricing, evidence: Evidence) -> list[dict[str, Any]]:
    """The catalog prices the numbers rest on: the self-hosted machine and every API model used,
    each with its source and date."""
    machine = evidence.pricing.machine
    entry = catalog.gpu(machine.name) if machine.kind == "gpu" else catalog.infra_item(machine.name)
    rows = [
        {
            "name": f"{machine.name} (self-hosted {'GPU' if machine.kind == 'gpu' else 'machine'})",
            "value": f"${machine.monthly:,.2f}/month"
            + (f" (${machine.hourly:,.2f}/h x 720 h)" if machine.kind == "gpu" else ""),
            "source": entry.source,
            "as_of": entry.as_of,
        }
    ]
    for model, machine in sorted(evidence.pricing.endpoints.items()):
        rows.append(
            {
                "name": f"{machine.name} (serves {model}, a declared endpoint)",
                "value": f"${machine.monthly:,.2f}/month",
                "source": machine.source,
                "as_of": machine.as_of,
            }
        )
    models = {spec.project_to} | {m for a in evidence.done() for m in a.api_models}
    for name in sorted(m for m in models if m):
        p = catalog.model(name)
        rows.append(
            {
                "name": p.name,
                "value": f"${p.input_per_m}/M input, ${p.output_per_m}/M output, cache write "
                f"x{p.cache_write_multiplier}, cache read x{p.cache_read_multiplier}",
                "source": p.source,
                "as_of": p.as_of,
            }
        )
    return rows


def assumption_rows(spec: Pricing, advice: dict[str, Any], config: dict[str, Any]) -> list[Any]:
    """The volume, growth, horizon and advice the verdict assumed, each saying whether the
    workload file stated it or ragtune defaulted it."""
    stated = set((config.get("advice") or {}).keys())
    rows = [
        {"name": "requests per month", "value": f"{spec.requests_per_month:,.0f}",
         "source": "workload file (pricing.requests_per_month)"},
        {"name": "growth per month", "value": f"{spec.growth_per_month:.1%}",
         "source": "workload file (pricing.growth_per_month)"},
        {"name": "horizon", "value": f"{spec.horizon_months} months",
         "source": "workload file (pricing.horizon_months)"},
        {"name": "self-hosted machine hours", "value": "720 per month, rented whole",
         "source": "ragtune convention"},
    ]  # fmt: skip
    for key, value in advice.items():
        source = "workload file (advice)" if key in stated else "ragtune default"
        shown = "not stated" if value is None else str(value)
        rows.append({"name": key.replace("_", " "), "value": shown, "source": source})
    return rows
