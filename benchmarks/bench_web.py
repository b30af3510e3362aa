"""Web app latency: page load in headless Chromium and server-side recompute per scenario.

Run:  .venv/bin/python benchmarks/bench_web.py  [--repeats 30] [--loads 5]
Goal (issue 8): recompute for one scenario with Monte Carlo under 100 ms server-side.

`ragtune serve` runs as a subprocess, as a user starts it. Recompute is `elapsed_ms` of
POST /api/analyse (validate + analyse + chart, measured inside the server), median and P90 over
`--repeats` requests, for each bundled scenario at its own Monte Carlo sample count (10,000).
Baselines in the same run: the same request with `samples: 0` (no Monte Carlo), and
`ragtune cost FILE --json` as a subprocess (what a script would do without the server).
Page load: from `goto` until the first result is drawn (body[data-state=ready]), median over
`--loads` fresh pages.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "src" / "ragtune" / "examples" / "scenarios"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CASES = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))  # every bundled scenario (issue 13)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ragtune", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/examples", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start")


def p90(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.9 * len(values)) - 1)]


def recompute(client: httpx.Client, scenario: dict, repeats: int, **extra: int) -> list[float]:
    times = []
    for _ in range(repeats + 2):
        response = client.post("/api/analyse", json={"scenario": scenario, **extra})
        response.raise_for_status()
        times.append(float(response.json()["elapsed_ms"]))
    return times[2:]  # first two warm caches


def cli_ms(name: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ragtune", "cost", str(SCENARIOS / f"{name}.yaml"), "--json"],
            check=True,
            capture_output=True,
        )
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_loads(url: str, loads: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(loads + 1):
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("body[data-state=ready]", timeout=30_000)
            times.append((time.perf_counter() - start) * 1000)
            page.close()
        browser.close()
    return times[1:]  # the first load starts the browser's caches


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    proc, url = start_server()
    try:
        rows = []
        with httpx.Client(base_url=url, timeout=120) as client:
            for name in CASES:
                scenario = client.get(f"/api/examples/{name}").json()["scenario"]
                samples = int(scenario.get("samples", 10_000))
                mc = recompute(client, scenario, args.repeats)
                base = recompute(client, scenario, args.repeats, samples=0)
                rows.append((name, samples, mc, base, cli_ms(name)))
        loads = page_loads(url, args.loads)
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    print(
        f"date {date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {args.repeats} requests per row\n"
    )
    print(
        "| scenario | MC samples | recompute with MC, median (P90) ms | without MC, median ms "
        "| MC / no MC | `ragtune cost --json` subprocess ms | goal < 100 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, samples, mc, base, cli in rows:
        med, med0 = statistics.median(mc), statistics.median(base)
        print(
            f"| {name} | {samples:,} | {med:.1f} ({p90(mc):.1f}) | {med0:.2f} | "
            f"{med / med0:.0f}x | {cli:.0f} | {'yes' if med < 100 else 'no'} |"
        )
    print(
        f"\nPage load to first result (Chromium headless, median of {args.loads}): "
        f"{statistics.median(loads):.0f} ms (min {min(loads):.0f}, max {max(loads):.0f})"
    )


if __name__ == "__main__":
    main()
