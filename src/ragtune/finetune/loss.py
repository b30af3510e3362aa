"""Causal-LM loss that runs the output layer only where there is something to learn.

With loss on the answers only, most positions carry no label, yet a plain forward pass computes
vocabulary-sized logits (49k for SmolLM2) at every position: about a fifth of the FLOPs of a
135M model and most of its activation memory. `loss_sum` runs the decoder, gathers the hidden
states of labelled positions and applies the head to those alone. Models whose head does more
than a linear layer (logit scaling, soft-capping not listed here) take the plain path.
"""

from __future__ import annotations

from typing import Any

from ragtune.finetune.render import IGNORE

# Architectures whose logits are exactly `lm_head(final hidden state)` (checked in the tests
# against the model's own forward for the bundled ones).
PLAIN_HEAD = {"llama", "mistral", "qwen2", "qwen3", "gemma3_text", "smollm3", "phi3", "olmo2"}


def _unwrap(model: Any) -> Any:
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def loss_sum(model: Any, batch: dict[str, Any]) -> tuple[Any, int]:
    """(sum of token cross-entropies over labelled positions, number of labelled positions)."""
    import torch.nn.functional as F

    labels = batch["labels"]
    target = labels[:, 1:]
    keep = target != IGNORE
    n = int(keep.sum())
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    base = _unwrap(model)
    config = base.config
    softcap = getattr(config, "final_logit_softcapping", None)
    if config.model_type in PLAIN_HEAD and hasattr(base, "get_decoder"):
        hidden = base.get_decoder()(**inputs, use_cache=False).last_hidden_state
        logits = base.get_output_embeddings()(hidden[:, :-1][keep]).float()
    else:
        logits = model(**inputs, use_cache=False).logits[:, :-1][keep].float()
        softcap = None  # the model's own forward already applied it
    if softcap:
        logits = (logits / softcap).tanh() * softcap
    return F.cross_entropy(logits, target[keep], reduction="sum"), n
