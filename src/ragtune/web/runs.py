"""The runs viewer: the runs in the store and each run's report, rendered as `ragtune report` does.

Routes:
  GET /runs                          the list of runs (server-rendered HTML, no script)
  GET /runs/{run_id}?volume=N        the run's report: `render_html(build_document(...))`
  GET /api/runs                      the same list as JSON
  GET /api/runs/{run_id}/report      ?format=json|md&volume=N

The store is the file named by `app.state.store_path` (set by `ragtune serve --store`), else
$RAGTUNE_STORE, else the CLI's default `.ragtune/ragtune.db`; a store that does not exist is an
empty list (the viewer never creates one). Run ids must look like the store's own ids
(`20261122-021500-a3f9`), so nothing user-supplied reaches a path or a prefix query; unknown
ids are 404. The report's config block is redacted by the renderer; the report page gets its own
Content-Security-Policy: only the report's own inline stylesheet, and only its two chart scripts
(the bundled vega-embed and the code that embeds the specs), allowed by hash; no eval (Vega's
expression interpreter), no other script, nothing from another origin.

No local path leaves the machine: a stored path (the run's workload file, a path in its config)
is shown by its file name only, in the list and in every form of the report (`without_paths`).

Deliberately not here: numbers (the advisor), rendering (`ragtune.report`), the list's styling
beyond `static/runs.css`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from html import escape
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from ragtune.errors import RagtuneError
from ragtune.report import (
    STYLE,
    ReportDocument,
    chart_script_hashes,
    render_html,
    render_json,
    render_markdown,
)
from ragtune.web.static_files import static_path

log = logging.getLogger(__name__)

DEFAULT_STORE = Path(".ragtune") / "ragtune.db"  # the CLI's default (cli/run.py), checked by a test
RUN_ID = r"^\d{8}-\d{6}-[0-9a-f]{4}$"  # store/runstore.py new_id(): 20261122-021500-a3f9
MAX_VOLUME = 1e12  # requests/month; far past any real workload
IN_SCHEMA = True  # published in /openapi.json (the fuzz and security tests list them)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()


def report_csp() -> str:
    """The report page's policy; the script hashes need the chart bundle (cached after once)."""
    scripts = " ".join(chart_script_hashes())
    return (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; script-src {scripts}; "
        "img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )


router = APIRouter(tags=["runs"])

RunId = Annotated[str, PathParam(description="A run id from GET /api/runs", max_length=64)]
Volume = Annotated[
    float | None,
    Query(gt=0, le=MAX_VOLUME, description="Requests per month to price at (default: the run's)"),
]


def store_path(request: Request) -> Path:
    configured = getattr(request.app.state, "store_path", None)
    return Path(configured or os.environ.get("RAGTUNE_STORE") or DEFAULT_STORE)


def list_runs(path: Path) -> list[dict[str, Any]]:
    """Every run in the store, newest first, with its arms; [] when there is no store."""
    if not path.is_file():
        return []
    from ragtune.store import RunStore

    with RunStore.open(path) as store:
        return [
            {
                "id": run.id,
                "created": run.created,
                "workload": file_name(run.workload),
                "task": (run.config or {}).get("task"),
                "status": run.status,
                "arms": [{"name": a.name, "status": a.status} for a in store.list_arms(run.id)],
                "report": f"/runs/{run.id}",
            }
            for run in store.list_runs()
        ]


def document(path: Path, run_id: str, volume: float | None) -> ReportDocument:
    """The run's report document, or 404 / 422 with a message that holds no server path.

    An id that does not look like a store id is unknown (404) before the store is opened.
    """
    if not re.fullmatch(RUN_ID, run_id) or not path.is_file():
        raise HTTPException(404, f"no run {run_id} in the store")
    from ragtune.advisor import build_document
    from ragtune.store import RunStore

    with RunStore.open(path) as store:
        if run_id not in {r.id for r in store.list_runs()}:
            raise HTTPException(404, f"no run {run_id} in the store")
        try:
            return without_paths(build_document(store, run_id, volume=volume))
        except RagtuneError as err:
            log.warning("report for run %s: %s", run_id, err)
            detail = f"cannot build the report of run {run_id}: {_scrub(err)}"
            raise HTTPException(422, detail) from None


def file_name(value: str | None) -> str | None:
    """A stored path as the web shows it: the file's name, without this machine's folders."""
    if value is None or not is_local_path(value):
        return value
    return PureWindowsPath(value).name if "\\" in value else PurePosixPath(value).name


def is_local_path(value: str) -> bool:
    """An absolute (or home-relative) file path, as a whole string: /a/b, ~/a, C:\\a."""
    if "\n" in value or "://" in value or len(value) < 2:
        return False
    return (
        value.startswith("~/")
        or PurePosixPath(value).is_absolute()
        or PureWindowsPath(value).is_absolute()
    )


def without_paths(doc: ReportDocument | dict[str, Any]) -> ReportDocument:
    """The document with every string that is a local path reduced to its file name."""

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return file_name(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    data = doc if isinstance(doc, dict) else doc.model_dump(mode="json", by_alias=True)
    return ReportDocument.model_validate(walk(data))


def _scrub(err: RagtuneError) -> str:
    """The error's message with file paths reduced to their names."""
    return re.sub(r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/'\"]+)+[\\/]?", _name, err.message)


def _name(match: re.Match[str]) -> str:
    return Path(match.group(0)).name or "<path>"


@router.get("/runs", include_in_schema=False)
def runs_page(request: Request) -> HTMLResponse:
    runs = list_runs(store_path(request))
    template = static_path("runs.html").read_text(encoding="utf-8")
    return HTMLResponse(template.replace("<!-- runs -->", _runs_table(runs)))


def _runs_table(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return (
            '<p id="no-runs">No runs to show yet: the run store has no runs. Make one with '
            "<code>ragtune run workload.yaml</code> or <code>ragtune demo</code> (then reload), "
            'or price a scenario in the <a href="/">calculator</a>.</p>'
        )
    rows = []
    for r in runs:
        rid = escape(r["id"], quote=True)
        arms = ", ".join(
            f'<span class="arm arm-{escape(a["status"], quote=True)}">{escape(a["name"])}</span>'
            for a in r["arms"]
        )
        rows.append(
            f'<tr data-run="{rid}"><td><a class="report" href="/runs/{rid}">{rid}</a></td>'
            f"<td>{escape(str(r['created'])[:19].replace('T', ' '))}</td>"
            f"<td>{escape(str(r['workload'] or '-'))}</td><td>{escape(str(r['task'] or '-'))}</td>"
            f"<td>{escape(r['status'])}</td><td>{arms}</td>"
            f'<td><a href="/api/runs/{rid}/report?format=md">md</a> · '
            f'<a href="/api/runs/{rid}/report?format=json">json</a></td></tr>'
        )
    return (
        '<table id="runs"><thead><tr><th>run</th><th>created (UTC)</th><th>workload</th>'
        "<th>task</th><th>status</th><th>arms</th><th>report as</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


@router.get("/runs/{run_id}", include_in_schema=False)
def run_page(request: Request, run_id: RunId, volume: Volume = None) -> HTMLResponse:
    doc = document(store_path(request), run_id, volume)
    return HTMLResponse(render_html(doc), headers={"content-security-policy": report_csp()})


@router.get("/api/runs", include_in_schema=IN_SCHEMA)
def runs_api(request: Request) -> list[dict[str, Any]]:
    return list_runs(store_path(request))


@router.get(
    "/api/runs/{run_id}/report",
    include_in_schema=IN_SCHEMA,
    responses={404: {"description": "No run with that id in the store"}},
)
def report_api(
    request: Request,
    run_id: RunId,
    volume: Volume = None,
    format: Literal["json", "md"] = "json",
) -> Response:
    doc = document(store_path(request), run_id, volume)
    if format == "md":
        return Response(render_markdown(doc), media_type="text/markdown; charset=utf-8")
    return Response(render_json(doc), media_type="application/json")
