"""A fake API key in the environment must appear in no log, stored row or error text."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from ragtune.backends.base import BackendError, Request
from ragtune.backends.cache import ResponseCache
from ragtune.backends.registry import create_backend
from ragtune.backends.retry import RetryPolicy

from .conftest import FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY, Replay, Sleeps


def _echoing_401(key_header: str) -> object:
    """A hostile server that echoes the key it was sent into its error body."""

    def handle(request: object) -> object:
        import httpx2

        sent = request.headers.get(key_header, "")  # type: ignore[attr-defined]
        return httpx2.Response(401, json={"error": {"message": f"Incorrect API key: {sent}"}})

    return handle


@pytest.mark.parametrize(
    ("name", "variable", "key", "good", "header"),
    [
        (
            "openai:gpt-4o-mini",
            "OPENAI_API_KEY",
            FAKE_OPENAI_KEY,
            "openai_chat_cached.json",
            "authorization",
        ),
        (
            "anthropic:claude-haiku-4-5",
            "ANTHROPIC_API_KEY",
            FAKE_ANTHROPIC_KEY,
            "anthropic_cache_write.json",
            "authorization",
        ),
    ],
)
def test_the_key_leaks_nowhere(
    name: str,
    variable: str,
    key: str,
    good: str,
    header: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    sleeps: Sleeps,
) -> None:
    monkeypatch.setenv(variable, key)
    caplog.set_level(logging.DEBUG)  # the SDKs' and httpx's debug logs included
    cache = ResponseCache(tmp_path / "responses.sqlite")
    replay = Replay(
        "openai_error_500.json" if name.startswith("openai") else "anthropic_error_529.json",
        _echoing_401(header),
        good,
    )
    options = dict(
        transport=replay.transport(), sleep=sleeps, stream=False, policy=RetryPolicy(max_attempts=3)
    )
    backend = create_backend(name, cache=cache, **options)

    with pytest.raises(BackendError) as err:  # 500 (retried), then 401 echoing the key
        backend.generate([Request.ask("first")])
    [ok] = backend.generate([Request.ask("second")])
    assert ok.text

    assert key in replay.requests[0].headers.get(header, "")  # it was really sent...
    texts = [
        str(err.value),
        repr(err.value),
        repr(backend),
        repr(getattr(backend, "inner", None)),
        caplog.text,
        capsys.readouterr().err,
        "\n".join(sqlite3.connect(cache.path).iterdump()),
    ]
    for text in texts:  # ...and shows up nowhere else
        assert key not in text
    assert "Incorrect API key: " in str(err.value) and "***" in str(err.value)


def test_the_key_leaks_nowhere_in_a_hosted_fine_tune(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    sleeps: Sleeps,
) -> None:
    """api.openai.com's fine-tuning path: a 500 on the upload (retried), then a 401 that echoes
    the key. The error, the logs and the run folder's files never show it."""
    from ragtune.config import HostedFinetune
    from ragtune.finetune.data import conversation
    from ragtune.finetune.hosted import HostedJob, HostedTuneError, tune_hosted

    monkeypatch.setenv("OPENAI_API_KEY", FAKE_OPENAI_KEY)
    caplog.set_level(logging.DEBUG)
    replay = Replay("openai_error_500.json", _echoing_401("authorization"))
    examples = [conversation(f"q{i}", "billing" if i % 2 else "other") for i in range(12)]
    job = HostedJob(HostedFinetune(provider="openai", base="gpt-4o-mini-2024-07-18"), examples)
    with pytest.raises(HostedTuneError) as err:
        tune_hosted(job, tmp_path, transport=replay.transport(), sleep=sleeps)
    assert FAKE_OPENAI_KEY in replay.requests[0].headers["authorization"]  # it was really sent...
    assert str(replay.requests[0].url) == "https://api.openai.com/v1/files"
    texts = [str(err.value), repr(err.value), caplog.text]
    texts += [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    for text in texts:  # ...and shows up nowhere else
        assert FAKE_OPENAI_KEY not in text
    assert "Incorrect API key: Bearer ***" in str(err.value) and "HTTP 401" in str(err.value)
