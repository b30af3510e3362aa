"""Render a report document (`model.ReportDocument`, built by `ragtune.advisor.build_document`).

`render(doc, "html" | "md" | "json")`: one self-contained offline HTML file with Vega-Lite
charts (drawn by the inlined vega-embed bundle), Markdown with the charts' numbers as tables, or
the document itself as stable JSON with each chart's Vega-Lite spec under `charts`.
`write_markdown(doc, path)` writes the Markdown with the charts as static SVG files beside it.
The renderers only format and draw; every number comes from the document.
"""

from __future__ import annotations

import json

from ragtune.errors import RagtuneError
from ragtune.report.charts import chart_specs, cost_spec
from ragtune.report.fmt import with_redacted_config
from ragtune.report.html import STYLE, render_html
from ragtune.report.learning_curve import curve_docs
from ragtune.report.markdown import render_markdown
from ragtune.report.model import (
    CHARTS_KEY,
    SCHEMA,
    ArmDoc,
    Breakeven,
    CostDoc,
    Document,
    ReportDocument,
    Series,
    VerdictDoc,
    as_document,
)
from ragtune.report.svg_files import write_markdown
from ragtune.report.vega import TOOLTIP_STYLE as CHART_STYLE
from ragtune.report.vega import javascript as chart_javascript
from ragtune.report.vega import script_hashes as chart_script_hashes

FORMATS = ("html", "md", "json")
SUFFIXES = {"html": ".html", "md": ".md", "json": ".json"}


def render_json(doc: Document) -> str:
    """The document as indented JSON with sorted keys (config secrets redacted), plus `charts`:
    each chart's Vega-Lite spec by name, as the HTML report draws it, so any Vega-Lite viewer
    shows the same charts. `charts` is derived from the rest: reading the file back
    (`as_document`) drops it and the renderers build the specs again from the numbers."""
    document = with_redacted_config(as_document(doc))
    data = document.to_json() | {CHARTS_KEY: chart_specs(document)}
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"


def render(doc: Document, fmt: str = "html") -> str:
    if fmt == "html":
        return render_html(doc)
    if fmt == "md":
        return render_markdown(doc)
    if fmt == "json":
        return render_json(doc)
    raise RagtuneError(f"unknown report format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")


__all__ = [
    "CHART_STYLE",
    "FORMATS",
    "SCHEMA",
    "STYLE",
    "SUFFIXES",
    "ArmDoc",
    "Breakeven",
    "CostDoc",
    "ReportDocument",
    "Series",
    "VerdictDoc",
    "chart_javascript",
    "chart_script_hashes",
    "chart_specs",
    "cost_spec",
    "curve_docs",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "write_markdown",
]
