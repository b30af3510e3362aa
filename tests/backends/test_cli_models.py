"""`ragtune models`, `ragtune ask` and `serve-model` options as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_models_lists_bundled_models_and_api_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-shown-123456")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    code, out, _ = run("models", "--json")
    assert code == 0
    rows = {row["backend"]: row for row in json.loads(out)}
    assert {"local:smollm2-135m", "local:gemma3-270m", "openai:gpt-4o-mini"} <= set(rows)
    assert rows["openai:gpt-4o-mini"]["status"] == "OPENAI_API_KEY set"
    assert rows["anthropic:claude-haiku-4-5"]["status"] == "needs ANTHROPIC_API_KEY"
    assert "sk-not-shown" not in out
    code, table, _ = run("models")
    assert code == 0 and "local:smollm2-135m" in table


def test_ask_with_an_unknown_backend_is_a_clean_error() -> None:
    code, out, err = run("ask", "gpt4:turbo", "hello")
    assert code == 2 and out == ""
    assert "unknown backend 'gpt4:turbo'" in err and "openai-compatible:" in err
    assert "Traceback" not in err


def test_ask_without_a_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    code, _, err = run("ask", "anthropic:claude-haiku-4-5", "hello", "--no-cache")
    assert code == 2 and "ANTHROPIC_API_KEY" in err


def test_ask_an_unreachable_server_reports_backend_and_model(tmp_path: Path) -> None:
    code, _, err = run("ask", "openai-compatible:http://127.0.0.1:9/v1#tiny", "hello", "--no-cache")
    assert code == 3
    assert "openai-compatible:http://127.0.0.1:9/v1#tiny (model tiny) failed" in err


@pytest.mark.slow
def test_ask_local_prints_answer_then_usage_and_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAGTUNE_CACHE_DIR", str(Path.home() / ".cache" / "ragtune"))
    monkeypatch.setattr(
        "ragtune.backends.cache.default_cache_path", lambda: tmp_path / "responses.sqlite"
    )
    args = ("ask", "local:smollm2-135m", "What is the capital of France?", "--max-tokens", "24")
    code, out, err = run(*args)
    assert code == 0 and "Paris" in out
    assert "[local:smollm2-135m] tokens: input 37, cache write 0, cache read 0, output" in err
    assert "(cached)" not in err
    code, again, err = run(*args)
    assert again == out and "(cached)" in err
    code, out, _ = run(*args, "--json", "--label", "Paris", "--label", "London")
    response = json.loads(out)
    assert response["text"] in ("Paris", "London") and response["finish_reason"] == "label"


def test_serve_model_refuses_a_busy_port_before_loading_the_model() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = run("serve-model", "smollm2-135m", "--port", str(port))
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err and "--port 0" in err
