"""Label-scoring benchmark: the naive scorer (one pass per label) vs the trie scorer, interleaved.

    .venv/bin/python benchmarks/bench_label_scoring.py                 # 32 items, 77 labels
    .venv/bin/python benchmarks/bench_label_scoring.py --items 4       # a quick look
    .venv/bin/python benchmarks/bench_label_scoring.py --out /tmp/labels.json
    .venv/bin/python benchmarks/bench_label_scoring.py --pause-file /tmp/pause  # touch to pause
    .venv/bin/python benchmarks/bench_label_scoring.py --shared-prefix --items 40 --short

`--shared-prefix` times a different pair: the trie scorer on a whole call of `--items` requests
with the prompts' common prefix encoded once (`share_prefix=True`, the default) against the same
call encoding every prompt whole (`share_prefix=False`), alternating which goes first for
`--repeats` rounds. `--short` uses one-line messages (intent-set style, ~15 tokens) instead of the
long paragraph, so the shared instructions are most of each prompt.

SmolLM2-135M-Instruct on CPU scores 77 intent labels after the `prompt` arm's real prompt (the
classify instructions listing every label, then a customer message; ~600 tokens with the chat
template). For each item in turn, the naive scorer (`score_labels_naive`: every (prompt, label)
sequence in full, vocabulary logits at every position, batches of 16 as the local backend did
before) and the trie scorer (`score_labels`: the prompt encoded once, labels as a trie of
continuations, logits only where a label token is predicted) score the same prompt, alternating
which goes first. Interleaving item by item keeps the ratio honest on a shared machine: a burst of
load from another process slows both sides alike. Goal: >= 20x fewer seconds per item, the same
argmax label on every item and label probabilities within 1e-4.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

TOPICS = [
    "card", "transfer", "top_up", "cash_withdrawal", "exchange", "refund", "pin", "account",
    "payment", "direct_debit", "fee", "balance", "identity", "beneficiary", "virtual_card",
    "contactless", "atm", "salary", "apple_pay", "google_pay",
]  # fmt: skip
EVENTS = ["failed", "pending", "not_received", "declined"]
MESSAGE = (
    "Hi, I hope you can help me with this because I have been trying to sort it out for a while. "
    "Last week I used the app to {what} and it has not gone the way I expected at all. I checked "
    "my statement twice, restarted my phone, logged out and back in, and I even asked a friend "
    "who banks with you whether this happens to them. Nothing has changed and I am starting to "
    "worry, since I need this sorted before the end of the month when my rent is due. Could you "
    "tell me what is going on and what I should do next? Thanks a lot for your time."
)


def labels() -> list[str]:
    """77 intent names in the style of public banking intent sets (shared prefixes included)."""
    names = [f"{t}_{e}" for t in TOPICS for e in EVENTS]
    return names[:77]


SHORT = "my {what} is not working, can you help?"


def prompts(backend: object, names: list[str], n: int, message: str = MESSAGE) -> list[list[int]]:
    from ragtune.backends.base import Request
    from ragtune.strategies.base import TaskSpec
    from ragtune.strategies.prompts import instructions

    system = instructions(TaskSpec("classify", tuple(names)))
    out = []
    for i in range(n):
        what = names[(i * 7) % len(names)].replace("_", " ")
        request = Request.ask(message.format(what=what), system=system, labels=tuple(names))
        out.append(backend.prompt_ids(request))  # type: ignore[attr-defined]
    return out


def softmax(xs: list[float]) -> list[float]:
    import math

    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    total = sum(exps)
    return [e / total for e in exps]


def wait_while(pause_file: Path | None) -> None:
    """Between items only: a pause inside a timed region would inflate one scorer's seconds."""
    if pause_file is None or not pause_file.exists():
        return
    print(f"paused: {pause_file} exists", flush=True)
    started = time.perf_counter()
    while pause_file.exists():
        time.sleep(2)
    print(f"resumed after {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=32)
    parser.add_argument(
        "--out", type=Path, default=None, help="write the result as JSON (after every item)"
    )
    parser.add_argument(
        "--pause-file",
        type=Path,
        default=None,
        help="while this file exists, wait before starting the next item (lends the machine to "
        "other work between items; no timed region is paused)",
    )
    parser.add_argument("--shared-prefix", action="store_true", help="see the docstring")
    parser.add_argument("--short", action="store_true", help="one-line messages")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.shared_prefix:
        shared_prefix(args)
        return

    import torch

    from ragtune.backends.label_scoring import (
        LabelTrie,
        label_token_ids,
        score_labels,
        score_labels_naive,
    )
    from ragtune.backends.local import LocalBackend

    backend = LocalBackend("smollm2-135m")
    backend.load()
    lm, tokenizer = backend._lm, backend._tokenizer
    names = labels()
    label_ids = label_token_ids(tokenizer, names)
    items = prompts(backend, names, args.items)
    pad = tokenizer.pad_token_id
    score_labels(lm, items[:1], label_ids, pad_id=pad)  # warm-up: thread pools, allocator
    naive_s: list[float] = []
    trie_s: list[float] = []
    max_diff, same = 0.0, 0

    def summary(naive_s: list[float], trie_s: list[float], same: int, diff: float) -> dict:  # type: ignore[type-arg]
        return {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}",
            "items_done": len(naive_s),
            "items": len(items),
            "labels": len(names),
            "prompt_tokens_mean": statistics.mean(len(p) for p in items),
            "label_tokens": sum(len(ids) for ids in label_ids),
            "trie_nodes": len(LabelTrie.build(label_ids).tokens),
            "naive_s_per_item": statistics.mean(naive_s),
            "trie_s_per_item": statistics.mean(trie_s),
            "ratio": statistics.mean(naive_s) / statistics.mean(trie_s),
            "same_argmax": f"{same}/{len(naive_s)}",
            "max_prob_diff": diff,
        }

    for i, prompt in enumerate(items):
        wait_while(args.pause_file)
        order = ("naive", "trie") if i % 2 == 0 else ("trie", "naive")
        found = {}
        for which in order:
            start = time.perf_counter()
            if which == "naive":
                found[which] = score_labels_naive(lm, [prompt], label_ids, pad_id=pad)[0]
                naive_s.append(time.perf_counter() - start)
            else:
                found[which] = score_labels(lm, [prompt], label_ids, pad_id=pad)[0]
                trie_s.append(time.perf_counter() - start)
        p_naive, p_trie = softmax(found["naive"]), softmax(found["trie"])
        diff = max(abs(a - b) for a, b in zip(p_naive, p_trie, strict=True))
        max_diff = max(max_diff, diff)
        same += p_naive.index(max(p_naive)) == p_trie.index(max(p_trie))
        if args.out:  # partial results survive an interrupted run on a busy machine
            args.out.write_text(json.dumps(summary(naive_s, trie_s, same, max_diff), indent=2))
        print(
            f"item {i + 1}/{len(items)}: {len(prompt)} tokens, naive {naive_s[-1]:.2f} s, "
            f"trie {trie_s[-1]:.3f} s, max prob diff {diff:.2e}",
            flush=True,
        )
    result = summary(naive_s, trie_s, same, max_diff)
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


