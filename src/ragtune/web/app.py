"""The local web app: `create_app()` wires the calculator page, its JSON API and the guards.

Routes:
  GET  /                  the calculator page (static HTML; all numbers come from the API)
  GET  /static/...        the page's own JS and CSS (no CDN: the page works offline)
  GET  /vendor/vega.js    the Vega, Vega-Lite and vega-embed bundle the report inlines, which
                          draws the page's chart (`ragtune.report.chart_javascript`)
  GET  /vendor/vega.css   the charts' tooltip style, the report's too
  GET  /runs              the runs viewer slot (a placeholder until the run store has reports)
  GET  /review/...        the blind human-review page and its API (see `review.py`)
  /api/...                the JSON API (see `api.py`), described at GET /openapi.json

Nothing is served from a user-supplied path: static files come from the package's `static`
folder through Starlette's `StaticFiles` (which refuses `..` and symlinks out of it), and
example scenarios are looked up by name in a fixed list.

Every request passes, in order: the security headers (on every answer, refusals included), the
Host allow-list (400; for every bind address), the Origin check on state-changing requests
(403), the token check (`access.py`: 401 / 403, ratings rate-limited with 429), then the body
limit (413 past 256 KB), so nothing unauthenticated is read beyond its headers.

Deliberately not here: the server process (`ragtune serve`, in `cli/serve.py`) and cost logic.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ragtune import __version__
from ragtune.cost import Catalog, load_catalog
from ragtune.report import CHART_STYLE, chart_javascript
from ragtune.web import review, runs
from ragtune.web.access import Access, AccessPolicy
from ragtune.web.api import build_router
from ragtune.web.guards import (
    MAX_BODY_BYTES,
    BodyLimit,
    HostCheck,
    OriginCheck,
    SecurityHeaders,
    clean_host,
)
from ragtune.web.static_files import STATIC, static_path

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def create_app(
    catalog: Catalog | None = None,
    *,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
    max_body_bytes: int = MAX_BODY_BYTES,
    routers: Sequence[APIRouter] = (),
    access: AccessPolicy | None = None,
) -> FastAPI:
    """The ASGI app. `routers` adds pages or APIs (the runs viewer will plug in here).

    `allowed_hosts` are the host names requests may carry (there is no wildcard: a server
    reachable from the network needs the Host check most). `access` defaults to the localhost
    app's policy: no token needed.
    """
    wildcard = [h for h in allowed_hosts if not clean_host(h) or "*" in h]
    if wildcard:
        raise ValueError(
            f"allowed host {wildcard[0]!r} is not a host name: the Host check cannot be turned "
            "off; list each name the server is reached by"
        )
    catalog = catalog if catalog is not None else load_catalog()
    app = FastAPI(
        title="ragtune",
        version=__version__,
        summary="What-if cost calculator: monthly cost, TCO, break-even and payback per option.",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN; the schema is enough
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.include_router(build_router(catalog))
    app.include_router(runs.router)
    app.include_router(review.router)
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/vendor/vega.js", include_in_schema=False)
    def vega_bundle() -> Response:
        # The report's bundle (made once per vl-convert version, then cached on disk), so the
        # page and the report draw with the same Vega-Lite.
        headers = {"Cache-Control": "max-age=86400"}
        return Response(chart_javascript(), media_type="text/javascript", headers=headers)

    @app.get("/vendor/vega.css", include_in_schema=False)
    def vega_style() -> Response:
        return Response(CHART_STYLE, media_type="text/css")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(static_path("index.html"), media_type="text/html")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes the input, and a body with NaN or Infinity (which
        # Python's JSON parser accepts) then fails to encode: a 500 for a client's mistake.
        return JSONResponse({"detail": _finite(jsonable_encoder(exc.errors()))}, status_code=422)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback on the server; the client sees no internals or paths.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; see the server log"}, status_code=500)

    # The last added runs first.
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.add_middleware(Access, policy=access or AccessPolicy())
    app.add_middleware(OriginCheck)
    app.add_middleware(HostCheck, allowed=allowed_hosts)
    app.add_middleware(SecurityHeaders)
    return app


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinite float written as text, so it encodes as JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
