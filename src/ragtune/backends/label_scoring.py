"""Label scoring: the log-probability of each label as the continuation of a prompt.

A label-constrained request is answered by scoring every label after the prompt and taking the
most probable one. Done naively (`score_labels_naive`, the reference) that is one forward pass
per (prompt, label) pair over the whole prompt, with full-vocabulary logits at every position:
77 labels after a 600-token prompt is 46,000 token positions and as many 49,152-wide softmaxes.

`score_labels` gives the same numbers from one forward pass per prompt. The labels' tokens are
laid out as a trie after the prompt in the same row (shared prefixes such as "card_" appear once)
with a tree attention mask: each trie node sees the whole prompt and its own ancestors, at the
position it would have in the naive sequence. Vocabulary logits are computed only where a label
token is predicted (the prompt's last position and the trie's inner nodes). The prompt is thus
encoded once, and the label part costs about one token per distinct label-token prefix.

Requests of one call usually share a long prefix (the chat template and the instructions that
list every label; only the message differs): a 40-label prompt is ~235 tokens of which ~210 are
the same for every item. `score_labels` encodes that common prefix once per call and keeps its
keys and values; each row then runs only its own suffix and the trie against them. Prompts of a
single-request call are encoded whole, so one-by-one latency timing measures a full prompt.

Both functions return, per prompt, each label's summed token log-probability; the caller
normalises them over the label set.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

# Token positions per forward pass of `score_labels`: rows are added to a batch until their
# padded width times the row count passes this (keeps the attention mask and activations small).
MAX_BATCH_TOKENS = 8192
# A common prefix shorter than this is not worth a separate forward pass and a cache copy.
MIN_SHARED_PREFIX = 32


@dataclass(frozen=True)
class LabelTrie:
    """Labels as token paths. Node i holds `tokens[i]`, its parent `parents[i]` (-1: a first
    token) and its `depth` (0 for first tokens); `paths[k]` lists label k's nodes in order."""

    tokens: tuple[int, ...]
    parents: tuple[int, ...]
    depths: tuple[int, ...]
    paths: tuple[tuple[int, ...], ...]

    @classmethod
    def build(cls, label_ids: Sequence[Sequence[int]]) -> LabelTrie:
        tokens: list[int] = []
        parents: list[int] = []
        depths: list[int] = []
        children: dict[tuple[int, int], int] = {}  # (parent node, token) -> node
        paths = []
        for ids in label_ids:
            node, path = -1, []
            for depth, token in enumerate(ids):
                key = (node, int(token))
                if key not in children:
                    children[key] = len(tokens)
                    tokens.append(int(token))
                    parents.append(node)
                    depths.append(depth)
                node = children[key]
                path.append(node)
            paths.append(tuple(path))
        return cls(tuple(tokens), tuple(parents), tuple(depths), tuple(paths))

    @property
    def inner(self) -> list[int]:
        """Nodes with children: the only trie positions whose logits are needed."""
        return sorted({p for p in self.parents if p >= 0})


def label_token_ids(tokenizer: Any, labels: Sequence[str]) -> list[list[int]]:
    """Each label's tokens as the model continues a prompt with it (no special tokens)."""
    return [list(tokenizer(label, add_special_tokens=False)["input_ids"]) for label in labels]


def score_labels(
    lm: Any,
    prompts: Sequence[Sequence[int]],
    label_ids: Sequence[Sequence[int]],
    *,
    pad_id: int = 0,
    max_batch_tokens: int = MAX_BATCH_TOKENS,
    share_prefix: bool = True,
) -> list[list[float]]:
    """Summed log-probability of every label after every prompt, one forward pass per prompt.

    Rows are left-padded into batches; each row is `prompt + trie nodes`, with a 4-D additive
    attention mask (prompt: causal; node: prompt + ancestors + itself) and position ids that put
    a node at `len(prompt) + depth`, exactly where it sits in the naive sequence. With
    `share_prefix`, the prompts' common prefix (at least `MIN_SHARED_PREFIX` tokens, at most all
    but the shortest prompt's last token) is encoded once and every row attends to its cached
    keys and values instead of encoding it again.
    """

    trie = LabelTrie.build(label_ids)
    if any(len(ids) == 0 for ids in label_ids):
        raise ValueError("a label encodes to no tokens")
    shared = _shared_prefix(lm, prompts) if share_prefix else None
    skip = shared.length if shared else 0
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    out: list[list[float]] = [[] for _ in prompts]
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order):
            width = len(prompts[order[end]]) - skip + len(trie.tokens)
            if width * (end - start + 1) > max_batch_tokens:
                break
            end += 1
        rows = [prompts[i][skip:] for i in order[start:end]]
        found = _score_batch(lm, rows, trie, pad_id, shared)
        for i, scores in zip(order[start:end], found, strict=True):
            out[i] = scores
        start = end
    return out


