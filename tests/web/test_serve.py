"""`ragtune serve` as a user runs it: open on localhost, tokens when reachable from elsewhere."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from ragtune.cli.serve import is_loopback

from .conftest import CliServer


@contextmanager
def serving(host: str, *extra: str) -> Iterator[CliServer]:
    server = CliServer("serve", "--host", host, *extra)
    try:
        yield server
    finally:
        server.stop()


def test_serves_on_localhost_without_warning() -> None:
    with serving("127.0.0.1") as server:
        page = httpx.get(server.base)
        assert page.status_code == 200 and "/static/app.js" in page.text
    assert "warning" not in server.stderr.lower() and "token" not in server.stderr
    assert "ragtune calculator on http://127.0.0.1:" in server.stderr


def test_all_interfaces_need_the_owners_token() -> None:
    """Bound to 0.0.0.0 (issue 31): nothing without a token, the printed owner's link opens
    the calculator, and the Host check stays on (it was off here before)."""
    with serving("0.0.0.0") as server:
        assert httpx.get(f"{server.base}/api/catalog").status_code == 401
        for _ in range(50):
            if "?token=" in server.stderr:
                break
            time.sleep(0.1)  # the reader thread may lag the server
        token = re.search(r"/\?token=(\S+)", server.stderr)
        assert token, server.stderr
        auth = {"authorization": f"Bearer {token[1]}"}
        assert httpx.get(f"{server.base}/api/catalog", headers=auth).status_code == 200
        foreign = httpx.get(f"{server.base}/api/catalog", headers={**auth, "host": "evil.example"})
        assert foreign.status_code == 400
    assert "tokens required" in server.stderr and "WARNING" not in server.stderr


def test_no_auth_on_all_interfaces_says_so_loudly() -> None:
    with serving("0.0.0.0", "--no-auth") as server:
        assert httpx.get(f"{server.base}/api/catalog").status_code == 200
        assert httpx.get(f"{server.base}/", headers={"host": "evil.example"}).status_code == 400
    assert "WARNING: --no-auth while reachable as 0.0.0.0" in server.stderr
    assert "can read every run" in server.stderr and "?token=" not in server.stderr


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
