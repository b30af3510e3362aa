"""The HTML report: every section and chart present, each chart's Vega-Lite spec carrying the
document's finite numbers, hostile text escaped, no URL loaded or linked, missing sections replaced
by a note, secrets redacted. (The charts drawn in Chromium: tests/web/test_report_charts.py.)"""

from __future__ import annotations

import json
import math
import re
from html import escape
from html.parser import HTMLParser
from typing import Any

import pytest

from ragtune.report import render, render_html, vega
from ragtune.report.charts import CHARTS

CHART_NAMES = [name for name, *_ in CHARTS]


class Elements(HTMLParser):
    """Every element as (tag, attrs, figure it is inside or None), and each script's text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None], str | None]] = []
        self.chart: str | None = None
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "figure":
            self.chart = a.get("data-chart")
        if tag == "script":
            self._script = a
        self.found.append((tag, a, self.chart))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))
            self._script = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.chart = None


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def specs(html: str) -> dict[str, dict[str, Any]]:
    """Each chart's Vega-Lite spec, by container id, read back from its JSON data block."""
    parsed = parse(html)
    blocks = {a["id"]: text for a, text in parsed.scripts if a.get("type") == "application/json"}
    return {
        str(a["id"]): json.loads(blocks[str(a["data-vega-spec"])])
        for tag, a, _ in parsed.found
        if tag == "div" and a.get("data-vega-spec")
    }


