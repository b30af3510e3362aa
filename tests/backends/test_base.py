"""Records of the backend interface: validation, arithmetic and round trips."""

from __future__ import annotations

import math

import pytest

from ragtune.backends.base import BackendError, Latency, Message, Request, Response, Usage
from ragtune.errors import RagtuneError


def test_request_validation_says_what_is_wrong() -> None:
    with pytest.raises(RagtuneError, match="at least one message"):
        Request(messages=())
    with pytest.raises(RagtuneError, match=r"max_tokens must be at least 1 \(given: 0\)"):
        Request.ask("q", max_tokens=0)
    with pytest.raises(RagtuneError, match="cache_prefix"):
        Request.ask("q", cache_prefix=2)
    with pytest.raises(RagtuneError, match="two choices"):
        Request.ask("q", labels=("only",))


def test_request_round_trip_and_chat_messages() -> None:
    request = Request(
        messages=(Message("user", "a"), Message("assistant", "b"), Message("user", "c")),
        system="s",
        stop=("x",),
        labels=("yes", "no"),
        json_schema={"type": "object"},
        cache_prefix=2,
    )
    assert Request.from_dict(request.to_dict()) == request
    assert request.chat_messages()[0] == {"role": "system", "content": "s"}
    assert [m["role"] for m in Request.ask("q").chat_messages()] == ["user"]


def test_usage_sums_and_totals() -> None:
    a = Usage(input_tokens=10, cache_write_tokens=100, cache_read_tokens=0, output_tokens=5)
    b = Usage(input_tokens=12, cache_read_tokens=100, output_tokens=7)
    total = a + b
    assert total == Usage(22, 100, 100, 12)
    assert a.prompt_tokens == 110 and a.total_tokens == 115


def test_output_tokens_per_second_excludes_the_first_token_wait() -> None:
    assert Latency(total_s=3.0, ttft_s=1.0).output_tokens_per_s(21) == pytest.approx(10.0)
    assert Latency(total_s=2.0).output_tokens_per_s(10) == pytest.approx(5.0)
    assert Latency(total_s=0.0).output_tokens_per_s(10) == 0.0


def _response(**fields: object) -> Response:
    base: dict[str, object] = dict(
        text="yes",
        finish_reason="stop",
        usage=Usage(1, 0, 0, 1),
        latency=Latency(1.0),
        backend="local:x",
        model="x",
    )
    return Response(**{**base, **fields})  # type: ignore[arg-type]


def test_confidence_prefers_label_probability_then_token_logprob() -> None:
    assert _response().confidence is None
    assert _response(mean_logprob=math.log(0.5)).confidence == pytest.approx(0.5)
    labelled = _response(label_probs=(("yes", 0.8), ("no", 0.2)), mean_logprob=-3.0)
    assert labelled.confidence == pytest.approx(0.8)


def test_response_round_trip() -> None:
    response = _response(label_probs=(("yes", 0.8), ("no", 0.2)), raw={"id": "x"})
    assert Response.from_dict(response.to_dict()) == response


def test_backend_error_names_backend_model_and_status() -> None:
    err = BackendError("openai:gpt-4o-mini", "gpt-4o-mini", "overloaded", status=503, attempts=5)
    assert (
        str(err)
        == "openai:gpt-4o-mini (model gpt-4o-mini) failed after 5 tries: HTTP 503: overloaded"
    )
    assert "no HTTP status" in str(BackendError("b", "m", "connection failed"))
