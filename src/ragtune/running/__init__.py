"""Running the arms: the resumable runner, its executors (in-process, Ray), latency timing,
cacheable prefixes and the judge's calls, everything recorded in the run store."""

from ragtune.running.executors import ExecutorOptions
from ragtune.running.judge_run import (
    JUDGED,
    PAIRWISE,
    JudgeCost,
    PairwiseJudge,
    judge_scores,
    judge_usage,
    pairwise_summary,
)
from ragtune.running.prefixes import min_cacheable_tokens, project_prefixes
from ragtune.running.runner import RunOptions, run_workload
from ragtune.running.shards import SHARD_TIMEOUT_S

__all__ = [
    "JUDGED",
    "PAIRWISE",
    "SHARD_TIMEOUT_S",
    "ExecutorOptions",
    "JudgeCost",
    "PairwiseJudge",
    "RunOptions",
    "judge_scores",
    "judge_usage",
    "min_cacheable_tokens",
    "pairwise_summary",
    "project_prefixes",
    "run_workload",
]
