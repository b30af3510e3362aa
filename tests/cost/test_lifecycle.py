"""Model lifecycles: dates read from the bundled file, IDs resolved through the catalog, the
horizon's edge, a pinned "today", and bad entries reported all at once."""

from __future__ import annotations

from datetime import date

import pytest

from ragtune.cost import add_months, load_catalog, load_lifecycles, shutdown_notice, today
from ragtune.cost.lifecycle import parse_lifecycles
from ragtune.errors import RagtuneError, ValidationError

TODAY = date(2026, 12, 7)  # the day lifecycle.yaml was read


@pytest.fixture(scope="module")
def both():  # type: ignore[no-untyped-def]
    return load_lifecycles(), load_catalog()


@pytest.mark.parametrize(
    ("model", "name", "shutdown"),
    [
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5", date(2026, 11, 30)),  # dated ID
        ("sonnet-4.5", "claude-sonnet-4-5", date(2026, 11, 30)),  # catalog alias
        ("claude-3-5-haiku-latest", "claude-3-5-haiku", date(2026, 2, 19)),  # -latest alias
        ("claude-3-5-sonnet", "claude-3-5-sonnet", date(2025, 10, 22)),
        ("claude-opus-4-1", "claude-opus-4-1", date(2026, 8, 5)),
        ("gpt-5", "gpt-5", date(2026, 12, 11)),
        ("gpt-5-mini", "gpt-5-mini", date(2026, 12, 11)),
        ("gpt-4o-2024-05-13", "gpt-4o", date(2027, 1, 14)),  # OpenAI snapshot
        ("ft:gpt-4o-mini:acme::abc123", "gpt-4o-mini", date(2027, 1, 14)),  # a fine-tune: base
        ("gpt-4o-mini-ft", "gpt-4o-mini", date(2027, 1, 14)),  # the catalog's -ft entry: base
        ("gpt-4.1", "gpt-4.1", date(2027, 1, 14)),
        ("gpt-4.1-mini", "gpt-4.1-mini", date(2027, 1, 14)),
    ],
)
def test_ids_resolve_to_their_models_dates(both, model: str, name: str, shutdown: date) -> None:  # type: ignore[no-untyped-def]
    lifecycles, catalog = both
    found = lifecycles.of(model, catalog)
    assert found is not None and found.model == name and found.shutdown == shutdown
    assert found.source.startswith("https://") and found.as_of == TODAY


def test_current_and_unknown_models_have_no_end(both) -> None:  # type: ignore[no-untyped-def]
    lifecycles, catalog = both
    for model in ("claude-haiku-4-5", "smollm2-135m", "no-such-model"):
        assert lifecycles.of(model, catalog) is None


def test_the_horizon_edge_is_inclusive(both) -> None:  # type: ignore[no-untyped-def]
    lifecycles, catalog = both

    def notice(model: str, months: int, on: date = TODAY):  # type: ignore[no-untyped-def]
        return shutdown_notice(model, lifecycles, catalog, today=on, horizon_months=months)

    # 2026-12-07 + 1 month = 2027-01-07: gpt-5 (12-11) is inside, gpt-4o (01-14) is not
    assert notice("gpt-5", 1) is not None and notice("gpt-4o", 1) is None
    # from 2026-12-14 the month ends on 2027-01-14, the shutdown day itself: inside
    assert notice("gpt-4o", 1, date(2026, 12, 14)) is not None
    assert notice("gpt-4o", 1, date(2026, 12, 13)) is None
    inside = notice("gpt-4o", 12)
    assert inside is not None and not inside.past
    # 38 days to go, in 30.4375-day months: 38 / 30.4375 = 1.248...
    assert inside.months_left == pytest.approx(38 / 30.4375)
    assert "gpt-4o shuts down on 2027-01-14, 1.2 months from 2026-12-07" in inside.describe()
    gone = notice("claude-sonnet-4-5", 12)
    assert gone is not None and gone.past and gone.months_left == 0.0
    assert "shut down on 2026-11-30" in gone.describe()
    # the shutdown day itself is past: requests fail from that day on
    assert notice("gpt-5", 12, date(2026, 12, 11)).past  # type: ignore[union-attr]


def test_fine_tuning_cut_off_is_a_dated_fact_with_one_home(both) -> None:  # type: ignore[no-untyped-def]
    from ragtune.cost import load_hosted

    assert both[0].facts == {}  # kept in hosted_finetuning.yaml, not twice
    cutoff = load_hosted().cutoff("openai")
    assert cutoff is not None and cutoff.no_new_jobs_from == date(2027, 1, 6)
    assert cutoff.source.startswith("https://platform.openai.com/docs/deprecations")


def test_add_months_clamps_to_the_months_last_day() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 7), 12) == date(2027, 12, 7)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_today_is_pinned_by_the_environment_or_refused() -> None:
    assert today({"RAGTUNE_TODAY": "2027-01-15"}) == date(2027, 1, 15)
    assert today({}) == date.today()
    with pytest.raises(RagtuneError, match="RAGTUNE_TODAY='15/01/2027' is not a date"):
        today({"RAGTUNE_TODAY": "15/01/2027"})


def test_bad_entries_are_reported_all_at_once() -> None:
    data = {
        "models": {
            "gpt-x": {"shutdown": "soon", "as_of": "2026-12-07"},
            "gpt-y": {"shutdown": "2027-01-01", "source": "s", "as_of": "2026-12-07", "eol": 1},
        },
        "facts": {"cut": {"date": "2027-01-06", "as_of": "2026-12-07", "text": "t"}},
        "gpus": {},
    }
    with pytest.raises(ValidationError) as err:
        parse_lifecycles(data, "my.yaml")
    text = str(err.value)
    for expected in (
        "models.gpt-x.shutdown: expected a date, YYYY-MM-DD (given: 'soon')",
        "models.gpt-x.source: missing (every date needs a source)",
        "models.gpt-y.eol: unknown field",
        "facts.cut.source: missing",
        "gpus: unknown section",
    ):
        assert expected in text
