"""The runs viewer's slot in the web app: a placeholder page until runs have reports.

The viewer will list the runs in the store and render each run's report with the same code as
`ragtune report`; it plugs in here as more routes on `router` (or as a router passed to
`create_app(routers=...)`). Until then `/runs` says so, rather than showing an empty list that
could be mistaken for "no runs in the store".
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ragtune.web.static_files import static_path

router = APIRouter(tags=["runs"])


@router.get("/runs", include_in_schema=False)
def runs_page() -> FileResponse:
    return FileResponse(static_path("runs.html"), media_type="text/html")
