"""Workload files (`ragtune run workload.yaml`): schema and a check that reports every problem.

`schema.py` holds what a workload file may say; `checks.py` loads one and checks it.

A workload says what the task is, where its data and knowledge base live, which arms to build
and with which backends, and the volume assumptions used to price the results. `load_workload`
validates the YAML (pydantic), then checks the world it points at: files exist, the data loads,
every split the run needs is non-empty, labels are inside the label set, the JSON Schema is
valid, every arm's settings fit the arm's own settings model. All problems come back together
in one `ValidationError`. Without a validation split, when an arm needs one (the router
calibrates on it), one is carved from train (seeded, stratified by label for classification)
and recorded in `Workload.carved`; otherwise train stays whole for the arms that learn from it.

Deliberately not here: running arms (`ragtune.strategies`), pricing (`ragtune.cost`).
"""

from ragtune.config.batch import batch_problems, batched_backends, with_batch
from ragtune.config.checks import Workload, load_workload
from ragtune.config.hosted import cutoff_problems, cutoff_warnings
from ragtune.config.lifecycle import BackendShutdown, backend_shutdowns, refuse_shut_down
from ragtune.config.schema import (
    PROMPT_SUFFIXES,
    REQUEST_SAMPLE,
    TASKS,
    TUNED_ARMS,
    Advice,
    Backends,
    BatchApi,
    CarveValidation,
    Costs,
    Data,
    DeclaredPrice,
    Endpoint,
    Fields,
    HostedFinetune,
    Judge,
    Knowledge,
    KnowledgeVersion,
    Pricing,
    Sampling,
    WorkloadSpec,
    arms_mapping,
    hosted_finetune,
)

__all__ = [
    "PROMPT_SUFFIXES",
    "REQUEST_SAMPLE",
    "TASKS",
    "TUNED_ARMS",
    "Advice",
    "BackendShutdown",
    "Backends",
    "BatchApi",
    "CarveValidation",
    "Costs",
    "Data",
    "DeclaredPrice",
    "Endpoint",
    "Fields",
    "HostedFinetune",
    "Judge",
    "Knowledge",
    "KnowledgeVersion",
    "Pricing",
    "Sampling",
    "Workload",
    "WorkloadSpec",
    "arms_mapping",
    "backend_shutdowns",
    "batch_problems",
    "batched_backends",
    "cutoff_problems",
    "cutoff_warnings",
    "hosted_finetune",
    "load_workload",
    "refuse_shut_down",
    "with_batch",
]
