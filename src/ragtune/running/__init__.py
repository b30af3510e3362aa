"""Running the arms: the resumable runner, its executors (in-process, Ray), provider batch APIs
(`--batch`, `--dry-run`), latency timing, cacheable prefixes, the judge's calls and the
sequential (`--until-decided`) rounds, everything recorded in the run store."""

from ragtune.running.batch import BatchedBackend, Poller
from ragtune.running.batch_plan import PlanRow, PlanTotals, check_batch_prices, plan_run
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
from ragtune.running.runner import RunOptions, requested_arms, run_workload
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
    "BatchedBackend",
    "ExecutorOptions",
    "JudgeCost",
    "PairwiseJudge",
    "PlanRow",
    "PlanTotals",
    "Poller",
    "RunOptions",
    "SequentialPlan",
    "StopReason",
    "check_batch_prices",
    "judge_scores",
    "judge_usage",
    "min_cacheable_tokens",
    "pairwise_summary",
    "plan_run",
    "project_prefixes",
    "requested_arms",
    "run_until_decided",
    "run_workload",
    "sequential_plan",
]
