"""Speed of the evaluation maths against the straightforward baselines, in the same run.

Run:  .venv/bin/python benchmarks/bench_evaluation.py
- ROUGE-L: bit-parallel LCS (metrics.lcs_length) vs the len(a) x len(b) dynamic-programming
  table that pure-Python ROUGE implementations use, on 200-token texts;
- bootstrap: the vectorised, blocked resampler (stats.paired_bootstrap) vs a Python loop over
  resamples (measured on 500 resamples, scaled), with scipy.stats.bootstrap for reference;
- compare_arms: all 28 pairs of 8 arms on 500 items (paired bootstrap, 10,000 resamples each).
Prints a Markdown table. Numbers depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import numpy as np  # noqa: E402

from ragtune.scoring import metrics  # noqa: E402
from ragtune.stats import paired as stats  # noqa: E402


def best_of(fn: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def lcs_table(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def loop_bootstrap(diffs: np.ndarray, n_resamples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array(
        [diffs[rng.integers(0, diffs.size, diffs.size)].mean() for _ in range(n_resamples)]
    )


def main() -> None:
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(300)]
    pairs = [
        ([rng.choice(vocab) for _ in range(200)], [rng.choice(vocab) for _ in range(200)])
        for _ in range(200)
    ]
    assert all(metrics.lcs_length(a, b) == lcs_table(a, b) for a, b in pairs[:20])
    fast = best_of(lambda: [metrics.lcs_length(a, b) for a, b in pairs])
    slow = best_of(lambda: [lcs_table(a, b) for a, b in pairs], repeats=1)

    np_rng = np.random.default_rng(1)
    a, b = np_rng.uniform(size=500), np_rng.uniform(size=500)
    boot = best_of(lambda: stats.paired_bootstrap(a, b, n_resamples=10_000))
    loop = best_of(lambda: loop_bootstrap(a - b, 500, 0), repeats=1) * 20

    from scipy.stats import bootstrap

    def scipy_boot() -> object:
        return bootstrap(
            (a, b),
            lambda x, y, axis=-1: np.mean(x - y, axis=axis),
            paired=True,
            method="percentile",
            n_resamples=10_000,
            random_state=0,
        )

    ref = best_of(scipy_boot)
    arms = {f"arm{i}": np_rng.uniform(size=500).tolist() for i in range(8)}
    pairs_time = best_of(lambda: stats.compare_arms(arms), repeats=1)
    binary = {k: (np.asarray(v) > 0.5).astype(float).tolist() for k, v in arms.items()}
    mcnemar_time = best_of(lambda: stats.compare_arms(binary), repeats=1)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print("| task | ragtune | baseline | speed-up |")
    print("|---|---|---|---|")
    print(
        f"| ROUGE-L LCS, 200 pairs of 200 tokens | {fast * 1e3:.1f} ms (bit-parallel) "
        f"| {slow * 1e3:.0f} ms (DP table) | {slow / fast:.0f}x |"
    )
    print(
        f"| paired bootstrap, n=500, 10,000 resamples | {boot * 1e3:.0f} ms (vectorised) "
        f"| {loop * 1e3:.0f} ms (Python loop, scaled from 500) | {loop / boot:.0f}x |"
    )
    print(
        f"| same, scipy.stats.bootstrap (reference) | {boot * 1e3:.0f} ms "
        f"| {ref * 1e3:.0f} ms | {ref / boot:.1f}x |"
    )
    print(
        f"| compare_arms, 8 arms x 500 items, 28 paired bootstraps | {pairs_time:.2f} s | - | - |"
    )
    print(
        f"| compare_arms, 8 arms x 500 items, 28 exact McNemar + CI "
        f"| {mcnemar_time:.2f} s | - | - |"
    )


if __name__ == "__main__":
    main()