@dataclass(frozen=True)
class _Prefix:
    """The keys and values of `length` prompt tokens every row of a call starts with."""

    length: int
    cache: Any  # a one-row transformers DynamicCache


def _shared_prefix(lm: Any, prompts: Sequence[Sequence[int]]) -> _Prefix | None:
    """Encode the prompts' common prefix once, or None when sharing cannot pay or cannot work.

    Needs two or more prompts, a prefix of `MIN_SHARED_PREFIX` tokens, and a cache whose layers
    all grow by concatenation (sliding-window layers trim what a tree mask may still need).
    """
    import torch
    from transformers import DynamicCache

    if len(prompts) < 2:
        return None
    first, limit = prompts[0], min(len(p) for p in prompts) - 1  # each row keeps >= 1 token
    length = 0
    while length < limit and all(p[length] == first[length] for p in prompts):
        length += 1
    if length < MIN_SHARED_PREFIX:
        return None
    try:
        cache = DynamicCache(config=lm.config)
    except TypeError:  # transformers before per-layer caches: prompts are encoded whole
        return None
    param = next(lm.parameters())
    with torch.inference_mode():
        lm(
            input_ids=torch.tensor([list(first[:length])], device=param.device),
            use_cache=True,
            logits_to_keep=1,
            **{_cache_argument(lm): cache},
        )
    if any(type(layer).__name__ != "DynamicLayer" for layer in getattr(cache, "layers", [None])):
        return None
    return _Prefix(length, cache)


def _cache_argument(lm: Any) -> str:
    """The forward argument that takes a cache: `cache` from transformers 5.25 (which warns on
    `past_key_values` and drops it in 5.40), `past_key_values` before."""
    import inspect

    return "cache" if "cache" in inspect.signature(lm.forward).parameters else "past_key_values"


def _rows_cache(prefix: _Prefix, rows: int) -> Any:
    """A copy of the prefix cache for `rows` rows: views over the one row, no copies (each
    layer's first update concatenates the rows' own keys onto them)."""
    cache = copy.copy(prefix.cache)
    cache.layers = [copy.copy(layer) for layer in prefix.cache.layers]
    for layer in cache.layers:
        layer.keys = layer.keys.expand(rows, -1, -1, -1)
        layer.values = layer.values.expand(rows, -1, -1, -1)
    return cache


