"""Judge + people (PPI) at small samples: when may its interval decide? A seeded simulation.

Run:  nice -n 10 .venv/bin/python benchmarks/bench_ppi.py [--runs 2000]

Each run draws `rated + unrated` items' paired differences (arm - best) of people's 0/1 scores:
-1, 0 or +1, with the arms disagreeing on 10% of items and a true mean difference `truth`. The
judge gives people's difference on each item except on a share `judge_error` of them, where it
says the arms tie (0): a judge that misses differences, so its own mean is biased towards 0
(the case where a judge + people estimate is tempting and dangerous). People rate `rated` items
(a uniform sample); the judge scored them and `unrated` more (2,000).

Each run computes PPI++ (`stats.ppi_rows`, `stats.tuned_lambda`: the verdict's arithmetic) at
95% and reads it against the margin 0.05:
- "normal": "equivalent" when the lower end is above -0.05, whatever the sample;
- "rule": the same, only when at least `MIN_DISAGREEMENTS` (10) rated items have people's
  difference unlike the judge's (below it the verdict keeps people's own test);

At truth = -margin, "equivalent" is a false decision (2.5% allowed); at truth 0 it is the right
one (power). The test suite runs a small grid (`tests/stats/test_ppi.py`).
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime

import numpy as np

from ragtune.stats.intervals import z_value
from ragtune.stats.ppi import MIN_DISAGREEMENTS, ppi_rows, tuned_lambda

MARGIN = 0.05
DISCORDANT = 0.10  # share of items where the arms' 0/1 scores differ
UNRATED = 2000
RATED = (8, 30, 100, 300, 1000, 3000)
JUDGE_ERRORS = (0.05, 0.2, 0.5)


def draw(rng: np.random.Generator, runs: int, rated: int, judge_error: float, truth: float):
    """(people, judge on the rated items, judge on the unrated ones), each (runs, items)."""
    up, down = (DISCORDANT + truth) / 2, (DISCORDANT - truth) / 2
    people = rng.choice([-1.0, 0.0, 1.0], size=(runs, rated + UNRATED), p=[down, 1 - up - down, up])
    judge = np.where(rng.random(people.shape) < judge_error, 0.0, people)
    return people[:, :rated], judge[:, :rated], judge[:, rated:]


def decisions(y: np.ndarray, yhat: np.ndarray, unrated: np.ndarray) -> dict[str, np.ndarray]:
    """Per run: "equivalent" by each rule (see the module docstring)."""
    z = z_value(0.95)
    estimate, se, _, _ = ppi_rows(y, yhat, unrated, tuned_lambda(y, yhat, unrated))
    normal = estimate - z * se > -MARGIN
    differ = np.sum(np.abs(y - yhat) > 1e-9, axis=1)
    return {"normal": normal, "rule": normal & (differ >= MIN_DISAGREEMENTS)}


def cell(runs: int, rated: int, judge_error: float, truth: float, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    out: dict[str, list[np.ndarray]] = {}
    for start in range(0, runs, 500):  # chunks keep memory flat at 3,000 rated items
        found = decisions(*draw(rng, min(500, runs - start), rated, judge_error, truth))
        for k, v in found.items():
            out.setdefault(k, []).append(v)
    return {k: float(np.concatenate(v).mean()) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    start = time.perf_counter()
    print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {args.runs} runs a cell, "
          f"{UNRATED:,} unrated judged items, margin {MARGIN}")  # fmt: skip
    print("| judge error | rated | false 'equivalent' at -margin: normal | with the rule | "
          "'equivalent' at 0 with the rule |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|")
    for i, err in enumerate(JUDGE_ERRORS):
        for j, n in enumerate(RATED):
            bad = cell(args.runs, n, err, -MARGIN, seed=100 * i + j)
            good = cell(args.runs, n, err, 0.0, seed=10_000 + 100 * i + j)
            print(f"| {err:.0%} | {n:,} | {bad['normal']:.1%} | {bad['rule']:.1%} | "
                  f"{good['rule']:.1%} |", flush=True)  # fmt: skip
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
