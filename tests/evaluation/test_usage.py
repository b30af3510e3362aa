"""Usage summaries against hand-computed means and numpy percentiles."""

from __future__ import annotations

import numpy as np
import pytest

from ragtune.evaluation.usage import summarize_usage
from ragtune.store import QueryUsage


def test_summarize_usage_worked_example() -> None:
    rows = [
        QueryUsage("q0", 0, 100, 0, 900, 10, 0.5, 0.1, 1, False),
        QueryUsage("q1", 0, 200, 50, 0, 30, 1.5, 0.2, 2, False),
        QueryUsage("q2", 0, 300, 0, 900, 20, None, None, 1, True),
    ]
    s = summarize_usage(rows)
    assert s.n == 3
    assert (s.input_tokens, s.cache_write_tokens, s.cache_read_tokens) == (200, 50 / 3, 600)
    assert s.output_tokens == 20 and s.prompt_tokens == pytest.approx(200 + 50 / 3 + 600)
    assert s.calls == pytest.approx(4 / 3)
    assert s.latency_p50_s == pytest.approx(1.0)  # two latencies: 0.5 and 1.5
    assert s.latency_p95_s == pytest.approx(np.percentile([0.5, 1.5], 95))
    assert s.latency_mean_s == pytest.approx(1.0) and s.ttft_p50_s == pytest.approx(0.15)
    assert s.cached_share == pytest.approx(1 / 3)


def test_summarize_usage_of_nothing() -> None:
    s = summarize_usage([])
    assert s.n == 0 and s.input_tokens == 0.0 and s.latency_p95_s is None
