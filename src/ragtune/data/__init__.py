"""Task data: examples read from JSONL, CSV or Parquet with field mapping, and seeded splits."""

from ragtune.data.loaders import FieldMap, load_examples, read_rows
from ragtune.data.records import SPLITS, Example
from ragtune.data.splits import assign_splits

__all__ = ["SPLITS", "Example", "FieldMap", "assign_splits", "load_examples", "read_rows"]
