"""`ragtune serve`: run the local web app (calculator page + JSON API) with uvicorn.

Who may use it follows how it is reached, not who is asking: bound to localhost and answering
only to local names, it is one person's app and needs no token (today's flow). Bound to another
interface, or answering to another name (`--allowed-host`, `--public-url`: a reverse proxy on
this machine sends every request from 127.0.0.1, so the client's address proves nothing), every
request needs a token: the owner's, printed at start, or a reviewer's (`ragtune review
--invite`). `--no-auth` keeps the open app anyway and says so loudly.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from ragtune.cli.main import cli
from ragtune.cli.run import _store_option
from ragtune.errors import MissingDependencyError, RagtuneError

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
F = TypeVar("F", bound=Callable[..., Any])


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`; names are otherwise treated as public."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Exposure:
    """How the app is reached: the names it answers to, its address, whether it needs tokens."""

    host: str
    port: int
    allowed_hosts: tuple[str, ...]
    base_url: str  # what people open: http://HOST:PORT, or --public-url
    require_token: bool
    exposed: bool  # reachable beyond this machine (bound or named so)


def plan_exposure(
    host: str,
    port: int,
    allowed_hosts: tuple[str, ...] = (),
    public_url: str | None = None,
    auth: bool | None = None,
) -> Exposure:
    """The `Exposure` of `ragtune serve --host HOST ...`; bad names raise `RagtuneError`."""
    for name in allowed_hosts:
        _check_host_name(name)
    public_host = None
    if public_url is not None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RagtuneError(
                f"--public-url must be an http(s) address, got {public_url!r}",
                hint="give the address people open, e.g. --public-url https://review.example.com",
            )
        if parts.path.strip("/") or parts.query:
            raise RagtuneError(
                f"--public-url {public_url!r} has a path; ragtune is served at the root of its "
                "address",
                hint="proxy a whole host name to it, e.g. https://review.example.com",
            )
        public_host = parts.hostname
    bare = host.strip("[]").lower()
    wildcard = bare in WILDCARDS
    machine = socket.gethostname().lower() if wildcard else None
    names = [*LOOPBACK_NAMES, *([] if wildcard else [bare]), *([machine] if machine else [])]
    names += [n.strip("[]").lower() for n in allowed_hosts]
    names += [public_host] if public_host else []
    allowed = tuple(dict.fromkeys(names))
    exposed = not is_loopback(host) or any(not is_loopback(n) for n in allowed)
    if public_url is not None:
        base = public_url.rstrip("/")
    else:
        shown = machine if wildcard else bare
        base = f"http://{f'[{shown}]' if shown and ':' in shown else shown}:{port}"
    require = exposed if auth is None else auth
    return Exposure(host, port, allowed, base, require, exposed)


def _check_host_name(name: str) -> None:
    bare = name.strip().strip("[]")
    if "://" in name or "/" in name:
        raise RagtuneError(
            f"--allowed-host takes a host name, got {name!r}",
            hint=f"give only the name, e.g. --allowed-host {urlsplit(name).hostname or 'NAME'} "
            "(an address with a scheme goes in --public-url)",
        )
    if not bare or "*" in bare:
        raise RagtuneError(
            f"--allowed-host {name!r} is not a host name: the Host check cannot be turned off",
            hint="give each name the server is reached by, e.g. --allowed-host review.example.com",
        )
    if bare.count(":") == 1:
        raise RagtuneError(
            f"--allowed-host {name!r} has a port; the check is on the name only",
            hint=f"give --allowed-host {bare.split(':')[0]}",
        )


def exposure_options(command: F) -> F:
    """--host, --allowed-host, --public-url and --auth/--no-auth (shared with `review`)."""
    options = [
        click.option(
            "--host",
            default="127.0.0.1",
            show_default=True,
            help="Interface to bind. Anything but localhost exposes the app to your network, "
            "and then every request needs a token.",
        ),
        click.option(
            "--allowed-host",
            "allowed_hosts",
            multiple=True,
            metavar="NAME",
            help="Another host name this server answers to (any other Host gets 400). Default: "
            "the bound address and localhost.",
        ),
        click.option(
            "--public-url",
            metavar="URL",
            help="The address people open, if not http://HOST:PORT (e.g. https://review."
            "example.com behind a TLS reverse proxy); its name is allowed and needs tokens.",
        ),
        click.option(
            "--auth/--no-auth",
            default=None,
            help="Require tokens. Default: on unless the app is reached only through localhost. "
            "--no-auth serves every run to anyone who can reach the port.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@exposure_options
@click.option(
    "--prices",
    "price_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Extra price file(s) that add to or override the bundled catalog.",
)
@_store_option
def serve(
    port: int,
    host: str,
    allowed_hosts: tuple[str, ...],
    public_url: str | None,
    auth: bool | None,
    price_files: tuple[str, ...],
    store_path: str,
) -> None:
    """Serve the what-if cost calculator in your browser (and its JSON API).

    \b
    Example:
      ragtune serve                 # then open http://127.0.0.1:8765
      ragtune serve --port 9000
      ragtune serve --store runs/ragtune.db   # the runs viewer (/runs) reads this store
      ragtune serve --host 0.0.0.0  # for a team: prints the owner's link (with a token)
      ragtune serve --public-url https://review.example.com   # behind a TLS reverse proxy
    The API schema is at /openapi.json.
    """
    try:
        import uvicorn

        from ragtune.web.app import AccessPolicy, create_app
    except ImportError as err:
        raise MissingDependencyError(err.name or "fastapi", "web") from err
    from ragtune.cost import load_catalog
    from ragtune.store import hash_token, new_token

    exposure = plan_exposure(host, port, allowed_hosts, public_url, auth)
    catalog = load_catalog(*price_files)
    owner = new_token() if exposure.require_token else None
    policy = AccessPolicy(
        require_token=exposure.require_token,
        owner_token_hash=hash_token(owner) if owner else None,
    )
    if exposure.exposed and not exposure.require_token:
        click.echo(
            f"WARNING: --no-auth while reachable as {', '.join(_public(exposure))}: no token is "
            f"asked for. Anyone who can reach port {port} can read every run in {store_path} "
            "(inputs, golds, answers), use the calculator and post ratings under any name. "
            "Drop --no-auth to require a link per person.",
            err=True,
        )
    app = create_app(catalog, allowed_hosts=exposure.allowed_hosts, access=policy)
    app.state.store_path = store_path  # read by the runs viewer (web/runs.py)
    click.echo(f"ragtune calculator on {exposure.base_url}  (Ctrl+C to stop)", err=True)
    if owner:
        click.echo(
            f"tokens required (reachable as {', '.join(_public(exposure)) or host}); answers to "
            f"Host {', '.join(exposure.allowed_hosts)}.\nYour owner's link (the calculator and "
            f"every run; keep it to yourself, it ends when the server stops):\n"
            f"  {exposure.base_url}/?token={owner}",
            err=True,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _public(exposure: Exposure) -> list[str]:
    names = [exposure.host] if not is_loopback(exposure.host) else []
    return names + [n for n in exposure.allowed_hosts if not is_loopback(n) and n not in names]
