"""The model card (README.md in a run folder): what was tuned, on what, how long, at what cost.

Plain Markdown with a YAML header that the Hugging Face hub understands. Every number comes from
the run's records (config, result, cost); nothing is measured here.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from ragtune import __version__
from ragtune.errors import RagtuneError
from ragtune.finetune.config import TuneConfig
from ragtune.finetune.cost import TrainingCost, estimate_hardware_cost, estimate_hosted_cost
from ragtune.finetune.render import RenderStats


class CardFacts(Protocol):
    """What the card reads of a finished tune (`recipe.TuneResult` has these): a protocol, so
    the recipe imports the card and never the other way round."""

    @property
    def out_dir(self) -> str: ...
    @property
    def steps(self) -> int: ...
    @property
    def stopped(self) -> str: ...
    @property
    def val_loss_start(self) -> float | None: ...
    @property
    def val_loss_end(self) -> float | None: ...
    @property
    def best_val_loss(self) -> float | None: ...
    @property
    def best_step(self) -> int: ...
    @property
    def last_train_loss(self) -> float | None: ...
    @property
    def data_hash(self) -> str: ...
    @property
    def train_examples(self) -> int: ...
    @property
    def val_examples(self) -> int: ...
    @property
    def render(self) -> RenderStats: ...
    @property
    def cost(self) -> TrainingCost: ...


# A hosted fine-tuning price from the catalog, to show what the same tokens would cost there.
HOSTED_REFERENCE = "gpt-4o-mini-ft"


def cost_lines(config: TuneConfig, cost: TrainingCost) -> list[str]:
    """Dollar estimates for the card; each says where its price comes from."""
    from ragtune.cost import load_catalog

    lines = []
    try:
        catalog = load_catalog()
    except RagtuneError as err:  # a broken user override file should not lose the model card
        return [f"- no estimate: the price catalog did not load ({err.message})"]
    if config.hourly_price is not None:
        usd = estimate_hardware_cost(cost, config.hourly_price)
        lines.append(f"- this run at ${config.hourly_price:.2f}/hour (given): ${usd:.4f}")
    elif cost.device_type == "cuda":
        gpu = _match_gpu(cost.hardware, catalog)
        if gpu is not None:
            usd = estimate_hardware_cost(cost, gpu.hourly)
            lines.append(
                f"- this run at {gpu.name} ${gpu.hourly:.2f}/hour ({gpu.source}): ${usd:.4f}"
            )
    if not lines:
        lines.append("- this run: pass --hourly-price to price the machine time")
    try:
        m = catalog.model(HOSTED_REFERENCE)
        if m.training_per_m is not None:
            usd = estimate_hosted_cost(cost, m.training_per_m)
            lines.append(
                f"- the same tokens as hosted fine-tuning ({m.name}, ${m.training_per_m:.2f}/M "
                f"training tokens): ${usd:.4f}"
            )
    except RagtuneError:
        pass
    return lines


def _match_gpu(hardware: str, catalog: Any) -> Any:
    words = hardware.lower().replace("-", " ").split()
    for name, gpu in catalog.gpus.items():
        if name.split("-")[0] in words:
            return gpu
    return None


def _fmt(x: float | None, digits: int = 4) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def render_model_card(config: TuneConfig, result: CardFacts) -> str:
    cost = result.cost
    hyper = {k: v for k, v in asdict(config).items() if k not in ("base", "method")}
    if config.method == "full":
        hyper = {k: v for k, v in hyper.items() if not k.startswith(("lora_", "target_"))}
    rows = "\n".join(f"| {k} | {v if v is not None else '-'} |" for k, v in hyper.items())
    r = result.render
    return f"""---
base_model: {config.base}
library_name: {"peft" if config.method != "full" else "transformers"}
tags: [ragtune, {config.method}]
---

# {config.method.upper()} fine-tune of {config.base}

Made with ragtune {__version__}. Loss was computed on the assistant turns only.

## Data

| | |
|---|---|
| training examples | {result.train_examples} |
| validation examples | {result.val_examples} |
| data sha256 | `{result.data_hash}` |
| tokens per epoch | {r.tokens:,} ({r.trained_tokens:,} with loss) |
| truncated / dropped (max_length {config.max_length}) | {r.truncated} / {r.dropped} |

## Result

| | |
|---|---|
| steps | {result.steps} ({result.stopped}) |
| validation loss, before -> after | {_fmt(result.val_loss_start)} -> {_fmt(result.val_loss_end)} |
| best validation loss | {_fmt(result.best_val_loss)} at step {result.best_step} |
| last training loss | {_fmt(result.last_train_loss)} |

## Cost

| | |
|---|---|
| training tokens x epochs | {cost.tokens:,} x {cost.epochs} = {cost.tokens_processed:,.0f} |
| wall time (training loop) | {cost.wall_seconds:,.1f} s |
| throughput | {cost.tokens_per_second:,.0f} tokens/s |
| hardware | {cost.hardware} |

Estimated cost:

{chr(10).join(cost_lines(config, cost))}

## Hyper-parameters

| setting | value |
|---|---|
{rows}

## Use

```bash
ragtune tune export {result.out_dir} --gguf    # merged weights + GGUF + Ollama Modelfile
```
"""


def write_model_card(path: str | Path, config: TuneConfig, result: CardFacts) -> None:
    Path(path).write_text(render_model_card(config, result))
