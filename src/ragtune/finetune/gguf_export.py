"""Write a merged transformers model as a GGUF file (f16 or q8_0) that llama.cpp and Ollama load.

The metadata (architecture numbers, tokenizer vocabulary and merges, chat template) is copied
from the base model's own GGUF, which is where the bundled models come from: the tokenizer is
unchanged by fine-tuning, and copying it avoids re-deriving llama.cpp's pre-tokenizer tables.
Tensors are renamed with gguf's name map, and q/k projections are permuted back to llama.cpp's
rotary layout (transformers un-permutes them when it reads a GGUF).

Deliberately not here: architectures other than Llama-style (SmolLM2, Llama, Mistral), and
models with no GGUF to take metadata from; for those, llama.cpp's convert_hf_to_gguf.py is the
tool, and the error says so.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ragtune.errors import MissingDependencyError, RagtuneError

log = logging.getLogger(__name__)

OUTTYPES = ("f16", "q8_0")
SUPPORTED_ARCH = {"llama": "llama", "mistral": "llama"}  # transformers model_type -> GGUF arch
_SKIP_KEYS = ("GGUF.", "general.architecture", "general.file_type", "general.quantization_version")


def _permute(w: Any, n_head: int) -> Any:
    """HF rotary layout -> llama.cpp's (the inverse of transformers' reverse permute)."""
    return (
        w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
        .swapaxes(1, 2)
        .reshape(w.shape)
    )


def write_gguf(
    model: Any,
    template: str | Path | None,
    path: str | Path,
    *,
    outtype: str = "q8_0",
    name: str | None = None,
) -> Path:
    """Write `model` (a merged transformers causal LM) to `path`; returns the path."""
    try:
        import gguf
    except ImportError as err:
        raise MissingDependencyError("gguf", "local") from err
    import numpy as np

    if outtype not in OUTTYPES:
        raise RagtuneError(f"unknown GGUF type {outtype!r}; allowed: {', '.join(OUTTYPES)}")
    config = model.config
    arch = SUPPORTED_ARCH.get(config.model_type)
    if arch is None:
        raise RagtuneError(
            f"GGUF export supports Llama-style models, not {config.model_type!r}",
            hint="export the merged folder with llama.cpp: "
            "python convert_hf_to_gguf.py RUN/merged --outtype q8_0",
        )
    if template is None or not Path(template).is_file():
        raise RagtuneError(
            "GGUF export copies tokenizer metadata from the base model's GGUF, and this base "
            "has none",
            hint="export the merged folder with llama.cpp: "
            "python convert_hf_to_gguf.py RUN/merged --outtype q8_0",
        )
    reader = gguf.GGUFReader(str(template))
    n_layers = config.num_hidden_layers
    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, n_layers)
    template_names = {t.name for t in reader.tensors}

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), arch)
    for field in reader.fields.values():
        if field.name.startswith(_SKIP_KEYS):
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), vtype, sub_type=sub)
    if name:
        writer.add_key_value("general.name", name, gguf.GGUFValueType.STRING)
    ftype = gguf.LlamaFileType.MOSTLY_F16 if outtype == "f16" else gguf.LlamaFileType.MOSTLY_Q8_0
    writer.add_file_type(int(ftype))
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)

    written = set()
    for hf_name, tensor in model.state_dict().items():
        gname = name_map.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gname is None:
            raise RagtuneError(f"no GGUF name for tensor {hf_name!r}; the export cannot continue")
        if gname not in template_names or gname in written:
            continue  # e.g. output.weight of a model with tied embeddings
        data = tensor.detach().to("cpu").float().numpy()
        if hf_name.endswith("q_proj.weight"):
            data = _permute(data, config.num_attention_heads)
        elif hf_name.endswith("k_proj.weight"):
            data = _permute(data, config.num_key_value_heads)
        if data.ndim == 1:  # norms stay f32, as llama.cpp's converter does
            writer.add_tensor(gname, data.astype(np.float32))
        elif outtype == "f16":
            writer.add_tensor(gname, data.astype(np.float16))
        else:
            q = gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(gname, q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        written.add(gname)
    missing = template_names - written
    if missing:
        raise RagtuneError(
            f"the model lacks {len(missing)} tensors the base GGUF has (e.g. {sorted(missing)[0]})",
            hint="export a model with the same architecture as its base",
        )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def check_gguf(path: str | Path) -> dict[str, Any]:
    """Open a GGUF with the gguf reader; return architecture, tensor count and types."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    arch = reader.fields["general.architecture"].contents()
    types = sorted({t.tensor_type.name for t in reader.tensors})
    return {"architecture": arch, "tensors": len(reader.tensors), "types": types}


MODELFILE_TEMPLATES = {
    # Ollama uses Go templates, not Jinja; these are the two turn formats of the bundled models.
    "<|im_start|>": (
        "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
        "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}"
        "<|im_start|>assistant\n",
        ("<|im_end|>", "<|im_start|>"),
    ),
    "<start_of_turn>": (
        "{{- range $i, $m := .Messages }}<start_of_turn>"
        '{{ if eq $m.Role "assistant" }}model{{ else }}{{ $m.Role }}{{ end }}\n'
        "{{ if and (eq $i 0) $.System }}{{ $.System }}\n\n{{ end }}{{ $m.Content }}<end_of_turn>\n"
        "{{ end }}<start_of_turn>model\n",
        ("<end_of_turn>",),
    ),
}


def write_modelfile(gguf_path: Path, chat_template: str | None, system: str | None) -> Path:
    """An Ollama Modelfile next to the GGUF: `ollama create NAME -f Modelfile`."""
    lines = [
        f"# ollama create {gguf_path.stem} -f {gguf_path.parent / 'Modelfile'}",
        f"FROM ./{gguf_path.name}",
    ]
    for marker, (template, stops) in MODELFILE_TEMPLATES.items():
        if chat_template and marker in chat_template:
            lines.append(f'TEMPLATE """{template}"""')
            lines += [f'PARAMETER stop "{s}"' for s in stops]
            break
    if system:
        lines.append(f'SYSTEM """{system}"""')
    lines.append("PARAMETER temperature 0")
    out = gguf_path.parent / "Modelfile"
    out.write_text("\n".join(lines) + "\n")
    return out
