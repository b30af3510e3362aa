"""The Markdown report's charts as static SVG files, drawn by `vl-convert-python` from the specs.

GitHub and MkDocs show an image a Markdown file links by relative path, but neither runs the
report's JavaScript and GitHub drops inline `<svg>` and `data:` images; so `write_markdown`
writes `NAME.md` and, beside it, `NAME-charts/<chart>.svg`, one per chart of `chart_specs`, and
the Markdown links them above the tables (the tables stay: the text a reader without images
gets, and what the tests read back). vl-convert renders with the same Vega-Lite as the HTML
report's bundle; its first call starts its JavaScript engine (about a second), later ones take
tens of milliseconds.

Deliberately not here: the specs (`charts.py`) and the Markdown itself (`markdown.py`).
"""

from __future__ import annotations

import re
from pathlib import Path

from ragtune.report.charts import chart_specs
from ragtune.report.fmt import with_redacted_config
from ragtune.report.markdown import render_markdown
from ragtune.report.model import Document, as_document


def file_name(chart: str) -> str:
    """A chart's SVG file name: its name with anything but letters, digits, - and _ as _."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", chart) + ".svg"


def chart_svgs(document: Document) -> dict[str, str]:
    """Each chart's static SVG, by file name, in `chart_specs` order."""
    import vl_convert as vlc

    specs = chart_specs(with_redacted_config(as_document(document)))
    return {file_name(name): vlc.vegalite_to_svg(spec) for name, spec in specs.items()}


def write_markdown(document: Document, path: Path) -> list[Path]:
    """Write the Markdown report to `path` and its charts to `<stem>-charts/` beside it;
    the files written, the report first."""
    doc = as_document(document)
    folder = path.with_name(f"{path.stem}-charts")
    svgs = chart_svgs(doc)
    written = []
    if svgs:
        folder.mkdir(parents=True, exist_ok=True)
        for name, svg in svgs.items():
            (folder / name).write_text(svg, encoding="utf-8")
            written.append(folder / name)
    images = {name: f"{folder.name}/{name}" for name in svgs}
    path.write_text(render_markdown(doc, images), encoding="utf-8")
    return [path, *written]