def shared_prefix(args: argparse.Namespace) -> None:
    """Whole calls, common prefix encoded once vs every prompt encoded whole (interleaved)."""
    import torch

    from ragtune.backends.label_scoring import _shared_prefix, label_token_ids, score_labels
    from ragtune.backends.local import LocalBackend

    backend = LocalBackend("smollm2-135m")
    backend.load()
    lm, tokenizer = backend._lm, backend._tokenizer
    names = labels()
    label_ids = label_token_ids(tokenizer, names)
    items = prompts(backend, names, args.items, SHORT if args.short else MESSAGE)
    pad = tokenizer.pad_token_id
    prefix = _shared_prefix(lm, items)
    score_labels(lm, items[:2], label_ids, pad_id=pad)  # warm-up
    seconds: dict[bool, list[float]] = {True: [], False: []}
    found: dict[bool, list[list[float]]] = {}
    for r in range(args.repeats):
        for share in (True, False) if r % 2 == 0 else (False, True):
            start = time.perf_counter()
            found[share] = score_labels(lm, items, label_ids, pad_id=pad, share_prefix=share)
            seconds[share].append(time.perf_counter() - start)
            print(f"round {r + 1}: shared={share} {seconds[share][-1]:.1f} s", flush=True)
    diffs, same = [], 0
    for a, b in zip(found[True], found[False], strict=True):
        pa, pb = softmax(a), softmax(b)
        diffs.append(max(abs(x - y) for x, y in zip(pa, pb, strict=True)))
        same += pa.index(max(pa)) == pb.index(max(pb))
    shared_s, whole_s = statistics.median(seconds[True]), statistics.median(seconds[False])
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        "items": len(items),
        "labels": len(names),
        "prompt_tokens_mean": statistics.mean(len(p) for p in items),
        "shared_prefix_tokens": prefix.length if prefix else 0,
        "whole_s_per_call_median": whole_s,
        "shared_s_per_call_median": shared_s,
        "ratio": whole_s / shared_s,
        "same_argmax": f"{same}/{len(items)}",
        "max_prob_diff": max(diffs),
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
