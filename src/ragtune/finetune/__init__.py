"""Fine-tuning: chat rendering, packing, LoRA / full recipe (setup -> train -> save), export, cost.

Importing this package is light; torch, transformers and peft are imported when a run starts.
"""

from ragtune.finetune.config import TuneConfig
from ragtune.finetune.cost import TrainingCost

__all__ = ["TrainingCost", "TuneConfig"]
