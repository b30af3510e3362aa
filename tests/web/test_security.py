"""Security of the web app on a live server: no path traversal, no secrets, size and host limits.

Traversal attempts are sent with `http.client`, which puts the path on the wire exactly as
written (httpx and browsers would normalise `..` away before the server saw it).
"""

from __future__ import annotations

import http.client
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from ragtune.web.app import create_app
from ragtune.web.guards import MAX_BODY_BYTES

TRAVERSALS = [
    "/static/../app.py",
    "/static/../../cost/prices.yaml",
    "/static/%2e%2e/app.py",
    "/static/%2e%2e/%2e%2e/cost/prices.yaml",
    "/static/..%2fapp.py",
    "/static/..%2f..%2fcost%2fprices.yaml",
    "/static/%252e%252e/app.py",
    "/static/....//....//app.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/..\\app.py",
    "/static/index.html%00.js",
    "/static/../../../../../../etc/passwd",
    "/api/examples/..%2f..%2fcost%2fprices",
    "/api/examples/%2e%2e%2fapi_vs_selfhosted",
    "/api/examples/../../../etc/passwd",
    "/api/examples/%2fetc%2fpasswd",
    "/runs/../../app.py",
    "/..%2f..%2fetc/passwd",
]
# Text that would show a file outside the static folder was served.
LEAKS = ["root:x:0", "import ", "def create_app", "models:\n", "input_per_m", "volume:"]


def raw_get(base: str, path: str) -> tuple[int, str]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_refused(live_server: str, path: str) -> None:
    status, body = raw_get(live_server, path)
    assert status in (400, 404, 405), (path, status)
    assert not any(leak in body for leak in LEAKS), path


def test_static_files_are_still_served(live_server: str) -> None:
    status, body = raw_get(live_server, "/static/app.js")
    assert status == 200 and "recompute" in body


def test_no_route_takes_a_path() -> None:
    """Structure: the path parameters are an example name (checked against a fixed list), a
    run id (checked against the store's id pattern) and a review number (an integer), and the
    non-GET operations compute from the request body, except the one that saves a rating in
    the existing run store (never a file named by the request)."""
    schema = create_app().openapi()
    path_params = {
        (path, p["name"])
        for path, ops in schema["paths"].items()
        for op in ops.values()
        for p in op.get("parameters", [])
        if p["in"] == "path"
    }
    assert path_params == {
        ("/api/examples/{name}", "name"),
        ("/api/runs/{run_id}/report", "run_id"),  # checked against the store's id pattern
        ("/api/review/{run_id}/{review}", "run_id"),
        ("/api/review/{run_id}/{review}", "review"),  # an integer
        ("/api/review/{run_id}/{review}/ratings", "run_id"),
        ("/api/review/{run_id}/{review}/ratings", "review"),
    }
    writes = {(path, m.upper()) for path, ops in schema["paths"].items() for m in ops if m != "get"}
    assert writes == {
        ("/api/analyse", "POST"),
        ("/api/scenario/import", "POST"),
        ("/api/scenario/export", "POST"),
        ("/api/review/{run_id}/{review}/ratings", "POST"),  # a row in the existing store
    }


