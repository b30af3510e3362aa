"""The HTML report: every section and chart present, charts drawn with finite coordinates, hostile
text escaped, no URL anywhere, missing sections replaced by a note, secrets redacted."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from typing import Any

import pytest

from ragtune.report import render, render_html
from ragtune.report.charts import CHARTS

CHART_NAMES = [name for name, *_ in CHARTS]
DRAWN = ("path", "polyline", "rect", "circle", "line")
NUMERIC = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"}


class Elements(HTMLParser):
    """Every element as (tag, attrs, svg chart name it is inside or None)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None], str | None]] = []
        self.chart: str | None = None
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            self.chart = a.get("data-chart")
        if tag == "script":
            self.scripts += 1
        self.found.append((tag, a, self.chart))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.chart = None


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def numbers_in(value: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?|nan|inf", value)]


def test_sections_in_order(document: dict[str, Any]) -> None:
    html = render_html(document)
    ids = ["verdict", "arms", "charts", "comparisons", "breakevens", "sources", "reproducibility"]
    positions = [html.index(f'<section id="{i}">') for i in ids]
    assert positions == sorted(positions)
    assert html.index(escape(document["verdict"]["headline"])) < positions[1]


def test_every_chart_is_drawn_with_finite_coordinates(document: dict[str, Any]) -> None:
    elements = parse(render_html(document)).found
    for name in CHART_NAMES:
        svg = [a for tag, a, c in elements if tag == "svg" and a.get("data-chart") == name]
        assert len(svg) == 1, name
        assert svg[0]["class"] == "chart" and svg[0]["id"] == f"chart-{name}"
        inside = [(tag, a) for tag, a, c in elements if c == name]
        assert any(tag == "title" for tag, _ in inside), name
        drawn = [(tag, a) for tag, a in inside if tag in DRAWN]
        assert len(drawn) > 5, name
        for tag, a in drawn:
            for key, value in a.items():
                if key in NUMERIC or key in ("points", "d"):
                    values = numbers_in(value or "")
                    assert values and all(abs(v) < 1e6 for v in values), (name, tag, key, value)


def test_cost_chart_has_bands_breakevens_volume_and_projection(document: dict[str, Any]) -> None:
    elements = [(t, a) for t, a, c in parse(render_html(document)).found if c == "cost"]
    classes = [a.get("class") for _, a in elements]
    series = document["cost"]["series"]
    assert len(series) == 5  # four measured arms and one projection
    assert classes.count("band") == 5 and classes.count("series") == 5
    # the recommended (hostile-named) arm vs each other series: three crossings between 1e2
    # and 1e8 requests/month, and its projection never crosses (no marker)
    crossing = [b for b in document["cost"]["breakevens"] if b["volume"] is not None]
    assert classes.count("breakeven") == len(crossing) == 3
    assert classes.count("volume") == 1
    dashed = [a for _, a in elements if a.get("data-kind") == "projection"]
    assert dashed and dashed[0].get("stroke-dasharray")
    html = render_html(document)
    # the marker is numbered, the table says where: $26 / ($0.00051 - 0) = 50,980 a month
    assert "(projection: tokens measured, quality not)" in html and "50,980" in html


def test_quality_chart_marks_the_pareto_front(document: dict[str, Any]) -> None:
    elements = [a for t, a, c in parse(render_html(document)).found if c == "quality"]
    pareto = [a for a in elements if a.get("class") == "arm pareto"]
    assert {a["data-arm"] for a in pareto} == {a["arm"] for a in document["arms"] if a["pareto"]}
    assert any(a.get("class") == "pareto-front" for a in elements)
    assert sum(a.get("class") == "whisker" for a in elements) == 4  # rag did not run


def test_hostile_text_is_escaped(document: dict[str, Any]) -> None:
    html = render_html(document)
    parsed = parse(html)
    assert parsed.scripts == 0
    assert "<script>" not in html and "<b>bold</b>" not in html and "<i>hours</i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;|rag" in html


def test_no_external_reference_of_any_kind(document: dict[str, Any]) -> None:
    """Sources may be shown as text (escaped); nothing is ever loaded or linked."""
    html = render_html(document)
    assert "https://www.anthropic.com/pricing" in html  # as text in the prices table
    for tag, a, _ in parse(html).found:
        assert not {"src", "href", "srcset", "action", "xmlns", "style"} & set(a), tag
        assert not any("//" in (v or "") for v in a.values()), (tag, a)
    assert "url(" not in html and "@import" not in html and "<link" not in html


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
        assert f'<svg id="chart-{section}"' not in html
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
    html = render_html(document)
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
