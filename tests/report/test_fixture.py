"""The report fixture is what `build_document` makes today (regenerate it with
`python tests/report/fixture_run.py`), and the document model is what every reader reads."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import ragtune
from ragtune.report import model

from .fixture_run import FIXTURE, build


def test_fixture_is_a_real_build_document_result(tmp_path: Path) -> None:
    fresh = build(tmp_path / "fixture.db")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert stored == json.loads(json.dumps(fresh)), (
        "tests/report/fixture_document.json is stale: run python tests/report/fixture_run.py"
    )


DOCUMENT_ROUTES = {"document", "run_page", "report_api"}


def _field_names() -> set[str]:
    names: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, model._Model):
            names |= {f.alias or n for n, f in value.model_fields.items()} | set(value.model_fields)
    return names


def test_no_renderer_reads_a_document_field_with_get() -> None:
    """`.get("name")` or `["name"]` on a field the model defines hides a renamed field behind a
    default; readers use attributes, which mypy and an AttributeError check."""
    fields = _field_names()
    assert {"cost_per_1k", "verdict", "recommended", "errors", "schema"} <= fields
    root = Path(ragtune.__file__).parent
    readers = [*sorted((root / "report").glob("*.py")), root / "cli" / "demo.py"]
    readers += [root / "cli" / "report.py", root / "web" / "runs.py"]
    found = []
    for path in readers:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.name == "runs.py":  # its run list is its own dicts; only the report routes
            tree = ast.Module(
                [n for n in tree.body if getattr(n, "name", "") in DOCUMENT_ROUTES], []
            )
        for node in ast.walk(tree):
            key = None
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                key = node.args[0].value
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                key = node.slice.value
            if isinstance(key, str) and key in fields:
                found.append(f"{path.name}:{node.lineno} reads {key!r}")
    assert found == []


def test_a_renderer_reading_a_field_the_model_lacks_fails(tmp_path: Path) -> None:
    """Attribute access on the frozen model: an unknown field is an error, never a dash."""
    import pytest

    doc = model.ReportDocument.model_validate(json.loads(FIXTURE.read_text(encoding="utf-8")))
    with pytest.raises(AttributeError):
        _ = doc.arms[0].cost_per_1000  # type: ignore[attr-defined]
    with pytest.raises(ragtune.errors.RagtuneError, match=r"arms\.0\.cost_per_1000"):
        bad = json.loads(FIXTURE.read_text(encoding="utf-8"))
        bad["arms"][0]["cost_per_1000"] = 1.0
        model.as_document(bad)


def test_schema_is_versioned_and_published() -> None:
    schema = model.ReportDocument.model_json_schema(by_alias=True)
    assert schema["properties"]["schema"]["const"] == model.SCHEMA == "ragtune.report/2"
    assert "errors" in schema["properties"]["arms"]["items"]["$ref"] or "ArmDoc" in json.dumps(
        schema
    )
