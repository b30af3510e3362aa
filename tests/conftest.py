"""Shared fixtures. Heavy fixtures (models, servers) live in the test folders that need them,
except `real_run`, which the report and web tests share."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

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


class ScriptedBackend:
    """A backend that answers by rule, registered as `scripted:MODEL` through the real registry.

    It answers the label or word the question names (`... about <label>`), so a test knows
    every answer in advance; questions that name none get the system prompt's first label with
    low confidence. `scripted:slow` also waits 0.02 s a call. Every request is kept (by model)
    so a test can read the prompts an arm sent.
    """

    seen: ClassVar[dict[str, list[Any]]] = {}

    def __init__(self, model: str) -> None:
        self.model = model
        self.name = f"scripted:{model}"
        self.seen.setdefault(model, [])

    def generate(self, requests: Sequence[Any]) -> list[Any]:
        from ragtune.backends.base import Latency, Response, Usage

        out = []
        for request in requests:
            self.seen[self.model].append(request)
            question = request.messages[-1].content
            named = re.search(r"about (\w[\w-]*)", question)
            labels = request.labels or ()
            if named and (not labels or named.group(1) in labels):
                text, confidence = named.group(1), 0.9
            else:
                text, confidence = (labels[0] if labels else "unknown"), 0.2
            if self.model == "slow":
                time.sleep(0.02)
            prompt = len(request.system.split()) + sum(
                len(m.content.split()) for m in request.messages
            )
            usage = Usage(input_tokens=prompt, output_tokens=1)
            out.append(
                Response(
                    text, "stop", usage, Latency(0.001), self.name, self.model,
                    mean_logprob=math.log(confidence),
                )
            )  # fmt: skip
        return out

    def close(self) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[type[ScriptedBackend]]:
    """`scripted:MODEL` backends available to workloads for the test's duration."""
    from ragtune.backends.registry import register_backend, unregister_backend

    register_backend(
        "scripted",
        lambda name, **options: ScriptedBackend(name.model),
        "scripted:MODEL (tests only)",
    )
    ScriptedBackend.seen = {}
    yield ScriptedBackend
    unregister_backend("scripted")
