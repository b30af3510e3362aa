"""The fine-tuning recipe, readable top to bottom: setup -> train -> save.

    recipe = Recipe(config, out_dir, train_examples, val_examples)
    recipe.setup()      # model + tokenizer, LoRA wrap, rendered data, optimizer, resume state
    recipe.train()      # steps with loss on answers only, validation, checkpoints, early stop
    result = recipe.save()  # adapter or weights, tokenizer, cost record, model card

The run folder holds config.json, data/ (the exact split), log.jsonl (train and validation
loss per step, for the report's loss curve), checkpoints/, adapter/ (LoRA) or model/ (full),
training_cost.json, result.json and README.md (the model card). Merging and GGUF export are in
`export`. This module does not decide where data comes from (see `run.tune`).
"""

from __future__ import annotations

import json
import logging
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ragtune import progress
from ragtune.errors import MissingDependencyError, RagtuneError
from ragtune.finetune import checkpoint as ckpt
from ragtune.finetune.batching import MicroBatch, plan_epoch, to_tensors
from ragtune.finetune.config import TuneConfig
from ragtune.finetune.cost import TrainingCost, describe_hardware
from ragtune.finetune.data import Conversation, data_hash
from ragtune.finetune.loss import loss_sum
from ragtune.finetune.plan import WARMUP_STEPS, examples_seen, plan_training, steps_for
from ragtune.finetune.render import Rendered, RenderStats, render_all

log = logging.getLogger(__name__)
# PEFT and the training loop ask transformers a question it has deprecated (a FutureWarning per
# run that says nothing to a ragtune user).
warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)


class TrainingInterrupted(RagtuneError):
    exit_code = 130


@dataclass(frozen=True)
class TuneResult:
    out_dir: str
    method: str
    steps: int
    stopped: str  # "completed" | "early_stopping"
    val_loss_start: float | None
    val_loss_end: float | None
    best_val_loss: float | None
    best_step: int
    last_train_loss: float | None
    data_hash: str
    train_examples: int
    val_examples: int
    render: RenderStats
    cost: TrainingCost
    weights: str  # folder of the adapter (LoRA) or the full weights
    examples_seen: int = 0  # examples the optimizer saw (an example seen twice counts twice)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def pick_device(name: str) -> str:
    import torch

    if name != "auto":
        if name.startswith("cuda") and not torch.cuda.is_available():
            raise RagtuneError(
                f"device {name!r} asked for, but torch sees no CUDA GPU",
                hint="use --device cpu (or auto)",
            )
        return name
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


