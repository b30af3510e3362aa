"""Fixtures for the report tests: a document that follows the "ragtune.report/1" schema exactly.

`fixture_document.json` has every section filled, with numbers shaped like a real run: an API
arm that grows with volume, a self-hosted arm with a flat monthly cost, a projection, a hostile
arm name (HTML, a pipe and an ampersand in it), an unavailable arm, a router curve, loss curves, a
knowledge update, and an API key in the config (which no rendering may show). The web tests
load the same file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).with_name("fixture_document.json")
HOSTILE = '<script>alert("x")</script>&|rag'


def load_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return doc


@pytest.fixture
def document() -> dict[str, Any]:
    doc = load_document()
    assert any(a["arm"] == HOSTILE for a in doc["arms"])
    return doc
