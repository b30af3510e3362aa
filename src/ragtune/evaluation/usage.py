"""Per-arm usage summary: tokens per query by kind and latency percentiles.

Input is the store's per-query usage (`RunStore.query_usage`), so a report can be rebuilt from
the store without re-running models. Token means feed the cost engine; latency percentiles go
in the summary table. Deliberately not here: prices (the cost engine) and quality metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ragtune.store.records import QueryUsage


@dataclass(frozen=True)
class UsageSummary:
    """Means per answered query, and latency percentiles over queries that recorded one."""

    n: int
    input_tokens: float  # uncached input
    cache_write_tokens: float
    cache_read_tokens: float
    output_tokens: float
    calls: float  # model calls per query (a router that escalates makes two)
    latency_p50_s: float | None
    latency_p95_s: float | None
    latency_mean_s: float | None
    ttft_p50_s: float | None
    cached_share: float  # queries with a response-cache hit: their latency is not fresh

    @property
    def prompt_tokens(self) -> float:
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens


def _percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def summarize_usage(rows: Sequence[QueryUsage]) -> UsageSummary:
    """Summarise one arm's queries; an arm with no answered query gives n = 0 and zeros."""
    n = len(rows)

    def mean(values: Sequence[float]) -> float:
        return float(np.mean(values)) if values else 0.0

    latencies = [r.latency_s for r in rows if r.latency_s is not None]
    ttfts = [r.ttft_s for r in rows if r.ttft_s is not None]
    return UsageSummary(
        n=n,
        input_tokens=mean([r.input_tokens for r in rows]),
        cache_write_tokens=mean([r.cache_write_tokens for r in rows]),
        cache_read_tokens=mean([r.cache_read_tokens for r in rows]),
        output_tokens=mean([r.output_tokens for r in rows]),
        calls=mean([r.calls for r in rows]),
        latency_p50_s=_percentile(latencies, 50),
        latency_p95_s=_percentile(latencies, 95),
        latency_mean_s=float(np.mean(latencies)) if latencies else None,
        ttft_p50_s=_percentile(ttfts, 50),
        cached_share=mean([float(r.cached) for r in rows]),
    )
