"""The local backend: transformers on CPU or GPU, batched, with exact token counts.

Requests are rendered with the model's chat template, tokenized, left-padded into batches of up
to `batch_size` (sorted by length, so little is wasted on padding) and decoded greedily unless a
request asks for a temperature; sampling is seeded by the request's seed. Usage comes from the
tokenizer: input = the rendered prompt's tokens, output = every generated token up to and
including the end-of-turn token or the token that completed a stop string. The local model has
no prompt cache, so cache-write and cache-read counts are always 0.

Confidence: `mean_logprob` is the mean log-probability of the generated tokens (under the
distribution they were drawn from). For label-constrained requests the model scores every label
as a continuation of the prompt, encoding the prompt once (`label_scoring.py`), and answers with
the most probable one; `label_probs` are the labels' sequence probabilities normalised over the
label set.

Not done: JSON-schema constrained decoding (the schema is ignored; validate the output), KV
prefix caching across requests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ragtune.backends.base import FinishReason, Latency, Request, Response, Usage
from ragtune.backends.label_scoring import label_token_ids, left_pad, score_labels
from ragtune.backends.loading import load_causal_lm

if TYPE_CHECKING:
    import torch

# Called once per generated token: (index of the request in the generate() call, token id).
TokenCallback = Callable[[int, int], None]

DEFAULT_BATCH_SIZE = 16  # 16 rows keep 2 CPU cores busy; larger batches gain little (benchmarks)


@dataclass
class _Row:
    index: int  # position in the caller's request list
    request: Request
    prompt_ids: list[int]


class LocalBackend:
    """A transformers model answering chat requests in batches.

    The model loads on the first `generate` call (or `load()`), so a backend whose answers all
    come from the response cache never loads it. Thread-safe: calls run one at a time.
    """

    def __init__(
        self,
        model: str = "smollm2-135m",
        *,
        device: str = "cpu",
        adapter: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        name: str | None = None,
    ) -> None:
        self.model = model
        self.name = name or f"local:{model}"
        self.device = device
        self.adapter = adapter
        self.batch_size = batch_size
        self._lm: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def params(self) -> dict[str, Any]:
        """What besides the request changes an answer (part of the response-cache key)."""
        return {"adapter": self.adapter, "device": self.device}

    def load(self) -> None:
        if self._lm is None:
            self._lm, self._tokenizer = load_causal_lm(
                self.model, device=self.device, adapter=self.adapter
            )

    @property
    def tokenizer(self) -> Any:
        self.load()
        return self._tokenizer

    @property
    def eos_ids(self) -> set[int]:
        """Token ids that end an answer (eos and the template's end-of-turn tokens)."""
        self.load()
        return _eos_ids(self._lm, self._tokenizer)

    def close(self) -> None:
        self._lm = self._tokenizer = None

    def prompt_ids(self, request: Request) -> list[int]:
        """The exact token ids the model sees for `request` (chat template applied)."""
        text = self.tokenizer.apply_chat_template(
            request.chat_messages(), tokenize=False, add_generation_prompt=True
        )
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def generate(
        self, requests: Sequence[Request], *, on_token: TokenCallback | None = None
    ) -> list[Response]:
        """Answer `requests` in order; `on_token` sees each generated token as it is made."""
        with self._lock:
            self.load()
            rows = [_Row(i, r, self.prompt_ids(r)) for i, r in enumerate(requests)]
            out: list[Response | None] = [None] * len(rows)
            free = [r for r in rows if r.request.labels is None]
            labelled = [r for r in rows if r.request.labels is not None]
            for batch in _batches(free, self.batch_size):
                for row, response in zip(batch, self._decode(batch, on_token), strict=True):
                    out[row.index] = response
            for batch in _batches(labelled, self.batch_size):
                for row, response in zip(batch, self._classify(batch), strict=True):
                    out[row.index] = response
            return [r for r in out if r is not None]

    # --- free generation ----------------------------------------------------------------------

    def _decode(self, batch: list[_Row], on_token: TokenCallback | None) -> list[Response]:
        import torch

        tokenizer, lm = self._tokenizer, self._lm
        input_ids, attention = left_pad([r.prompt_ids for r in batch], tokenizer.pad_token_id)
        temperature, stop = batch[0].request.temperature, batch[0].request.stop
        recorder = _StepRecorder(len(batch), [r.index for r in batch], on_token)
        torch.manual_seed(batch[0].request.seed)
        started = time.perf_counter()
        recorder.started = started
        with torch.inference_mode():
            sequences = lm.generate(
                input_ids=input_ids.to(lm.device),
                attention_mask=attention.to(lm.device),
                max_new_tokens=max(r.request.max_tokens for r in batch),
                do_sample=temperature > 0,
                temperature=temperature if temperature > 0 else None,
                top_p=None,
                top_k=None,
                logits_processor=[recorder],
                streamer=recorder,
                pad_token_id=tokenizer.pad_token_id,
                # rows stop at their stop strings instead of running on to max_tokens
                **({"stop_strings": list(stop), "tokenizer": tokenizer} if stop else {}),
            )
        total = time.perf_counter() - started
        generated = sequences[:, input_ids.shape[1] :].tolist()
        eos = self.eos_ids
        responses = []
        for j, row in enumerate(batch):
            tokens, finish = _trim(generated[j], row.request, eos, tokenizer)
            logprobs = recorder.logprobs[j][: len(tokens)]
            text = tokenizer.decode([t for t in tokens if t not in eos], skip_special_tokens=True)
            responses.append(
                Response(
                    text=_cut_at_stop(text, row.request.stop),
                    finish_reason=finish,
                    usage=Usage(input_tokens=len(row.prompt_ids), output_tokens=len(tokens)),
                    latency=Latency(total_s=total, ttft_s=recorder.first_token_s),
                    backend=self.name,
                    model=self.model,
                    mean_logprob=sum(logprobs) / len(logprobs) if logprobs else None,
                    raw={"tokens": tokens, "logprobs": logprobs},
                )
            )
        return responses

    # --- label scoring ------------------------------------------------------------------------

    def _classify(self, batch: list[_Row]) -> list[Response]:
        """Score every label after each prompt; answer with the most probable label.

        The prompt is encoded once and the labels scored as a trie of continuations
        (`label_scoring.score_labels`); the answer and probabilities equal scoring each
        (prompt, label) sequence in full, which `score_labels_naive` keeps as the reference.
        """
        import torch

        tokenizer, lm = self._tokenizer, self._lm
        started = time.perf_counter()
        groups: dict[tuple[str, ...], list[int]] = {}  # rows sharing a label set score together
        for j, row in enumerate(batch):
            groups.setdefault(tuple(row.request.labels or ()), []).append(j)
        scores: dict[int, list[float]] = {}
        lengths: dict[tuple[str, ...], list[int]] = {}
        for labels, members in groups.items():
            label_ids = label_token_ids(tokenizer, labels)
            lengths[labels] = [len(ids) for ids in label_ids]
            found = score_labels(
                lm, [batch[j].prompt_ids for j in members], label_ids, pad_id=tokenizer.pad_token_id
            )
            scores.update(zip(members, found, strict=True))
        total = time.perf_counter() - started
        responses = []
        for j, row in enumerate(batch):
            labels = tuple(row.request.labels or ())
            probs = torch.softmax(torch.tensor(scores[j], dtype=torch.float64), dim=0).tolist()
            best = max(range(len(labels)), key=lambda i: probs[i])
            n_tokens = lengths[labels][best]
            responses.append(
                Response(
                    text=labels[best],
                    finish_reason="label",
                    usage=Usage(input_tokens=len(row.prompt_ids), output_tokens=n_tokens),
                    latency=Latency(total_s=total, ttft_s=total),
                    backend=self.name,
                    model=self.model,
                    mean_logprob=scores[j][best] / max(n_tokens, 1),
                    label_probs=tuple(zip(labels, probs, strict=True)),
                )
            )
        return responses


class _StepRecorder:
    """Both a logits processor and a streamer for `generate`.

    As a processor it keeps the last step's log-probabilities; as a streamer it receives the
    tokens chosen from them, so it can record each token's log-probability, the time to the
    first token, and pass tokens on to a callback. Memory stays one step of logits, not all.
    """

    def __init__(self, n: int, indexes: list[int], on_token: TokenCallback | None) -> None:
        self.logprobs: list[list[float]] = [[] for _ in range(n)]
        self.indexes = indexes
        self.on_token = on_token
        self.started = 0.0
        self.first_token_s: float | None = None
        self._last: torch.Tensor | None = None
        self._prompt_seen = False

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        import torch

        self._last = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def put(self, value: torch.Tensor) -> None:
        if not self._prompt_seen:  # generate() first hands over the prompt itself
            self._prompt_seen = True
            return
        if self.first_token_s is None:
            self.first_token_s = time.perf_counter() - self.started
        tokens = value.reshape(-1).tolist()
        if self._last is not None:
            picked = self._last.gather(-1, value.reshape(-1, 1).to(self._last.device))
            for j, lp in enumerate(picked.reshape(-1).tolist()):
                self.logprobs[j].append(lp)
        if self.on_token is not None:
            for j, token in enumerate(tokens):
                self.on_token(self.indexes[j], token)

    def end(self) -> None:
        pass


def _batches(rows: list[_Row], size: int) -> list[list[_Row]]:
    """Rows grouped by sampling settings and stop strings, sorted by length, cut into batches."""
    groups: dict[tuple[float, int, tuple[str, ...]], list[_Row]] = {}
    for row in rows:
        r = row.request
        groups.setdefault((r.temperature, r.seed, r.stop), []).append(row)
    batches = []
    for group in groups.values():
        group.sort(key=lambda r: len(r.prompt_ids))
        batches += [group[i : i + size] for i in range(0, len(group), size)]
    return batches


def _eos_ids(lm: Any, tokenizer: Any) -> set[int]:
    eos = lm.generation_config.eos_token_id
    ids = {eos} if isinstance(eos, int) else set(eos or [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


def _trim(
    tokens: list[int], request: Request, eos: set[int], tokenizer: Any
) -> tuple[list[int], FinishReason]:
    """Generated tokens up to the end of the answer, and why it ended.

    A stop string wins over a later end-of-turn token: rows stopped by a stop string are padded
    with the pad token, which for some models is the end-of-turn token itself.
    """
    kept = tokens[: request.max_tokens]
    end = next((i + 1 for i, t in enumerate(kept) if t in eos), None)
    answer = kept[: end - 1] if end is not None else kept
    if request.stop:
        text = tokenizer.decode(answer, skip_special_tokens=True)
        if any(s in text for s in request.stop):
            for i in range(1, len(answer) + 1):  # the token that completes the stop string
                prefix = tokenizer.decode(answer[:i], skip_special_tokens=True)
                if any(s in prefix for s in request.stop):
                    return answer[:i], "stop"
    if end is not None:
        return kept[:end], "stop"
    return kept, "length"


def _cut_at_stop(text: str, stop: Sequence[str]) -> str:
    cut = min((text.find(s) for s in stop if s in text), default=-1)
    return text[:cut] if cut >= 0 else text
