"""Backend benchmark: local generation sequential vs batched, model load times, HTTP concurrency.

    .venv/bin/python benchmarks/bench_backends.py                    # all three parts
    .venv/bin/python benchmarks/bench_backends.py --part batch       # one part: batch|load|server
    .venv/bin/python benchmarks/bench_backends.py --out /tmp/backends.md

batch: SmolLM2-135M-Instruct on CPU answers the same 16 chat prompts (max 48 new tokens, greedy)
one at a time (baseline) and as one left-padded batch of 16; output tokens/s counts the tokens
the usage records report, so padding and rows that finished early earn nothing. Goal: >= 5x.

load: `load_causal_lm("smollm2-135m")` in a fresh process with an empty cache folder (converts
the GGUF and writes the cache) vs in a fresh process reading that cache.

server: `ragtune serve-model` in its own process; the openai-compatible backend sends the 16
prompts with concurrency 1 (baseline) and 8. The server batches requests that arrive together.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Spinning OpenMP threads slow everything down on a shared 2-core machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

PROMPTS = [
    "What is the capital of France?",
    "Give me three tips for staying focused.",
    "Explain what a CPU does in two sentences.",
    "Write a haiku about autumn leaves.",
    "What is the boiling point of water in Fahrenheit?",
    "Name three primary colours.",
    "How do I reverse a list in Python?",
    "What is photosynthesis?",
    "Suggest a name for a friendly robot.",
    "Why is the sky blue?",
    "List two benefits of regular exercise.",
    "What does HTTP stand for?",
    "Describe the taste of a lemon.",
    "How many days are in a leap year?",
    "Translate 'good morning' into Spanish.",
    "What is the largest planet in the solar system?",
]
MAX_TOKENS = 48


def requests() -> list:  # type: ignore[type-arg]
    from ragtune.backends.base import Request

    return [Request.ask(p, max_tokens=MAX_TOKENS) for p in PROMPTS]


def bench_batch() -> list[str]:
    from ragtune.backends.local import LocalBackend

    backend = LocalBackend("smollm2-135m", batch_size=16)
    backend.load()
    backend.generate(requests()[:2])  # warm-up: first-call allocations

    started = time.perf_counter()
    sequential = [backend.generate([r])[0] for r in requests()]
    t_seq = time.perf_counter() - started
    started = time.perf_counter()
    batched = backend.generate(requests())
    t_batch = time.perf_counter() - started

    tok_seq = sum(r.usage.output_tokens for r in sequential)
    tok_batch = sum(r.usage.output_tokens for r in batched)
    same = sum(a.text == b.text for a, b in zip(sequential, batched, strict=True))
    rate_seq, rate_batch = tok_seq / t_seq, tok_batch / t_batch
    return [
        "| mode | wall time | output tokens | output tokens/s | ratio |",
        "|---|---:|---:|---:|---:|",
        f"| sequential, 16 x batch of 1 (baseline) | {t_seq:.1f} s | {tok_seq} | "
        f"{rate_seq:.1f} | 1.0x |",
        f"| batched, 1 x batch of 16 | {t_batch:.1f} s | {tok_batch} | {rate_batch:.1f} | "
        f"{rate_batch / rate_seq:.1f}x |",
        "",
        f"Identical greedy answers in both modes: {same} of {len(PROMPTS)}.",
    ]


_LOAD = (
    "import time, torch, transformers; "
    "from ragtune.backends.loading import load_causal_lm; t = time.perf_counter(); "
    "load_causal_lm('smollm2-135m'); print(time.perf_counter() - t)"
)


def bench_load() -> list[str]:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "RAGTUNE_CACHE_DIR": cache}
        times = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", _LOAD], env=env, capture_output=True, text=True, check=True
            )
            times.append(float(out.stdout.strip().splitlines()[-1]))
    first, cached = times
    return [
        "| load of smollm2-135m in a fresh process | time | ratio |",
        "|---|---:|---:|",
        f"| first: dequantize GGUF, write cache (baseline) | {first:.1f} s | 1.0x |",
        f"| cached: read safetensors + tokenizer | {cached:.1f} s | {first / cached:.1f}x faster |",
        "",
        "Timed from after `import torch, transformers` to a model ready on CPU.",
    ]


def bench_server() -> list[str]:
    from ragtune.backends.openai_api import OpenAIBackend
    from ragtune.backends.server import spawn

    rows = []
    with spawn("smollm2-135m", max_batch=8, start_timeout_s=600) as url:
        OpenAIBackend("smollm2-135m", base_url=url, timeout_s=600).generate(requests()[:1])
        for concurrency in (1, 8):
            client = OpenAIBackend(
                "smollm2-135m", base_url=url, concurrency=concurrency, timeout_s=600
            )
            started = time.perf_counter()
            responses = client.generate(requests())
            wall = time.perf_counter() - started
            tokens = sum(r.usage.output_tokens for r in responses)
            ttft = statistics.median(r.latency.ttft_s or 0.0 for r in responses)
            rows.append((concurrency, wall, tokens, ttft))
    base_rate = rows[0][2] / rows[0][1]
    lines = [
        "| concurrency | wall time (16 requests) | requests/s | output tokens/s | median TTFT "
        "| ratio |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for concurrency, wall, tokens, ttft in rows:
        rate = tokens / wall
        lines.append(
            f"| {concurrency}{' (baseline)' if concurrency == 1 else ''} | {wall:.1f} s | "
            f"{len(PROMPTS) / wall:.2f} | {rate:.1f} | {ttft:.2f} s | {rate / base_rate:.1f}x |"
        )
    return lines


PARTS = {
    "batch": ("Local generation: sequential vs batch of 16 (SmolLM2-135M, CPU)", bench_batch),
    "load": ("Model load: first (convert) vs cached", bench_load),
    "server": ("OpenAI-compatible backend against `ragtune serve-model`", bench_server),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(PARTS), action="append")
    parser.add_argument("--out", type=Path, help="also write the Markdown to this file")
    args = parser.parse_args()
    import torch

    load = os.getloadavg()[0]
    lines = [
        "# Model backends: generation throughput, load time, HTTP concurrency",
        "",
        "Command: `.venv/bin/python benchmarks/bench_backends.py`",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} with "
        f"{torch.get_num_threads()} threads, Python {platform.python_version()}; shared with "
        f"other agents' jobs (load average {load:.1f} at the start).",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    ]
    for name in args.part or list(PARTS):
        title, run = PARTS[name]
        print(f"running {name} ...", file=sys.stderr, flush=True)
        lines += ["", f"## {title}", "", *run()]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
