"""The head-on-answers-only loss equals the model's own loss, packed or padded."""

from __future__ import annotations

from typing import Any

import pytest

from ragtune.finetune.batching import MicroBatch, to_tensors
from ragtune.finetune.loss import loss_sum
from ragtune.finetune.render import render_all

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model() -> Any:
    import torch

    from ragtune.backends.loading import load_causal_lm

    torch.set_num_threads(1)
    return load_causal_lm("smollm2-135m")[0]


def reference(model: Any, batch: dict[str, Any]) -> float:
    """transformers' own loss for one unpacked example (mean over labelled tokens) x count."""
    out = model(**batch, use_cache=False)
    n = int((batch["labels"][:, 1:] != -100).sum())
    return float(out.loss) * n


def test_packed_and_padded_losses_match_one_by_one(
    model: Any, tokenizer: Any, intents: list[Any]
) -> None:
    import torch

    data, _ = render_all(tokenizer, intents[:6], 256)
    pad = tokenizer.pad_token_id
    with torch.no_grad():
        one_by_one = sum(
            reference(model, to_tensors(MicroBatch(((i,),), False), data, pad)[0]) for i in range(6)
        )
        packed, n_packed = loss_sum(
            model, to_tensors(MicroBatch((tuple(range(6)),), True), data, pad)[0]
        )
        padded, n_padded = loss_sum(
            model, to_tensors(MicroBatch(tuple((i,) for i in range(6)), False), data, pad)[0]
        )
    assert n_packed == n_padded == sum(r.n_trained for r in data)
    assert float(packed) == pytest.approx(one_by_one, rel=1e-4)
    assert float(padded) == pytest.approx(one_by_one, rel=1e-4)
