"""Backends by name: `KIND:TARGET`, the string configs, the store and reports use.

    local:smollm2-135m                        transformers, bundled model (or any id / path)
    openai:gpt-4o-mini                        api.openai.com, OPENAI_API_KEY
    anthropic:claude-haiku-4-5                api.anthropic.com, ANTHROPIC_API_KEY
    openai-compatible:http://host:8000/v1#m   any OpenAI-compatible server, model m

`create_backend(name, cache=..., **options)` builds one; options go to the backend's class
(`adapter=` for local, `concurrency=`, `stream=` for HTTP) and `cache` wraps it in the SQLite
response cache. `parse_backend_name` only checks the string, without importing anything heavy.
`register_backend(kind, factory, usage)` adds a kind: tests add a scripted backend this way, so
the whole run (resources, runner, freshness) is exercised through the path a user's run takes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ragtune.errors import RagtuneError

if TYPE_CHECKING:
    from ragtune.backends.base import Backend
    from ragtune.backends.cache import ResponseCache

KINDS = {
    "local": "local:MODEL (smollm2-135m, gemma3-270m, a Hugging Face id or a model folder)",
    "openai": "openai:MODEL (e.g. openai:gpt-4o-mini)",
    "anthropic": "anthropic:MODEL (e.g. anthropic:claude-haiku-4-5)",
    "openai-compatible": "openai-compatible:BASE_URL#MODEL (e.g. "
    "openai-compatible:http://127.0.0.1:8000/v1#smollm2-135m)",
}


# kind -> factory(parsed name, **options); the built-in kinds import their SDKs lazily.
Factory = Callable[..., "Backend"]
FACTORIES: dict[str, Factory] = {}


def register_backend(kind: str, factory: Factory, usage: str) -> None:
    """Make `KIND:MODEL` names build backends with `factory(BackendName, **options)`."""
    KINDS[kind] = usage
    FACTORIES[kind] = factory


def unregister_backend(kind: str) -> None:
    """Remove a kind added with `register_backend` (tests clean up after themselves)."""
    KINDS.pop(kind, None)
    FACTORIES.pop(kind, None)


@dataclass(frozen=True)
class BackendName:
    kind: str
    model: str
    base_url: str | None = None

    def __str__(self) -> str:
        if self.kind == "openai-compatible":
            return f"{self.kind}:{self.base_url}#{self.model}"
        return f"{self.kind}:{self.model}"


def parse_backend_name(name: str) -> BackendName:
    kind, sep, target = name.strip().partition(":")
    if not sep or kind not in KINDS or not target:
        raise RagtuneError(
            f"unknown backend {name!r}",
            hint="use one of: " + "; ".join(KINDS.values()),
        )
    if kind == "openai-compatible":
        base_url, hash_, model = target.partition("#")
        if not hash_ or not model or not base_url.startswith(("http://", "https://")):
            raise RagtuneError(
                f"backend {name!r} needs a base URL and a model name",
                hint="write it as " + KINDS[kind],
            )
        return BackendName(kind, model, base_url.rstrip("/"))
    return BackendName(kind, target)


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def billed_by_provider(parsed: BackendName) -> bool:
    """True when calls through this backend are billed by someone else, so they must be priced
    (an unknown price is an error, never $0): `openai:` and `anthropic:` models, and an
    `openai-compatible:` server unless it listens on this machine (loopback: a server that ran
    where it was measured, priced as self-hosted machine time like a `local:` model)."""
    if parsed.kind in ("openai", "anthropic"):
        return True
    if parsed.kind != "openai-compatible":
        return False  # local models and registered test kinds run here
    host = str(parsed.base_url).split("://", 1)[-1].split("/", 1)[0]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return host not in LOOPBACK


def create_backend(name: str, *, cache: ResponseCache | None = None, **options: Any) -> Backend:
    """The backend called `name`, wrapped in `cache` when one is given."""
    parsed = parse_backend_name(name)
    backend: Backend
    if parsed.kind in FACTORIES:
        backend = FACTORIES[parsed.kind](parsed, **options)
    elif parsed.kind == "local":
        from ragtune.backends.local import LocalBackend

        backend = LocalBackend(parsed.model, **options)
    elif parsed.kind == "anthropic":
        from ragtune.backends.anthropic_api import AnthropicBackend

        backend = AnthropicBackend(parsed.model, **options)
    else:
        from ragtune.backends.openai_api import OpenAIBackend

        backend = OpenAIBackend(parsed.model, base_url=parsed.base_url, **options)
    if cache is not None:
        from ragtune.backends.cache import CachedBackend

        backend = CachedBackend(backend, cache)
    return backend
