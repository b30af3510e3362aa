"""Uncertain inputs: a number, a `[low, high]` range, or a named distribution.

A scenario field such as `requests_per_month` may be written as `50000`, `[30000, 80000]`
(uniform between the two) or `{dist: triangular, low: 30000, mode: 50000, high: 80000}`. The
point estimate is the distribution's mean (the midpoint for a range), so the single-number
tables and the Monte Carlo P50 describe the same inputs. Sampling is vectorised and seeded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

DISTRIBUTIONS = ("fixed", "uniform", "triangular", "normal", "lognormal", "loguniform")


@dataclass(frozen=True)
class Quantity:
    dist: str
    low: float
    high: float
    mode: float | None = None  # triangular peak
    mean: float | None = None  # normal
    sd: float | None = None  # normal

    @property
    def uncertain(self) -> bool:
        return self.dist != "fixed" and self.high > self.low

    def central(self) -> float:
        """The value used for point estimates: the distribution's mean."""
        if self.dist == "fixed":
            return self.low
        if self.dist == "triangular":
            return (self.low + self.high + float(self.mode)) / 3.0  # type: ignore[arg-type]
        if self.dist == "normal":
            return float(self.mean)  # type: ignore[arg-type]
        if self.dist == "lognormal":  # low/high are the 5th and 95th percentiles
            mu, sigma = _lognormal_params(self.low, self.high)
            return float(np.exp(mu + sigma**2 / 2))
        if self.dist == "loguniform":
            if self.high == self.low:
                return self.low
            return (self.high - self.low) / (np.log(self.high) - np.log(self.low))
        return (self.low + self.high) / 2.0

    def mean_reciprocal(self) -> float:
        """E[1/X]: the mean effect of an input used as a divisor (a cadence, a rate).

        1/E[X] understates it (Jensen): retraining every uniform [1, 3] months is
        E[1/N] = ln(3)/(3 - 1) = 0.549 cycles a month, not 1/2. Closed forms where they exist,
        otherwise a 20,000-point quantile average of the distribution actually sampled.
        """
        if not self.uncertain:
            return 1.0 / self.central()
        low, high = self.low, self.high
        if self.dist == "uniform":
            return float(np.log(high / low) / (high - low))
        if self.dist == "loguniform":
            return float((1.0 / low - 1.0 / high) / np.log(high / low))
        if self.dist == "lognormal":
            mu, sigma = _lognormal_params(low, high)
            return float(np.exp(-mu + sigma**2 / 2))
        from scipy import stats

        u = (np.arange(20_000) + 0.5) / 20_000
        if self.dist == "triangular":
            c = (float(self.mode) - low) / (high - low)  # type: ignore[arg-type]
            x = stats.triang.ppf(u, c, loc=low, scale=high - low)
        else:  # normal, clipped to [low, high] as `sample` does
            x = np.clip(stats.norm.ppf(u, self.mean or 0.0, self.sd or 0.0), low, high)
        return float(np.mean(1.0 / x))

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The values at probabilities `u` (inverse CDF), for common random numbers: two inputs
        that describe the same thing are drawn from the same `u`, so they move together."""
        if not self.uncertain:
            return np.full(np.shape(u), self.central())
        low, high = self.low, self.high
        if self.dist == "uniform":
            return low + u * (high - low)
        if self.dist == "triangular":
            mode = float(self.mode)  # type: ignore[arg-type]
            c = (mode - low) / (high - low)
            return np.where(
                u < c,
                low + np.sqrt(u * (high - low) * (mode - low)),
                high - np.sqrt((1.0 - u) * (high - low) * (high - mode)),
            )
        from scipy.special import ndtri

        if self.dist == "normal":
            mean, sd = float(self.mean or 0.0), float(self.sd or 0.0)
            return np.clip(mean + sd * ndtri(u), low, high)
        if self.dist == "lognormal":
            mu, sigma = _lognormal_params(low, high)
            return np.exp(mu + sigma * ndtri(u))
        return np.exp(np.log(low) + u * (np.log(high) - np.log(low)))  # loguniform

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if not self.uncertain:
            return np.full(n, self.central())
        if self.dist == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.dist == "triangular":
            return rng.triangular(self.low, float(self.mode), self.high, n)  # type: ignore[arg-type]
        if self.dist == "normal":  # truncated to [low, high] so costs stay physical
            mean, sd = float(self.mean or 0.0), float(self.sd or 0.0)
            return np.clip(rng.normal(mean, sd, n), self.low, self.high)
        if self.dist == "lognormal":
            mu, sigma = _lognormal_params(self.low, self.high)
            return rng.lognormal(mu, sigma, n)
        return np.exp(rng.uniform(np.log(self.low), np.log(self.high), n))  # loguniform


Z95 = 1.6448536269514722  # standard normal 95th percentile


def _lognormal_params(p5: float, p95: float) -> tuple[float, float]:
    mu = (np.log(p5) + np.log(p95)) / 2.0
    return float(mu), float((np.log(p95) - np.log(p5)) / (2.0 * Z95))


def parse_quantity(value: Any) -> Quantity:
    """Read a user-written number, range or distribution; raise ValueError with the fix."""
    if isinstance(value, Quantity):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a number, [low, high] or {dist: ...}, not true/false")
    if isinstance(value, int | float):
        return _checked(Quantity("fixed", float(value), float(value)))
    if isinstance(value, list | tuple):
        if len(value) != 2 or not all(_is_number(v) for v in value):
            raise ValueError("a range is two numbers [low, high]")
        return _checked(Quantity("uniform", float(value[0]), float(value[1])))
    if isinstance(value, dict):
        return _from_mapping(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is not None:
            return _checked(Quantity("fixed", number, number))
    raise ValueError(f"expected a number, [low, high] or {{dist: ...}}, got {value!r}")


def _from_mapping(value: dict[str, Any]) -> Quantity:
    dist = str(value.get("dist", "uniform"))
    if dist not in DISTRIBUTIONS:
        raise ValueError(f"unknown dist {dist!r}; allowed: {', '.join(DISTRIBUTIONS)}")
    numbers = {k: v for k, v in value.items() if k != "dist"}
    for key, number in numbers.items():
        if key not in {"low", "high", "mode", "mean", "sd"} or not _is_number(number):
            raise ValueError(f"{key}: expected one of low/high/mode/mean/sd with a number")
    get = {k: float(v) for k, v in numbers.items()}
    if dist == "normal":
        if "mean" not in get or "sd" not in get:
            raise ValueError("a normal distribution needs mean and sd (low/high optional bounds)")
        sd = get["sd"]
        low = get.get("low", max(0.0, get["mean"] - 4 * sd))
        high = get.get("high", get["mean"] + 4 * sd)
        return _checked(Quantity("normal", low, high, mean=get["mean"], sd=sd))
    if "low" not in get or "high" not in get:
        raise ValueError(f"a {dist} distribution needs low and high")
    if dist == "triangular" and "mode" not in get:
        raise ValueError("a triangular distribution needs low, mode and high")
    return _checked(Quantity(dist, get["low"], get["high"], mode=get.get("mode")))


def parse_positive(value: Any) -> Quantity:
    """`parse_quantity` for divisors (throughput, utilisation, cadence): zero is not allowed."""
    q = parse_quantity(value)
    if q.low <= 0:
        raise ValueError("must be > 0 (it divides: a zero would make the cost infinite)")
    return q


def parse_fraction(value: Any) -> Quantity:
    """`parse_quantity` for a share of something (a hit rate, a route's share): 0 to 1."""
    return _fraction(parse_quantity(value), "0 to 1")


def parse_positive_fraction(value: Any) -> Quantity:
    """A share that also divides (`max_utilisation`): above 0, at most 1."""
    q = _fraction(parse_quantity(value), "above 0 and at most 1")
    if q.low <= 0:
        raise ValueError(
            f"{q.low:g} is not allowed: must be > 0 and at most 1 (it divides the capacity)"
        )
    return q


def parse_at_least_one(value: Any) -> Quantity:
    """A ratio of a peak to an average (`peak_to_average`): 1 or more, since a peak is never
    below the average (0.5 would size for half the load and print "192.9% utilised")."""
    q = parse_quantity(value)
    if q.low < 1.0:
        raise ValueError(
            f"{q.low:g} is not allowed: must be >= 1 (the busiest hour's load over the average; "
            "1 = an even load)"
        )
    if q.dist == "normal" and (q.mean or 0.0) < 1.0:
        raise ValueError("a normal peak-to-average needs mean >= 1")
    return q


def parse_whole(value: Any) -> Quantity:
    """A count of whole things (`min_gpus`): one whole number, not a range (half a GPU cannot be
    rented, and a mean of [1, 2] would bill 1.5)."""
    q = parse_quantity(value)
    if q.uncertain or q.dist != "fixed":
        raise ValueError(
            "must be one whole number, not a range or distribution (write one option per count "
            "to compare them)"
        )
    if q.low != math.floor(q.low):
        raise ValueError(f"{q.low:g} is not a whole number (GPUs are rented whole)")
    return q


def _fraction(q: Quantity, allowed: str) -> Quantity:
    if q.dist == "lognormal" and q.uncertain:
        # low/high are its 5th and 95th percentiles: 5% of draws lie above high, and a share
        # above 1 makes "the rest" negative (a negative request cost)
        raise ValueError(
            "a lognormal is unbounded above, so a share drawn from it can exceed 1: use a "
            "range [low, high], a triangular, a loguniform or a normal (clipped to low/high)"
        )
    top = max(q.high, q.mean or 0.0)
    if top > 1.0:
        hint = f"; did you mean {top / 100:g}?" if top <= 100 else ""
        raise ValueError(f"{top:g} is not a fraction: must be {allowed} (write 90% as 0.9){hint}")
    return q


def _checked(q: Quantity) -> Quantity:
    values = [q.low, q.high] + [v for v in (q.mode, q.mean, q.sd) if v is not None]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("must be a finite number (not nan or infinity)")
    if q.low < 0 or q.high < 0:
        raise ValueError("must be >= 0")
    if q.high < q.low:
        raise ValueError(f"low ({q.low:g}) is above high ({q.high:g})")
    if q.mode is not None and not q.low <= q.mode <= q.high:
        raise ValueError("mode must lie between low and high")
    if q.dist in {"lognormal", "loguniform"} and q.low <= 0:
        raise ValueError(f"a {q.dist} distribution needs low > 0")
    return q


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
