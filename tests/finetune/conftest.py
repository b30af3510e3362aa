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
    """One tiny trained LoRA run, for every test that only needs *a* trained run.

    Trained once per test run: under xdist the first worker that needs it trains it in the
    run's shared temporary folder (behind a file lock, as `real_run`), and every worker reads
    it back (the result file the recipe wrote) into its own copy, since export writes into it.
    """
    import dataclasses
    import os
    import pickle
    import shutil

    from filelock import FileLock

    from ragtune.finetune.run import tune

    out = tmp_path_factory.mktemp("tiny-run")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return out, tune(_tiny_config(), out, examples=intents[:30], task="classify")
    built = tmp_path_factory.getbasetemp().parent / "tiny-run"
    with FileLock(f"{built}.lock"):
        if not (built / "result.pickle").exists():
            shutil.rmtree(built, ignore_errors=True)
            result = tune(_tiny_config(), built, examples=intents[:30], task="classify")
            (built / "result.pickle").write_bytes(pickle.dumps(result))
    shutil.copytree(built, out, dirs_exist_ok=True)
    result = pickle.loads((out / "result.pickle").read_bytes())
    weights = out / Path(result.weights).relative_to(built)
    return out, dataclasses.replace(result, out_dir=str(out), weights=str(weights))
