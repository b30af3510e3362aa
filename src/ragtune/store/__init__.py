"""The run store: a SQLite file of runs, predictions, measurements and metrics (resumable)."""

from ragtune.store.records import (
    Arm,
    BatchRecord,
    Item,
    JudgeCall,
    KbVersion,
    LossPoint,
    Measurement,
    Metric,
    Prediction,
    Rating,
    Review,
    ReviewToken,
    Run,
    TrainingRun,
)
from ragtune.store.reviews import hash_token, new_token
from ragtune.store.runstore import RunStore, new_id

__all__ = [
    "Arm",
    "BatchRecord",
    "Item",
    "JudgeCall",
    "KbVersion",
    "LossPoint",
    "Measurement",
    "Metric",
    "Prediction",
    "Rating",
    "Review",
    "ReviewToken",
    "Run",
    "RunStore",
    "TrainingRun",
    "hash_token",
    "new_id",
    "new_token",
]