def _score_batch(
    lm: Any,
    prompts: Sequence[Sequence[int]],
    trie: LabelTrie,
    pad_id: int,
    prefix: _Prefix | None = None,
) -> list[list[float]]:
    """Score one batch of rows. With `prefix`, the rows are the prompts' suffixes after it:
    their positions start at `prefix.length` and every real token also attends to the prefix."""
    import torch

    n_nodes = len(trie.tokens)
    offset = prefix.length if prefix else 0
    width = max(len(p) for p in prompts) + n_nodes
    ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    positions = torch.zeros((len(prompts), width), dtype=torch.long)
    allowed = torch.zeros((len(prompts), width, offset + width), dtype=torch.bool)
    inner = trie.inner
    keep = torch.zeros((len(prompts), 1 + len(inner)), dtype=torch.long)
    # ancestors[i]: the trie nodes node i attends to (itself included)
    ancestors = []
    for i in range(n_nodes):
        chain, node = [], i
        while node >= 0:
            chain.append(node)
            node = trie.parents[node]
        ancestors.append(chain)
    # Mask columns: the prefix's `offset` cached positions, then this batch's `width` positions
    # (c = offset + query position); every real token sees the whole prefix.
    for r, prompt in enumerate(prompts):
        pad, n = width - n_nodes - len(prompt), len(prompt)
        c = offset + pad  # the mask column of the row's first real token
        ids[r, pad : pad + n] = torch.tensor(list(prompt), dtype=torch.long)
        ids[r, pad + n :] = torch.tensor(trie.tokens, dtype=torch.long)
        positions[r, pad : pad + n] = offset + torch.arange(n)
        positions[r, pad + n :] = offset + n + torch.tensor(trie.depths, dtype=torch.long)
        allowed[r, pad:, :offset] = True
        allowed[r, pad : pad + n, c : c + n] = torch.ones(n, n, dtype=torch.bool).tril()
        allowed[r, pad + n :, c : c + n] = True
        for i, chain in enumerate(ancestors):
            allowed[r, pad + n + i, [c + n + a for a in chain]] = True
        allowed[r, range(pad), range(offset, offset + pad)] = True  # padding sees itself
        keep[r, 0] = pad + n - 1
        keep[r, 1:] = torch.tensor([pad + n + i for i in inner], dtype=torch.long)
    param = next(lm.parameters())
    mask = torch.zeros(allowed.shape, dtype=param.dtype)
    mask.masked_fill_(~allowed, torch.finfo(param.dtype).min)
    cached = {_cache_argument(lm): _rows_cache(prefix, len(prompts))} if prefix else {}
    with torch.inference_mode():
        logits = lm(
            input_ids=ids.to(param.device),
            attention_mask=mask.unsqueeze(1).to(param.device),
            position_ids=positions.to(param.device),
            logits_to_keep=keep.to(param.device),
            **cached,
        ).logits.float()
    logprobs = torch.log_softmax(logits, dim=-1).cpu()  # (rows, 1 + inner, vocab)
    slot = {node: 1 + j for j, node in enumerate(inner)}  # kept position predicting a child
    scores = []
    for r in range(len(prompts)):
        node_lp = [
            float(logprobs[r, 0 if trie.parents[i] < 0 else slot[trie.parents[i]], token])
            for i, token in enumerate(trie.tokens)
        ]
        scores.append([sum(node_lp[i] for i in path) for path in trie.paths])
    return scores


def score_labels_naive(
    lm: Any,
    prompts: Sequence[Sequence[int]],
    label_ids: Sequence[Sequence[int]],
    *,
    pad_id: int = 0,
    batch_size: int = 16,
) -> list[list[float]]:
    """The reference: every (prompt, label) sequence in full, vocabulary logits everywhere.

    This was the local backend's label scoring before `score_labels`; it stays as the reference
    the fast path is tested and benchmarked against.
    """
    import torch

    sequences, spans = [], []  # spans: (prompt index, first label position, label length)
    for j, prompt in enumerate(prompts):
        for label in label_ids:
            sequences.append(list(prompt) + list(label))
            spans.append((j, len(prompt), len(label)))
    device = next(lm.parameters()).device
    flat: list[float] = []
    for start in range(0, len(sequences), batch_size):
        chunk = sequences[start : start + batch_size]
        batch, attention = left_pad(chunk, pad_id)
        positions = (attention.cumsum(-1) - 1).clamp(min=0)
        with torch.inference_mode():
            logits = lm(
                input_ids=batch.to(device),
                attention_mask=attention.to(device),
                position_ids=positions.to(device),
            ).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1)
        picked = logprobs.gather(-1, batch[:, 1:].to(device).unsqueeze(-1)).squeeze(-1).cpu()
        for k, seq in enumerate(chunk):
            _, prompt_len, label_len = spans[start + k]
            first = batch.shape[1] - len(seq) + prompt_len - 1  # logit at p predicts token p+1
            flat.append(float(picked[k, first : first + label_len].sum()))
    n = len(label_ids)
    return [flat[j * n : (j + 1) * n] for j in range(len(prompts))]


def left_pad(seqs: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token id lists as one left-padded batch (ids, attention mask): decoder-only models
    continue from the last position, so the padding goes before the prompt."""
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, width - len(s) :] = torch.tensor(s, dtype=torch.long)
        mask[i, width - len(s) :] = 1
    return ids, mask
