"""Judge + people (PPI) at small samples: when may its interval decide? A seeded simulation.

Run:  nice -n 10 .venv/bin/python benchmarks/bench_ppi.py [--runs 4000]

Each run draws the paired differences (arm - best) of people's 0/1 scores, -1, 0 or +1, on
`rated + judged` items, at a true mean difference `truth`, and the judge's difference on each,
under four judge models (the reviewer's of issue 29 and the earlier ones):
- ties:  arms differ on 10% of items; the judge says "tie" (0) on a share `p` of all items;
- flip:  best right w.p. 0.7, arm w.p. 0.7 + truth, independently; the judge gets each arm's
         score right w.p. `p` (accuracy), independently;
- miss:  as ties, but the judge misses (says 0) only items where people find the arm worse,
         1 - `p` of all differences: a one-sided judge error;
- zero:  people find the arm worse on 0.5% - truth of items, better on 0.5% (so their rated
         differences are often all 0); the judge says a random -1/0/+1 on a share `p`.
People rate `rated` items (a uniform sample); the judge scored them and `judged` more.

Each run computes PPI++ (`stats.ppi_rows`, `stats.tuned_lambda`: the verdict's arithmetic) at
95% and reads it against the margin 0.05:
- "normal": "equivalent" when the lower end is above -0.05, whatever the sample;
- "old rule": the same, only with at least 10 rated items differing from the judge;
- "rule" (the verdict's, `stats/ppi.py`): at least `MIN_DISAGREEMENTS` items differ from the
  judge AND as many have a non-zero difference for people, read on the floored interval
  (`stats.decision_se`); otherwise people's own test decides (not simulated here).
At truth = -margin, "equivalent" is a false decision (2.5% allowed); at truth 0 it is the right
one (power). The test suite runs a small grid (`tests/stats/test_ppi.py`).
"""

from __future__ import annotations

import argparse
import platform
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from ragtune.stats.intervals import z_value
from ragtune.stats.ppi import MIN_DISAGREEMENTS, decision_se, ppi_rows, tuned_lambda

MARGIN = 0.05
Draw = Callable[[np.random.Generator, int, int, float, float], tuple[np.ndarray, np.ndarray]]


def _ties(rng: np.random.Generator, runs: int, items: int, p: float, truth: float):
    up, down = (0.1 + truth) / 2, (0.1 - truth) / 2
    h = rng.choice([-1.0, 0.0, 1.0], size=(runs, items), p=[down, 1 - up - down, up])
    return h, np.where(rng.random(h.shape) < p, 0.0, h)


def _flip(rng: np.random.Generator, runs: int, items: int, p: float, truth: float):
    best = (rng.random((runs, items)) < 0.7).astype(float)
    arm = (rng.random((runs, items)) < 0.7 + truth).astype(float)
    judge_best = np.where(rng.random(best.shape) < p, best, 1 - best)
    judge_arm = np.where(rng.random(arm.shape) < p, arm, 1 - arm)
    return arm - best, judge_arm - judge_best


def _miss(rng: np.random.Generator, runs: int, items: int, p: float, truth: float):
    up, down = (0.1 + truth) / 2, (0.1 - truth) / 2
    h = rng.choice([-1.0, 0.0, 1.0], size=(runs, items), p=[down, 1 - up - down, up])
    missed = (h < 0) & (rng.random(h.shape) < min(1.0, (1 - p) * 0.1 / down))
    return h, np.where(missed, 0.0, h)


def _zero(rng: np.random.Generator, runs: int, items: int, p: float, truth: float):
    up, down = 0.005, 0.005 - truth
    h = rng.choice([-1.0, 0.0, 1.0], size=(runs, items), p=[down, 1 - up - down, up])
    noise = rng.choice([-1.0, 0.0, 1.0], size=h.shape)
    return h, np.where(rng.random(h.shape) < p, noise, h)


MODELS: dict[str, Draw] = {"ties": _ties, "flip": _flip, "miss": _miss, "zero": _zero}
GRID = (
    [("ties", n, 2000, e) for e in (0.05, 0.2, 0.5) for n in (8, 30, 100, 300, 1000, 3000)]
    + [("flip", n, big, a) for a in (0.7, 0.9) for big in (1000, 5000)
       for n in (20, 50, 100, 300, 1000) if n < big]
    + [("miss", n, big, a) for a in (0.7, 0.9) for big in (1000, 5000)
       for n in (20, 100, 300, 1000) if n < big]
    + [("miss", n, 5000, 0.7) for n in (333, 500, 667, 833, 1333)]
    + [("zero", n, 2000, p) for p in (0.3, 0.5) for n in (20, 30, 50, 80)]
)  # fmt: skip


def decisions(y: np.ndarray, yhat: np.ndarray, unrated: np.ndarray) -> dict[str, np.ndarray]:
    """Per run: "equivalent" by each rule (see the module docstring)."""
    z = z_value(0.95)
    estimate, se, var_f, var_r = ppi_rows(y, yhat, unrated, tuned_lambda(y, yhat, unrated))
    differ = np.sum(np.abs(y - yhat) > 1e-9, axis=1)
    k = np.minimum(differ, np.sum(np.abs(y) > 1e-9, axis=1))
    floored = decision_se(var_f, var_r, y.shape[1], unrated.shape[1], k, z)
    normal = estimate - z * se > -MARGIN
    return {
        "normal": normal,
        "old rule": normal & (differ >= 10),
        "rule": (estimate - z * floored > -MARGIN) & (k >= MIN_DISAGREEMENTS),
    }


def cell(model: str, rated: int, judged: int, p: float, truth: float, runs: int, seed: int):
    rng = np.random.default_rng(seed)
    out: dict[str, list[np.ndarray]] = {}
    for start in range(0, runs, 500):  # chunks keep memory flat
        h, j = MODELS[model](rng, min(500, runs - start), rated + judged, p, truth)
        for k, v in decisions(h[:, :rated], j[:, :rated], j[:, rated:]).items():
            out.setdefault(k, []).append(v)
    return {k: float(np.concatenate(v).mean()) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=4000)
    args = parser.parse_args()
    start = time.perf_counter()
    print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {args.runs} runs a cell, "
          f"margin {MARGIN}; false 'equivalent' at truth -margin, power at 0")  # fmt: skip
    print("| model | p | rated | judged | normal | old rule | rule | power, old rule | rule |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for model, n, big, p in GRID:
        seed = zlib.crc32(f"{model}{n}{big}{p}".encode())
        bad = cell(model, n, big, p, -MARGIN, args.runs, seed)
        good = cell(model, n, big, p, 0.0, args.runs, seed + 1)
        print(f"| {model} | {p:g} | {n:,} | {big:,} | {bad['normal']:.1%} | "
              f"{bad['old rule']:.1%} | {bad['rule']:.1%} | {good['old rule']:.1%} | "
              f"{good['rule']:.1%} |",
              flush=True)  # fmt: skip
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
