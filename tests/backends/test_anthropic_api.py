"""The Anthropic backend against recorded Messages API responses: prompt caching and faults."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from ragtune.backends.anthropic_api import AnthropicBackend, message_blocks
from ragtune.backends.base import BackendError, Message, Request
from ragtune.backends.retry import RetryPolicy

from .conftest import FAKE_ANTHROPIC_KEY, Replay, Sleeps

HANDBOOK = "Acme handbook. " * 400  # stands in for a long, cacheable knowledge base


def backend(replay: Replay, sleeps: Sleeps, **options: Any) -> AnthropicBackend:
    options.setdefault("stream", False)
    return AnthropicBackend(
        "claude-haiku-4-5",
        api_key=FAKE_ANTHROPIC_KEY,
        transport=replay.transport(),
        sleep=sleeps,
        policy=RetryPolicy(max_attempts=3),
        **options,
    )


def ask(question: str, **fields: Any) -> Request:
    return Request.ask(question, system=HANDBOOK, cache_prefix=0, max_tokens=64, **fields)


def test_cache_write_then_cache_read(sleeps: Sleeps) -> None:
    replay = Replay("anthropic_cache_write.json", "anthropic_cache_read.json")
    b = backend(replay, sleeps)
    [first] = b.generate([ask("How fast are refunds?")])
    [second] = b.generate([ask("How long does shipping to Canada take?")])

    assert first.usage.input_tokens == 21
    assert first.usage.cache_write_tokens == 2188 and first.usage.cache_read_tokens == 0
    assert second.usage.cache_write_tokens == 0 and second.usage.cache_read_tokens == 2188
    assert second.usage.input_tokens == 19 and second.usage.output_tokens == 15
    assert first.usage.prompt_tokens == second.usage.prompt_tokens + 2
    assert second.text == "Shipping to Canada takes 5 to 7 business days."
    assert first.backend == "anthropic:claude-haiku-4-5"

    for body in replay.bodies():
        assert body["system"] == [
            {"type": "text", "text": HANDBOOK, "cache_control": {"type": "ephemeral"}}
        ]
        assert "cache_control" not in body["messages"][0]["content"][0]
    headers = replay.requests[0].headers
    # this SDK version sends the key as a bearer token; older ones used x-api-key
    assert FAKE_ANTHROPIC_KEY in headers.get("x-api-key", "") + headers.get("authorization", "")
    assert "anthropic-version" in headers


def test_cache_control_goes_on_the_last_message_of_the_prefix() -> None:
    request = Request(
        messages=(
            Message("user", "example question"),
            Message("assistant", "example answer"),
            Message("user", "the real question"),
        ),
        system="rules",
        cache_prefix=2,
    )
    blocks = message_blocks(request)
    marked = [i for i, m in enumerate(blocks) if "cache_control" in m["content"][0]]
    assert marked == [1]
    assert [m["role"] for m in blocks] == ["user", "assistant", "user"]
    assert message_blocks(Request.ask("q")) == [
        {"role": "user", "content": [{"type": "text", "text": "q"}]}
    ]


def test_no_cache_marker_without_a_prefix(sleeps: Sleeps) -> None:
    replay = Replay("anthropic_cache_read.json")
    backend(replay, sleeps).generate([Request.ask("q", system="rules", stop=("END",))])
    body = replay.bodies()[0]
    assert body["system"] == [{"type": "text", "text": "rules"}]
    assert body["stop_sequences"] == ["END"]


def test_streaming_measures_ttft_and_keeps_cache_usage(sleeps: Sleeps) -> None:
    replay = Replay("anthropic_stream_cache_read.json")
    [response] = backend(replay, sleeps, stream=True).generate([ask("Shipping to Canada?")])
    assert response.text == "Shipping to Canada takes 5 to 7 business days."
    assert response.usage.cache_read_tokens == 2188
    assert response.usage.input_tokens == 19 and response.usage.output_tokens == 15
    assert response.latency.ttft_s is not None
    assert 0 <= response.latency.ttft_s <= response.latency.total_s
    assert replay.bodies()[0]["stream"] is True


def test_max_tokens_is_reported_as_length(sleeps: Sleeps) -> None:
    [response] = backend(Replay("anthropic_max_tokens.json"), sleeps).generate([ask("q")])
    assert response.finish_reason == "length"


def test_overloaded_529_then_rate_limited_then_success(sleeps: Sleeps) -> None:
    replay = Replay(
        "anthropic_error_529.json", "anthropic_error_429.json", "anthropic_cache_read.json"
    )
    [response] = backend(replay, sleeps).generate([ask("q")])
    assert response.usage.cache_read_tokens == 2188
    assert len(replay.requests) == 3
    assert sleeps.waits[1] == 3.0  # the 429's Retry-After


def test_529_every_time_names_backend_model_and_status(sleeps: Sleeps) -> None:
    replay = Replay(*["anthropic_error_529.json"] * 3)
    with pytest.raises(BackendError) as err:
        backend(replay, sleeps).generate([ask("q")])
    assert "anthropic:claude-haiku-4-5 (model claude-haiku-4-5) failed after 3 tries" in str(
        err.value
    )
    assert "HTTP 529" in str(err.value) and "Overloaded" in str(err.value)


def test_timeout_and_connection_drop_are_retried(sleeps: Sleeps) -> None:
    replay = Replay(
        httpx2.ConnectTimeout("connect timed out"),
        httpx2.RemoteProtocolError("peer closed connection"),
        "anthropic_cache_write.json",
    )
    [response] = backend(replay, sleeps).generate([ask("q")])
    assert response.usage.cache_write_tokens == 2188
    assert len(sleeps.waits) == 2


def test_malformed_body_every_time(sleeps: Sleeps) -> None:
    replay = Replay(*[(200, b'{"type": "message", "content": [', {})] * 3)
    with pytest.raises(BackendError, match="malformed response"):
        backend(replay, sleeps).generate([ask("q")])


def test_bad_key_fails_at_once_with_a_hint(sleeps: Sleeps) -> None:
    replay = Replay("anthropic_error_401.json")
    with pytest.raises(BackendError) as err:
        backend(replay, sleeps).generate([ask("q")])
    assert err.value.status == 401 and err.value.attempts == 1
    assert "API key" in str(err.value)


def test_json_schema_goes_out_as_structured_output(sleeps: Sleeps) -> None:
    replay = Replay("anthropic_cache_read.json")
    schema = {"type": "object", "properties": {"days": {"type": "integer"}}}
    backend(replay, sleeps).generate([Request.ask("q", json_schema=schema)])
    assert replay.bodies()[0]["output_config"] == {
        "format": {"type": "json_schema", "schema": schema}
    }


def test_anthropic_base_url_variable_is_honoured(
    sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK reads ANTHROPIC_BASE_URL when no base URL is given (its client's documented
    default); the backend keeps its `anthropic:` name and so its price (issue 32)."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://gateway.example.com/anthropic")
    replay = Replay("anthropic_cache_write.json")
    b = backend(replay, sleeps)
    [response] = b.generate([ask("How fast are refunds?")])
    assert str(replay.requests[0].url) == "https://gateway.example.com/anthropic/v1/messages"
    assert response.backend == "anthropic:claude-haiku-4-5"
