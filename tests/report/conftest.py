"""Fixtures for the report tests: a document made by a real `build_document` call.

`fixture_document.json` is written by `fixture_run.py` (and checked against a fresh build by
`test_fixture.py`): every section filled, an API arm that grows with volume, self-hosted arms at
a flat monthly cost, a projection, a hostile arm name (HTML, a pipe and an ampersand in it), an
arm with a failed item, an unavailable arm, a router curve, loss curves, a knowledge update, and
an API key in the config (which no rendering may show). The web tests load the same file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).with_name("fixture_document.json")
HOSTILE = '<script>alert("x")</script>&|rag'  # the same as fixture_run.HOSTILE


def load_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return doc


@pytest.fixture
def document() -> dict[str, Any]:
    doc = load_document()
    assert any(a["arm"] == HOSTILE for a in doc["arms"])
    return doc
