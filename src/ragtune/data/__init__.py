"""Task data: examples read from JSONL, CSV or Parquet with field mapping, seeded splits, the
validation split carved from train, the `--limit` sample and the sequential order."""

from ragtune.data.loaders import FieldMap, load_examples, read_rows
from ragtune.data.records import SPLITS, Example
from ragtune.data.sampling import (
    CARVE_FRACTION,
    CARVE_MAX,
    Carved,
    Limit,
    Sample,
    allocate,
    carve_validation,
    nested_subsets,
    parse_limit,
    sample_test,
    sequential_order,
)
from ragtune.data.splits import assign_splits

__all__ = [
    "CARVE_FRACTION",
    "CARVE_MAX",
    "SPLITS",
    "Carved",
    "Example",
    "FieldMap",
    "Limit",
    "Sample",
    "allocate",
    "assign_splits",
    "carve_validation",
    "load_examples",
    "nested_subsets",
    "parse_limit",
    "read_rows",
    "sample_test",
    "sequential_order",
]
