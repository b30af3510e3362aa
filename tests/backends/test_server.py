"""The OpenAI-compatible backend against a real `ragtune serve-model` process on localhost."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from ragtune.backends.base import BackendError, Request
from ragtune.backends.local import LocalBackend
from ragtune.backends.openai_api import OpenAIBackend
from ragtune.backends.server import spawn

pytestmark = pytest.mark.slow

START_TIMEOUT_S = 300  # loads (and on a fresh machine converts) the model first


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real `ragtune serve-model` process on a free port; yields its base URL."""
    with spawn("smollm2-135m", start_timeout_s=START_TIMEOUT_S) as url:
        yield url


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def client(url: str, **options: Any) -> OpenAIBackend:
    # generous: a 2-core CI machine shared with other work can be slow, and a timeout would
    # be retried, hiding the real answer
    return OpenAIBackend("smollm2-135m", base_url=url, timeout_s=600, **options)


FRANCE = Request.ask("What is the capital of France?", max_tokens=24)


def test_models_endpoint_lists_the_served_model(server: str) -> None:
    assert [m["id"] for m in get(f"{server}/models")["data"]] == ["smollm2-135m"]


def test_streamed_answer_with_exact_usage(server: str, smollm2: LocalBackend) -> None:
    [response] = client(server).generate([FRANCE])
    [local] = smollm2.generate([FRANCE])
    assert response.text == local.text and "Paris" in response.text
    assert response.usage == local.usage  # the server's counts are the tokenizer's
    assert response.finish_reason == "stop"
    assert response.latency.ttft_s is not None
    assert 0 < response.latency.ttft_s < response.latency.total_s
    assert response.backend == f"openai-compatible:{server}#smollm2-135m"


def test_plain_answer_with_logprobs_matches_the_stream(server: str) -> None:
    labelled = Request.ask(
        "Is Paris in France? Answer yes or no.", labels=("yes", "no"), max_tokens=8
    )
    plain = client(server, stream=False).generate([FRANCE, labelled])
    streamed = client(server).generate([FRANCE])
    assert plain[0].text == streamed[0].text and plain[0].usage == streamed[0].usage
    assert plain[0].latency.ttft_s is None
    assert plain[1].mean_logprob is not None and plain[1].mean_logprob < 0


def test_max_tokens_and_stop(server: str) -> None:
    long = Request.ask("Write a long story about a dragon.", max_tokens=6)
    stop = Request.ask("Count from 1 to 10, one number per line.", max_tokens=48, stop=("4",))
    for stream in (True, False):
        cut, stopped = client(server, stream=stream).generate([long, stop])
        assert cut.finish_reason == "length" and cut.usage.output_tokens == 6
        assert stopped.finish_reason == "stop" and "3" in stopped.text and "4" not in stopped.text


def test_concurrent_requests_are_batched(server: str) -> None:
    before = get(server.removesuffix("/v1") + "/health")
    questions = [f"What is {n} plus {n}?" for n in range(8)]
    responses = client(server, concurrency=8).generate(
        [Request.ask(q, max_tokens=12) for q in questions]
    )
    assert all(r.text for r in responses)
    after = get(server.removesuffix("/v1") + "/health")
    assert after["batches"] - before["batches"] < 8  # fewer batches than requests
    assert after["largest_batch"] > 1


def test_unknown_model_is_a_clear_error_without_retries(server: str) -> None:
    other = OpenAIBackend("gpt-4o", base_url=server, timeout_s=600)
    with pytest.raises(BackendError) as err:
        other.generate([FRANCE])
    assert err.value.status == 404 and err.value.attempts == 1
    assert "serves 'smollm2-135m'" in str(err.value)
    assert f"openai-compatible:{server}#gpt-4o" in str(err.value)


def test_bad_bodies_get_openai_style_errors(server: str) -> None:
    bad = urllib.request.Request(f"{server}/chat/completions", data=b"{not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(bad, timeout=10)
    assert err.value.code == 400
    assert json.loads(err.value.read())["error"]["message"] == "the body is not valid JSON"


def test_an_unreachable_server_fails_after_retries() -> None:
    from ragtune.backends.retry import RetryPolicy

    dead = OpenAIBackend(
        "m", base_url="http://127.0.0.1:9/v1", policy=RetryPolicy(max_attempts=2, base_delay_s=0.01)
    )
    with pytest.raises(BackendError) as err:
        dead.generate([FRANCE])
    assert err.value.attempts == 2 and "connection failed" in str(err.value)
