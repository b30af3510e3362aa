"""Report charts: HTML size, Python render time and Chromium time to draw every chart (issue 27).

    .venv/bin/python benchmarks/bench_report_charts.py
    .venv/bin/python benchmarks/bench_report_charts.py --baseline-src /path/to/old/checkout/src

Documents: the test fixture (tests/report/fixture_document.json: every chart kind), a nine-arm run
written through the real store and `build_document` (tests/report/fixture_run.py WIDE) and the
three documents of a full `ragtune demo` (tests/report/demo_{qa,intents,extract}_document.json).
For each: `render_html` time (median of --repeats, in this process), the file's size, and the
time from navigation until every chart is drawn, in headless Chromium with the network off (Vega
charts: every container has data-rendered; hand-drawn SVG charts: the load event), median of
--loads page loads; each with its ratio to the first tree's.

`--baseline-src` renders the same documents with another source tree (e.g. a checkout of the
commit before the Vega-Lite charts) in a subprocess, and times those files the same way, so the
table reads before / after on one machine in one run. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "tests" / "report"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DRAWN = """() => [...document.querySelectorAll('[data-vega-spec]')]
  .every(e => e.getAttribute('data-rendered'))"""
RENDER = """import json, sys, time, statistics
from ragtune.report import render_html
doc = json.load(open(sys.argv[1]))
times = []
for _ in range(int(sys.argv[3])):
    t0 = time.perf_counter(); html = render_html(doc); times.append(time.perf_counter() - t0)
open(sys.argv[2], "w").write(html)
print(statistics.median(times) * 1000)
"""


def documents(folder: Path) -> dict[str, Path]:
    sys.path.insert(0, str(REPORT))
    import fixture_run  # type: ignore[import-not-found]

    wide = folder / "nine-arms.json"
    wide.write_text(json.dumps(fixture_run.build(folder / "wide.db", fixture_run.WIDE)))
    return {
        "fixture (6 charts)": REPORT / "fixture_document.json",
        "nine arms (5 charts)": wide,
        "demo qa (6 charts)": REPORT / "demo_qa_document.json",
        "demo intents (4 charts)": REPORT / "demo_intents_document.json",
        "demo extract (4 charts)": REPORT / "demo_extract_document.json",
    }


def render(src: Path, doc: Path, out: Path, repeats: int) -> float:
    """`render_html` of `doc` with the code under `src`, written to `out`; median ms."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    result = subprocess.run(
        [sys.executable, "-c", RENDER, str(doc), str(out), str(repeats)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def draw_ms(browser: Any, path: Path, loads: int) -> float:
    times = []
    for _ in range(loads):
        context = browser.new_context(offline=True, viewport={"width": 1300, "height": 1000})
        page = context.new_page()
        t0 = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function(DRAWN, timeout=60_000)
        times.append((time.perf_counter() - t0) * 1000)
        context.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="render_html calls per document")
    parser.add_argument("--loads", type=int, default=5, help="page loads per file")
    parser.add_argument("--baseline-src", type=Path, help="source tree of the 'before' code")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    trees = [("after", ROOT / "src")]
    if args.baseline_src:
        trees.insert(0, ("before", args.baseline_src.resolve()))
    print(f"# Report charts ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}; render: median of {args.repeats}, draw: median of "
        f"{args.loads} page loads (headless Chromium, offline)\n"
    )
    print(
        "| document | code | HTML KB | render_html ms | render x before "
        "| load + draw ms | draw x before |"
    )
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, doc in documents(folder).items():
            before: tuple[float, float] | None = None
            for label, src in trees:
                out = folder / f"{label}-{doc.stem}.html"
                ms = render(src, doc, out, args.repeats)
                drawn = draw_ms(browser, out, args.loads)
                size = out.stat().st_size / 1024
                first = before or (ms, drawn)
                before = first
                print(
                    f"| {name} | {label} | {size:,.0f} | {ms:,.1f} | {ms / first[0]:.3f} "
                    f"| {drawn:,.0f} | {drawn / first[1]:.2f} |"
                )
        browser.close()


if __name__ == "__main__":
    main()
