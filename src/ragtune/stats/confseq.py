"""Anytime-valid confidence sequences for bounded means: the hedged betting CS.

A confidence sequence (C_1, C_2, ...) covers the true mean at every sample size at once with
probability 1 - alpha, so a run may look after every batch and stop whenever it likes; a fixed-n
interval re-checked after every batch does not keep its level (see `sequential.py`).

The boundary is Waudby-Smith & Ramdas (2023), "Estimating means of bounded random variables by
betting", JRSS-B 86(1), the hedged capital process of their Theorem 3 with the predictable
plug-in empirical-Bernstein bets of their eq. (26), on observations x_i in [0, 1]:

    K_t(m) = max(theta K+_t(m), (1 - theta) K-_t(m)),  theta = 1/2
    K+_t(m) = prod_{i<=t} (1 + l+_i(m) (x_i - m)),  K-_t(m) = prod_{i<=t} (1 - l-_i(m) (x_i - m))
    l_i = sqrt(2 log(2 / alpha) / (s2_{i-1} i log(1 + i))),  l+_i(m) = min(l_i, c / m),
    l-_i(m) = min(l_i, c / (1 - m)),  c = 1/2
    mu_i = (1/2 + sum_{j<=i} x_j) / (i + 1),  s2_i = (1/4 + sum_{j<=i} (x_j - mu_j)^2) / (i + 1)
    C_t = {m : K_t(m) < 1 / alpha}

K+ and K- are non-negative martingales under the mean m, so by Ville's inequality the pair
(K+, K-) ever exceeds 1/alpha with probability at most alpha (each side gets alpha/2, which is
why the two-sided sequence at 1 - alpha makes one-sided 1 - alpha/2 statements, like the fixed-n
verdict's two-sided interval). This boundary rather than a sub-Gaussian or empirical-Bernstein
closed form because it adapts to the variance (paired differences of two correlated arms have
a small one) and is the tightest of the paper's practical CSs in its simulations; the hedged
max (not the convex combination) makes every C_t an interval, so "is -margin outside C_t" is
decided by the capital at that one point (`capital_at`), which is what the simulation uses.

The same definitions as `confseq.betting.betting_mart` (defaults: `lambda_predmix_eb`,
`trunc_scale=1/2`, `m_trunc=True`, `convex_comb=False`); that package does not build here (its
C++ part needs Boost), so the tests pin values it printed. Deliberately not here: which
comparisons to make and the margin (`sequential.py`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

THETA = 0.5  # the weight of the upward bet in the hedge (the paper's default)
TRUNCATION = 0.5  # c: bets never stake more than half the capital (the paper's default)
GRID = 2001  # candidate means for an interval's ends, refined by bisection afterwards


def plugin_bets(x: np.ndarray, alpha: float) -> np.ndarray:
    """The predictable plug-in bets l_i (before truncation by m), one per observation."""
    t = np.arange(1, len(x) + 1, dtype=float)
    mu = (0.5 + np.cumsum(x)) / (t + 1)
    s2 = (0.25 + np.cumsum((x - mu) ** 2)) / (t + 1)
    s2_before = np.concatenate(([0.25], s2[:-1]))
    return np.sqrt(2 * math.log(2 / alpha) / (s2_before * t * np.log1p(t)))


def log_capital(
    x: np.ndarray, m: float | np.ndarray, alpha: float, bets: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(log K+_t(m), log K-_t(m)) for t = 1..n, shape (n,) or (n, len(m)) for an array of m."""
    lam = plugin_bets(x, alpha) if bets is None else bets
    m_arr = np.asarray(m, dtype=float)
    col = x if m_arr.ndim == 0 else x[:, None]
    lam_col = lam if m_arr.ndim == 0 else lam[:, None]
    with np.errstate(divide="ignore"):
        up = np.minimum(lam_col, TRUNCATION / m_arr)
        down = np.minimum(lam_col, TRUNCATION / (1 - m_arr))
    # 1 + l (x - m) >= 1 - c > 0 by the truncation, so the logs are finite
    log_up = np.cumsum(np.log1p(up * (col - m_arr)), axis=0)
    log_down = np.cumsum(np.log1p(-down * (col - m_arr)), axis=0)
    return log_up, log_down


