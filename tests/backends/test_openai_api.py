"""The OpenAI backend against replayed HTTP: usage mapping, streaming, and every fault."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from ragtune.backends.base import BackendError, Request
from ragtune.backends.openai_api import OpenAIBackend
from ragtune.backends.retry import RetryPolicy

from .conftest import FAKE_OPENAI_KEY, Replay, Sleeps, recording

REQUEST = Request.ask("How fast are refunds?", system="Acme handbook ...", max_tokens=32)


def backend(replay: Replay, sleeps: Sleeps, **options: Any) -> OpenAIBackend:
    options.setdefault("stream", False)
    return OpenAIBackend(
        "gpt-4o-mini",
        api_key=FAKE_OPENAI_KEY,
        transport=replay.transport(),
        sleep=sleeps,
        policy=RetryPolicy(max_attempts=4),
        **options,
    )


def test_usage_splits_cached_tokens_from_uncached_input(sleeps: Sleeps) -> None:
    replay = Replay("openai_chat_cached.json")
    [response] = backend(replay, sleeps).generate([REQUEST])
    assert response.text == "Refunds are issued within 14 days."
    assert response.finish_reason == "stop"
    # prompt_tokens 1966 of which 1920 cached: 46 uncached, 1920 cache reads, nothing written
    assert (response.usage.input_tokens, response.usage.cache_read_tokens) == (46, 1920)
    assert response.usage.cache_write_tokens == 0
    assert response.usage.output_tokens == 9
    assert response.backend == "openai:gpt-4o-mini"
    body = replay.bodies()[0]
    assert body["model"] == "gpt-4o-mini"
    assert body["max_completion_tokens"] == 32
    assert body["messages"][0] == {"role": "system", "content": "Acme handbook ..."}
    assert replay.requests[0].headers["authorization"] == f"Bearer {FAKE_OPENAI_KEY}"


def test_streaming_measures_ttft_and_reads_usage_from_the_last_chunk(sleeps: Sleeps) -> None:
    replay = Replay("openai_chat_stream.json")
    [response] = backend(replay, sleeps, stream=True).generate([REQUEST])
    assert response.text == "Refunds are issued within 14 days."
    assert response.latency.ttft_s is not None
    assert 0 <= response.latency.ttft_s <= response.latency.total_s
    assert response.usage.output_tokens == 8
    assert response.usage.cache_read_tokens == 1920
    body = replay.bodies()[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_json_schema_and_stop_are_sent(sleeps: Sleeps) -> None:
    replay = Replay("openai_chat_cached.json")
    schema = {"type": "object", "properties": {"days": {"type": "integer"}}}
    request = Request.ask("days?", json_schema=schema, stop=("\n\n",))
    backend(replay, sleeps).generate([request])
    body = replay.bodies()[0]
    assert body["response_format"]["json_schema"]["schema"] == schema
    assert body["stop"] == ["\n\n"]


def test_429_with_retry_after_is_honoured_then_succeeds(sleeps: Sleeps) -> None:
    replay = Replay("openai_error_429.json", "openai_chat_cached.json")
    [response] = backend(replay, sleeps).generate([REQUEST])
    assert response.text.startswith("Refunds")
    assert sleeps.waits == [2.0]  # the server's Retry-After, not our backoff
    assert len(replay.requests) == 2


def test_500_every_time_gives_a_clear_error_after_the_last_try(sleeps: Sleeps) -> None:
    replay = Replay(*["openai_error_500.json"] * 4)
    with pytest.raises(BackendError) as err:
        backend(replay, sleeps).generate([REQUEST])
    message = str(err.value)
    assert "openai:gpt-4o-mini" in message and "gpt-4o-mini" in message
    assert "HTTP 500" in message and "after 4 tries" in message
    assert err.value.status == 500 and err.value.attempts == 4
    assert len(replay.requests) == 4
    # exponential backoff with full jitter: each wait within its growing cap
    assert len(sleeps.waits) == 3
    for n, wait in enumerate(sleeps.waits, start=1):
        assert 0 <= wait <= 0.5 * 2 ** (n - 1)


def test_timeout_then_success(sleeps: Sleeps) -> None:
    replay = Replay(httpx2.ReadTimeout("read timed out"), "openai_chat_cached.json")
    [response] = backend(replay, sleeps).generate([REQUEST])
    assert response.text.startswith("Refunds")
    assert len(replay.requests) == 2 and len(sleeps.waits) == 1


def test_connection_drop_every_time(sleeps: Sleeps) -> None:
    drop = httpx2.RemoteProtocolError("Server disconnected without sending a response.")
    replay = Replay(*[drop] * 4)
    with pytest.raises(BackendError) as err:
        backend(replay, sleeps).generate([REQUEST])
    assert "connection failed" in str(err.value) and "no HTTP status" in str(err.value)
    assert len(replay.requests) == 4


def test_malformed_json_is_retried_then_reported(sleeps: Sleeps) -> None:
    replay = Replay(*[(200, '{"id": "chatcmpl-1", "choices": [', {})] * 4)
    with pytest.raises(BackendError) as err:
        backend(replay, sleeps).generate([REQUEST])
    assert "malformed response" in str(err.value)
    assert len(replay.requests) == 4


def test_malformed_then_good(sleeps: Sleeps) -> None:
    replay = Replay((200, "not json at all", {}), "openai_chat_cached.json")
    [response] = backend(replay, sleeps).generate([REQUEST])
    assert response.text.startswith("Refunds")


def test_a_response_without_choices_is_never_an_empty_answer(sleeps: Sleeps) -> None:
    empty = recording("openai_chat_cached.json")["body"] | {"choices": []}
    replay = Replay(*[(200, empty, {})] * 4)
    with pytest.raises(BackendError, match="no choices"):
        backend(replay, sleeps).generate([REQUEST])


def test_400_is_not_retried(sleeps: Sleeps) -> None:
    bad = {"error": {"message": "Invalid value for 'temperature'", "type": "invalid_request_error"}}
    replay = Replay((400, bad, {}))
    with pytest.raises(BackendError) as err:
        backend(replay, sleeps).generate([REQUEST])
    assert err.value.attempts == 1 and "Invalid value for 'temperature'" in str(err.value)
    assert sleeps.waits == []


def test_a_retry_after_longer_than_the_cap_gives_up_at_once(sleeps: Sleeps) -> None:
    slow = recording("openai_error_429.json")
    replay = Replay((429, slow["body"], {"retry-after": "3600"}))
    with pytest.raises(BackendError) as err:
        backend(replay, sleeps).generate([REQUEST])
    assert err.value.status == 429 and "3600" in str(err.value)


def test_concurrency_limit_is_respected(sleeps: Sleeps) -> None:
    import asyncio

    in_flight = {"now": 0, "max": 0}
    good = recording("openai_chat_cached.json")["body"]

    class Counting(OpenAIBackend):
        async def _call(self, client: Any, request: Request) -> Any:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
            await asyncio.sleep(0.01)
            try:
                return await super()._call(client, request)
            finally:
                in_flight["now"] -= 1

    replay = Replay(*[(200, good, {})] * 10)
    b = Counting(
        "gpt-4o-mini",
        api_key=FAKE_OPENAI_KEY,
        transport=replay.transport(),
        stream=False,
        concurrency=3,
    )
    responses = b.generate([REQUEST] * 10)
    assert len(responses) == 10 and in_flight["max"] == 3


def test_openai_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from ragtune.errors import RagtuneError

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(RagtuneError, match="OPENAI_API_KEY"):
        OpenAIBackend("gpt-4o-mini")


def test_compatible_servers_need_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_COMPATIBLE_API_KEY", raising=False)
    b = OpenAIBackend("m", base_url="http://127.0.0.1:9/v1/")
    assert b.name == "openai-compatible:http://127.0.0.1:9/v1#m"


def test_openai_base_url_variable_sends_to_the_gateway_and_keeps_the_name(
    sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like the SDK (its README, "base_url ... defaults to OPENAI_BASE_URL"), `openai:` sends to
    OPENAI_BASE_URL when set; the backend keeps its `openai:` name, so it is priced as the
    named OpenAI model (issue 32)."""
    monkeypatch.setenv("OPENAI_BASE_URL", "https://gateway.example.com/openai/v1/")
    replay = Replay("openai_chat_cached.json")
    b = backend(replay, sleeps)
    [response] = b.generate([REQUEST])
    assert str(replay.requests[0].url) == ("https://gateway.example.com/openai/v1/chat/completions")
    assert b.name == response.backend == "openai:gpt-4o-mini"
    assert replay.bodies()[0]["max_completion_tokens"] == 32  # still spoken to as OpenAI


def test_explicit_compatible_url_wins_over_the_variable(
    sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://gateway.example.com/v1")
    b = OpenAIBackend("llama", base_url="http://127.0.0.1:8000/v1", transport=Replay().transport())
    assert b.base_url == "http://127.0.0.1:8000/v1"
    assert b.name == "openai-compatible:http://127.0.0.1:8000/v1#llama"
