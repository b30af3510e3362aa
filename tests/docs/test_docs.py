"""The docs cannot drift from the code: generated reference pages are current, the workload
reference lists exactly the keys the workload model accepts, every console block in the README
and docs/ is what its command prints now, and the README stays a front door.

The generator is `scripts/docs.py` (loaded from its path: scripts are not a package). The console
test runs every marked command again (about 20 short CLI calls, no model loaded).
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]


def _load_generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("ragtune_docs", ROOT / "scripts" / "docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


docs = _load_generator()


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Optional, unions, lists, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def accepted_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every key a model accepts, nested, walked from the pydantic fields (not the JSON schema
    the page is made from), as the page writes them: `a.b`, `a[].b` inside a list."""
    keys = set()
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        keys.add(key)
        origin = typing.get_origin(field.annotation)
        for sub in _models_in(field.annotation):
            is_list = origin is list or any(
                typing.get_origin(a) is list for a in typing.get_args(field.annotation)
            )
            keys |= accepted_keys(sub, key + ("[]." if is_list else "."))
    return keys


def page_keys(text: str) -> set[str]:
    return set(re.findall(r"^\| `([^`]+)` \|", text, re.M))


def test_the_committed_reference_pages_are_current() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in docs.reference_files().items()
        if not path.exists() or path.read_text() != text
    ]
    assert not stale, f"stale: {stale}; run `python scripts/docs.py`"


def test_the_workload_reference_lists_every_key_the_workload_model_accepts() -> None:
    expected = accepted_keys(docs.workload_model())
    for arm, settings in docs.arm_settings().items():
        expected |= accepted_keys(settings, f"arms.{arm}.")
    listed = page_keys((ROOT / "docs" / "reference" / "workload.md").read_text())
    assert listed == expected, (
        f"missing from the page: {sorted(expected - listed)}; "
        f"on the page but not accepted: {sorted(listed - expected)}"
    )


def test_every_workload_and_arm_key_has_a_description() -> None:
    text = (ROOT / "docs" / "reference" / "workload.md").read_text()
    empty = re.findall(r"^\| `([^`]+)` \|[^\n]*\|  \|$", text, re.M)
    assert not empty, f"keys without a docstring in the code: {empty}"


def test_the_report_reference_names_every_model_of_the_report_document() -> None:
    schema = docs.report_model().model_json_schema()
    text = (ROOT / "docs" / "reference" / "report.md").read_text()
    headings = set(re.findall(r"^## (\w+)$", text, re.M))
    assert headings == {docs.report_model().__name__, *schema["$defs"]}


def _all_blocks(*, strict: bool = True) -> list[Any]:
    return [b for page in docs.doc_files() for b in docs.blocks(page, strict=strict)]


def test_every_console_block_is_marked_generated_or_recorded() -> None:
    try:
        blocks = _all_blocks()
    except SystemExit as unmarked:  # names the page and line of an unmarked console block
        pytest.fail(str(unmarked))
    assert sum(b.kind == "console" for b in blocks) >= 15
    recorded = [b for b in blocks if b.kind == "recorded"]
    for block in recorded:
        assert re.match(r"\d{4}-\d{2}-\d{2}, ", block.spec), block.where  # a date and why


@pytest.mark.parametrize(
    "block",
    [b for b in _all_blocks(strict=False) if b.kind == "console"],
    ids=lambda b: f"{b.path.name}:{b.spec[:50]}",
)
def test_a_console_block_is_what_its_commands_print_now(block: Any) -> None:
    now, page = docs.mask(docs.run_block(block)), docs.mask(block.body)
    diff = "\n".join(
        difflib.unified_diff(page.splitlines(), now.splitlines(), "page", "now", lineterm="")
    )
    assert now == page, (
        f"{block.where} is stale: run `python scripts/docs.py` and review the diff\n{diff}"
    )


def test_the_mask_hides_run_ids_timestamps_and_durations_only() -> None:
    text = "run 20261206-223726-6082, generated 2026-12-06T22:40:23+00:00, done in 4m16s (261 s)"
    assert docs.mask(text) == "run RUN-ID, generated TIMESTAMP, done in N s (N s)"
    assert docs.mask("p50 / p95 s  1.23 / 1.26  $0.1050") == "p50 / p95 s  1.23 / 1.26  $0.1050"


def test_no_page_says_its_output_is_from_the_previous_release() -> None:
    for page in docs.doc_files():
        assert "previous release" not in page.read_text(), page


def test_the_site_builds_with_strict_offline(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    html = "".join(p.read_text() for p in tmp_path.rglob("*.html"))
    assert "fonts.googleapis.com" not in html  # `font: false`: pages fetch nothing either


def test_the_readme_is_a_front_door() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) < 250
    assert lines[:6] == [
        "# ragtune",
        "",
        "```bash",
        "make demo    # set up .venv (pip, CPU torch 2.13.0), then `ragtune demo`: the whole "
        "pipeline, local models",
        "make test    # set up .venv, then run the test suite",
        "```",
    ]
    for link in re.findall(r"\]\((docs/[^)#]+)", "\n".join(lines)):
        assert (ROOT / link).exists(), link
