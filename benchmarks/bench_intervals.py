"""Does "shown to be at most `margin` worse" keep its promise? A seeded simulation of the rule.

Run:  nice -n 10 .venv/bin/python benchmarks/bench_intervals.py [--runs 4000] [--out table.md]

Each cell draws `runs` data sets of n paired items (the best arm and a cheaper arm) whose true
difference (arm - best) is exactly -margin, and runs the decision rule itself
(`noninferiority.compare_with_best`, two arms so the family is 1 and the lower bound is a
one-sided 97.5% statement). The share declared "equivalent" must be at most 2.5% (the promise;
<= 3.0% allows for simulation error at 4,000 runs). A second table gives each interval's
coverage at a true difference of 0 (nominal 95%).

Cells (scores of the best arm, then the per-item difference):
- 0/1 one-way: best right on 90%; the arm wrong on items the best got right at rate 0.05, never
  right where the best is wrong (discordance one way only, the hard case);
- 0/1 two-way: best-only 0.10, arm-only 0.05 of the items;
- continuous: best ~ U(0.3, 0.75), difference -0.05 + U(-0.25, 0.25);
- continuous, mostly tied: on 90% of items the arm scores the same, on 10% it scores 0.5 less
  (best ~ U(0.5, 1)), the continuous analogue of one-way discordance.
Reference rows run other rules on the same draws: the percentile bootstrap the verdict used
before issue 28, and Newcombe's method 10 (the paired score interval not chosen).
The test suite runs a small grid of the same cells (`tests/evaluation/test_simulation.py`).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from ragtune.stats.intervals import newcombe_paired, paired_interval
from ragtune.stats.noninferiority import compare_with_best
from ragtune.stats.paired import bootstrap_ci

MARGIN = 0.05
SIZES = (10, 30, 60, 100, 300)

Draw = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


def _binary(best_only: float, arm_only: float, both_wrong: float) -> Draw:
    def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        cell = rng.choice(4, size=n, p=[1 - best_only - arm_only - both_wrong, best_only,
                                        arm_only, both_wrong])  # fmt: skip
        best = ((cell == 0) | (cell == 1)).astype(float)
        arm = ((cell == 0) | (cell == 2)).astype(float)
        return arm, best

    return draw


def _continuous(shift: float) -> Draw:
    def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        best = rng.uniform(0.3, 0.75, n)
        return best + shift + rng.uniform(-0.25, 0.25, n), best

    return draw


def _mostly_tied(down: float, up: float) -> Draw:
    # With probability `down` the arm scores 0.5 less, with `up` 0.5 more, else the same.
    def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        best = rng.uniform(0.5, 1.0, n) if up == 0 else rng.uniform(0.25, 0.75, n)
        u = rng.uniform(size=n)
        step = np.where(u < down, -0.5, np.where(u < down + up, 0.5, 0.0))
        return best + step, best

    return draw


@dataclass(frozen=True)
class Cell:
    name: str
    binary: bool
    at_margin: Draw  # true difference exactly -MARGIN
    at_zero: Draw  # true difference 0
    zero_name: str  # the cell at a difference of 0, as the coverage table names it


CELLS = (
    Cell("0/1, one-way discordance", True, _binary(0.05, 0.0, 0.10), _binary(0.01, 0.01, 0.10),
         "0/1, rare discordance (0.01 each way)"),
    Cell("0/1, two-way discordance", True, _binary(0.10, 0.05, 0.10), _binary(0.05, 0.05, 0.10),
         "0/1, two-way discordance (0.05 each way)"),
    Cell("continuous", False, _continuous(-MARGIN), _continuous(0.0), "continuous"),
    Cell("continuous, mostly tied", False, _mostly_tied(0.10, 0.0), _mostly_tied(0.05, 0.05),
         "continuous, mostly tied (0.05 each way)"),
)  # fmt: skip


def _newcombe_low(arm: np.ndarray, best: np.ndarray) -> float:
    table = (
        int(np.sum((arm == 1) & (best == 1))), int(np.sum((arm == 1) & (best == 0))),
        int(np.sum((arm == 0) & (best == 1))), int(np.sum((arm == 0) & (best == 0))),
    )  # fmt: skip
    return newcombe_paired(*table, 0.95)[1]


def _percentile_low(arm: np.ndarray, best: np.ndarray) -> float:
    # The rule before issue 28: a percentile bootstrap of the differences (2,000 resamples).
    return bootstrap_ci(list(arm - best), 0.95, n_resamples=2000).low


# Rules the chosen ones were compared with, on the cells that tell them apart.
REFERENCES = (
    ("before: percentile bootstrap", 0, _percentile_low),
    ("before: percentile bootstrap", 3, _percentile_low),
    ("Newcombe method 10 (not chosen)", 0, _newcombe_low),
    ("Newcombe method 10 (not chosen)", 1, _newcombe_low),
)


def reference_rate(cell: Cell, n: int, runs: int, seed: int, low: Callable[..., float]) -> float:
    """`equivalent_rate` for another rule's lower bound, on the same draws."""
    rng = np.random.default_rng([seed, n, CELLS.index(cell)])
    return sum(low(*cell.at_margin(rng, n)) > -MARGIN for _ in range(runs)) / runs


