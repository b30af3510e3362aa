"""Cost engine: prices measured or assumed token counts into monthly cost, TCO and break-evens.

Pure functions over frozen dataclasses. Every numeric field may be a float or a numpy array, so
the same code gives point estimates and vectorised Monte Carlo samples. No I/O here except the
catalog loader, which reads the bundled price file (and a user's override file).
"""

from ragtune.cost.breakeven import Crossing, breakeven_calls, breakeven_volume, payback_months
from ragtune.cost.catalog import Catalog, GpuPrice, ModelPrice, load_catalog
from ragtune.cost.model import ApiUsage, CostItem, GpuServing, Option, Part, monthly_cost, tco

__all__ = [
    "ApiUsage",
    "Catalog",
    "CostItem",
    "Crossing",
    "GpuPrice",
    "GpuServing",
    "ModelPrice",
    "Option",
    "Part",
    "breakeven_calls",
    "breakeven_volume",
    "load_catalog",
    "monthly_cost",
    "payback_months",
    "tco",
]
