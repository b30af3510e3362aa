"""Cost engine: prices measured or assumed token counts into monthly cost, TCO and break-evens.

Pure functions over frozen dataclasses. Every numeric field may be a float or a numpy array, so
the same code gives point estimates and vectorised Monte Carlo samples. No I/O here except the
catalog loader, which reads the price library's bundled data (genai-prices), ragtune's overlay
price file and a user's override file.
"""

from ragtune.cost.analysis import (
    Analysis,
    Band,
    PairResult,
    Samples,
    analyse,
    breakeven_sample_size,
    jsonable,
)
from ragtune.cost.breakeven import (
    VOLUME_RANGE,
    Crossing,
    breakeven_calls,
    breakeven_volume,
    payback_months,
)
from ragtune.cost.catalog import SECTIONS, Catalog, load_catalog
from ragtune.cost.entries import GpuPrice, ModelPrice, ModelRule
from ragtune.cost.formulas import Num, api_request_cost, gpu_compute_cost, training_cost_tokens
from ragtune.cost.hosted import (
    Cutoff,
    EndpointRate,
    HostedCatalog,
    ServerlessRate,
    TrainingRate,
    endpoint_monthly,
    hosted_reference,
    load_hosted,
    training_cost,
)
from ragtune.cost.library import PACKAGE as PRICE_LIBRARY
from ragtune.cost.library import Tier, library_note
from ragtune.cost.lifecycle import (
    TODAY_VARIABLE,
    DatedFact,
    Lifecycles,
    ModelLifecycle,
    ShutdownNotice,
    add_months,
    load_lifecycles,
    shutdown_notice,
    today,
)
from ragtune.cost.model import ApiUsage, CostItem, GpuServing, Option, Part, monthly_cost, tco
from ragtune.cost.quantity import (
    DISTRIBUTIONS,
    Quantity,
    parse_at_least_one,
    parse_fraction,
    parse_positive,
    parse_positive_fraction,
    parse_quantity,
    parse_whole,
)

__all__ = [
    "DISTRIBUTIONS",
    "PRICE_LIBRARY",
    "SECTIONS",
    "TODAY_VARIABLE",
    "VOLUME_RANGE",
    "Analysis",
    "ApiUsage",
    "Band",
    "Catalog",
    "CostItem",
    "Crossing",
    "Cutoff",
    "DatedFact",
    "EndpointRate",
    "GpuPrice",
    "GpuServing",
    "HostedCatalog",
    "Lifecycles",
    "ModelLifecycle",
    "ModelPrice",
    "ModelRule",
    "Num",
    "Option",
    "PairResult",
    "Part",
    "Quantity",
    "Samples",
    "ServerlessRate",
    "ShutdownNotice",
    "Tier",
    "TrainingRate",
    "add_months",
    "analyse",
    "api_request_cost",
    "breakeven_calls",
    "breakeven_sample_size",
    "breakeven_volume",
    "endpoint_monthly",
    "gpu_compute_cost",
    "hosted_reference",
    "jsonable",
    "library_note",
    "load_catalog",
    "load_hosted",
    "load_lifecycles",
    "monthly_cost",
    "parse_at_least_one",
    "parse_fraction",
    "parse_positive",
    "parse_positive_fraction",
    "parse_quantity",
    "parse_whole",
    "payback_months",
    "shutdown_notice",
    "tco",
    "today",
    "training_cost",
    "training_cost_tokens",
]
