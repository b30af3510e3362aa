"""ASGI middleware that keeps the web app safe to leave running, whatever address it is bound to.

- `HostCheck`: 400 for a Host header not on the allow-list (DNS-rebinding defence: a page on
  evil.example whose name resolves to this machine is refused). On for every bind address.
- `OriginCheck`: 403 for a state-changing request (POST, PUT, ...) sent by a page of another
  origin (CSRF): its `Origin` must be this server's own address. Scripts (curl, httpx) send no
  Origin and pass; browsers always send one with a cross-origin POST.
- `BodyLimit`: refuses request bodies over a byte limit with 413, whether the client sends a
  `Content-Length` or streams chunks, before the app parses anything.
- `SecurityHeaders`: a Content-Security-Policy that lets the page load and call only its own
  origin (no CDN, no third-party requests: the page works offline), plus nosniff, no referrer
  and no framing.

Deliberately not here: who may use the app (tokens, `access.py`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 256 * 1024  # a scenario is a few KB; 256 KB leaves room for long YAML files

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class BodyLimit:
    """413 for any request body larger than `limit` bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
            return
        # Read the whole (small) body first, counting bytes, then replay it to the app.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break  # client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        detail = (
            f"request body too large: the limit is {self.limit // 1024} KB; send a smaller "
            "body (a scenario or a rating is a few KB)"
        )
        await send_json(send, 413, detail, [(b"connection", b"close")])


async def send_json(
    send: Send, status: int, detail: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """A JSON error response `{"detail": ...}` (FastAPI's shape), with the security headers."""
    payload = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
                *HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of request header `name` (lower case), decoded as latin-1."""
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _content_length(scope: Scope) -> int | None:
    value = header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def split_host(value: str) -> tuple[str, str]:
    """`host[:port]` (IPv6 in brackets) -> (lower-case host without brackets, port or "")."""
    value = value.strip().lower()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest and not rest.startswith(":"):
            return value, ""  # "[::1]evil.example" names no host on the allow-list
        return host, rest.removeprefix(":")
    host, _, port = value.partition(":") if value.count(":") == 1 else (value, "", "")
    return host, port


def clean_host(name: str) -> str:
    """A host name as the allow-list keeps it: lower case, IPv6 without brackets."""
    return name.strip().lower().strip("[]")


class HostCheck:
    """400 unless the request's Host names one of `allowed` (names, without ports)."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(clean_host(h) for h in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = header(scope, b"host")
        if given is None or split_host(given)[0] not in self.allowed:
            shown = "no Host header" if given is None else f"Host {given!r}"
            name = split_host(given)[0] if given else "NAME"
            detail = (
                f"{shown} is not a name this server answers to (allowed: "
                f"{', '.join(sorted(self.allowed))}); if {name} is this machine's own address, "
                f"restart with --allowed-host {name}"
            )
            await send_json(send, 400, detail)
            return
        await self.app(scope, receive, send)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": "80", "https": "443"}


class OriginCheck:
    """403 for a state-changing request whose `Origin` is not this server's own address."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        origin = header(scope, b"origin")
        fetch_site = header(scope, b"sec-fetch-site")
        host = header(scope, b"host") or ""
        if (origin is not None and not same_origin(origin, host)) or fetch_site == "cross-site":
            detail = (
                f"cross-origin {scope['method']} refused: it came from a page at "
                f"{origin or 'another site'!r}, not from this server ({host}); open the page "
                "from this server's own address and try again"
            )
            await send_json(send, 403, detail)
            return
        await self.app(scope, receive, send)


def same_origin(origin: str, host: str) -> bool:
    """Whether `origin` (scheme://host[:port], or "null") is the address `host` names."""
    parts = urlsplit(origin.strip().lower())
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        return False  # "null" (sandboxed frames, file: pages) or garbage
    default = DEFAULT_PORTS[parts.scheme]
    o_host, o_port = split_host(parts.netloc)
    h_host, h_port = split_host(host)
    return o_host == h_host and (o_port or default) == (h_port or default)


class SecurityHeaders:
    """Adds `HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
