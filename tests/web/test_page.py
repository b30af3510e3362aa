"""The calculator page in real headless Chromium: its numbers and chart equal `ragtune cost --json`.

Every comparison is against the CLI run as a subprocess on the same scenario (a bundled file, the
YAML the page exports after edits, or a file the page imports), never against stored numbers.
Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

Numbers = dict[str, dict[str, dict[str, tuple[str, str]]]]


def wait_recomputed(page: Any, before: str, timeout: float = 30.0) -> None:
    """Until the page shows a new result (revision changed) and no edit is pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.get_attribute("body", "data-state")
        revision = page.get_attribute("body", "data-revision")
        if state == "ready" and revision != before:
            return
        if state in ("invalid", "error"):
            raise AssertionError(f"page shows an error: {page.inner_text('#errors')}")
        time.sleep(0.05)
    raise AssertionError("the page did not recompute in time")


def open_calculator(page: Any, url: str) -> None:
    page.goto(url)
    wait_recomputed(page, "0")


def revision(page: Any) -> str:
    return str(page.get_attribute("body", "data-revision"))


def numbers(page: Any) -> Numbers:
    """Raw values (data-value) and shown text of every results cell, by option and by pair."""
    out: Numbers = {"options": {}, "pairs": {}}
    for table, attr, key in (
        ("#options-table", "data-option", "options"),
        ("#pairs-table", "data-pair", "pairs"),
    ):
        for row in page.query_selector_all(f"{table} tbody tr"):
            cells = {
                c.get_attribute("data-key"): (c.get_attribute("data-value"), c.inner_text())
                for c in row.query_selector_all("td[data-key]")
            }
            out[key][row.get_attribute(attr)] = cells
    return out


def num(text: str | None) -> float | None:
    return None if text is None or text == "" else float(text)


def shown(text: str) -> float:
    """The number in a displayed cell such as '$1,234' or '$12.50'."""
    return float(re.sub(r"[^0-9.\-]", "", text))


def assert_matches_cli(page: Any, cli: dict[str, Any]) -> None:
    got = numbers(page)
    assert list(got["options"]) == [o["name"] for o in cli["options"]]
    for o in cli["options"]:
        cells = got["options"][o["name"]]
        for key in ("request_cost", "monthly", "tco", "upfront"):
            value, text = cells[key]
            assert num(value) == o[key], (o["name"], key)
            if key != "request_cost":  # display: rounded to cents, or dollars from $100
                assert abs(shown(text) - o[key]) <= (0.5 if abs(o[key]) >= 100 else 0.005)
        for key in ("monthly_band", "tco_band"):
            band = o[key]
            expected = f"{band['p10']},{band['p90']}" if band else ""
            assert [num(v) for v in cells[key][0].split(",") if v] == [
                num(v) for v in expected.split(",") if v
            ], (o["name"], key)
        assert num(cells["gpus"][0]) == o["gpus"]
    assert list(got["pairs"]) == [f"{p['a']}|{p['b']}" for p in cli["pairs"]]
    for p in cli["pairs"]:
        cells = got["pairs"][f"{p['a']}|{p['b']}"]
        volumes = p["crossing"]["volumes"]
        assert num(cells["breakeven"][0]) == (volumes[0] if volumes else None)
        assert (cells["cheaper_below"][0] or None) == p["crossing"]["cheaper_below"]
        horizon = p["horizon_crossing"]["volumes"]
        assert num(cells["horizon_breakeven"][0]) == (horizon[0] if horizon else None)
        if not horizon and p["horizon_crossing"]["cheaper_below"]:
            assert f"never within {cli['horizon']} months" in cells["horizon_breakeven"][1]
        assert num(cells["payback_months"][0]) == p["payback_months"]
        assert num(cells["p_a_cheaper"][0]) == p["p_a_cheaper"]
        band = p["breakeven_band"]
        raw = cells["breakeven_band"][0]
        if band is None:
            assert raw == ""
        else:
            got_band = [num(v) if v else None for v in raw.split(",")]
            assert got_band == [band["p10"], band["p50"], band["p90"]]


