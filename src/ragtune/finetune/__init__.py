"""Fine-tuning: chat rendering, packing, LoRA / full recipe (setup -> train -> save), export, cost.

Importing this package is light; torch, transformers and peft are imported when a run starts.
"""

from ragtune.finetune.card import cost_lines
from ragtune.finetune.config import TuneConfig
from ragtune.finetune.cost import TrainingCost
from ragtune.finetune.data import load_examples
from ragtune.finetune.hosted import RESULT, HostedJob, HostedResult, HostedTuneError, tune_hosted
from ragtune.finetune.run import tune
from ragtune.finetune.workload import estimate_plan, tuning_settings, workload_job

__all__ = [
    "RESULT",
    "HostedJob",
    "HostedResult",
    "HostedTuneError",
    "TrainingCost",
    "TuneConfig",
    "cost_lines",
    "estimate_plan",
    "load_examples",
    "tune",
    "tune_hosted",
    "tuning_settings",
    "workload_job",
]
