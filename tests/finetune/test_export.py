"""Export: merged weights reproduce base + adapter; the GGUF reloads with the same first tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ragtune.errors import RagtuneError
from ragtune.finetune.evaluate import generate_greedy
from ragtune.finetune.export import export

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(tiny_run: Any) -> Any:
    out, _ = tiny_run
    return out, export(out, gguf=True, outtype="f16")


def test_merged_model_gives_the_same_greedy_output_as_base_plus_adapter(
    exported: Any, intents: list[Any]
) -> None:
    from peft import PeftModel

    from ragtune.backends.loading import load_causal_lm

    out, result = exported
    prompts = intents[40:44]
    base, tok = load_causal_lm("smollm2-135m")
    with_adapter = PeftModel.from_pretrained(base, str(out / "adapter")).eval()
    expected = generate_greedy(with_adapter, tok, prompts, max_new_tokens=6)
    merged, tok2 = load_causal_lm(result.merged)
    assert generate_greedy(merged, tok2, prompts, max_new_tokens=6) == expected
    untouched, _ = load_causal_lm("smollm2-135m")
    assert generate_greedy(untouched, tok, prompts, max_new_tokens=6) != expected  # it did learn


def test_gguf_reads_back_and_gives_the_same_first_tokens(exported: Any, intents: list[Any]) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from ragtune.backends.loading import load_causal_lm

    _, result = exported
    assert result.gguf_check == {"architecture": "llama", "tensors": 272, "types": ["F16", "F32"]}
    path = Path(result.gguf)
    merged, tok = load_causal_lm(result.merged)
    from_gguf = AutoModelForCausalLM.from_pretrained(
        str(path.parent), gguf_file=path.name, dtype=torch.float32
    )
    prompts = intents[40:43]
    assert generate_greedy(from_gguf, tok, prompts, max_new_tokens=3) == generate_greedy(
        merged, tok, prompts, max_new_tokens=3
    )


def test_modelfile_points_at_the_gguf_with_template_and_system(exported: Any) -> None:
    _, result = exported
    text = Path(result.modelfile).read_text()
    assert f"FROM ./{Path(result.gguf).name}" in text
    assert "<|im_start|>assistant" in text and 'PARAMETER stop "<|im_end|>"' in text
    assert 'SYSTEM """Classify the customer message' in text


def test_export_errors(tmp_path: Path, tiny_run: Any) -> None:
    from ragtune.finetune.gguf_export import write_gguf

    with pytest.raises(RagtuneError, match="not a fine-tuning run folder"):
        export(tmp_path)
    (tmp_path / "config.json").write_text((tiny_run[0] / "config.json").read_text())
    with pytest.raises(RagtuneError, match="no trained weights yet"):
        export(tmp_path)

    class Gemma:
        class config:
            model_type = "gemma3_text"

    with pytest.raises(RagtuneError, match="convert_hf_to_gguf"):
        write_gguf(Gemma(), None, tmp_path / "x.gguf")