# The data sets the page's Vega view draws (the spec's named data sets, as vega-embed loaded them);
# a spec without break-evens has no "flips" data set: none drawn.
VIEW_DATA = """(name) => { let rows;
  try { rows = window.ragtuneViews.calculator.data(name); } catch (e) { return []; }
  return rows.map(({series, volume, monthly, low, high, pair}) =>
                  ({series, volume, monthly, low, high, pair})); }"""


def chart_data(page: Any, name: str) -> list[dict[str, Any]]:
    page.wait_for_selector('#chart[data-rendered="true"]')
    rows: list[dict[str, Any]] = page.evaluate(VIEW_DATA, name)
    return rows


def assert_chart_matches_cli(page: Any, cli: dict[str, Any]) -> None:
    """Lines, the scenario-volume mark, break-evens and bands drawn from the same numbers: the
    Vega view's data sets checked against the CLI, and its marks present in the SVG."""
    assert [m["volume"] for m in chart_data(page, "mark")] == [cli["volume"]]
    rows = chart_data(page, "rows")
    lines = page.locator("#chart .mark-line path")
    assert lines.count() == len(cli["options"])
    for o in cli["options"]:
        mine = [r for r in rows if r["series"] == o["name"]]
        assert mine, o["name"]
        at = [r["monthly"] for r in mine if r["volume"] == cli["volume"]]
        assert at == [pytest.approx(o["monthly"], rel=1e-12)]
        banded = [r for r in mine if r["low"] is not None and r["high"] is not None]
        assert bool(banded) == (cli["samples"] > 0)
    assert (page.locator("#chart .mark-area path").count() > 0) == (cli["samples"] > 0)
    drawn = {(*r["pair"].split(" vs "), r["volume"]) for r in chart_data(page, "flips")}
    expected = {(p["a"], p["b"], v) for p in cli["pairs"] for v in p["crossing"]["volumes"][:4]}
    assert drawn == expected


def assert_offline(page: Any, base: str) -> None:
    """Every request the page made went to the app itself (or was a data:/blob: URL)."""
    outside = [u for u in page.requested_urls if not u.startswith((base, "data:", "blob:"))]
    assert outside == []
    assert page.page_errors == []


def test_bundled_example_equals_cli(
    page: Any, live_server: str, artifacts: Path, cli_cost: Any, scenarios: Path
) -> None:
    open_calculator(page, live_server)
    assert_matches_cli(page, cli_cost(scenarios / "projects_vs_local.yaml"))
    before = revision(page)
    page.select_option("#example", "rag_vs_finetune_claude")  # has ranges: a Monte Carlo runs
    wait_recomputed(page, before)
    cli = cli_cost(scenarios / "rag_vs_finetune_claude.yaml")
    assert cli["samples"] > 0
    assert page.inner_text("#title") == cli["scenario"]
    assert_matches_cli(page, cli)
    assert_chart_matches_cli(page, cli)
    page.screenshot(path=str(artifacts / "calculator.png"), full_page=True)
    assert_offline(page, live_server)


def test_edits_recompute_and_export_runs_in_cli(
    page: Any, live_server: str, artifacts: Path, tmp_path: Path, cli_cost: Any
) -> None:
    open_calculator(page, live_server)
    line = '#chart .mark-line path[aria-label*="series: haiku-projects"]'
    path_before, old = page.get_attribute(line, "d"), numbers(page)
    before = revision(page)
    page.fill('[data-field="volume.requests_per_month"]', "40000..90000")
    page.fill('[data-field="volume.growth_per_month"]', "0.02")
    page.fill('[data-field="hourly_rate"]', "120..180")
    page.fill('[data-field="options.haiku-plain.api.input_tokens"]', "300")
    page.fill('[data-field="options.hybrid.route.1.share"]', "0.1..0.3")
    wait_recomputed(page, before)
    new = numbers(page)
    assert new != old
    assert page.get_attribute(line, "d") != path_before  # the chart was redrawn for the new axis
    assert page.query_selector_all("#chart .mark-area path")  # ranges: Monte Carlo bands appear
    with page.expect_download() as info:
        page.click("#export")
    exported = tmp_path / "exported.yaml"
    info.value.save_as(exported)
    data = yaml.safe_load(exported.read_text())
    assert data["volume"] == {"requests_per_month": [40000, 90000], "growth_per_month": 0.02}
    cli = cli_cost(exported)
    assert cli["samples"] > 0
    assert_matches_cli(page, cli)
    assert_chart_matches_cli(page, cli)
    page.screenshot(path=str(artifacts / "calculator-edited.png"), full_page=True)
    assert_offline(page, live_server)