class Recipe:
    def __init__(
        self,
        config: TuneConfig,
        out_dir: str | Path,
        train: Sequence[Conversation],
        val: Sequence[Conversation],
        *,
        resume: bool = False,
        available: int | None = None,
    ) -> None:
        self.config = config.validate()
        self.available = available  # train examples before a max_examples cap
        self.out = Path(out_dir)
        self.train_examples, self.val_examples = list(train), list(val)
        self.resume = resume
        self.state = ckpt.TrainState()
        self.stopped = "completed"

    # ---------------------------------------------------------------- setup
    def setup(self) -> None:
        import torch

        c = self.config
        if c.threads:
            torch.set_num_threads(c.threads)
        torch.manual_seed(c.seed)
        self.device = pick_device(c.device)
        self.model, self.tokenizer = self._load_model()
        self.train_data, self.render_stats = render_all(
            self.tokenizer, self.train_examples, c.max_length, policy=c.truncation
        )
        self.val_data = (
            render_all(self.tokenizer, self.val_examples, c.max_length, policy=c.truncation)[0]
            if self.val_examples
            else []
        )
        self.lengths = [len(r.input_ids) for r in self.train_data]
        self.micro_per_epoch = math.ceil(len(self.train_data) / c.batch_size)
        self.steps_per_epoch, self.total_steps = steps_for(len(self.train_data), c)
        given = len(self.train_examples) + len(self.val_examples)
        self.plan = plan_training(
            c,
            len(self.train_data),
            self.render_stats.tokens,
            available=self.available or given,
            capped=(self.available or 0) > given,
        )
        self.eval_every = c.eval_every or max(1, self.steps_per_epoch // 4)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=c.lr, weight_decay=c.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self._lr_factor)
        if self.resume:
            path = ckpt.latest_checkpoint(self.out / "checkpoints")
            self.state = ckpt.load_checkpoint(
                path, model=self.model, optimizer=self.optimizer, scheduler=self.scheduler
            )
            log.info("resumed from %s (step %d of %d)", path, self.state.step, self.total_steps)
        self.model.train()

    def _load_model(self) -> tuple[Any, Any]:
        import torch

        from ragtune.backends import load_causal_lm

        c = self.config
        dtype = torch.float32
        if self.device.startswith("cuda") and torch.cuda.is_bf16_supported():
            dtype = torch.bfloat16
        if c.method == "qlora":
            return self._load_qlora(dtype)
        model, tokenizer = load_causal_lm(c.base, device=self.device, dtype=dtype)
        model.config.use_cache = False
        if c.method == "full":
            for p in model.parameters():
                p.requires_grad_(True)
            return model, tokenizer
        return self._wrap_lora(model), tokenizer

    def _wrap_lora(self, model: Any) -> Any:
        try:
            from peft import LoraConfig, get_peft_model
        except ImportError as err:
            raise MissingDependencyError("peft", "tune") from err
        c = self.config
        names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
        unknown = [t for t in c.target_modules if t not in names]
        if unknown:
            raise RagtuneError(
                f"LoRA target modules {unknown} are not in {c.base}",
                hint="choose from the model's linear layers, e.g. "
                + ", ".join(sorted(n for n in names if n.endswith("proj"))[:8]),
            )
        layers = None
        if c.lora_layers is not None:
            total = int(model.config.num_hidden_layers)
            layers = list(range(max(total - c.lora_layers, 0), total))
        lora = LoraConfig(
            r=c.lora_r,
            lora_alpha=c.lora_alpha,
            lora_dropout=c.lora_dropout,
            target_modules=list(c.target_modules),
            layers_to_transform=layers,
            task_type="CAUSAL_LM",
        )
        return get_peft_model(model, lora)

    def _load_qlora(self, dtype: Any) -> Any:
        import importlib.util

        import torch

        if not self.device.startswith("cuda") or not torch.cuda.is_available():
            raise RagtuneError(
                "QLoRA needs a CUDA GPU (bitsandbytes 4-bit kernels); none is available",
                hint="use --method lora on CPU",
            )
        if importlib.util.find_spec("bitsandbytes") is None:
            raise MissingDependencyError("bitsandbytes", "tune")
        from peft import prepare_model_for_kbit_training
        from transformers import AutoModelForCausalLM, BitsAndBytesConfig

        from ragtune.backends import load_tokenizer, resolve_model

        tokenizer = load_tokenizer(self.config.base)  # also converts a GGUF base once
        source = resolve_model(self.config.base)
        folder = str(source.cache_dir) if source.kind == "gguf" else source.location
        quant = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype
        )
        model = AutoModelForCausalLM.from_pretrained(
            folder, quantization_config=quant, device_map={"": self.device}
        )
        model = prepare_model_for_kbit_training(model)
        return self._wrap_lora(model), tokenizer

    def _lr_factor(self, step: int) -> float:
        warmup = int(self.config.warmup_ratio * self.total_steps)
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if self.config.schedule == "constant":
            return 1.0
        done = (step - warmup) / max(1, self.total_steps - warmup)
        if self.config.schedule == "linear":
            return max(0.0, 1.0 - done)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, done)))

    # ---------------------------------------------------------------- train
    def train(self) -> None:
        c = self.config
        (self.out / "checkpoints").mkdir(parents=True, exist_ok=True)
        # On resume the log goes back to the checkpoint: later steps will be redone.
        (self.out / "log.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in self.state.history)
        )
        if self.state.step == 0 and self.val_data:
            self._record({"step": 0, "val_loss": self.validation_loss()})
        plans: dict[int, list[MicroBatch]] = {}
        rng_before = ckpt.rng_state()
        log.info("%s", self.plan.describe(c))
        started_at, timed = self.state.step, [0.0, 0]  # warm-up: seconds and tokens after step 1
        with progress.bar(desc="tuning", total=self.total_steps, unit="step") as advance:
            advance(self.state.step)
            try:
                while self.state.step < self.total_steps:
                    step = self.state.step
                    epoch, k = divmod(step, self.steps_per_epoch)
                    if epoch not in plans:
                        plans = {epoch: self._plan(epoch)}
                    group = plans[epoch][k * c.grad_accum : (k + 1) * c.grad_accum]
                    rng_before = ckpt.rng_state()
                    t0 = time.perf_counter()
                    loss, tokens = self._step(group)
                    seconds = time.perf_counter() - t0
                    self.state.wall_seconds += seconds
                    self.state.step += 1
                    rec = {
                        "step": self.state.step,
                        "epoch": round(self.state.step / self.steps_per_epoch, 4),
                        "train_loss": loss,
                        "lr": self.scheduler.get_last_lr()[0],
                        "tokens": tokens,
                        "seconds": round(seconds, 4),
                    }
                    self._record(rec)
                    advance(1, info=f"loss {loss:.3f} · {tokens / seconds:,.0f} tok/s")
                    done_here = self.state.step - started_at
                    if 1 < done_here <= WARMUP_STEPS:
                        timed[0], timed[1] = timed[0] + seconds, timed[1] + tokens
                    if done_here == WARMUP_STEPS and self.state.step < self.total_steps:
                        self.plan = self.plan.with_timing(timed[0], int(timed[1]), WARMUP_STEPS - 1)
                        log.info("%s", self.plan.describe(c))
                    last = self.state.step == self.total_steps
                    due = self.state.step % self.eval_every == 0 or last
                    if self.val_data and due and self._validate_and_check_stop():
                        self.stopped = "early_stopping"
                        break
                    if c.checkpoint_every and self.state.step % c.checkpoint_every == 0:
                        self._checkpoint(ckpt.rng_state())
            except KeyboardInterrupt:
                self.optimizer.zero_grad(set_to_none=True)
                path = self._checkpoint(rng_before)
                raise TrainingInterrupted(
                    f"training interrupted at step {self.state.step} of {self.total_steps}; "
                    f"checkpoint saved in {path}",
                    hint=f"continue with: ragtune tune --out {self.out} --resume",
                ) from None
        if self.stopped == "early_stopping":
            self._restore_best()

    def time_steps(self, n: int = WARMUP_STEPS) -> tuple[float, int, int]:
        """Run `n` optimizer steps and time them: (seconds, tokens, steps timed), step 1 left out.

        For estimates before a run (`ragtune check`): the weights change and nothing is saved.
        """
        c = self.config
        batches = self._plan(0)
        seconds, tokens, timed = 0.0, 0, 0
        for k in range(n):
            group = batches[(k * c.grad_accum) % len(batches) :][: c.grad_accum]
            t0 = time.perf_counter()
            _, step_tokens = self._step(group)
            if k > 0 or n == 1:
                seconds, tokens, timed = (
                    seconds + time.perf_counter() - t0,
                    tokens + step_tokens,
                    timed + 1,
                )
        return seconds, tokens, timed

    def _plan(self, epoch: int) -> list[MicroBatch]:
        c = self.config
        return plan_epoch(
            self.lengths,
            batch_size=c.batch_size,
            seed=c.seed,
            epoch=epoch,
            mode=c.batching,
            row_tokens=c.row_tokens or c.max_length,
        )

    def _step(self, group: list[MicroBatch]) -> tuple[float, int]:
        """One optimizer step over `group`; loss is the mean over every answer token in it."""
        import torch

        pad = self.tokenizer.pad_token_id
        batches = [to_tensors(mb, self.train_data, pad, self.device) for mb in group]
        n_total = sum(int((b["labels"][:, 1:] != -100).sum()) for b, _ in batches)
        total = 0.0
        for batch, _ in batches:
            s, _n = loss_sum(self.model, batch)
            (s / max(1, n_total)).backward()
            total += float(s.detach())
        params = [p for p in self.model.parameters() if p.requires_grad]
        torch.nn.utils.clip_grad_norm_(params, self.config.max_grad_norm)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return total / max(1, n_total), sum(counts.tokens for _, counts in batches)

    def validation_loss(self, data: Sequence[Rendered] | None = None) -> float:
        """Mean loss per answer token over the validation set (no dropout, no gradients)."""
        import torch

        data = self.val_data if data is None else data
        lengths = [len(r.input_ids) for r in data]
        batches = plan_epoch(
            lengths,
            batch_size=self.config.batch_size,
            seed=0,
            epoch=0,
            mode="pack",
            row_tokens=self.config.row_tokens or self.config.max_length,
        )
        was_training = self.model.training
        self.model.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for mb in batches:
                batch, _ = to_tensors(mb, data, self.tokenizer.pad_token_id, self.device)
                s, n = loss_sum(self.model, batch)
                total, count = total + float(s), count + n
        self.model.train(was_training)
        return total / max(1, count)

    def _validate_and_check_stop(self) -> bool:
        t0 = time.perf_counter()
        val = self.validation_loss()
        self.state.wall_seconds += time.perf_counter() - t0
        self._record({"step": self.state.step, "val_loss": val})
        s = self.state
        if s.best_val_loss is None or val < s.best_val_loss - 1e-4:
            s.best_val_loss, s.best_step, s.evals_without_improvement = val, s.step, 0
            if self.config.early_stopping_patience:
                self._save_best()
            return False
        s.evals_without_improvement += 1
        patience = self.config.early_stopping_patience
        return bool(patience and s.evals_without_improvement >= patience)

    def _save_best(self) -> None:
        from safetensors.torch import save_file

        weights = {n: t.contiguous() for n, t in ckpt.trainable_state(self.model).items()}
        save_file(weights, str(self.out / "checkpoints" / "best.safetensors"))

    def _restore_best(self) -> None:
        import torch
        from safetensors.torch import load_file

        best = load_file(str(self.out / "checkpoints" / "best.safetensors"))
        params = dict(self.model.named_parameters())
        with torch.no_grad():
            for name, tensor in best.items():
                params[name].copy_(tensor)
        log.info("early stopping: restored the weights of step %d", self.state.best_step)

    def _record(self, rec: dict[str, Any]) -> None:
        self.state.history.append(rec)
        with (self.out / "log.jsonl").open("a") as fh:
            fh.write(json.dumps(rec) + "\n")

    def _checkpoint(self, rng: dict[str, Any]) -> Path:
        return ckpt.save_checkpoint(
            self.out / "checkpoints",
            model=self.model,
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            state=self.state,
            rng=rng,
            keep=self.config.keep_checkpoints,
        )

    # ---------------------------------------------------------------- save
    def save(self) -> TuneResult:
        from ragtune.finetune.card import write_model_card

        c = self.config
        weights = self.out / ("model" if c.method == "full" else "adapter")
        self.model.save_pretrained(weights)
        self.tokenizer.save_pretrained(weights)
        (self.out / "log.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in self.state.history)
        )
        vals = [r["val_loss"] for r in self.state.history if "val_loss" in r]
        trains = [r["train_loss"] for r in self.state.history if "train_loss" in r]
        cost = TrainingCost(
            tokens=self.render_stats.tokens,
            epochs=round(self.state.step / self.steps_per_epoch, 4),
            wall_seconds=round(self.state.wall_seconds, 3),
            hardware=describe_hardware(self.device, _threads(self.device)),
            device_type=self.device.split(":")[0],
            trained_tokens=self.render_stats.trained_tokens,
            steps=self.state.step,
        )
        cost.save(self.out / "training_cost.json")
        result = TuneResult(
            out_dir=str(self.out),
            method=c.method,
            steps=self.state.step,
            stopped=self.stopped,
            val_loss_start=vals[0] if vals else None,
            val_loss_end=vals[-1] if vals else None,
            best_val_loss=self.state.best_val_loss,
            best_step=self.state.best_step,
            last_train_loss=trains[-1] if trains else None,
            data_hash=data_hash(self.train_examples),
            train_examples=len(self.train_data),
            val_examples=len(self.val_data),
            render=self.render_stats,
            cost=cost,
            weights=str(weights),
            examples_seen=examples_seen(self.state.step, len(self.train_data), c),
        )
        (self.out / "result.json").write_text(json.dumps(result.to_json(), indent=2) + "\n")
        write_model_card(self.out / "README.md", c, result)
        return result


def _threads(device: str) -> int | None:
    import torch

    return torch.get_num_threads() if device == "cpu" else None
