"""Fixtures for the backend tests: the real SmolLM2 backend, and HTTP replay for paid APIs.

The openai and anthropic SDKs installed here run on httpx2, which respx does not patch, so paid
APIs are replayed one level down instead: an `httpx2.MockTransport` handed to the SDK's own
client answers each request from a recording (or raises a transport error, for fault
injection), and keeps every request it saw for assertions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

RECORDINGS = Path(__file__).parent / "recordings"

FAKE_OPENAI_KEY = "sk-test-FAKEKEY-0123456789abcdefDONOTLEAK"
FAKE_ANTHROPIC_KEY = "sk-ant-test-FAKEKEY-9876543210zyxwvuDONOTLEAK"


def recording(name: str) -> dict[str, Any]:
    return json.loads((RECORDINGS / name).read_text())  # type: ignore[no-any-return]


class Replay:
    """A scripted HTTP peer: each step is a recording name, a (status, body, headers) triple,
    an exception instance to raise, or a callable taking the request."""

    def __init__(self, *steps: Any) -> None:
        self.steps = list(steps)
        self.requests: list[Any] = []

    def transport(self) -> Any:
        import httpx2

        return httpx2.MockTransport(self._handle)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def _handle(self, request: Any) -> Any:
        import httpx2

        self.requests.append(request)
        if not self.steps:
            raise AssertionError(f"unexpected extra request to {request.url}")
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        if callable(step):
            return step(request)
        if isinstance(step, str):
            step = recording(step)
            status, headers = step["status"], step.get("headers", {})
            if "sse" in step:
                return httpx2.Response(
                    status,
                    headers={"content-type": "text/event-stream", **headers},
                    content="".join(step["sse"]).encode(),
                )
            return httpx2.Response(status, headers=headers, json=step["body"])
        status, body, headers = step
        if isinstance(body, bytes | str):
            content = body.encode() if isinstance(body, str) else body
            return httpx2.Response(
                status, headers={"content-type": "application/json", **headers}, content=content
            )
        return httpx2.Response(status, headers=headers, json=body)


class Sleeps:
    """An async sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def replay() -> Callable[..., Replay]:
    return Replay


@pytest.fixture(scope="session")
def smollm2() -> Any:
    """The bundled SmolLM2-135M-Instruct, loaded once (converted once per machine)."""
    from ragtune.backends.local import LocalBackend

    backend = LocalBackend("smollm2-135m")
    backend.load()
    return backend
