"""Backend names: parsing, errors that list the valid forms, construction."""

from __future__ import annotations

import pytest

from ragtune.backends.registry import BackendName, create_backend, parse_backend_name
from ragtune.errors import RagtuneError


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("local:smollm2-135m", BackendName("local", "smollm2-135m")),
        ("openai:gpt-4o-mini", BackendName("openai", "gpt-4o-mini")),
        ("anthropic:claude-haiku-4-5", BackendName("anthropic", "claude-haiku-4-5")),
        (
            "openai-compatible:http://host:8000/v1#model",
            BackendName("openai-compatible", "model", "http://host:8000/v1"),
        ),
        ("local:/models/my-tuned", BackendName("local", "/models/my-tuned")),
    ],
)
def test_names_parse_and_print_back(name: str, parsed: BackendName) -> None:
    assert parse_backend_name(name) == parsed
    assert str(parsed) == name


@pytest.mark.parametrize(
    "name", ["gpt-4o", "mistral:7b", "local:", "openai-compatible:http://h/v1"]
)
def test_bad_names_list_the_valid_forms(name: str) -> None:
    with pytest.raises(RagtuneError) as err:
        parse_backend_name(name)
    assert "openai-compatible:" in str(err.value)


def test_create_builds_each_kind_without_calling_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    assert create_backend("local:smollm2-135m").name == "local:smollm2-135m"
    assert create_backend("openai:gpt-4o-mini").name == "openai:gpt-4o-mini"
    assert create_backend("anthropic:claude-haiku-4-5").model == "claude-haiku-4-5"
    compatible = create_backend("openai-compatible:http://127.0.0.1:9/v1#m", concurrency=2)
    assert compatible.name == "openai-compatible:http://127.0.0.1:9/v1#m"


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(RagtuneError, match="ANTHROPIC_API_KEY"):
        create_backend("anthropic:claude-haiku-4-5")
