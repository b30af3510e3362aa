"""One call from a training file (or examples) to a tuned model in a run folder, resumable.

`tune` reads and checks the data, splits off validation examples (never any from the evaluation
test set), records config and split in the run folder and runs the recipe. `--resume` reads the
config and split back from the folder, so a resumed run trains on exactly the same data.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

from ragtune.errors import RagtuneError
from ragtune.finetune.config import TuneConfig
from ragtune.finetune.data import (
    Conversation,
    check_answers,
    load_examples,
    mix_general,
    save_examples,
    split_validation,
)
from ragtune.finetune.recipe import Recipe, TuneResult

log = logging.getLogger(__name__)


def tune(
    config: TuneConfig,
    out_dir: str | Path,
    *,
    data: str | Path | None = None,
    examples: Sequence[Conversation] | None = None,
    test: Sequence[Conversation] = (),
    general: Sequence[Conversation] = (),
    general_fraction: float = 0.0,
    task: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    available: int | None = None,
) -> TuneResult:
    """Fine-tune `config.base` on `data` (a JSONL path) or `examples`; write all to `out_dir`.

    `available` is how many examples there were before a `max_examples` cap (for the plan).
    """
    out = Path(out_dir)
    if resume:
        train, val, config = _read_run(out)
    else:
        config = config.validate()
        _prepare_out(out, overwrite)
        if examples is None:
            if data is None:
                raise RagtuneError("no training data given", hint="pass --data train.jsonl")
            examples = load_examples(data, system=config.system)
        check_answers(examples, task=task)
        train, val = split_validation(
            examples, fraction=config.val_fraction, seed=config.seed, test=test
        )
        train = mix_general(train, general, general_fraction, seed=config.seed)
        (out / "data").mkdir(parents=True, exist_ok=True)
        config.save(out / "config.json")
        save_examples(train, out / "data" / "train.jsonl")
        save_examples(val, out / "data" / "validation.jsonl")
    recipe = Recipe(config, out, train, val, resume=resume, available=available)
    recipe.setup()
    recipe.train()
    return recipe.save()


def _prepare_out(out: Path, overwrite: bool) -> None:
    if (out / "config.json").exists():
        if not overwrite:
            raise RagtuneError(
                f"{out} already holds a fine-tuning run",
                hint="continue it with --resume, pick another --out, or pass --overwrite",
            )
        for name in ("checkpoints", "adapter", "model", "merged", "gguf", "data"):
            shutil.rmtree(out / name, ignore_errors=True)
        for name in ("log.jsonl", "result.json", "training_cost.json", "README.md"):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def _read_run(out: Path) -> tuple[list[Conversation], list[Conversation], TuneConfig]:
    if not (out / "config.json").is_file():
        raise RagtuneError(
            f"--resume: {out} is not a fine-tuning run folder (no config.json)",
            hint="point --out at the folder of the interrupted run",
        )
    config = TuneConfig.load(out / "config.json")
    train = load_examples(out / "data" / "train.jsonl")
    val_path = out / "data" / "validation.jsonl"
    val = load_examples(val_path) if val_path.stat().st_size else []
    return train, val, config
