"""Token prices from the genai-prices library (issue 32), checked by hand against list prices.

The library's bundled data is the reference; each expected dollar figure below is worked out
from the provider's price page as the comment says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.cost import library, load_catalog
from ragtune.errors import RagtuneError

CATALOG = load_catalog()


def test_dated_snapshot_with_its_own_price_is_not_priced_as_the_alias() -> None:
    """gpt-4o-2024-05-13 lists at $5 / $15 per M (not gpt-4o's $2.50 / $10): 1,000 in and 200
    out = 1,000 x 5 / 1M + 200 x 15 / 1M = $0.005 + $0.003 = $0.0080."""
    price = CATALOG.model("gpt-4o-2024-05-13")
    assert (price.input_per_m, price.output_per_m) == (5.0, 15.0)
    assert price.usd(input_tokens=1000, output_tokens=200) == pytest.approx(0.0080)
    assert CATALOG.model("gpt-4o").usd(input_tokens=1000, output_tokens=200) == pytest.approx(
        0.0045  # 1,000 x 2.50 + 200 x 10 = 2,500 + 2,000 micro-dollars
    )


def test_sonnet_4_5_above_200k_input_tokens_bills_every_token_at_the_long_context_tier() -> None:
    """Anthropic: above 200K input tokens a Sonnet 4.5 request costs $6 / $22.50 per M for all
    its tokens. 251,000 in / 500 out = 251,000 x 6 + 500 x 22.5 = 1,506,000 + 11,250 micro-
    dollars = $1.51725 (the base rates gave $0.7605). At 199,000 in: 597,000 + 7,500 = $0.6045."""
    sonnet = CATALOG.model("claude-sonnet-4-5")
    assert sonnet.long_context == library.Tier(200_000, 6.0, 22.5)
    assert sonnet.usd(input_tokens=251_000, output_tokens=500) == pytest.approx(1.51725)
    assert sonnet.usd(input_tokens=199_000, output_tokens=500) == pytest.approx(0.6045)
    # cached tokens count toward the threshold; a read is 0.1x of the tier's input price:
    # 1,000 x 6 + 250,000 x 0.6 + 500 x 22.5 = 6,000 + 150,000 + 11,250 = $0.16725
    assert sonnet.usd(
        input_tokens=1_000, output_tokens=500, cache_read_tokens=250_000
    ) == pytest.approx(0.16725)


def test_the_library_keeps_cache_multipliers_in_the_long_context_tier() -> None:
    """The formula applies the base cache multipliers to the tier's input price; the library's
    tier prices for Sonnet 4.5 say the same ($0.60 read = 0.1 x $6, $7.50 write = 1.25 x $6)."""
    from datetime import UTC, datetime

    from genai_prices import data_snapshot

    _, model = data_snapshot.get_snapshot().find_provider_model(
        "claude-sonnet-4-5", None, None, None
    )
    prices = model.get_prices(datetime.now(tz=UTC))
    tier_in = float(prices.input_mtok.tiers[0].price)
    assert float(prices.cache_read_mtok.tiers[0].price) == pytest.approx(0.1 * tier_in)
    assert float(prices.cache_write_mtok.tiers[0].price) == pytest.approx(1.25 * tier_in)


def test_a_request_longer_than_the_window_is_refused() -> None:
    """gpt-4o's window is 128,000 tokens: a 300,000-token prompt cannot be sent at all."""
    gpt4o = CATALOG.model("gpt-4o")
    assert gpt4o.context_window == 128_000
    gpt4o.check_fits(128_000)
    with pytest.raises(RagtuneError, match="300,000 prompt tokens do not fit gpt-4o"):
        gpt4o.check_fits(300_000)


def test_a_wider_window_without_a_long_context_price_is_not_opened() -> None:
    """The overlay gives Sonnet 4 the 1M-token option, but the library prices no tier above
    200K for it: 500,000 tokens would have been billed at $3 / $15 ($1.515 for 500K in and 1K
    out, where the 1M option bills $6 / $22.50: $3.0225). Refused as too long instead; Sonnet
    4.5, whose tier the library has, keeps the 1M window."""
    sonnet4 = CATALOG.model("claude-sonnet-4-20250514")
    assert sonnet4.long_context is None and sonnet4.context_window == 200_000
    with pytest.raises(RagtuneError, match="do not fit"):
        sonnet4.check_fits(500_000)
    sonnet45 = CATALOG.model("claude-sonnet-4-5")
    assert sonnet45.context_window == 1_000_000 and sonnet45.long_context is not None


def test_current_models_missing_from_the_old_table_are_priced() -> None:
    """o4-mini $1.10 / $4.40; Sonnet 4.6 $3 / $15 (caches from 1,024 tokens); gpt-4.1-nano
    $0.10 / $0.40; claude-3-5-haiku-latest is Haiku 3.5 ($0.80 / $4)."""
    assert (CATALOG.model("o4-mini").input_per_m, CATALOG.model("o4-mini").output_per_m) == (
        1.1,
        4.4,
    )
    sonnet46 = CATALOG.model("claude-sonnet-4-6")
    assert (sonnet46.input_per_m, sonnet46.output_per_m) == (3.0, 15.0)
    assert sonnet46.cache is not None and sonnet46.cache.min_prefix_tokens == 1024
    assert CATALOG.model("gpt-4.1-nano").usd(input_tokens=1000, output_tokens=200) == (
        pytest.approx(0.00018)  # 100 + 80 micro-dollars
    )
    assert CATALOG.model("claude-3-5-haiku-latest").name == "claude-3-5-haiku"


def test_every_figure_says_where_it_came_from(tmp_path: Path) -> None:
    haiku = CATALOG.model("claude-haiku-4-5")
    assert haiku.origin == "genai-prices" and "genai-prices" in haiku.source
    assert haiku.cache is not None and "prompt-caching" in haiku.cache.source
    assert CATALOG.model("gpt-4o-mini-ft").origin == "bundled prices.yaml"
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "models:\n  claude-haiku-4-5: {provider: anthropic, input_per_m: 0.9, output_per_m: 4.5,"
        " source: our contract, as_of: 2026-12-01}\n"
    )
    overridden = load_catalog(mine).model("claude-haiku-4-5-20251001")  # dated ID, user entry
    assert (overridden.input_per_m, overridden.origin) == (0.9, str(mine))


