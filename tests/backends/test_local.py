"""Real generation with the bundled SmolLM2-135M-Instruct: answers, exact usage, batching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ragtune.backends.base import Message, Request
from ragtune.backends.cache import CachedBackend, ResponseCache
from ragtune.backends.local import LocalBackend

pytestmark = pytest.mark.slow

FRANCE = Request.ask("What is the capital of France?", max_tokens=24)


def template_token_count(tokenizer: Any, request: Request) -> int:
    """The reference count: the tokenizer's own chat-template tokenization."""
    encoded = tokenizer.apply_chat_template(
        request.chat_messages(), add_generation_prompt=True, tokenize=True, return_dict=True
    )
    return len(encoded["input_ids"])


def test_answer_is_real_and_usage_equals_the_tokenizer_count(smollm2: LocalBackend) -> None:
    [response] = smollm2.generate([FRANCE])
    tokenizer = smollm2.tokenizer
    assert "Paris" in response.text
    assert response.finish_reason == "stop"
    assert response.usage.input_tokens == template_token_count(tokenizer, FRANCE)
    # the answer's tokens plus the end-of-turn token the model emitted to stop
    answer_tokens = tokenizer(response.text, add_special_tokens=False)["input_ids"]
    assert response.usage.output_tokens == len(answer_tokens) + 1
    assert response.usage.cache_read_tokens == response.usage.cache_write_tokens == 0
    assert response.backend == "local:smollm2-135m"
    assert response.latency.ttft_s is not None
    assert 0 < response.latency.ttft_s < response.latency.total_s
    assert response.mean_logprob is not None and response.mean_logprob < 0
    assert 0 < (response.confidence or 0) <= 1


def test_max_tokens_cuts_exactly(smollm2: LocalBackend) -> None:
    [response] = smollm2.generate([Request.ask("Write a long story about a dragon.", max_tokens=5)])
    assert response.finish_reason == "length"
    assert response.usage.output_tokens == 5
    assert response.text


def test_batched_greedy_answers_match_one_at_a_time(smollm2: LocalBackend) -> None:
    requests = [
        FRANCE,
        Request.ask("What is 2+2?", max_tokens=16),
        Request(
            messages=(Message("user", "Name a colour."),),
            system="You are a terse assistant. Answer in one word.",
            max_tokens=8,
        ),
    ]
    batched = smollm2.generate(requests)
    alone = [smollm2.generate([r])[0] for r in requests]
    assert [r.text for r in batched] == [r.text for r in alone]
    assert [r.usage for r in batched] == [r.usage for r in alone]


def test_stop_strings_cut_the_text_and_the_count(smollm2: LocalBackend) -> None:
    request = Request.ask("Count from 1 to 10, one number per line.", max_tokens=48, stop=("4",))
    [response] = smollm2.generate([request])
    assert response.finish_reason == "stop"
    assert "4" not in response.text and "3" in response.text
    assert response.usage.output_tokens < 48


def test_labels_give_a_label_and_its_probability(smollm2: LocalBackend) -> None:
    request = Request.ask("Is Paris the capital of France? Answer Yes or No.", labels=("Yes", "No"))
    [response] = smollm2.generate([request])
    assert response.text in ("Yes", "No")
    assert response.finish_reason == "label"
    probs = dict(response.label_probs or ())
    assert sum(probs.values()) == pytest.approx(1.0)
    assert response.confidence == pytest.approx(probs[response.text])
    assert response.confidence >= 0.5
    assert response.usage.input_tokens == template_token_count(smollm2.tokenizer, request)


def test_mixed_batch_keeps_order(smollm2: LocalBackend) -> None:
    labelled = Request.ask("Is fire hot? Answer Yes or No.", labels=("Yes", "No"))
    out = smollm2.generate([FRANCE, labelled, Request.ask("What is 2+2?", max_tokens=16)])
    assert "Paris" in out[0].text and out[1].text in ("Yes", "No") and "4" in out[2].text


def test_tokens_are_streamed_to_a_callback(smollm2: LocalBackend) -> None:
    seen: list[tuple[int, int]] = []
    [response] = smollm2.generate([FRANCE], on_token=lambda i, t: seen.append((i, t)))
    assert {i for i, _ in seen} == {0}
    assert len(seen) >= response.usage.output_tokens


def test_sampling_is_seeded(smollm2: LocalBackend) -> None:
    request = Request.ask("Write a word.", max_tokens=12, temperature=1.0, seed=7)
    first, second = smollm2.generate([request]), smollm2.generate([request])
    assert first[0].text == second[0].text


def test_rerunning_hits_the_response_cache(smollm2: LocalBackend, tmp_path: Path) -> None:
    cached = CachedBackend(smollm2, ResponseCache(tmp_path / "r.sqlite"))
    first = cached.generate([FRANCE])
    second = cached.generate([FRANCE])
    assert second[0].cached and second[0].text == first[0].text
    assert second[0].usage == first[0].usage
    assert cached.cache.hits == 1


def test_a_lora_adapter_is_loaded_and_changes_the_answer(
    smollm2: LocalBackend, tmp_path: Path
) -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from ragtune.backends.loading import resolve_model

    folder = resolve_model("smollm2-135m").cache_dir
    base = AutoModelForCausalLM.from_pretrained(str(folder))
    torch.manual_seed(0)
    config = LoraConfig(
        r=4, lora_alpha=64, target_modules=["q_proj", "v_proj"], init_lora_weights=False
    )
    get_peft_model(base, config).save_pretrained(tmp_path / "adapter")

    tuned = LocalBackend("smollm2-135m", adapter=str(tmp_path / "adapter"))
    [answer] = tuned.generate([FRANCE])
    assert answer.usage.input_tokens == smollm2.generate([FRANCE])[0].usage.input_tokens
    assert answer.text != smollm2.generate([FRANCE])[0].text
    assert tuned.params["adapter"] == str(tmp_path / "adapter")


def test_gemma_base_model_generates_with_the_supplied_template() -> None:
    gemma = LocalBackend("gemma3-270m")
    request = Request.ask("The capital of France is", system="Complete the sentence.", max_tokens=8)
    [response] = gemma.generate([request])
    assert response.text.strip()
    assert response.usage.input_tokens == template_token_count(gemma.tokenizer, request)
    rendered = gemma.tokenizer.apply_chat_template(
        request.chat_messages(), tokenize=False, add_generation_prompt=True
    )
    assert rendered.startswith("<bos><start_of_turn>user\nComplete the sentence.\n\n")
    assert rendered.endswith("<start_of_turn>model\n")
    assert 106 in gemma.eos_ids  # <end_of_turn> ends an answer
