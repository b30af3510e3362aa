"""The run store: a SQLite file of runs, predictions, measurements and metrics (resumable)."""

from ragtune.store.records import (
    Arm,
    Item,
    JudgeCall,
    KbVersion,
    LossPoint,
    Measurement,
    Metric,
    Prediction,
    Rating,
    Review,
    Run,
    TrainingRun,
)
from ragtune.store.runstore import RunStore, new_id

__all__ = [
    "Arm",
    "Item",
    "JudgeCall",
    "KbVersion",
    "LossPoint",
    "Measurement",
    "Metric",
    "Prediction",
    "Rating",
    "Review",
    "Run",
    "RunStore",
    "TrainingRun",
    "new_id",
]
