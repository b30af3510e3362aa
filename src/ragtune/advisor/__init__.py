"""The advisor: measured evidence + the articles' decision rules -> verdict and report document."""

from ragtune.advisor.document import SCHEMA, build_document

__all__ = ["SCHEMA", "build_document"]
