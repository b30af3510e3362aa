"""Export a finished run: merged weights (safetensors + tokenizer), optionally GGUF + Modelfile.

    export(run_dir, gguf=True, outtype="q8_0")
      -> RUN/merged/            transformers folder (from_pretrained, or `--base RUN/merged`)
      -> RUN/gguf/<name>-q8_0.gguf and RUN/gguf/Modelfile (Ollama)

A LoRA run is merged into its base; a full run's weights are re-saved as they are. GGUF writing
is in `gguf_export`. Nothing is re-trained or evaluated here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ragtune.errors import RagtuneError
from ragtune.finetune.config import TuneConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportResult:
    merged: str
    gguf: str | None = None
    modelfile: str | None = None
    gguf_check: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def read_run_config(run_dir: Path) -> TuneConfig:
    if not (run_dir / "config.json").is_file():
        raise RagtuneError(
            f"{run_dir} is not a fine-tuning run folder (no config.json)",
            hint="give the --out folder of a `ragtune tune` run",
        )
    weights = run_dir / "adapter" / "adapter_config.json", run_dir / "model" / "config.json"
    if not any(p.is_file() for p in weights):
        raise RagtuneError(
            f"{run_dir} has no trained weights yet (the run did not finish)",
            hint=f"finish it with: ragtune tune --out {run_dir} --resume",
        )
    return TuneConfig.load(run_dir / "config.json")


def load_tuned(run_dir: str | Path, device: str = "cpu") -> tuple[Any, Any]:
    """The tuned model with any adapter merged in, and its tokenizer."""
    from ragtune.backends import load_causal_lm

    run = Path(run_dir)
    config = read_run_config(run)
    if config.method == "full":
        return load_causal_lm(str(run / "model"), device=device)
    return load_causal_lm(config.base, device=device, adapter=str(run / "adapter"))


def export(run_dir: str | Path, *, gguf: bool = False, outtype: str = "q8_0") -> ExportResult:
    from ragtune.backends import resolve_model
    from ragtune.finetune.gguf_export import check_gguf, write_gguf, write_modelfile

    run = Path(run_dir)
    config = read_run_config(run)
    model, tokenizer = load_tuned(run)
    merged = run / "merged"
    qc = getattr(model.config, "quantization_config", None)
    if qc is not None:  # a GGUF-loaded base keeps this marker though its weights are dense
        del model.config.quantization_config
    model.save_pretrained(merged)
    tokenizer.save_pretrained(merged)
    result = ExportResult(merged=str(merged))
    if not gguf:
        return result
    source = resolve_model(config.base)
    stem = Path(config.base).name.replace(".gguf", "") or "model"
    path = write_gguf(
        model,
        source.gguf_path,
        run / "gguf" / f"{stem}-tuned-{outtype}.gguf",
        outtype=outtype,
        name=f"{stem} ({config.method} fine-tune)",
    )
    modelfile = write_modelfile(
        path, getattr(tokenizer, "chat_template", None), _common_system(run)
    )
    check = check_gguf(path)
    log.info("wrote %s (%s)", path, check)
    return ExportResult(str(merged), str(path), str(modelfile), check)


def _common_system(run: Path) -> str | None:
    """The system prompt every training example shares, if any (the tuned model expects it)."""
    systems = set()
    train = run / "data" / "train.jsonl"
    if not train.is_file():
        return None
    for line in train.read_text().splitlines():
        msgs = json.loads(line)["messages"]
        systems.add(msgs[0]["content"] if msgs[0]["role"] == "system" else None)
        if len(systems) > 1:
            return None
    return systems.pop() if systems else None
