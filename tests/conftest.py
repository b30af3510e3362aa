"""Shared fixtures. Heavy fixtures (models, servers) live in the test folders that need them,
except `real_run`, which the report and web tests share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Nothing in the test suite may reach a model hub: every model comes from a PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
CLASSIFY = REPO / "src" / "ragtune" / "examples" / "workloads" / "classify.yaml"


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store with one finished real run: two arms on six test items, through the real CLI."""
    from ragtune.store.runstore import RunStore

    store = tmp_path_factory.mktemp("real-run") / "ragtune.db"
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    command = [sys.executable, "-m", "ragtune", "run", str(CLASSIFY), "--arms", "prompt,memory",
               "--limit", "6", "--store", str(store), "--json"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, text=True, env=env, timeout=600)
    with RunStore.open(store) as s:
        return store, s.list_runs()[0].id
