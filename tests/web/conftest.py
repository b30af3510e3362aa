"""Fixtures for the web app: a real uvicorn server on a free port and real headless Chromium.

The server runs in a thread of the test process, so the fake API keys set here are in its
environment too (the no-secrets test looks for them in every response). Chromium is Debian's
package, driven by Playwright with `executable_path`; a missing browser fails with the command
that installs it instead of skipping.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from ragtune.web.app import create_app

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "web"
SCENARIOS = REPO / "src" / "ragtune" / "examples" / "scenarios"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused on this network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Values no response may ever contain (see test_security.py).
SECRETS = {
    "ANTHROPIC_API_KEY": "sk-ant-test-7f3c9a1e5b2d4c6e8a0b1c2d3e4f5a6b",
    "OPENAI_API_KEY": "sk-test-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d",
    "RAGTUNE_TEST_SECRET": "hunter2-ragtune-do-not-leak",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of the app served by uvicorn on 127.0.0.1 (host checking on, as in `serve`)."""
    for name, value in SECRETS.items():
        os.environ[name] = value
    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def run_cli_cost(path: Path, *extra: str) -> dict[str, Any]:
    """What `ragtune cost PATH --json` prints, run as a user would (a subprocess)."""
    out = subprocess.run(
        [sys.executable, "-m", "ragtune", "cost", str(path), "--json", *extra],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    data: dict[str, Any] = json.loads(out.stdout)
    return data


CliCost = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def cli_cost() -> CliCost:
    """`run_cli_cost`: the CLI's JSON for a scenario file."""
    return run_cli_cost


@pytest.fixture(scope="session")
def secrets() -> dict[str, str]:
    """Fake credentials in the server's environment, which no response may contain."""
    return dict(SECRETS)


@pytest.fixture(scope="session")
def scenarios() -> Path:
    """The bundled example scenarios folder."""
    return SCENARIOS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for one test file. Module-scoped, not session-scoped: Playwright's sync
    API keeps an asyncio loop running in this thread while it is open, so any later test that
    calls `asyncio.run` (the retry tests) would fail; with tests spread over workers, "later"
    can be any file. Closing it with the file keeps the tests independent of order."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; run scripts/install_browser.sh "
            "(it apt-get installs Debian's chromium) and re-run the tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh page; every URL it requests is recorded in `page.requested_urls`."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    urls: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.requested_urls = urls
    page.page_errors = errors
    yield page
    context.close()


class CliServer:
    """`python -m ragtune ARGS...` (serve or review) as a user runs it, on a free port.

    Its stdout and stderr are read as they come (links are printed before the server starts),
    and the server is up once its port accepts connections.
    """

    def __init__(self, *args: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.out: list[str] = []
        self.err: list[str] = []
        command = [sys.executable, "-m", "ragtune", *args, "--port", str(self.port)]
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, lines), daemon=True).start()
        deadline = time.monotonic() + 60
        while not self._accepts():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"server did not start: {''.join(self.err)}")
            time.sleep(0.1)

    @staticmethod
    def _read(stream: Any, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def start_server(app: Any, host: str = "127.0.0.1") -> tuple[str, Callable[[], None]]:
    """Serve `app` with uvicorn in a thread bound to `host`; (base URL via 127.0.0.1, stop)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def serve_store() -> Iterator[Callable[[Path], str]]:
    """Start the app on a given run store (as `ragtune serve --store PATH`); returns base URLs."""
    stops: list[Callable[[], None]] = []

    def start(store: Path) -> str:
        app = create_app()
        app.state.store_path = str(store)
        base, stop = start_server(app)
        stops.append(stop)
        return base

    yield start
    for stop in stops:
        stop()