def test_unknown_model_is_an_error_naming_it_and_the_fix() -> None:
    with pytest.raises(RagtuneError, match="unknown model 'gpt-imaginary-7'") as info:
        CATALOG.model("gpt-imaginary-7")
    assert "price file" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("model", "priced_as"),
    [
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),  # dated snapshot
        ("claude-3-5-haiku-latest", "claude-3-5-haiku-latest"),  # the library names it so
        ("claude-sonnet-4-20250514", "claude-sonnet-4-0"),  # the rule's prefix cuts the date
        ("claude-sonnet-4@20250514", "claude-sonnet-4-0"),  # Vertex's spelling
        ("gpt-4o-realtime-preview", "gpt-4o-realtime-preview"),  # its own ID
        ("claude-haiku-4-5-typo", None),  # the library's prefix rule alone would say Haiku 4.5
        ("claude-haiku-4-50", None),
        ("claude-opus-4-10", None),  # an unreleased ID is not Opus 4.1 ($15 / $75)
        ("claude-sonnet-4-2025xyz", None),
    ],
)
def test_an_id_that_only_starts_like_a_known_model_is_not_priced_as_it(
    model: str, priced_as: str | None
) -> None:
    """Found by the attack review: the library matches Claude IDs by prefix, so typos were
    priced as a real model instead of stopping `check` with exit 2."""
    found = library.find(model)
    assert (found.id if found else None) == priced_as


def test_a_provider_rule_covers_models_without_their_own() -> None:
    """OpenAI caches from 1,024 tokens for every model (the `openai` rule); gpt-4.1-nano's read
    is the library's $0.025 over $0.10 = 0.25x, with no write surcharge."""
    nano = CATALOG.model("gpt-4.1-nano")
    assert nano.cache is not None and nano.cache.min_prefix_tokens == 1024
    assert (nano.cache_read_multiplier, nano.cache_write_multiplier) == (0.25, 1.0)