def equivalent_rate(cell: Cell, n: int, runs: int, seed: int) -> float:
    """Share of `runs` data sets at a true difference of -MARGIN declared equivalent."""
    rng = np.random.default_rng([seed, n, CELLS.index(cell)])
    hits = 0
    for _ in range(runs):
        arm, best = cell.at_margin(rng, n)
        (row,) = compare_with_best(
            {"best": list(best), "arm": list(arm)}, "best", MARGIN, binary=cell.binary
        )
        hits += row.status == "equivalent"
    return hits / runs


def coverage(cell: Cell, n: int, runs: int, seed: int, confidence: float = 0.95) -> float:
    """Share of `runs` intervals at a true difference of 0 that contain 0."""
    rng = np.random.default_rng([seed, n, CELLS.index(cell), 1])
    hits = 0
    for _ in range(runs):
        arm, best = cell.at_zero(rng, n)
        _, low, high, _ = paired_interval(arm, best, confidence, cell.binary)
        hits += low <= 0 <= high
    return hits / runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=28)
    parser.add_argument("--out", help="also write the Markdown tables to this file")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    head = "| cell | " + " | ".join(f"n={n}" for n in SIZES) + " |"
    rule = "|---|" + "---:|" * len(SIZES)
    lines = [
        f"Date: {datetime.now(UTC):%Y-%m-%d}. Machine: {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}. "
        f"{args.runs:,} seeded runs per cell (seed {args.seed}), margin {MARGIN}.",
        "",
        "Share declared equivalent at a true difference of exactly -margin (promise: 2.5%):",
        "",
        head,
        rule,
    ]
    worst = 0.0
    for cell in CELLS:
        rates = [equivalent_rate(cell, n, args.runs, args.seed) for n in SIZES]
        worst = max(worst, *rates)
        lines.append(f"| {cell.name} | " + " | ".join(f"{r:.1%}" for r in rates) + " |")
        print(lines[-1], file=sys.stderr, flush=True)
    for label, index, low in REFERENCES:
        cell = CELLS[index]
        rates = [reference_rate(cell, n, args.runs, args.seed, low) for n in SIZES]
        lines.append(f"| {cell.name}, {label} | " + " | ".join(f"{r:.1%}" for r in rates) + " |")
        print(lines[-1], file=sys.stderr, flush=True)
    lines += ["", "Coverage of the 95% interval at a true difference of 0:", "", head, rule]
    for cell in CELLS:
        rates = [coverage(cell, n, args.runs, args.seed) for n in SIZES]
        lines.append(f"| {cell.zero_name} | " + " | ".join(f"{r:.1%}" for r in rates) + " |")
        print(lines[-1], file=sys.stderr, flush=True)
    lines += ["", f"Largest equivalence rate: {worst:.1%}; {time.perf_counter() - start:.0f} s."]
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")
    return 0 if worst <= 0.03 else 1


if __name__ == "__main__":
    raise SystemExit(main())