def test_share_link_reopens_the_same_scenario(browser: Any, page: Any, live_server: str) -> None:
    open_calculator(page, live_server)
    before = revision(page)
    page.fill('[data-field="volume.requests_per_month"]', "123456")
    page.fill('[data-field="options.sonnet-projects.api.output_tokens"]', "250..450")
    wait_recomputed(page, before)
    url = page.url
    assert re.search(r"#s=[A-Za-z0-9_-]+$", url)
    assert page.input_value("#share-url") == url
    other = browser.new_page()
    try:
        other.goto(url)
        wait_recomputed(other, "0")
        assert numbers(other) == numbers(page)
        assert other.input_value('[data-field="volume.requests_per_month"]') == "123456"
        field = '[data-field="options.sonnet-projects.api.output_tokens"]'
        assert other.input_value(field) == "250..450"
    finally:
        other.close()


def test_import_yaml_file(page: Any, live_server: str, tmp_path: Path, cli_cost: Any) -> None:
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(
        """
name: Imported GPU vs API
volume: {requests_per_month: [100000, 400000]}
horizon_months: 18
samples: 2000
options:
  api:
    api: {model: claude-3-5-haiku, input_tokens: 800, output_tokens: [150, 300],
          cached_prefix_tokens: 1500, cache_hit_rate: [0.6, 0.9]}
  gpu:
    serving: {gpu: a100-gcp, tokens_per_second: [30, 40], concurrency: 8,
              tokens_per_request: 1100}
    one_time: {training: {gpu: a100-gcp, hours: 8}, pipeline_hours: [10, 30]}
    retrain: {every_months: 6, training: {amount: 400}}
"""
    )
    open_calculator(page, live_server)
    before = revision(page)
    page.set_input_files("#import", str(scenario))
    wait_recomputed(page, before)
    cli = cli_cost(scenario)
    assert page.inner_text("#title") == "Imported GPU vs API"
    assert_matches_cli(page, cli)
    assert_chart_matches_cli(page, cli)
    assert page.query_selector('[data-field="options.gpu.serving.gpu"]') is not None


def test_bad_input_gets_a_field_message_then_recovers(
    page: Any, live_server: str, artifacts: Path
) -> None:
    open_calculator(page, live_server)
    field = '[data-field="options.haiku-plain.api.output_tokens"]'
    page.fill(field, "lots")
    page.wait_for_selector("body[data-state=invalid]")
    assert "invalid" in (page.get_attribute(field, "class") or "")
    message = page.inner_text(".field-error")
    assert "expected a number" in message and "lots" in message
    page.screenshot(path=str(artifacts / "calculator-invalid.png"), full_page=True)
    before = revision(page)
    page.fill(field, "400")
    wait_recomputed(page, before)
    assert page.query_selector(".field-error") is None
    # structure edits: add an option, give another option GPU hosting
    before = revision(page)
    page.click("#add-option")
    wait_recomputed(page, before)
    assert page.query_selector('#options-table tr[data-option="option-6"]') is not None
    before = revision(page)
    page.check('[data-section="option-6.serving"]')
    wait_recomputed(page, before)
    gpus = numbers(page)["options"]["option-6"]["gpus"][0]
    assert num(gpus) is not None and not math.isnan(num(gpus) or math.nan)
    before = revision(page)
    page.select_option('[data-field="compare.0.1"]', "option-6")
    wait_recomputed(page, before)
    assert "haiku-projects|option-6" in numbers(page)["pairs"]


def test_runs_page_placeholder(page: Any, live_server: str, artifacts: Path) -> None:
    page.goto(f"{live_server}/runs")
    assert "No runs to show yet" in page.inner_text("#no-runs")
    page.screenshot(path=str(artifacts / "runs.png"), full_page=True)
    assert_offline(page, live_server)


