"""The catalog's entries: one frozen record per kind of price, each with its source and date.

`catalog.py` reads them from price files and the price library; the formulas read their numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ragtune.cost.formulas import api_request_cost
from ragtune.cost.library import Tier
from ragtune.errors import RagtuneError


@dataclass(frozen=True)
class CacheTtl:
    """One cache lifetime a provider sells: a prefix written at `write_multiplier` x input price
    stays readable for `minutes` after its last use."""

    name: str  # "5m", "1h": the name scenarios use (`cache_ttl: 1h`)
    minutes: float
    write_multiplier: float


@dataclass(frozen=True)
class CachePolicy:
    """How a model's provider caches prompt prefixes, with where and when that was read.

    A prefix shorter than `min_prefix_tokens` is not cached at all (billed as plain input). The
    first TTL is the default one. New per-model cache facts go here as fields with defaults, so
    price files that do not mention them keep loading.
    """

    min_prefix_tokens: int
    read_multiplier: float
    ttls: tuple[CacheTtl, ...]
    source: str
    as_of: str

    def ttl(self, name: str | None = None) -> CacheTtl:
        """The named TTL option (default: the first), or an error listing the offered ones."""
        if name is None:
            return self.ttls[0]
        for ttl in self.ttls:
            if ttl.name == name:
                return ttl
        raise RagtuneError(
            f"cache_ttl {name!r} is not offered for this model",
            hint="offered: " + ", ".join(t.name for t in self.ttls),
        )


@dataclass(frozen=True)
class ModelPrice:
    name: str
    provider: str
    input_per_m: float
    output_per_m: float
    source: str
    as_of: str
    # Both come from `cache` when the entry has one (the default TTL's write price and the read
    # price); a price file without a `cache:` block may set them directly.
    cache_write_multiplier: float = 1.0
    cache_read_multiplier: float = 1.0
    cache: CachePolicy | None = None
    training_per_m: float | None = None
    base: str | None = None
    context_window: int | None = None
    aliases: tuple[str, ...] = ()
    # Above the tier's threshold (prompt tokens in one request) every token is billed at the
    # tier's prices; the cache multipliers apply to the tier's input price (the library's data).
    long_context: Tier | None = None
    origin: str = ""  # where the entry came from: "genai-prices", "bundled overlay", a file

    def usd(
        self,
        *,
        input_tokens: float,
        output_tokens: float,
        cache_write_tokens: float = 0.0,
        cache_read_tokens: float = 0.0,
    ) -> float:
        """Dollars for one call billed the way the provider reports it: uncached input, cache
        writes and reads, output (`formulas.api_request_cost`, long-context tier included)."""
        prefix = cache_write_tokens + cache_read_tokens
        tier = self.long_context
        return float(
            api_request_cost(
                input_per_m=self.input_per_m,
                output_per_m=self.output_per_m,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cached_prefix_tokens=prefix,
                cache_hit_rate=cache_read_tokens / prefix if prefix else 0.0,
                cache_write_multiplier=self.cache_write_multiplier,
                cache_read_multiplier=self.cache_read_multiplier,
                long_context_from=tier.threshold if tier else math.inf,
                long_input_per_m=tier.input_per_m if tier else 0.0,
                long_output_per_m=tier.output_per_m if tier else 0.0,
            )
        )

    def check_fits(self, prompt_tokens: float) -> None:
        """Refuse a request longer than the model's context window (it cannot be sent)."""
        if self.context_window is not None and prompt_tokens > self.context_window:
            raise RagtuneError(
                f"{prompt_tokens:,.0f} prompt tokens do not fit {self.name}'s context window "
                f"of {self.context_window:,} tokens",
                hint="use a model with a longer window (`ragtune prices` shows them) or "
                "shorten the request (fewer retrieved passages, a smaller knowledge base)",
            )


@dataclass(frozen=True)
class ModelRule:
    """What the price library lacks about a model (or, keyed by provider, about all of a
    provider's models): its cache minimum and TTLs, extra names, the library's ID for it."""

    name: str
    source: str
    as_of: str
    min_prefix_tokens: int | None = None  # None: the provider caches no prefixes
    ttls: tuple[str, ...] = ("5m",)
    library: str | None = None  # the library's reference when it differs from `name`
    aliases: tuple[str, ...] = ()
    # The longest prompt the model accepts when the library states only its default window
    # (Sonnet 4 / 4.5 take 1M tokens with the long-context option its tier prices).
    context_window: int | None = None


@dataclass(frozen=True)
class GpuPrice:
    name: str
    hourly: float
    source: str
    as_of: str
    memory_gb: float | None = None
    aliases: tuple[str, ...] = ()
    origin: str = ""


@dataclass(frozen=True)
class EmbeddingPrice:
    name: str
    per_m: float
    source: str
    as_of: str
    provider: str = ""
    aliases: tuple[str, ...] = ()
    origin: str = ""


@dataclass(frozen=True)
class InfraPrice:
    name: str
    monthly: float
    source: str
    as_of: str
    aliases: tuple[str, ...] = ()
    origin: str = ""


@dataclass(frozen=True)
class BatchPrice:
    """A model's batch-API prices (OpenAI Batch, Anthropic Message Batches): the same model,
    answers within `turnaround_hours` instead of seconds, at these rates. The entry's name is
    the model's catalog name."""

    name: str
    input_per_m: float
    output_per_m: float
    source: str
    as_of: str
    cached_input_per_m: float | None = None  # a cache read inside a batch; None: no caching
    turnaround_hours: float = 24.0  # both providers promise results within 24 hours
    aliases: tuple[str, ...] = ()
    origin: str = ""


Entry = ModelPrice | GpuPrice | EmbeddingPrice | InfraPrice | BatchPrice
