"""Token prices read from the `genai-prices` library (pydantic/genai-prices), offline.

The library ships a snapshot of every major provider's price page, kept up to date upstream:
input, output, cache write (5-minute and 1-hour) and cache read prices, long-context tiers,
context windows, batch variants, and model-ID matching that resolves dated snapshots
(`claude-haiku-4-5-20251001`, `gpt-4o-2024-05-13`) and aliases (`claude-3-5-haiku-latest`). This
module turns one of its models into plain numbers (`LibraryModel`); `catalog.py` combines them
with ragtune's overlay (cache minimums and TTLs, fine-tuning prices, machines) into a `ModelPrice`.

Refreshing: the data is the installed package's snapshot (`pip install -U genai-prices`); no
network call is made here.

Deliberately not here: ragtune's own price files, formulas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib.metadata import version
from typing import Any

PACKAGE = "genai-prices"
LISTED_PROVIDERS = ("anthropic", "openai")  # the providers ragtune's API backends call


@dataclass(frozen=True)
class Tier:
    """Above `threshold` input tokens in one request, every token of it is billed at these
    prices (the providers' "cliff" rule, e.g. Sonnet 4.5 above 200K: $6 / $22.50 per M)."""

    threshold: int
    input_per_m: float
    output_per_m: float


@dataclass(frozen=True)
class LibraryModel:
    """One model as the library prices it today (dollars per million tokens)."""

    id: str
    provider: str
    input_per_m: float
    output_per_m: float
    cache_read_per_m: float | None
    cache_write_per_m: float | None  # the default (5-minute) write
    cache_write_1h_per_m: float | None
    context_window: int | None
    tier: Tier | None
    pricing_url: str

    @property
    def source(self) -> str:
        return f"{self.pricing_url} (via {PACKAGE} {installed_version()})"


def installed_version() -> str:
    return version(PACKAGE)


def library_note() -> str:
    """Where token prices come from and how to refresh them (shown under `ragtune prices`)."""
    return (
        f"Token prices from {PACKAGE} {installed_version()} (its bundled data, read {as_of()}); "
        f"refresh with `pip install -U {PACKAGE}`. Cache minimums and lifetimes, fine-tuning, "
        "batch and machine prices: ragtune's prices.yaml."
    )


def find(ref: str, when: datetime | None = None) -> LibraryModel | None:
    """The library's model for `ref` (any ID a provider accepts), or None when it has none."""
    from genai_prices import data_snapshot

    try:
        provider, model = data_snapshot.get_snapshot().find_provider_model(
            ref.strip(), None, None, None
        )
    except LookupError:
        return None
    ref = ref.strip().lower()
    own = model.id.lower()
    named = ref.startswith(own) and _VERSION_TAIL.fullmatch(ref[len(own) :]) is not None
    if not (named or _matches_exactly(ref, model.match)):
        return None  # a typo or an unreleased ID that only starts like a known model
    return _convert(provider, model, when or datetime.now(tz=UTC))


# What may follow a model name the library matches by its prefix: dated snapshots
# (claude-haiku-4-5-20251001, gpt-4o-2024-05-13, Vertex's claude-sonnet-4@20250514), `-latest`
# aliases and Bedrock-style versions.
_VERSION = r"(-\d{8}|@\d{8}|-\d{4}-\d{2}-\d{2}|-latest|-v\d+(:\d+)?)"
_VERSION_TAIL = re.compile(f"{_VERSION}*")
_ENDS_IN_VERSION = re.compile(f"{_VERSION}+$")


def _matches_exactly(ref: str, clause: Any) -> bool:
    """Whether `ref` matches the library's rule other than by a prefix with an unknown tail.

    The library matches many IDs by prefix, so `claude-haiku-4-5-typo` (or a future
    `claude-opus-4-10`) would be priced as a known model; ragtune refuses an ID it cannot price
    instead (issue 32: unknown is an error, never a guess).
    """
    from genai_prices.types import ClauseAnd, ClauseOr, ClauseStartsWith

    if isinstance(clause, ClauseStartsWith):
        prefix = clause.starts_with.lower()
        if not ref.startswith(prefix):
            return False
        # the rest is a version, or the prefix itself cuts into one (`claude-sonnet-4-2025`
        # matching claude-sonnet-4-20250514: the name without its version is the prefix's start)
        name = _ENDS_IN_VERSION.sub("", ref)
        return _VERSION_TAIL.fullmatch(ref[len(prefix) :]) is not None or prefix.startswith(name)
    if isinstance(clause, ClauseOr):
        return any(_matches_exactly(ref, c) for c in clause.or_)
    if isinstance(clause, ClauseAnd):
        return all(_matches_exactly(ref, c) for c in clause.and_)
    return bool(clause.is_match(ref))


def listed_ids() -> list[str]:
    """Model IDs of the providers ragtune's backends call (for listings and suggestions)."""
    from genai_prices import data_snapshot

    return [
        m.id
        for p in data_snapshot.get_snapshot().providers
        if p.id in LISTED_PROVIDERS
        for m in p.models
        if not m.id.startswith("ft:") and not m.id.endswith("-")
    ]


# When ragtune last read each released version's bundled data against the acceptance figures
# of issue 32 (which were worked from the providers' price pages): the `as_of` of its prices, the
# same on every machine and every day, so reports and fixtures do not drift with the calendar.
READ = {"0.2.5": "2026-12-07"}


def as_of() -> str:
    """The date token prices from the installed data are shown with: when ragtune read that
    version (`READ`), else the newest price change in it already in force (a newer package)."""
    return READ.get(installed_version()) or data_date()


@cache
def data_date() -> str:
    """The newest price change in the installed data that is already in force (YYYY-MM-DD):
    how current the snapshot is."""
    from genai_prices import data_snapshot
    from genai_prices.types import StartDateConstraint

    today = date.today()
    starts = []
    for p in data_snapshot.get_snapshot().providers:
        for m in p.models:
            dated: list[Any] = [*(m.prices if isinstance(m.prices, list) else [])]
            for c in [*dated, *(m.price_variants or [])]:
                if isinstance(c.constraint, StartDateConstraint):
                    starts.append(c.constraint.start_date)
    starts = [d for d in starts if d <= today]
    return max(starts).isoformat() if starts else today.isoformat()


def _convert(provider: Any, model: Any, when: datetime) -> LibraryModel | None:
    prices = model.get_prices(when)
    if prices.input_mtok is None or prices.output_mtok is None:
        return None  # an image, audio or per-request model: not a token price
    base_in, tier_in = _split(prices.input_mtok)
    base_out, tier_out = _split(prices.output_mtok)
    tier = None
    if tier_in is not None:
        threshold, long_in = tier_in
        long_out = tier_out[1] if tier_out is not None else base_out
        tier = Tier(threshold, long_in, long_out)
    return LibraryModel(
        id=model.id,
        provider=provider.id,
        input_per_m=base_in,
        output_per_m=base_out,
        cache_read_per_m=_base(prices.cache_read_mtok),
        cache_write_per_m=_base(prices.cache_write_mtok),
        cache_write_1h_per_m=_base(getattr(prices, "cache_write_1h_mtok", None)),
        context_window=model.context_window,
        tier=tier,
        pricing_url=(provider.pricing_urls or [provider.name])[0],
    )


def _split(price: Any) -> tuple[float, tuple[int, float] | None]:
    """(base price, (threshold, price) of the first long-context tier or None)."""
    if isinstance(price, Decimal | int | float):
        return float(price), None
    first = price.tiers[0] if price.tiers else None
    return float(price.base), (int(first.start), float(first.price)) if first else None


def _base(price: Any) -> float | None:
    return None if price is None else _split(price)[0]