def test_page_shows_the_horizon_crossing_and_the_cache_fields(
    page: Any, live_server: str, cli_cost: Any, scenarios: Path
) -> None:
    """finetune_vs_rag_sonnet: no run-rate crossing, but the 36-month TCOs cross at
    5,000 / (36 x 0.0015) = 92,593 requests/month; the page shows it next to the run-rate one.
    Then a 5,000-token prefix with a volume-modelled hit rate and the 1-hour TTL recomputes."""
    open_calculator(page, live_server)
    before = revision(page)
    page.select_option("#example", "finetune_vs_rag_sonnet")
    wait_recomputed(page, before)
    cli = cli_cost(scenarios / "finetune_vs_rag_sonnet.yaml")
    assert_matches_cli(page, cli)
    cell = numbers(page)["pairs"]["sonnet-rag|sonnet-finetune"]["horizon_breakeven"]
    assert cell[1] == "sonnet-rag cheaper below 92,593"
    assert page.inner_text("#horizon-head") == "TCO break-even over 36 months"
    before = revision(page)
    prefix = "options.sonnet-rag-cached.api"
    page.fill(f'[data-field="{prefix}.cached_prefix_tokens"]', "5000")
    page.fill(f'[data-field="{prefix}.cache_hit_rate"]', "")
    page.fill(f'[data-field="{prefix}.distinct_prefixes"]', "1")
    page.fill(f'[data-field="{prefix}.cache_ttl"]', "1h")
    wait_recomputed(page, before)
    row = numbers(page)["options"]["sonnet-rag-cached"]
    # 100,000 calls a month on one prefix, 1-hour TTL: hit 1 - exp(-100,000 x 60 / 43,200) = 1;
    # 5,000 x $3 x 0.1 + 2,000 x $3 + 1,000 x $15 = 1,500 + 21,000 micro-dollars = $0.0225
    assert float(row["request_cost"][0]) == pytest.approx(0.0225, abs=1e-9)


# The point of a series at the smallest volume: away from the scenario-volume rule drawn on top.
FIRST_POINT = """(name) => [...document.querySelectorAll('#chart .mark-symbol path')]
  .find(p => (p.getAttribute('aria-label') || '').includes('series: ' + name + ';'))
  .getAttribute('aria-label')"""


def test_chart_is_drawn_by_vega_with_tooltips_and_focus(
    page: Any, live_server: str, artifacts: Path
) -> None:
    """The report's cost chart, drawn by the bundled vega-embed: marks drawn, hovering a point
    shows the option's monthly cost as the server's row has it, clicking a line focuses that
    option (the others fade), double-clicking clears the focus."""
    from ragtune.report import fmt

    open_calculator(page, live_server)
    assert page.locator("#chart .role-mark > *").count() > 0
    rows = chart_data(page, "rows")
    lines = page.locator("#chart .mark-line path")
    name = "haiku-plain"
    aria = page.evaluate(FIRST_POINT, name)
    volume = re.search(r"requests/month: ([\d,]+)", aria)
    assert volume, aria
    row = next(r for r in rows if r["series"] == name and fmt.count(r["volume"]) == volume[1])
    point = page.locator(f'#chart .mark-symbol path[aria-label="{aria}"]')
    point.hover(force=True)
    tip = page.locator("#vg-tooltip-element.visible")
    tip.wait_for()
    assert name in tip.inner_text() and fmt.usd(row["monthly"]) in tip.inner_text()
    point.click(force=True)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#chart .mark-line path')]"
        ".some(p => Number(p.getAttribute('opacity')) < 0.5)"
    )
    faded = {
        lines.nth(i).get_attribute("aria-label").split("series: ")[1].split(";")[0]: float(
            lines.nth(i).get_attribute("opacity") or 1
        )
        for i in range(lines.count())
    }
    assert faded.pop(name) == 1 and faded and all(v < 0.5 for v in faded.values()), faded
    page.screenshot(path=str(artifacts / "calculator-focus.png"), full_page=True)
    point.dblclick(force=True)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#chart .mark-line path')]"
        ".every(p => (p.getAttribute('opacity') ?? '1') === '1')"
    )
    assert_offline(page, live_server)
