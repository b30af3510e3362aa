"""Who may use the web app: the owner's token, reviewers' invite tokens, and rating rate limits.

`Access` is an ASGI middleware that decides, from the request's headers alone (nothing is read
before this), who is asking:
  - a token, sent as `Authorization: Bearer TOKEN`, as the `ragtune_token` cookie, or once as
    `?token=TOKEN` on a page address (the page then sets the cookie and redirects to the address
    without it, so the token leaves the address bar and the history);
  - the owner's token (`ragtune serve` prints it when tokens are required): the calculator, the
    runs viewer and their APIs, never a review (a rating belongs to a named reviewer);
  - a reviewer's token (`ragtune review RUN --invite NAME`, stored hashed in the run store):
    only the review it was made for, as that reviewer; ratings are theirs, whatever the body says;
  - no token: refused with 401 when the policy requires tokens (the server is reachable beyond
    this machine), else today's single-user flow (a reviewer names themselves).
A token that is unknown, revoked or expired is 401 with the reason, whatever the policy.
`/static/` (the pages' own JS and CSS) and `/openapi.json` (the API's shape) hold no data and
are open. Ratings sent with a reviewer's token are limited per token (a token bucket), so a
leaked link cannot flood a review; the localhost app without tokens is one person, unlimited.

Deliberately not here: Host, Origin and body-size checks (`guards.py`); route handlers read the
decision with `principal_of(request)`.
"""

from __future__ import annotations

import hmac
import math
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ragtune.web.guards import ASGIApp, Receive, Scope, Send, header, send_json

COOKIE = "ragtune_token"
SCOPE_KEY = "ragtune.principal"
PUBLIC_PREFIXES = ("/static/",)
PUBLIC_PATHS = frozenset({"/openapi.json"})
# The review page, its data and its ratings: /review/RUN/N, /api/review/RUN/N[/ratings]
REVIEW_PATH = re.compile(
    r"^/(?:api/)?review/(?P<run>[^/]+)/(?P<review>[^/]+)(?P<ratings>/ratings)?$"
)
# A person rates at most about one answer a second; 30 at once covers a burst of quick keys.
RATING_BURST = 30
RATING_PER_SECOND = 2.0


@dataclass(frozen=True)
class AccessPolicy:
    """What the app asks of a request. The default is the localhost app: no token needed."""

    require_token: bool = False
    owner_token_hash: str | None = None  # sha256 of the owner's token (see store.hash_token)
    rating_burst: int = RATING_BURST
    rating_per_second: float = RATING_PER_SECOND


@dataclass(frozen=True)
class Principal:
    """Who a request comes from. `key` names its rate-limit bucket (a token's hash)."""

    kind: Literal["open", "owner", "reviewer"]
    key: str = "open"
    reviewer: str | None = None
    run_id: str | None = None
    review: int | None = None


OPEN = Principal("open")