def test_post_endpoints_write_no_files(live_server: str) -> None:
    """Import and export answer in the body; nothing appears on disk, whatever the name says.

    Watches the web and examples folders (other agents edit the rest of the tree meanwhile)
    and the working directory for new YAML files.
    """
    package = Path(__file__).resolve().parents[2] / "src" / "ragtune"
    watched = [package / "web", package / "examples"]

    def snapshot() -> dict[Path, int]:
        return {
            p: p.stat().st_mtime_ns
            for folder in watched
            for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    before, yaml_before = snapshot(), set(Path.cwd().glob("*.yaml"))
    with httpx.Client(base_url=live_server) as client:
        raw = client.get("/api/examples/projects_vs_local").json()["scenario"]
        raw["name"] = "../../../../tmp/evil"
        assert client.post("/api/scenario/export", json={"scenario": raw}).status_code == 200
        text = (
            "name: ../../x\nvolume: {requests_per_month: 1}\noptions: {a: {api: {model: gpt-4o}}}"
        )
        assert client.post("/api/scenario/import", json={"yaml": text}).status_code == 200
    assert snapshot() == before
    assert set(Path.cwd().glob("*.yaml")) == yaml_before
    assert not Path("/tmp/evil").exists() and not Path("/tmp/evil.yaml").exists()


@pytest.fixture(scope="module")
def responses(live_server: str) -> Iterator[list[httpx.Response]]:
    """One response from every route, good and bad requests alike."""
    with httpx.Client(base_url=live_server, timeout=60) as c:
        raw = c.get("/api/examples/projects_vs_local").json()["scenario"]
        broken = {**raw, "horizon_months": 0}
        got = [
            c.get("/"),
            c.get("/runs"),
            c.get("/openapi.json"),
            c.get("/api/catalog"),
            c.get("/api/examples"),
            c.get("/api/examples/projects_vs_local"),
            c.get("/api/examples/nope"),
            c.get("/static/app.js"),
            c.get("/static/nope.js"),
            c.post("/api/analyse", json={"scenario": raw}),
            c.post("/api/analyse", json={"scenario": broken}),
            c.post("/api/analyse", content=b"{", headers={"content-type": "application/json"}),
            c.post("/api/scenario/export", json={"scenario": raw}),
            c.post("/api/scenario/import", json={"yaml": "a: [1"}),
        ]
        yield got


def test_no_secrets_or_server_paths_in_any_response(
    responses: list[httpx.Response], secrets: dict[str, str]
) -> None:
    home = os.path.expanduser("~")
    repo = str(Path(__file__).resolve().parents[2])
    assert all(os.environ[k] == v for k, v in secrets.items())  # the server can see them
    for response in responses:
        text = response.text + "".join(f"{k}: {v}" for k, v in response.headers.items())
        for value in secrets.values():
            assert value not in text, response.url
        assert repo not in text and f"{home}/" not in text, response.url
        assert "Traceback" not in text


def test_security_headers_on_every_response(responses: list[httpx.Response]) -> None:
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "connect-src 'self'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"


def test_oversized_body_is_413(live_server: str) -> None:
    big = b'{"yaml": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    with httpx.Client(base_url=live_server) as client:
        response = client.post(
            "/api/scenario/import", content=big, headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
        assert "256 KB" in response.json()["detail"]
        # just under the limit is parsed (and refused by the field's own length limit: 422)
        fits = b'{"yaml": "' + b"x" * (MAX_BODY_BYTES - 100) + b'"}'
        response = client.post(
            "/api/scenario/import", content=fits, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422


def test_oversized_chunked_body_without_length_is_413(live_server: str) -> None:
    """320 KB sent chunked, with no Content-Length: refused with 413 once past the limit.

    The server may answer and close while chunks are still going out, so sending stops quietly
    on a closed connection and the status line is read from what the server sent.
    """
    parts = urlsplit(live_server)
    head = (
        f"POST /api/scenario/import HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    body = [b'{"yaml": "'] + [b"y" * 8192] * 40 + [b'"}']
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port), timeout=30) as sock:
        try:
            sock.sendall(head)
            for chunk in body:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused early, as it should
        reply = b""
        try:
            while b"\r\n" not in reply:
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
        except ConnectionResetError:
            pass
    assert reply.split(b"\r\n", 1)[0].split()[1:2] == [b"413"], reply[:200]


def test_foreign_host_header_is_refused(live_server: str) -> None:
    """DNS-rebinding defence: a page on evil.example resolving to 127.0.0.1 gets 400."""
    with httpx.Client(base_url=live_server) as client:
        assert client.get("/api/catalog", headers={"host": "evil.example"}).status_code == 400
        assert client.get("/api/catalog", headers={"host": "localhost"}).status_code == 200


def test_api_docs_pages_that_load_cdn_scripts_are_off(live_server: str) -> None:
    with httpx.Client(base_url=live_server) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
