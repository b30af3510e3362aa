"""Fine-tuning benchmark: the acceptance run (base vs tuned) and training speed vs Trainer + PEFT.

    .venv/bin/python benchmarks/bench_finetune.py                 # both parts
    .venv/bin/python benchmarks/bench_finetune.py --part accept   # tune, evaluate, export
    .venv/bin/python benchmarks/bench_finetune.py --part eval     # re-score an existing run
    .venv/bin/python benchmarks/bench_finetune.py --part speed    # tokens/s and peak memory
    .venv/bin/python benchmarks/bench_finetune.py --part paired   # same-process A/B of one step

accept: LoRA-tune SmolLM2-135M-Instruct on the support-intent task (tests/finetune/data, 300
train / 60 held-out examples, 6 labels), compare exact-match accuracy of the base and the tuned
model on the held-out set, export q8_0 GGUF and check it reloads with the same first tokens.

speed: the same model, data and hyper-parameters trained for a fixed number of steps by
(a) ragtune's recipe (packing, head on answer tokens only) and (b) a plain transformers Trainer
+ PEFT with DataCollatorForSeq2Seq padding to the longest sequence of each batch. Each runs in
its own process, so peak memory (max RSS) is its own. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# On a shared 2-core machine OpenMP threads that spin while waiting slow everything down
# several-fold; one passive thread per process gives stable numbers for both trainers.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "finetune" / "data"
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
HYPER: dict[str, Any] = {
    "batch_size": 8,
    "lr": 2e-4,
    "lora_r": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.05,
    "max_length": 512,
    "warmup_ratio": 0.05,
}


LABELS = ("billing", "shipping", "returns", "account", "technical", "cancel")


def score(model: Any, tok: Any, test: list[Any]) -> dict[str, Any]:
    from ragtune.finetune.evaluate import decode_answers, exact_match, generate_greedy, label_match

    ids = generate_greedy(model, tok, test, max_new_tokens=8)
    answers = decode_answers(tok, ids)
    return {
        "ids": ids,
        "answers": answers,
        "exact": exact_match(answers, test),
        "label": label_match(answers, test, LABELS),
    }


def accept(out: Path, epochs: float, train_again: bool = True) -> dict[str, Any]:
    import torch

    from ragtune.backends.loading import load_causal_lm
    from ragtune.finetune import TuneConfig
    from ragtune.finetune.data import load_examples
    from ragtune.finetune.export import export
    from ragtune.finetune.run import tune

    torch.set_num_threads(THREADS)
    train = load_examples(DATA / "intents_train.jsonl")
    test = load_examples(DATA / "intents_test.jsonl")
    base, tok = load_causal_lm("smollm2-135m")
    base_score = score(base, tok, test)
    del base
    config = TuneConfig(
        base="smollm2-135m",
        epochs=epochs,
        threads=THREADS,
        checkpoint_every=0,
        learning_rate=HYPER["lr"],
        batch_size=HYPER["batch_size"],
    )
    t0 = time.perf_counter()
    if train_again:
        tune(config, out, examples=train, test=test, task="classify", overwrite=True)
        export(out, gguf=True, outtype="q8_0")
    tune_s = time.perf_counter() - t0
    result = json.loads((out / "result.json").read_text())
    gguf_path = next((out / "gguf").glob("*.gguf"))
    tuned, tok = load_causal_lm(str(out / "merged"))
    tuned_score = score(tuned, tok, test)
    # The GGUF, read back by transformers' GGUF loader, must give the same first tokens.
    from transformers import AutoModelForCausalLM

    from ragtune.finetune.evaluate import generate_greedy
    from ragtune.finetune.gguf_export import check_gguf

    g = AutoModelForCausalLM.from_pretrained(
        str(gguf_path.parent), gguf_file=gguf_path.name, dtype=torch.float32
    )
    g_out = generate_greedy(g, tok, test[:16], max_new_tokens=4)
    same = sum(a[:4] == b[:4] for a, b in zip(g_out, tuned_score["ids"][:16], strict=True))
    (out / "bench_answers.json").write_text(
        json.dumps({"base": base_score["answers"], "tuned": tuned_score["answers"]}, indent=1)
    )
    return {
        "base": base_score,
        "tuned": tuned_score,
        "result": result,
        "tune_s": tune_s,
        "gguf": check_gguf(gguf_path),
        "gguf_same_first_tokens": f"{same}/16",
    }


class RssSampler:
    """Highest resident memory seen while running (sampled every 20 ms from /proc)."""

    def __enter__(self) -> RssSampler:
        import threading

        self.start = self.peak = self._now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _now(self) -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._now())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._now())


def _speed_child(kind: str, steps: int, data: str) -> None:
    """Runs in a subprocess; prints one JSON line with tokens/s and training memory."""
    import torch

    torch.set_num_threads(THREADS)
    from ragtune.backends.loading import load_causal_lm
    from ragtune.finetune.data import load_examples
    from ragtune.finetune.render import render_all

    examples = load_examples(data)
    if kind.startswith("ragtune"):
        from ragtune.finetune import TuneConfig
        from ragtune.finetune.recipe import Recipe

        config = TuneConfig(
            max_steps=steps,
            val_fraction=0.0,
            checkpoint_every=0,
            threads=THREADS,
            batching=kind.split("-", 1)[1],
            learning_rate=HYPER["lr"],
            batch_size=HYPER["batch_size"],
            warmup_ratio=HYPER["warmup_ratio"],
            max_length=HYPER["max_length"],
        )
        with tempfile.TemporaryDirectory() as tmp:
            recipe = Recipe(config, tmp, examples, [])
            recipe.setup()
            with RssSampler() as mem:
                recipe.train()
            log = recipe.state.history
        losses = [r["train_loss"] for r in log]
        print(
            json.dumps(
                {
                    "kind": kind,
                    "tokens": sum(r["tokens"] for r in log),
                    "seconds": sum(r["seconds"] for r in log),
                    "loss": sum(losses) / len(losses),
                    "rss_start": mem.start,
                    "rss_peak": mem.peak,
                }
            )
        )
        return
    from peft import LoraConfig, get_peft_model
    from transformers import DataCollatorForSeq2Seq, Trainer, TrainerCallback, TrainingArguments

    base, tok = load_causal_lm("smollm2-135m")
    rendered, _ = render_all(tok, examples, HYPER["max_length"])
    rows = [
        {
            "input_ids": list(r.input_ids),
            "labels": list(r.labels),
            "attention_mask": [1] * len(r.input_ids),
        }
        for r in rendered
    ]
    model = get_peft_model(
        base,
        LoraConfig(
            r=HYPER["lora_r"],
            lora_alpha=HYPER["lora_alpha"],
            lora_dropout=HYPER["lora_dropout"],
            target_modules=[
                "q_proj",
                "k_proj",
                "v_proj",
                "o_proj",
                "gate_proj",
                "up_proj",
                "down_proj",
            ],
            task_type="CAUSAL_LM",
        ),
    )
    seen = {"tokens": 0}
    collate = DataCollatorForSeq2Seq(tok, padding="longest", label_pad_token_id=-100)

    def counting(features: list[dict[str, list[int]]]) -> dict[str, Any]:
        seen["tokens"] += sum(len(f["input_ids"]) for f in features)
        return dict(collate(features))

    times: list[float] = []

    class Timer(TrainerCallback):
        def on_step_begin(self, *a: object, **k: object) -> None:
            times.append(time.perf_counter())

        def on_step_end(self, *a: object, **k: object) -> None:
            times[-1] = time.perf_counter() - times[-1]

    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp,
            max_steps=steps,
            per_device_train_batch_size=HYPER["batch_size"],
            learning_rate=HYPER["lr"],
            lr_scheduler_type="cosine",
            warmup_steps=int(HYPER["warmup_ratio"] * steps),
            save_strategy="no",
            logging_steps=steps,
            report_to=[],
            use_cpu=True,
            dataloader_num_workers=0,
            seed=0,
            max_grad_norm=1.0,
            weight_decay=0.0,
        )
        trainer = Trainer(
            model=model, args=args, train_dataset=rows, data_collator=counting, callbacks=[Timer()]
        )
        with RssSampler() as mem:
            out = trainer.train()
    print(
        json.dumps(
            {
                "kind": kind,
                "tokens": seen["tokens"],
                "seconds": sum(times),
                "loss": out.training_loss,
                "rss_start": mem.start,
                "rss_peak": mem.peak,
            }
        )
    )


def paired(batches: int, data: Path) -> dict[str, float]:
    """Same process, same LoRA model, same examples: alternate a padded full-logits step (what
    Trainer computes) with a packed answers-only step, so machine load hits both alike."""
    import torch
    from peft import LoraConfig, get_peft_model

    from ragtune.backends.loading import load_causal_lm
    from ragtune.finetune.batching import MicroBatch, pack_rows, to_tensors
    from ragtune.finetune.data import load_examples
    from ragtune.finetune.loss import loss_sum
    from ragtune.finetune.render import render_all

    torch.set_num_threads(THREADS)
    base, tok = load_causal_lm("smollm2-135m")
    model = get_peft_model(
        base,
        LoraConfig(
            r=HYPER["lora_r"],
            lora_alpha=HYPER["lora_alpha"],
            lora_dropout=0.0,
            target_modules=[
                "q_proj",
                "k_proj",
                "v_proj",
                "o_proj",
                "gate_proj",
                "up_proj",
                "down_proj",
            ],
            task_type="CAUSAL_LM",
        ),
    )
    model.train()
    rendered, _ = render_all(tok, load_examples(data), HYPER["max_length"])
    lengths = [len(r.input_ids) for r in rendered]
    bs = HYPER["batch_size"]
    t = {"padded": 0.0, "packed": 0.0, "padded-head": 0.0}
    tokens = 0
    for k in range(batches + 1):  # batch 0 warms up both paths and is not counted
        idx = list(range(k * bs, (k + 1) * bs))
        tokens += sum(lengths[i] for i in idx) if k else 0
        padded, _ = to_tensors(
            MicroBatch(tuple((i,) for i in idx), False), rendered, tok.pad_token_id
        )
        packed, _ = to_tensors(
            MicroBatch(pack_rows(idx, lengths, HYPER["max_length"]), True),
            rendered,
            tok.pad_token_id,
        )
        order = ["padded", "packed", "padded-head"]
        order = order if k % 2 else order[::-1]
        for name in order:
            t0 = time.perf_counter()
            if name == "padded":
                model(**padded, use_cache=False).loss.backward()
            else:
                s, n = loss_sum(model, packed if name == "packed" else padded)
                (s / n).backward()
            model.zero_grad(set_to_none=True)
            if k:
                t[name] += time.perf_counter() - t0
    return {"tokens": tokens, **{f"{k}_s": v for k, v in t.items()}}


def speed(steps: int, data: Path, kinds: list[str]) -> list[dict[str, Any]]:
    rows = []
    for kind in kinds:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--steps",
            str(steps),
            "--data",
            str(data),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode:
            raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["accept", "eval", "speed", "paired", "all"], default="all")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--data", default=str(DATA / "intents_train.jsonl"))
    ap.add_argument("--out", default=str(ROOT / ".ragtune" / "bench" / "intents-lora"))
    ap.add_argument(
        "--kinds",
        default="trainer-peft,ragtune-pack,ragtune-group",
        help="comma-separated: trainer-peft, ragtune-pack, ragtune-group, ragtune-pad",
    )
    ap.add_argument("--child")
    a = ap.parse_args()
    if a.child:
        _speed_child(a.child, a.steps, a.data)
        return
    if a.part in ("accept", "all", "eval"):
        r = accept(Path(a.out), a.epochs, train_again=a.part != "eval")
        res, cost = r["result"], r["result"]["cost"]
        print("| held-out intents (60) | exact match | first label mentioned |\n|---|---|---|")
        for name, key in (
            ("base SmolLM2-135M-Instruct", "base"),
            (f"LoRA-tuned ({res['steps']} steps)", "tuned"),
        ):
            e, lab = r[key]["exact"], r[key]["label"]
            print(
                f"| {name} | {e.value:.1%} ({e.correct}/{e.total}) "
                f"| {lab.value:.1%} ({lab.correct}/{lab.total}) |"
            )
        print(f"\nbase answers, first 3: {r['base']['answers'][:3]}")
        print(
            f"validation loss {res['val_loss_start']:.4f} -> {res['val_loss_end']:.4f}; "
            f"training loop {cost['wall_seconds']:.0f} s; {cost['tokens']:,} tokens x "
            f"{cost['epochs']} epochs; {cost['hardware']}"
        )
        print(f"GGUF: {r['gguf']}; same first 4 tokens as merged: {r['gguf_same_first_tokens']}\n")
    if a.part in ("paired", "all"):
        p = paired(a.steps, Path(a.data))
        print(
            f"paired forward+backward, {a.steps} batches of {HYPER['batch_size']}, "
            f"{THREADS} thread(s)\n"
        )
        print("| step | useful tokens/s | ratio |\n|---|---|---|")
        for name in ("padded", "packed", "padded-head"):
            print(
                f"| {name} | {p['tokens'] / p[name + '_s']:,.0f} "
                f"| {p['padded_s'] / p[name + '_s']:.2f}x |"
            )
        print()
    if a.part in ("speed", "all"):
        rows = speed(a.steps, Path(a.data), a.kinds.split(","))
        base = rows[0]["tokens"] / rows[0]["seconds"]
        print(
            f"{a.steps} LoRA steps, batch {HYPER['batch_size']}, {Path(a.data).name}, "
            f"{THREADS} threads\n"
        )
        print(
            "| trainer | useful tokens/s | ratio | peak RSS in training MB "
            "| memory added by training MB | mean train loss |\n|---|---|---|---|---|---|"
        )
        for r in rows:
            tps = r["tokens"] / r["seconds"]
            print(
                f"| {r['kind']} | {tps:,.0f} | {tps / base:.2f}x | {r['rss_peak']:,.0f} "
                f"| {r['rss_peak'] - r['rss_start']:,.0f} | {r['loss']:.3f} |"
            )


if __name__ == "__main__":
    main()
