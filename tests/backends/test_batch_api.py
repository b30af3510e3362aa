"""The batch clients through the official SDKs against a real local server (`batch_server.py`,
which names the documentation pages and the date, 2026-12-07, its shapes follow): upload,
create, poll with status transitions, results matched by custom id, per-request errors,
expiry and a batch cancelled outside ragtune."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ragtune.backends import BATCH_SUFFIX, Request, batch_client, batchable, create_backend

from .batch_server import ProviderServer, provider_server


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProviderServer]:
    with provider_server() as state:
        monkeypatch.setenv("OPENAI_BASE_URL", state.url + "/v1")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", state.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
        yield state


REQUESTS = {
    "rq-a": Request.ask("What is the capital? ANSWER=Paris", max_tokens=8),
    "rq-b": Request.ask("Bad one ERRBATCH ANSWER=x", max_tokens=8),
    "rq-c": Request.ask("Slow one EXPIRE ANSWER=y", max_tokens=8),
}


@pytest.mark.parametrize("name", ["openai:gpt-4o-mini", "anthropic:claude-haiku-4-5"])
def test_a_batch_goes_in_progress_then_ends_and_its_results_match_by_custom_id(
    server: ProviderServer, name: str
) -> None:
    client = batch_client(create_backend(name))
    assert client is not None
    batch_id = client.submit(list(REQUESTS.items()), "run/arm/0")
    assert server.creates == [batch_id]
    first = client.poll(batch_id)
    assert (first.ended, first.processing) == (False, 3)
    last = client.poll(batch_id)
    assert last.ended
    assert (last.succeeded, last.errored) == (1, 1)
    results = {r.custom_id: r for r in client.results(batch_id, REQUESTS)}
    assert {k: r.outcome for k, r in results.items()} == {
        "rq-a": "succeeded",
        "rq-b": "errored",
        "rq-c": "expired",
    }
    answer = results["rq-a"].response
    assert answer is not None
    assert answer.text == "Paris"
    # the model name carries the batch price; the tokens are the result's own usage
    assert answer.model == name.split(":", 1)[1] + BATCH_SUFFIX
    assert (answer.usage.input_tokens, answer.usage.output_tokens) == (1000, 200)
    assert answer.raw["batch_id"] == batch_id
    assert answer.latency.total_s == 0.0  # a batch's turnaround is no request's latency
    assert "Invalid request" in (results["rq-b"].error or "")


@pytest.mark.parametrize("name", ["openai:gpt-4o-mini", "anthropic:claude-haiku-4-5"])
def test_a_batch_cancelled_outside_ragtune_reports_its_requests_cancelled(
    server: ProviderServer, name: str
) -> None:
    server.cancel_next = True
    client = batch_client(create_backend(name))
    assert client is not None
    batch_id = client.submit([("rq-a", REQUESTS["rq-a"])], "run/arm/0")
    state = client.poll(batch_id)
    assert state.ended
    assert state.status == "cancelled"
    [result] = client.results(batch_id, {"rq-a": REQUESTS["rq-a"]})
    assert result.outcome == "cancelled"


def test_only_official_openai_and_anthropic_backends_have_a_batch_api() -> None:
    assert batchable("openai:gpt-4o-mini")
    assert batchable("anthropic:claude-haiku-4-5")
    assert not batchable("local:smollm2-135m")
    assert not batchable("openai-compatible:http://gpu-box:8000/v1#llama")
    compatible = create_backend("openai-compatible:http://127.0.0.1:9/v1#llama")
    assert batch_client(compatible) is None
