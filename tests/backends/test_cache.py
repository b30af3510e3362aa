"""The SQLite response cache: hits, keys, errors never cached, refresh, persistence."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from ragtune.backends.base import BackendError, Latency, Request, Response, Usage
from ragtune.backends.cache import CachedBackend, ResponseCache, cache_key
from ragtune.errors import RagtuneError


class Counting:
    """Answers with the prompt reversed, counting calls; fails while `fail` is set."""

    def __init__(self, name: str = "local:echo", adapter: str | None = None) -> None:
        self.name, self.model = name, "echo"
        self.params = {"adapter": adapter}
        self.calls: list[int] = []
        self.fail = False

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        self.calls.append(len(requests))
        if self.fail:
            raise BackendError(self.name, self.model, "overloaded", status=503, attempts=3)
        return [
            Response(
                text=r.messages[-1].content[::-1],
                finish_reason="stop",
                usage=Usage(input_tokens=3, output_tokens=2),
                latency=Latency(0.5, 0.1),
                backend=self.name,
                model=self.model,
            )
            for r in requests
        ]

    def close(self) -> None:
        pass


def test_second_run_hits_the_cache(tmp_path: Path) -> None:
    inner = Counting()
    cached = CachedBackend(inner, ResponseCache(tmp_path / "r.sqlite"))
    requests = [Request.ask("abc"), Request.ask("xyz")]
    first = cached.generate(requests)
    second = cached.generate(requests)
    assert inner.calls == [2]
    assert [r.text for r in second] == ["cba", "zyx"]
    assert not any(r.cached for r in first) and all(r.cached for r in second)
    assert second[0].usage == first[0].usage and second[0].latency == first[0].latency
    assert (cached.cache.hits, cached.cache.misses) == (2, 2)


def test_only_misses_go_to_the_backend_in_order(tmp_path: Path) -> None:
    inner = Counting()
    cached = CachedBackend(inner, ResponseCache(tmp_path / "r.sqlite"))
    cached.generate([Request.ask("b")])
    out = cached.generate([Request.ask("a"), Request.ask("b"), Request.ask("c")])
    assert [r.text for r in out] == ["a", "b", "c"]
    assert inner.calls == [1, 2]


def test_key_covers_backend_params_and_every_request_field() -> None:
    base = cache_key(Counting(), Request.ask("q"))
    assert cache_key(Counting(), Request.ask("q")) == base
    assert cache_key(Counting(name="local:other"), Request.ask("q")) != base
    assert cache_key(Counting(adapter="/a"), Request.ask("q")) != base
    for change in ({"max_tokens": 9}, {"temperature": 0.7}, {"system": "s"}, {"seed": 1}):
        assert cache_key(Counting(), Request.ask("q", **change)) != base


def test_errors_are_never_cached(tmp_path: Path) -> None:
    inner = Counting()
    cache = ResponseCache(tmp_path / "r.sqlite")
    cached = CachedBackend(inner, cache)
    inner.fail = True
    with pytest.raises(BackendError):
        cached.generate([Request.ask("q")])
    assert len(cache) == 0
    inner.fail = False
    assert cached.generate([Request.ask("q")])[0].text == "q"
    assert inner.calls == [1, 1] and len(cache) == 1


def test_refresh_skips_reads_but_writes(tmp_path: Path) -> None:
    inner = Counting()
    cache = ResponseCache(tmp_path / "r.sqlite")
    CachedBackend(inner, cache).generate([Request.ask("q")])
    out = CachedBackend(inner, cache, refresh=True).generate([Request.ask("q")])
    assert inner.calls == [1, 1] and not out[0].cached and len(cache) == 1


def test_cache_persists_across_processes_worth_of_instances(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    CachedBackend(Counting(), ResponseCache(path)).generate([Request.ask("q")])
    inner = Counting()
    assert CachedBackend(inner, ResponseCache(path)).generate([Request.ask("q")])[0].cached
    assert inner.calls == []
    rows = sqlite3.connect(path).execute("SELECT backend, model FROM responses").fetchall()
    assert rows == [("local:echo", "echo")]


def test_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(RagtuneError, match="cannot open the response cache"):
        ResponseCache(blocker / "sub" / "r.sqlite")


def test_default_location_follows_ragtune_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAGTUNE_CACHE_DIR", str(tmp_path))
    assert ResponseCache().path == tmp_path / "responses.sqlite"
