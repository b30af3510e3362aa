"""Cacheable prefixes: noted while arms run, priced as cache writes and reads in the projection.

A local model has no prompt cache, so its measured cache-write and cache-read counts are 0 and
every prompt token is plain input. An API provider caches the prefix each arm marks
(`Request.cache_prefix`: the system prompt plus the first n messages). While an arm runs,
`CallRecorder` wraps its backends and sets on each response a fingerprint of that prefix, its
share of the prompt, the size of the batch the call went out in, and any one-off model loading
inside the call (`Response.prefix`, `prefix_share`, `batch`, `load_s`). The notes travel with
the response into the arm's `Call` and the stored `Measurement`, so pricing reads the store,
never re-runs a model, and never has to match a note back to a call.

Projection model (simple on purpose): within a run, the first call with a given prefix writes
it to the provider's cache and every later call with the same prefix reads it, so N calls that
share D distinct prefixes have a hit rate of 1 - D/N. That assumes the calls come within the
cache's time-to-live (5 minutes at Anthropic), i.e. the prefix is used at least every few minutes
in production. Prefix tokens = the call's measured prompt tokens x the prefix's share of the
prompt's characters (no tokenizer is loaded to count); a call that measured cache tokens itself
(an API backend with caching) gives its prefix in tokens, and its split is re-done by the
projected model's rules. Prefixes below the projected model's minimum (`MIN_CACHEABLE_TOKENS`
when it names none) are plain input, as providers do not cache them. Deliberately not here: the
prices (catalog).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ragtune.backends import Backend, Request, Response
from ragtune.store import Measurement

# The smallest cacheable prefix when the projected model's catalog entry does not say (OpenAI's
# and most Anthropic models'); per-model values are in the catalog's `cache:` blocks.
MIN_CACHEABLE_TOKENS = 1024


def min_cacheable_tokens(price: Any) -> int:
    """The projected model's minimum cacheable prefix (a catalog `ModelPrice`), from its `cache:`
    block: Haiku 4.5 caches nothing below 4,096 tokens, Haiku 3.5 below 2,048."""
    cache = getattr(price, "cache", None)
    return MIN_CACHEABLE_TOKENS if cache is None else int(cache.min_prefix_tokens)


def prefix_note(request: Request) -> tuple[str | None, float]:
    """The cacheable part of `request`: (fingerprint or None, its share of the prompt)."""
    whole = request.system + "".join(m.content for m in request.messages)
    if request.cache_prefix is None or not whole:
        return None, 0.0
    text = request.system + "".join(
        f"\x00{m.role}\x00{m.content}" for m in request.messages[: request.cache_prefix]
    )
    cached = request.system + "".join(m.content for m in request.messages[: request.cache_prefix])
    return hashlib.sha256(text.encode()).hexdigest()[:16], len(cached) / len(whole)


class CallRecorder:
    """A backend that notes on each response its request's cacheable prefix and batch size."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model

    def __getattr__(self, name: str) -> Any:  # context_window, params, tokenizer, ...
        return getattr(self.inner, name)

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        model = _innermost(self.inner)
        unloaded = getattr(model, "_lm", False) is None  # a local model loads on first use
        started = time.perf_counter()
        responses = self.inner.generate(requests)
        load_s = 0.0
        if unloaded and getattr(model, "_lm", None) is not None:
            # the call's own latency starts after loading; the rest of the wait was the load
            decoding = sum({r.latency.total_s for r in responses if not r.cached})
            load_s = max(0.0, time.perf_counter() - started - decoding)
        out = []
        for i, (request, response) in enumerate(zip(requests, responses, strict=False)):
            prefix, share = prefix_note(request)
            out.append(
                replace(
                    response,
                    prefix=prefix,
                    prefix_share=share,
                    batch=len(requests),
                    load_s=load_s if i == 0 else 0.0,  # once per batch, on its first response
                )
            )
        return out

    def close(self) -> None:
        self.inner.close()


def _innermost(backend: Any) -> Any:
    while hasattr(backend, "inner"):
        backend = backend.inner
    return backend


def record_calls(resources: Any) -> None:
    """Wrap the resources' backends (once each, keeping shared ones shared) in a recorder."""
    wrapped: dict[int, CallRecorder] = {}
    for attr in ("cheap", "strong", "tuned"):
        backend = getattr(resources, attr)
        if backend is None or isinstance(backend, CallRecorder):
            continue
        if id(backend) not in wrapped:
            wrapped[id(backend)] = CallRecorder(backend)
        setattr(resources, attr, wrapped[id(backend)])


@dataclass(frozen=True)
class ProjectedCall:
    """A measured call with its prompt split the way a caching API provider would bill it."""

    call: Measurement
    input_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int

    @property
    def measurement(self) -> Measurement:
        return replace(
            self.call,
            input_tokens=self.input_tokens,
            cache_write_tokens=self.cache_write_tokens,
            cache_read_tokens=self.cache_read_tokens,
        )


def project_prefixes(
    predictions: Iterable[Sequence[Measurement]],
    *,
    min_tokens: int = MIN_CACHEABLE_TOKENS,
) -> list[list[ProjectedCall]]:
    """Per prediction (its calls with their prefix notes, in run order), the projected calls.

    The first use of a prefix is a cache write, every later use a read (see the module
    docstring), by the projected model's own rules: a prefix below its `min_tokens` is plain
    input even when the measured provider cached it (gpt-4o-mini caches 1,536 tokens, Haiku 4.5
    nothing under 4,096), and a prefix the measured provider read is written on its first use.
    """
    seen: set[str] = set()
    out = []
    for calls in predictions:
        projected = []
        for call in calls:
            prompt = call.input_tokens + call.cache_write_tokens + call.cache_read_tokens
            measured = call.cache_write_tokens + call.cache_read_tokens
            # the provider's own count when it cached; else the recorder's share of the prompt
            prefix_tokens = measured or round(prompt * call.prefix_share)
            key = call.prefix or (f"measured:{call.model}:{measured}" if measured else None)
            if key is None or prefix_tokens < max(1, min_tokens):
                projected.append(ProjectedCall(call, prompt, 0, 0))  # plain input there
                continue
            hit = key in seen
            seen.add(key)
            write, read = (0, prefix_tokens) if hit else (prefix_tokens, 0)
            projected.append(ProjectedCall(call, prompt - prefix_tokens, write, read))
        out.append(projected)
    return out
