"""The report fixture is what `build_document` makes today (regenerate it with
`python tests/report/fixture_run.py`), and the document model is what every reader reads."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import ragtune
from ragtune.report import model

from .closeness import differences
from .fixture_run import FIXTURE, build


def test_fixture_is_a_real_build_document_result(tmp_path: Path) -> None:
    """Equal to the stored fixture, floats within round-off (see `closeness`), so the fixture
    written on one machine holds on another."""
    fresh = build(tmp_path / "fixture.db")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert differences(stored, json.loads(json.dumps(fresh))) == [], (
        "tests/report/fixture_document.json is stale: run python tests/report/fixture_run.py"
    )


def _floats(value: object, path: str = "$") -> list[tuple[str, float]]:
    if isinstance(value, float):
        return [(path, value)]
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _floats(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _floats(v, f"{path}[{i}]")]
    return []


def _set(document: dict, path: str, new: float) -> None:
    parts = [p for p in path.replace("[", ".[").split(".")[1:]]
    target: object = document
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]  # type: ignore[index]
    last = parts[-1]
    target[int(last[1:-1]) if last.startswith("[") else last] = new  # type: ignore[index]


def test_the_fixture_comparison_tolerates_round_off_and_catches_a_changed_number() -> None:
    """What another machine's BLAS does (the last digit of every float moves by a few ulps) is
    tolerated; what a code change does (one number moves in its 4th significant digit, or a
    string changes) is caught, and the message names the path."""
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    floats = _floats(stored)
    assert len(floats) > 100  # the fixture is float-heavy: the tolerance is exercised
    # 316.2277660168379 vs 316.22776601683796: the grid point two machines disagreed on
    assert differences(316.2277660168379, 316.22776601683796) == []
    jittered = json.loads(json.dumps(stored))
    for i, (path, value) in enumerate(floats):
        _set(jittered, path, value * (1 + (4 if i % 2 else -4) * 2.2e-16))
    assert differences(stored, jittered) == []
    path, value = next((p, v) for p, v in floats if abs(v) > 1e-3)
    changed = json.loads(json.dumps(stored))
    _set(changed, path, value * 1.0001)
    assert differences(stored, changed) == [f"{path}: {value!r} != {value * 1.0001!r}"]
    renamed = json.loads(json.dumps(stored))
    renamed["verdict"]["headline"] += "!"
    assert [d.split(":")[0] for d in differences(stored, renamed)] == ["$.verdict.headline"]


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
