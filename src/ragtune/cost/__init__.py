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
from ragtune.cost.library import PACKAGE as PRICE_LIBRARY
from ragtune.cost.library import Tier, library_note
from ragtune.cost.model import ApiUsage, CostItem, GpuServing, Option, Part, monthly_cost, tco
from ragtune.cost.quantity import (
    Quantity,
    parse_fraction,
    parse_positive,
    parse_positive_fraction,
    parse_quantity,
)

__all__ = [
    "PRICE_LIBRARY",
    "SECTIONS",
    "VOLUME_RANGE",
    "Analysis",
    "ApiUsage",
    "Band",
    "Catalog",
    "CostItem",
    "Crossing",
    "GpuPrice",
    "GpuServing",
    "ModelPrice",
    "ModelRule",
    "Num",
    "Option",
    "PairResult",
    "Part",
    "Quantity",
    "Samples",
    "Tier",
    "analyse",
    "api_request_cost",
    "breakeven_calls",
    "breakeven_sample_size",
    "breakeven_volume",
    "gpu_compute_cost",
    "jsonable",
    "library_note",
    "load_catalog",
    "monthly_cost",
    "parse_fraction",
    "parse_positive",
    "parse_positive_fraction",
    "parse_quantity",
    "payback_months",
    "tco",
    "training_cost_tokens",
]
