"""The trie scorer gives the naive scorer's numbers: a tiny random Llama (fast) and SmolLM2 (slow).

The naive scorer is the reference: each (prompt, label) sequence run in full, the label's token
log-probabilities summed. Any mistake in the tree mask, the position ids, the padding or the
positions whose logits are kept shows up as a difference far above float32 noise (~1e-6).
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from ragtune.backends.label_scoring import (  # noqa: E402
    LabelTrie,
    score_labels,
    score_labels_naive,
)


@pytest.fixture(scope="module")
def tiny_lm() -> object:
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        attn_implementation="sdpa",
    )
    return transformers.LlamaForCausalLM(config).eval()


# Labels sharing prefixes (a trie with shared nodes), one a prefix of another, one a single token.
LABELS = [[5, 6, 7], [5, 6, 8], [5, 9], [10], [10, 11, 12, 13], [5, 6]]
PROMPTS = [[1, 2, 3, 4], [20, 21], list(range(30, 55)), [3]]


def test_trie_shares_prefixes_and_keeps_each_path() -> None:
    trie = LabelTrie.build(LABELS)
    # nodes: 5, 6, 7, 8, 9, 10, 11, 12, 13 -> 9 nodes for 15 label tokens
    assert len(trie.tokens) == 9
    assert [[trie.tokens[n] for n in path] for path in trie.paths] == LABELS
    assert trie.depths[trie.paths[4][-1]] == 3
    # inner nodes (whose logits are needed): 5, 6, 10, 11, 12
    assert sorted(trie.tokens[n] for n in trie.inner) == [5, 6, 10, 11, 12]


@pytest.mark.parametrize("max_batch_tokens", [8192, 40])  # one batch; one row per batch
def test_trie_scores_equal_the_naive_scores(tiny_lm: object, max_batch_tokens: int) -> None:
    fast = score_labels(tiny_lm, PROMPTS, LABELS, pad_id=0, max_batch_tokens=max_batch_tokens)
    slow = score_labels_naive(tiny_lm, PROMPTS, LABELS, pad_id=0, batch_size=4)
    for row_fast, row_slow in zip(fast, slow, strict=True):
        assert row_fast == pytest.approx(row_slow, abs=1e-4)


# Four prompts sharing a 40-token prefix (>= MIN_SHARED_PREFIX), then 1 to 12 tokens of their own;
# the shortest is the prefix plus one token, so the shared part is exactly 40 tokens.
SHARED = list(range(12, 52))
PREFIXED = [[*SHARED, 3], [*SHARED, 1, 2, 3, 4], SHARED + list(range(52, 64)), [*SHARED, 9, 9]]


@pytest.mark.parametrize("max_batch_tokens", [8192, 40])  # one batch; one row per batch
def test_a_shared_prefix_encoded_once_gives_the_naive_scores(
    tiny_lm: object, max_batch_tokens: int
) -> None:
    """The prefix's cached keys and values, the suffix positions after it and the mask columns
    that join them: any slip moves a score far above float32 noise."""
    from ragtune.backends import label_scoring

    assert label_scoring._shared_prefix(tiny_lm, PREFIXED).length == 40  # type: ignore[union-attr]
    fast = score_labels(tiny_lm, PREFIXED, LABELS, pad_id=0, max_batch_tokens=max_batch_tokens)
    whole = score_labels(tiny_lm, PREFIXED, LABELS, pad_id=0, share_prefix=False)
    slow = score_labels_naive(tiny_lm, PREFIXED, LABELS, pad_id=0, batch_size=4)
    for row_fast, row_whole, row_slow in zip(fast, whole, slow, strict=True):
        assert row_fast == pytest.approx(row_slow, abs=1e-4)
        assert row_fast == pytest.approx(row_whole, abs=1e-4)


def test_a_short_or_single_prompt_prefix_is_not_shared(tiny_lm: object) -> None:
    from ragtune.backends import label_scoring

    assert label_scoring._shared_prefix(tiny_lm, PREFIXED[:1]) is None  # one request: whole
    short = [[*SHARED[:31], 3], [*SHARED[:31], 4, 5]]  # 31 common tokens < 32
    assert label_scoring._shared_prefix(tiny_lm, short) is None


def test_naive_scores_match_a_hand_computed_sum(tiny_lm: object) -> None:
    """The reference itself: label [5, 9] after [1, 2, 3, 4] is
    log p(5 | 1 2 3 4) + log p(9 | 1 2 3 4 5)."""
    with torch.inference_mode():
        logits = tiny_lm(input_ids=torch.tensor([[1, 2, 3, 4, 5, 9]])).logits[0].float()
    logprobs = torch.log_softmax(logits, dim=-1)
    expected = float(logprobs[3, 5] + logprobs[4, 9])
    got = score_labels_naive(tiny_lm, [[1, 2, 3, 4]], [[5, 9]], pad_id=0)[0][0]
    assert math.isclose(got, expected, abs_tol=1e-5)


def test_an_empty_label_is_refused(tiny_lm: object) -> None:
    with pytest.raises(ValueError, match="no tokens"):
        score_labels(tiny_lm, [[1, 2]], [[5], []])


@pytest.mark.slow
def test_smollm2_label_probabilities_equal_the_naive_ones() -> None:
    """The local backend's answers on a real model: same argmax, probabilities within 1e-4."""
    from ragtune.backends.base import Request
    from ragtune.backends.label_scoring import label_token_ids
    from ragtune.backends.local import LocalBackend

    backend = LocalBackend("smollm2-135m")
    labels = ("billing", "bill_dispute", "card_lost", "card_arrival", "refund", "other")
    requests = [
        Request.ask(text, system="Classify the message.", labels=labels)
        for text in ("My card never came in the post.", "I was charged twice, refund me", "hi")
    ]
    responses = backend.generate(requests)
    ids = label_token_ids(backend.tokenizer, labels)
    naive = score_labels_naive(
        backend._lm, [backend.prompt_ids(r) for r in requests], ids, pad_id=0
    )
    for response, scores in zip(responses, naive, strict=True):
        probs = torch.softmax(torch.tensor(scores, dtype=torch.float64), dim=0).tolist()
        assert response.text == labels[probs.index(max(probs))]
        got = [p for _, p in response.label_probs or ()]
        assert got == pytest.approx(probs, abs=1e-4)
