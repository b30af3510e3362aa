"""The runs viewer: list, report pages and report API, on real stores, in real Chromium.

Fast tests use a real SQLite store whose runs are made through the store API, with the advisor
replaced by the report fixture document (tests/report/fixture_document.json, a real
`build_document` result: hostile arm names, an API key in the config). Slow tests make one tiny
real run (`ragtune run`, local models) and serve it with `ragtune serve --store`, as a user
would; the report page must be exactly what `render_html(build_document(...))` gives, the same
code as `ragtune report`.
Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ragtune.errors import RagtuneError
from ragtune.report import chart_script_hashes, chart_specs, render_html
from ragtune.store.runstore import RunStore
from ragtune.web import runs
from ragtune.web.app import create_app

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "report" / "fixture_document.json"
HOSTILE = '<img src=x onerror=alert(1)>|"quoted"'
CHARTS = ("cost", "quality", "latency", "freshness", "training", "router")


# --- fast: a store made through the store API, the advisor replaced by the fixture document ----


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    path = tmp_path / "ragtune.db"
    with RunStore.open(path) as s:
        config = {"task": "qa", "backends": {"api": {"api_key": "sk-live-abcdefghijklmnopqrstu"}}}
        run = s.create_run(config, seed=3, workload=HOSTILE)
        s.add_arm(run.id, "prompt")
        s.add_arm(run.id, HOSTILE)
    yield path, run.id


@pytest.fixture
def client(store: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> TestClient:
    import ragtune.advisor

    def fake_build(s: RunStore, run_id: str, *, volume: float | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(FIXTURE.read_text())
        doc["run"]["id"] = run_id
        if volume is not None:
            doc["verdict"]["volume"] = volume
        return doc

    monkeypatch.setattr(ragtune.advisor, "build_document", fake_build)
    app = create_app()
    app.state.store_path = str(store[0])
    return TestClient(app, base_url="http://127.0.0.1")


def test_default_store_is_the_clis() -> None:
    from ragtune.cli.run import DEFAULT_STORE

    assert runs.DEFAULT_STORE == DEFAULT_STORE


def test_missing_store_is_an_empty_list_and_is_not_created(tmp_path: Path) -> None:
    app = create_app()
    app.state.store_path = str(tmp_path / "nowhere" / "ragtune.db")
    c = TestClient(app, base_url="http://127.0.0.1")
    assert c.get("/api/runs").json() == []
    page = c.get("/runs")
    assert page.status_code == 200 and 'id="no-runs"' in page.text
    assert "No runs to show yet" in page.text
    assert c.get("/runs/20261122-021500-a3f9").status_code == 404
    assert not (tmp_path / "nowhere").exists()


def test_list_shows_runs_and_escapes(client: TestClient, store: tuple[Path, str]) -> None:
    _, run_id = store
    listed = client.get("/api/runs").json()
    assert [r["id"] for r in listed] == [run_id]
    assert listed[0]["task"] == "qa" and listed[0]["workload"] == HOSTILE
    assert sorted(a["name"] for a in listed[0]["arms"]) == sorted(["prompt", HOSTILE])
    assert listed[0]["report"] == f"/runs/{run_id}"
    page = client.get("/runs").text
    assert f'href="/runs/{run_id}"' in page and "<img" not in page
    assert html.escape(HOSTILE) in page
    assert "sk-live" not in page and "sk-live" not in json.dumps(listed)


def test_report_page_is_the_rendered_report(client: TestClient, store: tuple[Path, str]) -> None:
    _, run_id = store
    response = client.get(f"/runs/{run_id}")
    assert response.status_code == 200
    doc = json.loads(FIXTURE.read_text())
    doc["run"]["id"] = run_id
    assert response.text == render_html(doc)
    assert "sk-live" not in response.text and "[redacted]" in response.text
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'sha256-" in csp
    # scripts: only the report's two (the vega-embed bundle and the embedding code), by hash
    scripts = re.search(r"script-src ([^;]*);", csp)
    assert scripts and scripts.group(1).split() == list(chart_script_hashes())
    assert "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_report_api_formats_and_volume(client: TestClient, store: tuple[Path, str]) -> None:
    _, run_id = store
    doc = client.get(f"/api/runs/{run_id}/report").json()
    assert doc["schema"] == "ragtune.report/2" and doc["run"]["id"] == run_id
    assert doc["run"]["config"]["service"]["api_key"] == "[redacted]"
    md = client.get(f"/api/runs/{run_id}/report", params={"format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and "## Arms" in md.text
    priced = client.get(f"/api/runs/{run_id}/report", params={"volume": "2500000"}).json()
    assert priced["verdict"]["volume"] == 2_500_000


@pytest.mark.parametrize("volume", ["0", "-1", "abc", "1e13", "nan", "inf", ""])
def test_bad_volume_is_422(client: TestClient, store: tuple[Path, str], volume: str) -> None:
    _, run_id = store
    for url in (f"/runs/{run_id}", f"/api/runs/{run_id}/report"):
        response = client.get(url, params={"volume": volume})
        assert response.status_code == 422, (url, volume)
        assert response.json()["detail"][0]["loc"] == ["query", "volume"]


def test_bad_format_is_422(client: TestClient, store: tuple[Path, str]) -> None:
    response = client.get(f"/api/runs/{store[1]}/report", params={"format": "html"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "format"


@pytest.mark.parametrize(
    "run_id",
    [
        "20261122-021500-a3f9",
        "nope",
        "2026",
        "..%2f..%2fapp.py",
        "%2e%2e",
        "a" * 65,
        "20261122-021500-A3F9",
        "20261122-021500-a3f9%00",
    ],
)
def test_unknown_or_malformed_id_is_404(client: TestClient, run_id: str) -> None:
    for url in (f"/runs/{run_id}", f"/api/runs/{run_id}/report"):
        response = client.get(url)
        assert response.status_code in (404, 422), (url, response.status_code)
        assert "Traceback" not in response.text and "ragtune.db" not in response.text


def test_prefix_of_an_id_is_not_looked_up(client: TestClient, store: tuple[Path, str]) -> None:
    _, run_id = store
    assert client.get(f"/runs/{run_id[:8]}").status_code == 404  # the CLI allows it; the web not


def test_build_errors_are_422_without_paths(
    client: TestClient, store: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ragtune.advisor

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise RagtuneError(f"price file {store[0].parent}/secret/prices.yaml is not valid YAML")

    monkeypatch.setattr(ragtune.advisor, "build_document", broken)
    response = client.get(f"/api/runs/{store[1]}/report")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "prices.yaml is not valid YAML" in detail and str(store[0].parent) not in detail


def test_serve_passes_the_store_to_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from ragtune.cli.main import cli

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "s.db"), "--port", "1"])
    assert result.exit_code == 0, result.output
    assert served["app"].state.store_path == str(tmp_path / "s.db")


# --- slow: a real run, served by `ragtune serve --store` -----------------------------------------


@pytest.fixture(scope="module")
def viewer(real_run: tuple[Path, str]) -> Iterator[str]:
    """`ragtune serve --store STORE` in a subprocess; its base URL."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "ragtune",
        "serve",
        "--port",
        str(port),
        "--store",
        str(real_run[0]),
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/runs", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {proc.communicate()[1]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _generated(page: str) -> str:
    m = re.search(r"generated ([^<]+)</p>", page)
    assert m, "no generated time on the page"
    return html.unescape(m.group(1))


