"""The report's Vega-Lite charts drawn in real Chromium from files on disk, with the network off.

Five reports, one page load each: the fixture document (every chart kind), a nine-arm run built
by the real `build_document` (eleven cost lines, four break-evens at nearly one volume) and the
three documents a real `ragtune demo` wrote on 2026-12-07 (questions, intents, extraction;
recorded in tests/report/demo_*_document.json, the demo itself is not run here). In each: every
chart renders marks, hovering a mark of each chart shows its tooltip with the arm's value as the
document has it (the cost at that volume, the interval, the loss at that step...), and clicking a
legend entry hides that series. The nine-arm cost chart also has no two labels overlapping
(bounding boxes in the page) and a label with the volume for each break-even. Screenshots go to
test-artifacts/web/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ragtune.report import fmt, render_html
from ragtune.report.model import ReportDocument, as_document

REPORT = Path(__file__).resolve().parents[1] / "report"
DEMO = ("qa", "intents", "extract")  # the full demo's three workloads
# The shown tooltip as {key: value}, from vega-tooltip's table.
TOOLTIP = """() => Object.fromEntries([...document.querySelectorAll('#vg-tooltip-element tr')]
  .map(r => [r.querySelector('.key').textContent.replace(/:$/, ''),
             r.querySelector('.value').textContent]))"""
# Every text element of a chart that is shown, with its box in page pixels.
TEXT_BOXES = """(root) => [...root.querySelectorAll('svg text')]
  .filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== '0'
          && t.getAttribute('opacity') !== '0')
  .map(t => { const b = t.getBoundingClientRect();
              return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; })"""


def _wide_document(folder: Path) -> dict[str, Any]:
    import sys

    sys.path.insert(0, str(REPORT))
    try:
        import fixture_run  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPORT))
    doc: dict[str, Any] = fixture_run.build(folder / "wide.db", fixture_run.WIDE)
    return doc


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("chart-reports")
    docs = {
        "fixture": json.loads((REPORT / "fixture_document.json").read_text(encoding="utf-8")),
        "nine-arms": _wide_document(folder),
        **{
            f"demo-{part}": json.loads(
                (REPORT / f"demo_{part}_document.json").read_text(encoding="utf-8")
            )
            for part in DEMO
        },
    }
    out = {}
    for name, doc in docs.items():
        path = folder / f"{name}.html"
        path.write_text(render_html(doc), encoding="utf-8")
        out[name] = (path, doc)
    return out


def _series(aria: str | None) -> str | None:
    found = re.search(r"series: (.*?); kind:", aria or "")
    return found.group(1) if found else None


def _check_legend_hides(page: Any, chart: Any) -> None:
    """Click the second series in the cost legend: its line goes to opacity 0, the others stay."""
    labels = chart.locator(".role-legend").first.locator(".role-legend-label text")
    name = labels.nth(1).text_content()
    lines = chart.locator(".mark-line path")
    before = {_series(lines.nth(i).get_attribute("aria-label")) for i in range(lines.count())}
    assert name in before, (name, before)
    labels.nth(1).click()
    page.wait_for_function(
        "(c) => [...document.querySelectorAll(c + ' .mark-line path')]"
        ".some(p => p.getAttribute('opacity') === '0')",
        arg=f"#{chart.get_attribute('id')}",
    )
    after = {
        _series(lines.nth(i).get_attribute("aria-label")): lines.nth(i).get_attribute("opacity")
        for i in range(lines.count())
    }
    assert after.pop(name) == "0"
    assert set(after.values()) <= {"1", None}, after  # every other series still drawn


def _check_tooltip(page: Any, chart: Any, doc: dict[str, Any]) -> None:
    """Hover the first arm's point: the tooltip names the arm and its quality with the CI."""
    point = chart.locator(".mark-symbol path").first
    point.hover()
    tip = page.locator("#vg-tooltip-element.visible")
    tip.wait_for()
    text = tip.inner_text()
    arm = next(a for a in as_document(doc).arms if a.arm in text and a.quality is not None)
    assert fmt.interval(arm.quality) in text, text  # e.g. 0.900 [0.769, 0.960], as the table
    assert fmt.usd(arm.cost_per_1k if fmt.ok(arm.cost_per_1k) else arm.projected_per_1k) in text


def _overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if dx > 0.5 and dy > 0.5:
                out.append((a["text"], b["text"]))
    return out


