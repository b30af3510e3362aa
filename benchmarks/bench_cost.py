"""Monte Carlo throughput of the cost engine, against a per-sample Python loop baseline.

Run:  .venv/bin/python benchmarks/bench_cost.py  [--samples 100000]
Goal (issue 2): 100,000 samples x 5 options under 0.5 s on one core. One core is enforced by
capping the BLAS/OpenMP thread pools before numpy loads. The baseline evaluates the same options
one sample at a time with point values (what a spreadsheet-style loop does); its time is
measured on 2,000 samples and scaled.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402

import numpy as np  # noqa: E402

from ragtune.cost.catalog import load_catalog  # noqa: E402
from ragtune.cost.model import cumulative_cost, monthly_cost, tco  # noqa: E402
from ragtune.scenario import (  # noqa: E402
    Draw,
    analyse_scenario,
    build_options,
    parse_scenario,
    sampler,
)

SCENARIO = """
name: five options, every input uncertain
volume: {requests_per_month: [50000, 500000], growth_per_month: [0, 0.05]}
horizon_months: 24
hourly_rate: [100, 200]
options:
  sonnet: {api: {model: claude-3-5-sonnet, input_tokens: [3000, 6000], output_tokens: [300, 700]}}
  haiku-rag:
    api: {model: claude-3-5-haiku, input_tokens: [500, 1500], output_tokens: [300, 700],
          context_tokens: [1000, 3000]}
    fixed_monthly: [{infra: pinecone-serverless}]
  haiku-ft:
    api: {model: claude-3-5-haiku, input_tokens: [500, 1500], output_tokens: [300, 700],
          inference_premium: [1.2, 3]}
    one_time: {curation: {hours: [20, 80]}, training: {amount: [50, 500]},
               eval_setup_hours: [10, 20], pipeline_hours: [10, 40]}
    retrain: {every_months: [1, 3], data_hours: [4, 8], training: {amount: [50, 500]},
              eval_cost: [100, 300], deploy_hours: [2, 4]}
  self-hosted:
    serving: {gpu: a100-gcp, tokens_per_second: [30, 40], concurrency: 8,
              tokens_per_request: [1000, 2500]}
    one_time: {training: {gpu: a100-gcp, hours: [6, 10]}}
    maintenance_hours_per_month: [5, 20]
  router:
    route: [{option: self-hosted, share: 1.0}, {option: sonnet, share: [0.1, 0.2]}]
"""


def best_of(fn, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=100_000)
    n = parser.parse_args().samples
    catalog = load_catalog()
    scenario = parse_scenario(SCENARIO, catalog)
    horizon = scenario.horizon_months
    draw = sampler(0, n)
    volume = draw(scenario.volume.requests_per_month)
    growth = draw(scenario.volume.growth_per_month)

    def build():  # type: ignore[no-untyped-def]
        return build_options(scenario, catalog, sampler(0, n))

    options = build()

    def evaluate() -> None:
        for option in options.values():
            monthly_cost(option, volume)
            tco(option, volume, growth=growth, horizon=horizon)

    def curves() -> None:
        for option in options.values():
            cumulative_cost(option, volume, growth=growth, horizon=horizon)

    t_build = best_of(build)
    t_eval = best_of(evaluate)
    t_curves = best_of(curves, repeats=3)

    base_n = 2000
    rng = np.random.default_rng(1)

    class OneDraw(Draw):
        """One sample of every input, as a per-sample loop would draw it."""

        def __call__(self, q):  # type: ignore[no-untyped-def]
            return float(q.sample(rng, 1)[0])

    points = [build_options(scenario, catalog, OneDraw()) for _ in range(base_n)]
    vols = [float(v) for v in volume[:base_n]]

    def baseline() -> None:
        for opts, v in zip(points, vols, strict=True):
            for option in opts.values():
                monthly_cost(option, v)
                tco(option, v, growth=0.02, horizon=horizon)

    t_base = best_of(baseline, repeats=2) * n / base_n
    t_full = best_of(lambda: analyse_scenario(scenario, catalog, samples=n), repeats=3)

    evals = n * len(options)
    machine = platform.processor() or platform.machine()
    print(
        f"# Cost engine Monte Carlo ({date.today()}, {machine}, 1 thread, numpy {np.__version__})\n"
    )
    print("| measurement | time | option-evaluations/s |")
    print("|---|---:|---:|")
    print(f"| sample {n:,} draws of every input and build 5 options | {t_build * 1e3:.1f} ms | |")
    print(
        f"| monthly cost + {horizon}-month TCO, {n:,} samples x 5 options | "
        f"{t_eval * 1e3:.1f} ms | {evals / t_eval:,.0f} |"
    )
    print(
        f"| sampling + evaluation (the goal: < 500 ms) | {(t_build + t_eval) * 1e3:.1f} ms | "
        f"{evals / (t_build + t_eval):,.0f} |"
    )
    print(
        f"| month-by-month cumulative curves ({horizon} x {n:,} x 5, for charts) | "
        f"{t_curves * 1e3:.1f} ms | |"
    )
    print(
        f"| baseline: per-sample Python loop, same work (scaled from {base_n:,}) | "
        f"{t_base * 1e3:,.0f} ms | {evals / t_base:,.0f} |"
    )
    print(
        f"| full `ragtune cost` analysis incl. 10 pairwise break-even solves and bands | "
        f"{t_full * 1e3:.0f} ms | |"
    )
    print(f"\nvectorised vs per-sample loop: {t_base / t_eval:,.0f}x faster")


if __name__ == "__main__":
    main()
