"""Running the arms: the resumable runner, its executors (in-process, Ray), latency timing,
cacheable prefixes, the judge's calls and the sequential (`--until-decided`) rounds, everything
recorded in the run store."""

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
from ragtune.running.sequential import (
    Assess,
    Assessment,
    SequentialPlan,
    StopReason,
    run_until_decided,
    sequential_plan,
)
from ragtune.running.shards import SHARD_TIMEOUT_S

__all__ = [
    "JUDGED",
    "PAIRWISE",
    "SHARD_TIMEOUT_S",
    "Assess",
    "Assessment",
    "ExecutorOptions",
    "JudgeCost",
    "PairwiseJudge",
    "RunOptions",
    "SequentialPlan",
    "StopReason",
    "judge_scores",
    "judge_usage",
    "min_cacheable_tokens",
    "pairwise_summary",
    "project_prefixes",
    "run_until_decided",
    "run_workload",
    "sequential_plan",
]