@pytest.mark.slow
def test_real_report_page_is_render_html_of_build_document(
    viewer: str, real_run: tuple[Path, str]
) -> None:
    from ragtune.advisor import build_document

    store, run_id = real_run
    assert [r["id"] for r in httpx.get(f"{viewer}/api/runs").json()] == [run_id]
    page = httpx.get(f"{viewer}/runs/{run_id}", timeout=60).text
    with RunStore.open(store) as s:
        # the web shows stored paths (the workload file) by their names only (issue 31)
        doc = runs.without_paths(build_document(s, run_id))
    served = httpx.get(f"{viewer}/api/runs/{run_id}/report", timeout=60).json()
    # the JSON report carries each chart's Vega-Lite spec beside the numbers (issue 27)
    charts = served.pop("charts")
    assert {**served, "generated": ""} == {**doc.to_json(), "generated": ""}
    assert charts == json.loads(json.dumps(chart_specs(doc))) and "cost" in charts
    assert page == render_html(doc.model_copy(update={"generated": _generated(page)}))
    priced = httpx.get(f"{viewer}/api/runs/{run_id}/report", params={"volume": 5e6}).json()
    assert priced["verdict"]["volume"] == 5e6


def _check_charts(page: Any, names: tuple[str, ...]) -> None:
    """Each chart drawn by vega-embed: an SVG of real size with marks in it, and its title."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-vega-spec]')]"
        ".every(e => e.getAttribute('data-rendered'))"
    )
    for name in names:
        chart = page.locator(f'#chart-{name}[data-rendered="true"]')
        assert chart.count() == 1, name
        box = chart.locator("svg").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, (name, box)
        drawn = chart.locator("svg :is(path, line, rect)").count()  # axes, grid and marks
        assert drawn > 5, (name, drawn)
        assert chart.locator(".role-mark > *").count() > 0, name  # the data's own marks
        assert chart.locator(".role-title-text").first.text_content(), name


@pytest.mark.slow
def test_open_a_report_from_the_runs_list_in_chromium(
    browser: Any, viewer: str, real_run: tuple[Path, str], artifacts: Path
) -> None:
    _, run_id = real_run
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    requested: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: console.append(m.text))
    try:
        page.goto(f"{viewer}/runs")
        page.screenshot(path=str(artifacts / "runs-list.png"), full_page=True)
        page.click(f'#runs a.report[href="/runs/{run_id}"]')
        page.wait_for_selector("#verdict")
        assert page.url == f"{viewer}/runs/{run_id}"
        page.screenshot(path=str(artifacts / "run-report.png"), full_page=True)
        _check_charts(page, ("cost", "quality", "latency"))  # a classify run with two arms
        for name in ("freshness", "training", "router"):
            assert page.locator(f"#figure-{name} .missing").count() == 1
        # the inline stylesheet applied under the page's CSP (its hash is allowed)
        width = page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")
        assert width == "1100px"
        assert [u for u in requested if not u.startswith((viewer, "data:"))] == []
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        context.close()


@pytest.mark.slow
def test_standalone_files_open_offline_in_chromium(
    browser: Any, real_run: tuple[Path, str], artifacts: Path, tmp_path: Path
) -> None:
    """The CLI's HTML file and the fixture document's (all six charts) from file://."""
    from click.testing import CliRunner

    from ragtune.cli.main import cli

    store, run_id = real_run
    result = CliRunner().invoke(cli, ["report", run_id, "--store", str(store)])
    real = Path(result.stdout.strip())
    full = tmp_path / "fixture-report.html"
    full.write_text(render_html(json.loads(FIXTURE.read_text())), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, offline=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        for path, charts, shot in (
            (real, ("cost", "quality", "latency"), "report-file.png"),
            (full, CHARTS, "report-file-all-charts.png"),
        ):
            page.goto(path.as_uri())
            page.screenshot(path=str(artifacts / shot), full_page=True)
            _check_charts(page, charts)
            assert page.locator("script[src]").count() == 0
        assert [u for u in requested if not u.startswith(("file://", "data:"))] == []
    finally:
        context.close()