def capital_at(x: np.ndarray, m: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """(theta K+_t(m), (1 - theta) K-_t(m)) for t = 1..n: C_t excludes m once either reaches
    1/alpha; the first says the mean is above m, the second below."""
    log_up, log_down = log_capital(x, m, alpha)
    return THETA * np.exp(log_up), (1 - THETA) * np.exp(log_down)


def betting_cs(
    x: Sequence[float] | np.ndarray, alpha: float, looks: Sequence[int] | None = None
) -> list[tuple[float, float]]:
    """(low, high) of C_t for x in [0, 1] at each look t (default: every t), intersected with
    the earlier looks (the running intersection is a CS too, and never widens).

    Ends are found on a grid of `GRID` means and refined by bisection to 1e-9: C_t is an
    interval, so each end is the one point where the capital crosses 1/alpha."""
    data = np.asarray(x, dtype=float)
    times = list(range(1, len(data) + 1)) if looks is None else list(looks)
    return RunningCS(alpha).extend(data, times)


class RunningCS:
    """A betting CS kept between looks: `extend` adds observations and reads the sequence at
    new looks, carrying the grid's capital and the running intersection instead of starting
    again, so a run that grows round by round pays for each observation once on the grid.
    `betting_cs` is one `extend` of all the data; the arithmetic is the same either way."""

    def __init__(self, alpha: float) -> None:
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha}")
        self.alpha = alpha
        self.data = np.zeros(0)
        self.grid = np.linspace(0, 1, GRID)[1:-1]
        self._up = np.zeros(self.grid.size)  # log K+ and log K- on the grid after all data
        self._down = np.zeros(self.grid.size)
        self.low, self.high = 0.0, 1.0  # the running intersection so far

    def extend(self, x: np.ndarray, looks: Sequence[int]) -> list[tuple[float, float]]:
        """Add `x` (in [0, 1]) and return (low, high) at each look t (counted from the first
        observation ever added; each look past the data already there, in increasing order)."""
        new = np.asarray(x, dtype=float)
        if new.size and (new.min() < 0 or new.max() > 1):
            raise ValueError("betting_cs needs observations in [0, 1]")
        before = self.data.size
        self.data = np.concatenate([self.data, new])
        bets = plugin_bets(self.data, self.alpha)
        log_up, log_down = log_capital(new, self.grid, self.alpha, bets[before:])
        if new.size:
            log_up, log_down = log_up + self._up, log_down + self._down
            self._up, self._down = log_up[-1], log_down[-1]
        threshold = math.log(1 / self.alpha)
        out: list[tuple[float, float]] = []
        for t in looks:
            if t == 0:
                out.append((self.low, self.high))
                continue
            if t <= before:
                raise ValueError(f"look {t} is not past the {before} observations already read")
            i = t - 1 - before
            row = np.maximum(math.log(THETA) + log_up[i], math.log(1 - THETA) + log_down[i])
            low, high = self._ends(row < threshold, bets, t)
            self.low, self.high = max(self.low, low), min(self.high, high)
            if self.low > self.high:  # the intersection emptied: a rare miss; keep the latest set
                self.low, self.high = low, high
            out.append((self.low, self.high))
        return out

    def _ends(self, inside_row: np.ndarray, bets: np.ndarray, t: int) -> tuple[float, float]:
        grid, data = self.grid, self.data
        inside = np.flatnonzero(inside_row)
        if inside.size == 0:  # the grid is too coarse for a very narrow set: its point
            centre = float(np.mean(data[:t]))
            return centre, centre
        first, last = int(inside[0]), int(inside[-1])
        low = _refine(data[:t], bets[:t], self.alpha, grid[first - 1] if first else 0.0,
                      grid[first], inside_is_high=True)  # fmt: skip
        high = _refine(data[:t], bets[:t], self.alpha, grid[last],
                       grid[last + 1] if last + 1 < grid.size else 1.0,
                       inside_is_high=False)  # fmt: skip
        return low, high


def _refine(
    x: np.ndarray, bets: np.ndarray, alpha: float, a: float, b: float, *, inside_is_high: bool
) -> float:
    """The crossing point of the capital with 1/alpha between a and b (one inside C_t)."""
    threshold = math.log(1 / alpha)

    def inside(m: float) -> bool:
        if m <= 0 or m >= 1:
            return False
        up, down = log_capital(x, m, alpha, bets)
        return max(math.log(THETA) + up[-1], math.log(1 - THETA) + down[-1]) < threshold

    if inside_is_high:
        if a <= 0 and inside(1e-12):
            return 0.0
    elif b >= 1 and inside(1 - 1e-12):
        return 1.0
    for _ in range(40):
        mid = (a + b) / 2
        if inside(mid) == inside_is_high:
            b = mid
        else:
            a = mid
    return (a + b) / 2


def difference_cs(
    diffs: Sequence[float] | np.ndarray, alpha: float, looks: Sequence[int] | None = None
) -> list[tuple[float, float]]:
    """`betting_cs` of paired differences in [-1, 1], mapped through (d + 1) / 2 and back."""
    d = np.asarray(diffs, dtype=float)
    unit = betting_cs((d + 1) / 2, alpha, looks)
    return [(2 * low - 1, 2 * high - 1) for low, high in unit]


__all__ = ["RunningCS", "betting_cs", "capital_at", "difference_cs", "log_capital", "plugin_bets"]