def _hover(page: Any, chart: Any) -> dict[str, str]:
    """Hover the chart's first point, tick or bar; its tooltip's rows."""
    page.mouse.move(0, 0)
    page.wait_for_function("() => !document.querySelector('#vg-tooltip-element.visible')")
    chart.locator(".mark-symbol path, .mark-rect path").first.hover(force=True)
    page.locator("#vg-tooltip-element.visible").wait_for()
    rows: dict[str, str] = page.evaluate(TOOLTIP)
    return rows


def _check_every_tooltip(page: Any, doc: ReportDocument) -> int:
    """Each chart's tooltip gives the arm's value as the document has it; charts checked."""
    checked = 0
    for chart in page.locator("[data-vega-spec]").all():
        name = str(chart.get_attribute("id")).removeprefix("chart-")
        if name == "quality":
            continue  # _check_tooltip: interval and $/1k
        tip = _hover(page, chart)
        if name == "cost":
            series = next(s for s in doc.cost.series if s.label == tip["series"])
            at = [fmt.count(v) for v in doc.cost.volumes].index(tip["requests/month"])
            assert tip["monthly cost"] == fmt.usd(series.monthly[at]), tip
        elif name == "latency":
            arm = next(a for a in doc.arms if a.arm == tip["arm"])
            shown = [*doc.latency[arm.arm], arm.latency_p50, arm.latency_p95]
            assert tip["seconds"] in {fmt.sig(v) for v in shown}, tip
        elif name == "freshness":
            row = next(r for r in doc.freshness if r.arm == tip["arm"])
            q = row.before if tip["phase"] == "before the update" else row.after
            assert tip["quality [95% CI]"] == fmt.interval(q), tip
        elif name == "training":
            job = next(j for j in doc.training if j.method == tip["fine-tune"])
            curve = dict(getattr(job.curves, tip["split"]))
            assert tip["loss"] == fmt.sig(curve[int(tip["step"].replace(",", ""))]), tip
        elif name == "router":
            router = next(r for r in doc.router if r.arm == tip["router"])
            metric = str(doc.verdict.metric or "quality")
            assert tip[metric] in {fmt.num(p.quality, 3) for p in router.points}, tip
        else:
            continue
        checked += 1
    return checked


@pytest.mark.parametrize("name", ["fixture", "nine-arms", *(f"demo-{p}" for p in DEMO)])
def test_report_charts_render_offline_with_tooltips_and_legends(
    browser: Any, reports: dict[str, tuple[Path, dict[str, Any]]], artifacts: Path, name: str
) -> None:
    path, doc = reports[name]
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, offline=True)
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(re.compile(r"^(?!file:|data:)"), lambda route: route.abort())
    try:
        page.goto(path.as_uri())
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-vega-spec]')]"
            ".every(e => e.getAttribute('data-rendered'))"
        )
        charts = page.locator("[data-vega-spec]")
        assert charts.count() >= 3
        for i in range(charts.count()):
            chart = charts.nth(i)
            ident = chart.get_attribute("id")
            assert chart.get_attribute("data-rendered") == "true", (ident, chart.inner_text())
            assert chart.locator(".role-mark > *").count() > 0, ident
        page.screenshot(path=str(artifacts / f"report-charts-{name}.png"), full_page=True)
        cost = page.locator("#chart-cost")
        if name == "nine-arms":
            _check_labels(cost, doc)
        _check_tooltip(page, page.locator("#chart-quality"), doc)
        assert _check_every_tooltip(page, as_document(doc)) == charts.count() - 1
        _check_legend_hides(page, cost)
        assert errors == []
        assert [u for u in requested if not u.startswith(("file://", "data:"))] == []
    finally:
        context.close()


def _check_labels(cost: Any, doc: dict[str, Any]) -> None:
    series = doc["cost"]["series"]
    assert len(doc["arms"]) >= 9 and len(series) >= 9
    boxes = cost.evaluate(TEXT_BOXES)
    assert len(boxes) > 20
    assert _overlaps(boxes) == []
    texts = [b["text"] for b in boxes]
    crossings = [b for b in doc["cost"]["breakevens"] if b["volume"] is not None]
    assert len(crossings) >= 3
    for b in crossings:  # "1. sonnet = fewshot at 21,138/mo": each flip labelled with its volume
        label = f"{b['a']} = {b['b']} at {fmt.count(b['volume'])}/mo"
        assert sum(t.endswith(label) for t in texts) == 1, (label, texts)
    assert {s["name"] for s in series} <= set(texts)  # every series in the legend
