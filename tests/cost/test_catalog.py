"""The price catalog: every entry sourced and dated; user files override; names suggested."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.cost.catalog import SECTIONS, load_catalog
from ragtune.errors import RagtuneError, ValidationError


def test_every_bundled_entry_has_a_source_and_date() -> None:
    catalog = load_catalog()
    for section in SECTIONS:
        for entry in getattr(catalog, section).values():
            assert entry.source.strip(), entry.name
            assert len(entry.as_of) == 10 and entry.as_of[4] == "-", entry.name


def test_aliases_and_suggestions() -> None:
    catalog = load_catalog()
    assert catalog.model("Claude-3.5-Haiku").name == "claude-3-5-haiku"
    with pytest.raises(RagtuneError) as info:
        catalog.model("gpt4o")
    assert "gpt-4o" in str(info.value)


def test_user_file_overrides_and_adds(tmp_path: Path) -> None:
    mine = tmp_path / "prices.yaml"
    mine.write_text(
        "models:\n"
        "  gpt-4o: {provider: openai, input_per_m: 2.0, output_per_m: 8.0, source: contract,"
        " as_of: 2026-11-01}\n"
        "gpus:\n"
        "  my-h100: {hourly: 1.5, source: our cloud bill, as_of: 2026-10-31}\n"
    )
    catalog = load_catalog(mine)
    assert catalog.model("gpt-4o").input_per_m == 2.0
    assert catalog.model("gpt-4o").source == "contract"
    assert catalog.gpu("my-h100").hourly == 1.5
    assert catalog.model("gpt-4o-mini").input_per_m == 0.15  # untouched entries stay


def test_bad_user_file_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "models:\n"
        "  x: {provider: me, input_per_m: -1, output_per_m: cheap, colour: red}\n"
        "widgets: {}\n"
    )
    with pytest.raises(ValidationError) as info:
        load_catalog(bad)
    paths = {p.path for p in info.value.problems}
    assert {
        "models.x.input_per_m",
        "models.x.output_per_m",
        "models.x.colour",
        "models.x.source",
        "models.x.as_of",
        "widgets",
    } <= paths


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(RagtuneError, match="price file not found"):
        load_catalog(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("models: [unclosed\n")
    with pytest.raises(RagtuneError, match="not valid YAML"):
        load_catalog(broken)


def test_cache_blocks_record_minimum_ttls_source_and_date(tmp_path: Path) -> None:
    """Anthropic: 5-minute writes 1.25x, 1-hour writes 2x, reads 0.1x; the flat multipliers the
    formulas read come from the block (the default TTL's write price)."""
    catalog = load_catalog()
    haiku = catalog.model("claude-haiku-4-5")
    assert haiku.cache is not None
    assert [(t.name, t.minutes, t.write_multiplier) for t in haiku.cache.ttls] == [
        ("5m", 5.0, 1.25),
        ("1h", 60.0, 2.0),
    ]
    assert (haiku.cache_write_multiplier, haiku.cache_read_multiplier) == (1.25, 0.1)
    assert haiku.cache.source.startswith("https://") and haiku.cache.as_of == "2026-11-29"
    with pytest.raises(RagtuneError, match="offered: 5m, 1h"):
        haiku.cache.ttl("24h")
    # every model with a cache read discount has its block, so no model silently lacks a minimum
    for model in catalog.models.values():
        assert (model.cache is None) == (model.cache_read_multiplier == 1.0), model.name


def test_a_user_cache_block_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "models:\n  mine:\n    provider: x\n    input_per_m: 1\n    output_per_m: 2\n"
        "    source: me\n    as_of: 2026-01-01\n"
        "    cache_read_multiplier: 0.5\n"
        "    cache: {min_prefix_tokens: 512, read_multiplier: 0.5, ttls: {5 minutes: 1.25}}\n"
    )
    with pytest.raises(ValidationError) as info:
        load_catalog(path)
    found = {p.path for p in info.value.problems}
    assert {"models.mine.cache.source", "models.mine.cache.as_of", "models.mine.cache"} <= found


def test_the_bundled_files_parse_to_the_same_values_with_libyaml_and_pure_python() -> None:
    """parse_bundled_yaml takes libyaml's parser for speed; it must read the same values."""
    from importlib import resources

    import yaml

    from ragtune.cost.yaml_files import parse_bundled_yaml

    for name in ("prices.yaml", "lifecycle.yaml", "hosted_finetuning.yaml"):
        text = resources.files("ragtune.cost").joinpath(name).read_text(encoding="utf-8")
        assert parse_bundled_yaml(text) == yaml.safe_load(text), name
