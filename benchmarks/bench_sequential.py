"""Stopping when the verdict is settled: does the sequential rule keep its promise, and what
does it cost in items? A seeded simulation of `ragtune run --until-decided`'s decision rule.

Run:  nice -n 10 .venv/bin/python benchmarks/bench_sequential.py [--runs 2000] [--out table.md]

Each run draws up to `max_items` paired 0/1 outcomes (a cheaper arm and the best arm) with a true
difference `delta` = P(arm right) - P(best right), looks after every `batch` items and stops at
the first look where the comparison is decided (margin 0.05, two arms, so the family is 1):

- sequential: the hedged betting confidence sequence (`stats/confseq.py`) at 95%, read at
  -margin through its capital (`capital_at`: the sequence is an interval, so "low > -margin" is
  "the upward capital at -margin reached 1/alpha"; the same test `sequential_compare` applies);
- naive: Tango's fixed-n 95% interval (the fixed-n verdict's, `stats/intervals.py`) re-checked at
  every look, read at -margin through its score statistic (`tango_statistic`), which is exactly
  "the interval excludes -margin".

Arms (best right on 80% of items):
- correlated: the arms disagree on 10% + |delta| of the items (two-way discordance, arm-only
  minus best-only = delta), as two prompts of one model do;
- independent: each arm right independently (best 0.80, arm 0.80 + delta).

The fixed-n column is `noninferiority.items_needed` at the true difference and per-item spread
(80% power, 95%; for a truth past -margin the mirror-image size that shows "inferior" with 80%
power): the size a plan that guessed the truth right would have used.
The test suite runs a small grid (`tests/stats/test_sequential.py`).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from ragtune.stats.confseq import capital_at
from ragtune.stats.intervals import tango_statistic, z_value
from ragtune.stats.sequential import fixed_plan_items

MARGIN = 0.05
ALPHA = 0.05
BEST = 0.80
BATCH = 50
MAX_ITEMS = 10_000
TRUTHS = (-0.15, -0.05, 0.0, 0.05)
KINDS = ("correlated", "independent")


@dataclass(frozen=True)
class Outcome:
    """One rule's result over the runs of a cell."""

    equivalent: float  # share of runs that declared "equivalent" (ever, since a run stops there)
    inferior: float
    undetermined: float  # reached max_items undecided
    median_items: float
    p90_items: float


def cells(kind: str, delta: float) -> np.ndarray:
    """P(both right), P(arm only), P(best only), P(neither)."""
    if kind == "correlated":
        disagree = 0.10 + abs(delta)
        arm_only, best_only = (disagree + delta) / 2, (disagree - delta) / 2
        both = BEST - best_only
    else:
        arm = BEST + delta
        both, arm_only, best_only = arm * BEST, arm * (1 - BEST), (1 - arm) * BEST
    return np.array([both, arm_only, best_only, 1 - both - arm_only - best_only])


def spread(kind: str, delta: float) -> float:
    """Per-item standard deviation of the difference (arm - best)."""
    _, arm_only, best_only, _ = cells(kind, delta)
    return float(np.sqrt(arm_only + best_only - delta**2))


def fixed_n(kind: str, delta: float) -> int | None:
    """Items a fixed plan with 80% power needs at this truth (None at exactly -margin)."""
    return fixed_plan_items(delta, spread(kind, delta), MARGIN, 1 - ALPHA)


def simulate(
    kind: str, delta: float, runs: int, seed: int, max_items: int = MAX_ITEMS
) -> dict[str, Outcome]:
    """Both rules on the same `runs` seeded draws of one cell."""
    rng = np.random.default_rng(seed)
    looks = np.arange(BATCH, max_items + 1, BATCH)
    z = z_value(1 - ALPHA)
    m0 = (1 - MARGIN) / 2  # -margin on the [0, 1] scale of (d + 1) / 2
    found: dict[str, list[tuple[str, int]]] = {"sequential": [], "naive": []}
    for _ in range(runs):
        cell = rng.choice(4, size=max_items, p=cells(kind, delta))
        diff = (cell == 1).astype(float) - (cell == 2)
        up, down = capital_at((diff + 1) / 2, m0, ALPHA)
        found["sequential"].append(
            _first(up[looks - 1] >= 1 / ALPHA, down[looks - 1] >= 1 / ALPHA, looks, max_items)
        )
        arm_only = np.cumsum(cell == 1)[looks - 1]
        best_only = np.cumsum(cell == 2)[looks - 1]
        score = tango_statistic(arm_only, best_only, looks, -MARGIN)
        found["naive"].append(_first(score > z, score < -z, looks, max_items))
    return {rule: _summary(results) for rule, results in found.items()}


def _first(
    equivalent: np.ndarray, inferior: np.ndarray, looks: np.ndarray, max_items: int
) -> tuple[str, int]:
    eq = int(np.argmax(equivalent)) if equivalent.any() else len(looks)
    inf = int(np.argmax(inferior)) if inferior.any() else len(looks)
    if eq == inf == len(looks):
        return "undetermined", max_items
    return ("equivalent", int(looks[eq])) if eq < inf else ("inferior", int(looks[inf]))


def _summary(results: list[tuple[str, int]]) -> Outcome:
    decisions = [d for d, _ in results]
    items = np.array([n for _, n in results])
    share = {d: decisions.count(d) / len(decisions) for d in ("equivalent", "inferior")}
    return Outcome(
        share["equivalent"], share["inferior"], 1 - sum(share.values()),
        float(np.median(items)), float(np.percentile(items, 90)),
    )  # fmt: skip


def tables(runs: int, seed: int) -> str:
    lines = [
        f"Margin {MARGIN}, 95% (one-sided 97.5% statements), best arm right on {BEST:.0%}, "
        f"a look every {BATCH} items, at most {MAX_ITEMS:,} items, {runs:,} seeded runs per "
        f"cell (seed {seed}).",
        "",
        "| arms | true diff | rule | equivalent | inferior | undetermined | items median |"
        " items p90 | fixed-n at 80% power |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        for delta in TRUTHS:
            outcome = simulate(kind, delta, runs, seed)
            plan = fixed_n(kind, delta)
            for rule in ("sequential", "naive"):
                o = outcome[rule]
                lines.append(
                    f"| {kind} | {delta:+.2f} | {rule} | {o.equivalent:.1%} | {o.inferior:.1%} "
                    f"| {o.undetermined:.1%} | {o.median_items:,.0f} | {o.p90_items:,.0f} "
                    f"| {'—' if plan is None else f'{plan:,}'} |"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    text = tables(args.runs, args.seed)
    took = time.perf_counter() - started
    text += (
        f"\n\n{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, Python "
        f"{sys.version.split()[0]}, {took:.0f} s."
    )
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
