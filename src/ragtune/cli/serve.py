"""`ragtune serve`: run the local web app (calculator page + JSON API) with uvicorn."""

from __future__ import annotations

import ipaddress
import logging

import click

from ragtune.cli.main import cli
from ragtune.cli.run import _store_option
from ragtune.errors import MissingDependencyError

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`; names are otherwise treated as public."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind. Anything but localhost exposes the app to your network.",
)
@click.option(
    "--prices",
    "price_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Extra price file(s) that add to or override the bundled catalog.",
)
@_store_option
def serve(port: int, host: str, price_files: tuple[str, ...], store_path: str) -> None:
    """Serve the what-if cost calculator in your browser (and its JSON API).

    \b
    Example:
      ragtune serve                 # then open http://127.0.0.1:8765
      ragtune serve --port 9000
      ragtune serve --store runs/ragtune.db   # the runs viewer (/runs) reads this store
    The API schema is at /openapi.json.
    """
    try:
        import uvicorn

        from ragtune.web.app import LOOPBACK_HOSTS, create_app
    except ImportError as err:
        raise MissingDependencyError(err.name or "fastapi", "web") from err
    from ragtune.cost import load_catalog

    catalog = load_catalog(*price_files)
    loopback = is_loopback(host)
    if not loopback:
        click.echo(
            f"warning: binding to {host}, not localhost: anyone who can reach this machine on "
            f"port {port} can use the app (it has no login). Use --host 127.0.0.1 to keep it "
            "private.",
            err=True,
        )
    app = create_app(catalog, allowed_hosts=LOOPBACK_HOSTS if loopback else ("*",))
    app.state.store_path = store_path  # read by the runs viewer (web/runs.py)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"ragtune calculator on http://{shown}:{port}  (Ctrl+C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
