"""A SQLite response cache in front of any backend, so re-running an evaluation costs nothing.

The key is the SHA-256 of the backend name, the model, the backend's answer-changing parameters
(an adapter, a base URL) and the full request, as canonical JSON. Only successful responses are
stored: a failed call raises before anything is written, so errors are never cached. A hit comes
back with `cached=True` and the latency that was measured when it was made. Bypass the cache by
not wrapping the backend (`--no-cache`) or for a while by setting `bypass` (request-latency
timing must compute, not replay), or refresh it with `CachedBackend(..., refresh=True)`,
which skips reads but still writes.

The file lives at `$RAGTUNE_CACHE_DIR/responses.sqlite` by default. It holds requests and
responses only, never an API key.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ragtune.backends.base import Backend, Request, Response
from ragtune.backends.loading import cache_root
from ragtune.errors import RagtuneError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at REAL NOT NULL
)
"""


def default_cache_path() -> Path:
    return cache_root() / "responses.sqlite"


def cache_key(backend: Backend, request: Request) -> str:
    params = getattr(backend, "params", {})
    payload = {
        "backend": backend.name,
        "model": backend.model,
        "params": params,
        "request": request.to_dict(),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(_SCHEMA)
            self._conn.commit()
        except (OSError, sqlite3.Error) as exc:
            raise RagtuneError(
                f"cannot open the response cache {self.path}: {exc}",
                hint="set RAGTUNE_CACHE_DIR to a writable folder, or run with --no-cache",
            ) from None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Response | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT response FROM responses WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        data: dict[str, Any] = json.loads(row[0])
        data["cached"] = True
        return Response.from_dict(data)

    def put(self, key: str, request: Request, response: Response) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    response.backend,
                    response.model,
                    json.dumps(request.to_dict(), sort_keys=True, default=str),
                    json.dumps(response.to_dict(), sort_keys=True, default=str),
                    time.time(),
                ),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


class CachedBackend:
    """`backend` behind `cache`: hits are answered from SQLite, misses go to the backend."""

    def __init__(self, backend: Backend, cache: ResponseCache, *, refresh: bool = False) -> None:
        self.inner = backend
        self.cache = cache
        self.refresh = refresh
        self.bypass = False  # True: straight to the backend, no read, no write (timing runs)
        self.name = backend.name
        self.model = backend.model

    @property
    def params(self) -> dict[str, Any]:
        return dict(getattr(self.inner, "params", {}))

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        if self.bypass:
            return self.inner.generate(requests)
        keys = [cache_key(self.inner, r) for r in requests]
        out: list[Response | None] = [None if self.refresh else self.cache.get(k) for k in keys]
        missing = [i for i, r in enumerate(out) if r is None]
        self.cache.hits += len(requests) - len(missing)
        self.cache.misses += len(missing)
        if missing:
            fresh = self.inner.generate([requests[i] for i in missing])
            for i, response in zip(missing, fresh, strict=True):
                self.cache.put(keys[i], requests[i], response)
                out[i] = response
        return [r for r in out if r is not None]

    def close(self) -> None:
        self.inner.close()
