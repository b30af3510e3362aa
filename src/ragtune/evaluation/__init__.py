"""Evaluation: task metrics (pure functions), statistics for comparing arms, the LLM judge,
and usage summaries (tokens per query, latency percentiles)."""
