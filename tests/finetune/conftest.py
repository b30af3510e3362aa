"""Fixtures for the fine-tuning tests: the bundled SmolLM2 tokenizer and one tiny trained run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def intents() -> list[Any]:
    from ragtune.finetune.data import load_examples

    return load_examples(DATA / "intents_train.jsonl")


@pytest.fixture(scope="session")
def tokenizer() -> Any:
    from ragtune.backends.loading import load_tokenizer

    return load_tokenizer("smollm2-135m")


def _tiny_config(**changes: Any) -> Any:
    """A LoRA run small enough for the test suite: a few steps of 4 short examples."""
    from ragtune.finetune import TuneConfig

    base = dict(
        base="smollm2-135m",
        max_steps=3,
        batch_size=4,
        learning_rate=1e-3,
        lora_r=4,
        lora_alpha=8,
        val_fraction=0.2,
        eval_every=3,
        checkpoint_every=0,
        threads=1,
        seed=0,
    )
    return TuneConfig(**{**base, **changes})


@pytest.fixture(scope="session")
def tiny_config() -> Any:
    """Factory: `tiny_config(max_steps=6)` gives the test-sized TuneConfig with changes."""
    return _tiny_config


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, intents: list[Any]) -> Any:
    from ragtune.finetune.run import tune

    out = tmp_path_factory.mktemp("tiny-run")
    result = tune(_tiny_config(), out, examples=intents[:30], task="classify")
    return out, result
