"""The chart specs themselves: valid Vega-Lite, and the JavaScript bundle's cache.

The drawing is tested in Chromium (tests/web/test_report_charts.py); the numbers each spec
carries are tested in test_html.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ragtune.report import render_html, render_json, vega
from ragtune.report.charts import chart_specs
from ragtune.report.model import as_document


def test_every_chart_is_valid_vega_lite(document: dict[str, Any]) -> None:
    """Specs are written without Altair's validation (it is slow); the schema checks them here."""
    from altair.vegalite.v6.schema import load_schema

    validator = jsonschema.Draft7Validator(load_schema())
    specs = chart_specs(as_document(document))
    assert sorted(specs) == ["cost", "freshness", "latency", "quality", "router", "training"]
    for name, spec in specs.items():
        errors = [e.message for e in validator.iter_errors(spec)]
        assert errors == [], (name, errors[:3])


@pytest.mark.parametrize("part", ["qa", "intents", "extract"])
def test_the_demos_charts_are_valid_vega_lite(part: str) -> None:
    """The full demo's documents (recorded 2026-12-07) through the same schema."""
    from altair.vegalite.v6.schema import load_schema

    path = Path(__file__).parent / f"demo_{part}_document.json"
    specs = chart_specs(as_document(json.loads(path.read_text(encoding="utf-8"))))
    assert {"cost", "quality", "latency", "training"} <= set(specs)
    validator = jsonschema.Draft7Validator(load_schema())
    for name, spec in specs.items():
        assert [e.message for e in validator.iter_errors(spec)] == [], name


def test_json_report_carries_the_html_reports_specs(document: dict[str, Any]) -> None:
    """`charts` in the JSON report: by name, the very specs the HTML report inlines (its data
    blocks read back), with the document's numbers; reading the file back ignores them."""
    text = render_json(document)
    charts = json.loads(text)["charts"]
    html = render_html(document)
    for name, spec in charts.items():
        block = f'<script type="application/json" id="spec-{name}">{vega.spec_json(spec)}</script>'
        assert block in html, name
    rows = {r["arm"]: r for r in charts["quality"]["datasets"]["rows"]}
    for arm in as_document(document).arms:
        if arm.arm in rows and arm.quality is not None:
            assert rows[arm.arm]["estimate"] == arm.quality.estimate  # the number itself, not text
    edited = json.loads(text)
    edited["charts"] = {"quality": {"not": "a spec"}}
    assert render_json(edited) == text  # rebuilt from the numbers, the edit never read


def test_the_bundle_is_read_from_the_cache(tmp_path: Path, monkeypatch: Any) -> None:
    """A bundle in $RAGTUNE_CACHE under this vl-convert's versions is used as is (bundling
    takes seconds); the in-process copy is cleared around the test."""
    import vl_convert as vlc

    monkeypatch.setenv("RAGTUNE_CACHE", str(tmp_path))
    name = f"vega-bundle-vega{vlc.get_vega_version()}-embed{vlc.get_vega_embed_version()}.js"
    (tmp_path / name).write_text("/* cached */", encoding="utf-8")
    vega.javascript.cache_clear()
    try:
        assert vega.javascript() == "/* cached */"
    finally:
        vega.javascript.cache_clear()
        vega.script_hashes.cache_clear()


@pytest.mark.parametrize("arm", ["</script><script>alert(1)</script>", "a&b"])
def test_spec_json_cannot_close_its_script_element(arm: str) -> None:
    text = vega.spec_json({"datasets": {"rows": [{"arm": arm}]}})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["datasets"]["rows"][0]["arm"] == arm
