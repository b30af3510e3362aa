"""Markdown and JSON round-trip the same numbers; rendering is deterministic; Markdown is safe."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ragtune.report import render, render_json, render_markdown, write_markdown
from ragtune.report.charts import chart_specs
from ragtune.report.markdown import _c
from ragtune.report.model import as_document


def table_after(markdown: str, heading: str) -> list[list[str]]:
    """Rows (cells as text) of the first table after `heading`, header included."""
    lines = markdown[markdown.index(heading) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([c.strip().replace("\\|", "|") for c in cells])
    return [rows[0], *rows[2:]]  # drop the |---| line


def parse(text: str) -> tuple[float, int]:
    """A printed number and its decimals: '$7,520' -> (7520, 0); '98.3%' -> (0.983, 3)."""
    t = text.replace("$", "").replace(",", "")
    percent = t.endswith("%")
    t = t.rstrip("%")
    decimals = len(t.split(".")[1]) if "." in t else 0
    value = float(t)
    return (value / 100, decimals + 2) if percent else (value, decimals)


def same(text: str, value: float) -> bool:
    got, decimals = parse(text)
    return abs(got - value) <= 0.5 * 10**-decimals + 1e-12


def interval(text: str) -> tuple[str, str, str]:
    m = re.search(r"(-?[\d.,]+) \[(-?[\d.,]+), (-?[\d.,]+)\]", text)
    assert m, text
    return m.group(1), m.group(2), m.group(3)


def test_arm_table_round_trips_the_json_numbers(document: dict[str, Any]) -> None:
    back = json.loads(render_json(document))
    rows = table_after(render_markdown(document), "## Arms")
    head, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(head)}
    assert [html.unescape(r[col["arm"]]) for r in body] == [a["arm"] for a in back["arms"]]
    checked = 0
    for row, arm in zip(body, back["arms"], strict=True):
        if arm["status"] != "done":
            assert arm["reason"] in row[col["status"]]
            continue
        est, low, high = interval(row[col["quality [95% CI]"]])
        q = arm["quality"]
        assert same(est, q["estimate"]) and same(low, q["low"]) and same(high, q["high"])
        assert int(row[col["n"]].replace(",", "")) == arm["n"]
        pairs = {
            "format validity": "validity",
            "request p50 s": "latency_p50",
            "request p95 s": "latency_p95",
            "$/1k at 100,000 requests/month": "cost_per_1k",
            "$/1k projected": "projected_per_1k",
            "monthly": "monthly_cost",
            "TCO": "tco",
        }
        for column, key in pairs.items():
            assert same(row[col[column]], arm[key]), (arm["arm"], column)
            checked += 1
        shown = row[col["tokens/query in / cache write / cache read / out"]].split(" / ")
        for text, kind in zip(shown, ("input", "cache_write", "cache_read", "output"), strict=True):
            assert same(text, arm["tokens"][kind])
    assert checked >= 28


def test_verdict_round_trips(document: dict[str, Any]) -> None:
    back = json.loads(render_json(document))
    md = render_markdown(document)
    v = back["verdict"]
    assert f"Recommended: **{_c(v['recommended'])}**" in md
    m = re.search(r"- Volume: ([\d,]+) requests/month; horizon (\d+) months", md)
    assert m and same(m.group(1), v["volume"]) and int(m.group(2)) == v["horizon_months"]
    m = re.search(r"non-inferiority margin ([\d.]+)", md)
    assert m and same(m.group(1), v["margin"])
    for reason in v["reasons"]:
        assert f"- [{reason['basis']}] {_c(reason['text'])}" in md


def test_cost_table_round_trips(document: dict[str, Any]) -> None:
    back = json.loads(render_json(document))
    rows = table_after(render_markdown(document), "## Monthly cost vs volume")
    assert len(rows) - 1 == len(back["cost"]["volumes"])
    for i, row in enumerate(rows[1:]):
        assert same(row[0], back["cost"]["volumes"][i])
        for cell, series in zip(row[1:], back["cost"]["series"], strict=True):
            est, low, high = interval(cell.replace("$", ""))
            assert same(est, series["monthly"][i]) and same(low, series["low"][i])
            assert same(high, series["high"][i])


def test_json_to_dict_to_render_is_deterministic(document: dict[str, Any]) -> None:
    text = render_json(document)
    assert text == render_json(json.loads(text))  # stable: sorted keys, same floats
    back = json.loads(text)
    for fmt in ("html", "md"):
        assert render(back, fmt) == render(back, fmt) == render(json.loads(text), fmt)
    assert list(json.loads(text)) == sorted(back)


def test_json_is_redacted_but_otherwise_the_document(document: dict[str, Any]) -> None:
    back = json.loads(render_json(document))
    assert back["run"]["config"]["service"]["api_key"] == "[redacted]"
    assert back["run"]["config"]["arms"]["prompt"]["max_tokens"] == 16
    back["run"]["config"] = document["run"]["config"]
    charts = back.pop("charts")  # derived from the rest: the HTML report's specs, by name
    assert charts == chart_specs(as_document(document))
    assert back == document


def test_markdown_escapes_tables_and_html(document: dict[str, Any]) -> None:
    md = render_markdown(document)
    assert "<script>" not in md and "<b>bold</b>" not in md.split("```json")[0]
    for line in md.splitlines():
        if line.startswith("| ") and "&amp;" in line:  # the hostile name, pipe escaped
            assert "\\|rag" in line
    rows = table_after(md, "## Arms")
    assert all(len(r) == len(rows[0]) for r in rows)


def test_every_section_has_its_table(document: dict[str, Any]) -> None:
    md = render_markdown(document)
    for heading in (
        "## Verdict",
        "## Arms",
        "## Monthly cost vs volume",
        "## Request latency per query",
        "## Knowledge freshness",
        "## Fine-tuning",
        "## Router router",
        "## Pairwise significance",
        "## Break-even volumes",
        "## Prices and assumptions",
        "## Reproducibility",
    ):
        assert heading in md, heading
    assert "sk-live" not in md and "[redacted]" in md


def test_the_latency_section_says_how_many_items_were_timed(document: dict[str, Any]) -> None:
    """Request latency is measured on a few items per arm and derived for the rest: both reports
    say how many (arms timed 2 and 6 items: "2-6"; an arm without a timing record is left out)."""
    from ragtune.report import render_html

    doc = json.loads(json.dumps(document))
    arms = doc["arms"]
    arms[0]["info"]["request_latency"] = {"timed_items": 2, "ratio_calls": 3.0}
    arms[1]["info"]["request_latency"] = {"timed_items": 6, "ratio_calls": 1.5}
    expected = "Request latency: 2-6 items per arm answered alone (batch size 1"
    md = render_markdown(doc)
    section = md[md.index("## Request latency per query") :]
    assert section.splitlines()[2].startswith(expected)
    assert expected in html.unescape(render_html(doc))
    for arm in arms[1:]:
        arm["info"]["request_latency"] = {"timed_items": 2}
    assert "Request latency: 2 items per arm answered alone" in render_markdown(doc)
    arms[0]["info"]["request_latency"] = {"timed_items": 0}  # latency_sample: 0
    md = render_markdown(doc)
    assert f"Not timed alone (latency_sample 0): {_c(arms[0]['arm'])};" in md


def test_markdown_file_links_its_charts_as_svg_files_beside_it(
    document: dict[str, Any], tmp_path: Path
) -> None:
    """`write_markdown`: one SVG per chart in report-charts/, linked by relative path (what
    GitHub and MkDocs show), each a drawn Vega chart; the tables stay below as the text."""
    path = tmp_path / "report.md"
    written = write_markdown(document, path)
    md = path.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    names = chart_specs(as_document(document))
    assert links == [f"report-charts/{n}.svg" for n in names]
    assert written == [path, *(tmp_path / link for link in links)]
    for link in links:
        root = ElementTree.parse(tmp_path / link).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and float(root.get("width", 0)) > 300
        assert root.find(".//{http://www.w3.org/2000/svg}path") is not None  # marks drawn
    assert md.index("![cost chart]") < md.index("## Monthly cost vs volume")  # tables stay
    assert render_markdown(document) == md.replace(
        md[md.index("## Charts") : md.index("## Monthly cost vs volume")], ""
    )  # without files: the same report, tables only