def principal_of(request: Request) -> Principal:
    """The `Access` middleware's decision for this request."""
    found = request.scope.get(SCOPE_KEY)
    return found if isinstance(found, Principal) else OPEN


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class RatingLimiter:
    """A token bucket per key: `burst` ratings at once, then `per_second`."""

    def __init__(self, burst: int, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens left, at time)

    def wait(self, key: str, now: float | None = None) -> float:
        """0 if `key` may rate now (and counts it), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        left, then = self._buckets.get(key, (float(self.burst), now))
        left = min(float(self.burst), left + (now - then) * self.per_second)
        if left < 1:
            self._buckets[key] = (left, now)
            return (1 - left) / self.per_second
        self._buckets[key] = (left - 1, now)
        return 0.0


class Access:
    """Decides the request's `Principal` (see the module docstring) or refuses it."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app = app
        self.policy = policy
        self.limiter = RatingLimiter(policy.rating_burst, policy.rating_per_second)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        token, source = _token(scope)
        try:
            principal = await self._decide(scope, path, token)
        except Refused as refusal:
            headers = [(b"www-authenticate", b'Bearer realm="ragtune"')]
            if source == "cookie":  # a stale cookie would refuse every later request too
                headers.append((b"set-cookie", _cookie(scope, "", max_age=0)))
            await send_json(send, refusal.status, refusal.detail, headers)
            return
        if source == "query" and not path.startswith("/api/") and scope["method"] == "GET":
            await _to_cookie(scope, send, token or "")
            return
        match = REVIEW_PATH.match(path)
        if match and match["ratings"] and scope["method"] == "POST" and principal.reviewer:
            wait = self.limiter.wait(principal.key)
            if wait:
                detail = (
                    f"too many ratings: a reviewer may send {self.policy.rating_burst} at once "
                    f"and {self.policy.rating_per_second:g} a second after that; wait "
                    f"{math.ceil(wait)} s and rate again"
                )
                await send_json(send, 429, detail, [(b"retry-after", b"%d" % math.ceil(wait))])
                return
        scope[SCOPE_KEY] = principal
        await self.app(scope, receive, send)

    async def _decide(self, scope: Scope, path: str, token: str | None) -> Principal:
        if token is None:
            if self.policy.require_token:
                raise Refused(401, _NO_TOKEN)
            return OPEN
        principal = await run_in_threadpool(self._resolve, scope, token)
        match = REVIEW_PATH.match(path)
        if principal.kind == "owner":
            if match:
                raise Refused(403, _OWNER_ON_REVIEW)
            return principal
        where = f"review {principal.review} of run {principal.run_id}"
        if match and (match["run"], match["review"]) == (principal.run_id, str(principal.review)):
            return principal
        if match:
            raise Refused(403, f"{principal.reviewer}'s link opens {where}, not this one")
        if not self.policy.require_token:
            return OPEN  # the localhost app needs no token off the review it was made for
        raise Refused(
            403,
            f"{principal.reviewer}'s link opens only {where} (at /review/{principal.run_id}/"
            f"{principal.review}); the runs and the calculator need the owner's link",
        )

    def _resolve(self, scope: Scope, token: str) -> Principal:
        """The principal a token stands for; `Refused` (401) when it stands for nothing now."""
        from ragtune.store import RunStore, hash_token
        from ragtune.web.runs import store_path

        digest = hash_token(token)
        owner = self.policy.owner_token_hash
        if owner is not None and hmac.compare_digest(digest, owner):
            return Principal("owner", key=digest)
        path = store_path(Request(scope))
        invite = None
        if path.is_file():
            with RunStore.open(path) as store:
                invite = store.review_token(digest)
        if invite is None:
            raise Refused(
                401,
                "this token is not valid on this server: it was cut short or mistyped, belongs "
                "to another run store, or is an owner's link from before the server restarted; "
                "ask whoever runs the review for your link again",
            )
        state = invite.state(datetime.now(UTC).isoformat(timespec="milliseconds"))
        if state != "valid":
            when = (invite.revoked if state == "revoked" else invite.expires) or ""
            raise Refused(
                401,
                f"{invite.reviewer}'s link to review {invite.review} of run {invite.run_id} "
                f"{'was revoked' if state == 'revoked' else 'expired'} on {when[:16]} UTC; ask "
                f"for a new one (ragtune review {invite.run_id} --invite {invite.reviewer})",
            )
        return Principal("reviewer", digest, invite.reviewer, invite.run_id, invite.review)


_NO_TOKEN = (
    "this server asks for a token: it is reachable beyond this machine. Open the link you were "
    "given (ragtune review RUN --invite NAME prints one per reviewer; ragtune serve prints the "
    "owner's), or send the header 'Authorization: Bearer TOKEN'"
)
_OWNER_ON_REVIEW = (
    "the owner's link does not open reviews: every rating belongs to a named reviewer. "
    "Invite yourself with: ragtune review RUN --invite YOUR_NAME"
)


def _token(scope: Scope) -> tuple[str | None, str | None]:
    """(token, where it came from: header | cookie | query), or (None, None)."""
    auth = header(scope, b"authorization")
    if auth is not None:
        scheme, _, value = auth.partition(" ")
        return (value.strip() or None, "header") if scheme.lower() == "bearer" else (None, None)
    cookies = header(scope, b"cookie") or ""
    for part in cookies.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            return value, "cookie"
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    for name, value in parse_qsl(query):
        if name == "token" and value:
            return value, "query"
    return None, None


def _cookie(scope: Scope, value: str, max_age: int | None = None) -> bytes:
    # Lax, not Strict: a Strict cookie set on a link opened from an e-mail is withheld from the
    # redirect that follows. Cross-site POSTs still go without it, and OriginCheck refuses them.
    parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if scope.get("scheme") == "https":
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts).encode("latin-1")


async def _to_cookie(scope: Scope, send: Send, token: str) -> None:
    """303 to the same page without `token` in its address, setting the cookie."""
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    rest = [(k, v) for k, v in parse_qsl(query) if k != "token"]
    # One leading slash: "//evil.example/?token=..." must not redirect off this server.
    location = "/" + quote(scope.get("root_path", "") + scope["path"]).lstrip("/")
    location += f"?{urlencode(rest)}" if rest else ""
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location.encode("utf-8")),
                (b"set-cookie", _cookie(scope, token)),
                (b"cache-control", b"no-store"),
                (b"content-length", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