def numbers(value: Any) -> list[float]:
    """Every number anywhere in a JSON value."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers(v)]
    return [float(value)] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_sections_in_order(document: dict[str, Any]) -> None:
    html = render_html(document)
    ids = ["verdict", "arms", "charts", "comparisons", "breakevens", "sources", "reproducibility"]
    positions = [html.index(f'<section id="{i}">') for i in ids]
    assert positions == sorted(positions)
    assert html.index(escape(document["verdict"]["headline"])) < positions[1]


def test_every_chart_is_a_spec_of_the_documents_finite_numbers(document: dict[str, Any]) -> None:
    found = specs(render_html(document))
    assert sorted(found) == sorted(f"chart-{name}" for name in CHART_NAMES)
    for name, spec in found.items():
        assert spec["title"]["text"], name
        rows = [r for values in spec["datasets"].values() for r in values]
        assert len(rows) > 3, name
        assert all(math.isfinite(n) for n in numbers(spec)), name
        assert "http" not in json.dumps(spec), name  # no data URL, no schema URL


def test_cost_chart_has_bands_breakevens_volume_and_projection(document: dict[str, Any]) -> None:
    spec = specs(render_html(document))["chart-cost"]
    data = spec["datasets"]
    rows = next(v for v in data.values() if v and "monthly" in v[0])
    series = document["cost"]["series"]
    assert len(series) == 5  # four measured arms and one projection
    assert {r["series"] for r in rows} == {s["name"] for s in series}
    assert {r["series"] for r in rows if r["low"] is not None} == {s["name"] for s in series}
    assert {r["kind"] for r in rows} == {"measured", "projection"}
    # the recommended (hostile-named) arm vs each other series: three crossings between 1e2
    # and 1e8 requests/month, and its projection never crosses (no row); numbered like the
    # table, each labelled with its volume: $26 / ($0.00051 - 0) = 50,980 a month
    flips = next(v for v in data.values() if v and "flip" in v[0])
    crossing = [b for b in document["cost"]["breakevens"] if b["volume"] is not None]
    assert len(flips) == len(crossing) == 3
    assert [r["flip"].split(".")[0] for r in flips] == ["1", "2", "4"]
    assert flips[1]["flip"].endswith("= prompt at 50,980/mo")
    you = next(v for v in data.values() if v and "text" in v[0] and "volume" in v[0])
    assert you == [{"volume": 100000.0, "text": "your volume 100,000/mo"}]
    html = render_html(document)
    assert "(projection: tokens measured, quality not)" in html and "50,980" in html


def test_quality_chart_marks_the_pareto_front(document: dict[str, Any]) -> None:
    data = specs(render_html(document))["chart-quality"]["datasets"]
    rows = max(data.values(), key=len)
    pareto = {r["arm"] for r in rows if r["pareto"]}
    assert pareto == {a["arm"] for a in document["arms"] if a["pareto"]}
    assert [sorted(r["arm"] for r in v) for v in data.values() if v is not rows] == [sorted(pareto)]
    assert sum(r["low"] is not None for r in rows) == 4  # rag did not run
    # the tooltip's interval reads as the tables do: prompt 30 of 40, Wilson interval
    assert {r["arm"]: r["interval_text"] for r in rows}["prompt"] == "0.750 [0.598, 0.858]"


def test_hostile_text_is_escaped(document: dict[str, Any]) -> None:
    html = render_html(document)
    parsed = parse(html)
    # the two scripts are the bundled libraries and the embedding code; the rest is JSON data
    code = [text for a, text in parsed.scripts if a.get("type") != "application/json"]
    assert code == [vega.javascript(), vega.INIT]
    assert all(not a for a, text in parsed.scripts if text in code)  # no src, no type
    assert '<script>alert("x")' not in html and "<b>bold</b>" not in html
    assert "<i>hours</i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;|rag" in html
    assert "\\u003cscript\\u003ealert" in html  # in the specs' JSON


def test_no_external_reference_of_any_kind(document: dict[str, Any]) -> None:
    """Sources may be shown as text (escaped); nothing is ever loaded or linked."""
    html = render_html(document)
    assert "https://www.anthropic.com/pricing" in html  # as text in the prices table
    for tag, a, _ in parse(html).found:
        assert not {"src", "href", "srcset", "action", "xmlns", "style"} & set(a), tag
        assert not any("//" in (v or "") for v in a.values()), (tag, a)
    # the bundled Vega libraries hold URLs as strings (an editor link, SVG namespaces) and are
    # checked in the browser instead (nothing is requested); the rest of the page holds none
    page = html.replace(vega.javascript(), "")
    assert "url(" not in page and "@import" not in page and "<link" not in page


def test_numbers_are_formatted_for_humans(document: dict[str, Any]) -> None:
    html = render_html(document)
    assert "accuracy 0.750 [0.598, 0.858]" in html  # prompt: 30 of 40, Wilson interval
    # the API arm: 500 x $1/M + 2 x $5/M = $0.00051 a query: $0.510 per 1k, $51.00 a month at
    # 100,000, $612 over 12 months
    assert "$0.510" in html and "$51.00" in html and "$612.00" in html
    assert "$0.260" in html  # a self-hosted arm: the $26 machine over 100,000 requests, per 1k
    assert "97.5%" in html and "292.5 / 0.0 / 0.0 / 1.9" in html  # prompt: 1 of 40 failed
    assert "1 (2.5%)" in html  # the errors column
    assert "unavailable: peft is not installed" in html


def test_config_is_redacted_and_shown(document: dict[str, Any]) -> None:
    html = render_html(document)
    assert "sk-live" not in html and "[redacted]" in html
    assert "max_tokens" in html and "&quot;k&quot;: 4" in html
    assert "<details id='config'>" in html


@pytest.mark.parametrize("section", ["freshness", "training", "router", "comparisons", "latency"])
def test_missing_sections_are_a_note(document: dict[str, Any], section: str) -> None:
    document[section] = [] if section != "latency" else {}
    html = render_html(document)
    if section in CHART_NAMES:
        assert f'data-chart="{section}"' in html  # the figure stays, with a note
        assert f'id="chart-{section}"' not in html
    assert 'class="note missing"' in html


def test_a_document_of_another_schema_is_a_clear_error() -> None:
    from ragtune.errors import RagtuneError

    for fmt in ("html", "md", "json"):
        with pytest.raises(RagtuneError) as err:
            render({"schema": "ragtune.report/1"}, fmt)
        assert "schema: Input should be 'ragtune.report/2'" in str(err.value)
        assert "verdict: Field required" in str(err.value)


def test_non_finite_and_missing_numbers_do_not_break_charts(document: dict[str, Any]) -> None:
    document["cost"]["series"][0]["monthly"][3] = float("nan")
    document["cost"]["series"][0]["high"][5] = float("inf")
    document["arms"][0]["latency_p95"] = None
    document["latency"]["prompt"].append(float("inf"))
    html = render_html(document).replace(vega.javascript(), "")  # the library spells NaN
    assert not re.search(r"\bnan\b", html.lower()) and "inf" not in re.sub(r"info|infer", "", html)
    assert 'data-chart="cost"' in html


def test_unknown_format_is_a_clear_error(document: dict[str, Any]) -> None:
    from ragtune.errors import RagtuneError

    with pytest.raises(RagtuneError, match="unknown report format 'pdf'"):
        render(document, "pdf")


def _paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 3) -> list[tuple[Any, ...]]:
    """Every key path down to `depth` (list items by index, first item only)."""
    out = []
    if depth and isinstance(value, dict):
        for k, v in value.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k), depth - 1)
    elif depth and isinstance(value, list) and value:
        out += _paths(value[0], (*prefix, 0), depth - 1)
    return out


def test_any_value_set_to_null_renders_or_is_a_clear_error(document: dict[str, Any]) -> None:
    """A null where the model allows one (an arm with no cost yet) renders with a dash or a note;
    a null where it does not is a validation error naming the field, never a crash."""
    import copy

    from ragtune.errors import ValidationError

    paths = _paths(document)
    assert len(paths) > 100
    rendered = refused = 0
    for path in paths:
        doc = copy.deepcopy(document)
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = None
        for fmt in ("html", "md", "json"):
            try:
                assert render(doc, fmt), (path, fmt)
                rendered += 1
            except ValidationError as err:
                assert ".".join(str(p) for p in path) in str(err), (path, str(err))
                refused += 1
    assert rendered > 100 and refused > 100
