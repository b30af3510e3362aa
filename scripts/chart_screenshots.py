"""Screenshots of a report's charts for the docs (issue 27), taken in headless Chromium offline.

    .venv/bin/python scripts/chart_screenshots.py REPORT.json [REPORT.json ...] --out docs/images

Each argument is a report document (`ragtune report RUN --format json`, or the .json a
`ragtune demo` writes next to its HTML); it is rendered with this checkout's `render_html`, opened
from disk with the network off, and each chart figure is saved as
`OUT/charts-<document stem>-<chart>.png` once every chart is drawn.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from ragtune.report import render_html

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DRAWN = """() => [...document.querySelectorAll('[data-vega-spec]')]
  .every(e => e.getAttribute('data-rendered'))"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
        page = context.new_page()
        for doc in args.documents:
            html = Path(tmp) / f"{doc.stem}.html"
            html.write_text(render_html(json.loads(doc.read_text())), encoding="utf-8")
            page.goto(html.as_uri())
            page.wait_for_function(DRAWN, timeout=60_000)
            for figure in page.locator("figure:has([data-rendered='true'])").all():
                chart = figure.get_attribute("data-chart")
                path = args.out / f"charts-{doc.stem}-{chart}.png"
                figure.screenshot(path=str(path))
                print(path)
        browser.close()


if __name__ == "__main__":
    main()
