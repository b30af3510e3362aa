"""Report rendering benchmark: HTML (with six SVG charts), Markdown and JSON, and the viewer page.

    .venv/bin/python benchmarks/bench_report.py
    .venv/bin/python benchmarks/bench_report.py --repeats 50

Documents: the test fixture (tests/report/fixture_document.json: 4 arms, 3 cost series x 40
volumes, 180 latencies) and a large one made from it (16 arms, 12 series, 16 x 2,000 latencies,
4 loss curves of 2,000 steps). Baseline: `render_json` (json.dumps of the document), so each row
reads as "how many JSON dumps one render costs". The viewer row serves GET /runs/{id} through
the real app (TestClient, fixture document in place of the advisor), to show what the page adds
on top of rendering. Medians of `--repeats` runs; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from ragtune.report import render_html, render_json, render_markdown

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "report" / "fixture_document.json"


def large(doc: dict[str, Any]) -> dict[str, Any]:
    big = copy.deepcopy(doc)
    arms = [dict(a, arm=f"{a['arm']}-{i}") for i in range(4) for a in doc["arms"]]
    big["arms"] = arms
    big["cost"]["series"] = [
        dict(s, name=f"{s['name']}-{i}", label=f"{s['label']} {i}")
        for i in range(4)
        for s in doc["cost"]["series"]
    ]
    big["latency"] = {a["arm"]: [0.1 + (j % 97) / 50 for j in range(2000)] for a in arms}
    job = doc["training"][0]
    curve = [[s, 3.0 / (1 + s / 50) + 1] for s in range(1, 2001)]
    big["training"] = [
        dict(job, method=f"lora-{i}", curves={"train": curve, "validation": curve[::50]})
        for i in range(4)
    ]
    return big


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def viewer_ms(doc: dict[str, Any], repeats: int) -> float:
    from fastapi.testclient import TestClient

    import ragtune.advisor
    from ragtune.store.runstore import RunStore
    from ragtune.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ragtune.db"
        with RunStore.open(path) as store:
            run_id = store.create_run({"task": "qa"}, seed=1).id
        ragtune.advisor.build_document = lambda *a, **k: doc
        app = create_app()
        app.state.store_path = str(path)
        client = TestClient(app, base_url="http://127.0.0.1")
        return median_ms(lambda: client.get(f"/runs/{run_id}").raise_for_status(), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    fixture = json.loads(FIXTURE.read_text())
    docs = {"fixture": fixture, "large": large(fixture)}
    print(f"# Report rendering ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}; median of {args.repeats}\n"
    )
    print("| document | output | size KB | ms | x render_json (baseline) |")
    print("|---|---|---|---|---|")
    for name, doc in docs.items():
        renderers: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
            ("json (baseline)", render_json),
            ("markdown", render_markdown),
            ("html + 6 charts", render_html),
        ]
        base = median_ms(partial(render_json, doc), args.repeats)
        for label, fn in renderers:
            ms = base if fn is render_json else median_ms(partial(fn, doc), args.repeats)
            size = len(fn(doc).encode()) / 1024
            print(f"| {name} | {label} | {size:,.0f} | {ms:.2f} | {ms / base:.1f} |")
        ms = viewer_ms(doc, args.repeats)
        print(f"| {name} | GET /runs/{{id}} (viewer) | - | {ms:.2f} | {ms / base:.1f} |")


if __name__ == "__main__":
    main()
