"""`ragtune serve` as a user runs it: serves the page, warns when bound beyond localhost."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from ragtune.cli.serve import is_loopback


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(host: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ragtune", "serve", "--host", host, "--port", str(port)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/examples", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {proc.communicate()[1]}")
            time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serves_on_localhost_without_warning() -> None:
    with serving("127.0.0.1") as (url, proc):
        page = httpx.get(url)
        assert page.status_code == 200 and "/static/app.js" in page.text
    stderr = proc.stderr.read() if proc.stderr else ""
    assert "warning" not in stderr.lower()
    assert "ragtune calculator on http://127.0.0.1:" in stderr


def test_warns_when_bound_to_all_interfaces() -> None:
    with serving("0.0.0.0") as (url, proc):
        assert httpx.get(f"{url}/api/catalog").status_code == 200  # any Host is accepted
    stderr = proc.stderr.read() if proc.stderr else ""
    assert "warning: binding to 0.0.0.0, not localhost" in stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
