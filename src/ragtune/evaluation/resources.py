"""Build what the arms of a workload need, once: backends, index, knowledge text, tuned model.

Only what the requested arms use is built (no index for a classify run, no fine-tune unless an
arm needs the tuned model). Everything heavy lives in the run's work folder, so `--resume`
reuses the index and the adapter instead of rebuilding them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ragtune.backends.base import Backend
from ragtune.backends.cache import ResponseCache
from ragtune.backends.registry import create_backend, parse_backend_name
from ragtune.config import Workload, hosted_finetune
from ragtune.finetune.hosted import HostedTuneError
from ragtune.strategies import Resources, TaskSpec

log = logging.getLogger(__name__)

NEEDS_INDEX = {"rag", "finetune_rag", "router"}
NEEDS_TEXT = {"long_context"}
NEEDS_EMBED = {"fewshot", "memory", "router", "classifier"}
NEEDS_TUNED = {"finetune", "finetune_rag", "router"}


def build_resources(
    workload: Workload,
    arms: Sequence[str],
    work_dir: Path,
    *,
    cache: ResponseCache | None = None,
    on_training: Callable[[Any], None] | None = None,
) -> Resources:
    """Resources for `arms`; `on_training(result)` is told about a fine-tune when one runs."""
    spec = workload.spec
    wanted = set(arms)
    cheap = create_backend(spec.backends.cheap, cache=cache)
    strong = (
        cheap
        if spec.backends.strong == spec.backends.cheap
        else create_backend(spec.backends.strong, cache=cache)
    )
    resources = Resources(
        task=TaskSpec(spec.task, tuple(spec.labels) if spec.labels else None, workload.json_schema),
        cheap=cheap,
        strong=strong,
        train=workload.split("train"),
        validation=workload.split("validation"),
        seed=spec.seed,
    )
    if spec.knowledge is not None and wanted & (NEEDS_INDEX | NEEDS_TEXT):
        build_knowledge(
            resources,
            workload.path(spec.knowledge.path),
            work_dir / "index",
            text=bool(wanted & NEEDS_TEXT),
        )
    if wanted & (NEEDS_EMBED | NEEDS_INDEX):
        resources.embed = embedder()
    if wanted & NEEDS_TUNED and resources.train:
        try:
            resources.tuned = tuned_backend(workload, cheap, work_dir / "tuned", on_training)
        except HostedTuneError as err:  # the tuned arms fail with it; the other arms still run
            log.error("%s", err.message)
            resources.extras["tuned_error"] = err.message
    return resources


def build_knowledge(resources: Resources, source: Path, location: Path, *, text: bool) -> None:
    """Index the knowledge base (or reopen the run's index) and, for long_context, its text."""
    from ragtune.retrieval import build_index, ingest, open_index

    documents = ingest(source).documents
    if location.exists() and any(location.iterdir()):  # resuming: the run's index is built
        resources.index = open_index(location)
    else:
        resources.index = build_index(documents, location)
    resources.extras["doc_ids"] = [d.doc_id for d in documents]
    if text:
        body = "\n\n".join(f"[{d.doc_id}] {d.title}\n{d.text}" for d in documents)
        resources.knowledge_text = body
        resources.knowledge_tokens = count_tokens(resources.cheap, body)


def count_tokens(backend: Backend, text: str) -> int:
    """Exact with the local backend's tokenizer; ~4 characters a token otherwise."""
    tokenizer = getattr(backend, "tokenizer", None)
    if tokenizer is not None:
        try:
            return len(tokenizer(text)["input_ids"])
        except Exception:  # a tokenizer that cannot encode plain text: fall back to the estimate
            log.debug("token count fell back to the character estimate", exc_info=True)
    return len(text) // 4


def embedder() -> Callable[[Sequence[str]], np.ndarray]:
    """Unit vectors from the retrieval embedder (the same model the index uses)."""
    from ragtune.retrieval.embedding import get_embedder

    model = get_embedder()

    def embed(texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(model.embed(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    return embed


def tuned_backend(
    workload: Workload,
    cheap: Backend,
    out: Path,
    on_training: Callable[[Any], None] | None,
) -> Backend | None:
    """LoRA-tune the cheap local model on the train split (or reuse the run's adapter), or,
    with `provider: openai`, run (or resume) a hosted fine-tuning job and answer with its model."""
    from ragtune.finetune.run import tune
    from ragtune.finetune.workload import arm_params, workload_job

    hosted = hosted_finetune(workload.spec)
    if hosted is not None:
        return hosted_backend(workload, hosted, out, on_training)

    name = parse_backend_name(cheap.name)
    if name.kind != "local":
        log.warning("fine-tuning needs a local cheap backend; %s is not", cheap.name)
        return None
    method = str(arm_params(workload)["method"])
    weights = out / ("model" if method == "full" else "adapter")  # where the recipe saves
    if not weights.exists():
        job = workload_job(workload, str(name.model))
        result = tune(
            job.config,
            out,
            examples=job.examples,
            test=job.test,
            task=job.task,
            overwrite=True,
            available=job.available,
        )
        weights = Path(result.weights)
        if on_training is not None:
            on_training(result)
    if method == "full":
        return create_backend(f"local:{weights}")
    return create_backend(f"local:{name.model}", adapter=str(weights))


def hosted_backend(
    workload: Workload, settings: Any, out: Path, on_training: Callable[[Any], None] | None
) -> Backend:
    """The provider's fine-tuned model, after its job succeeded (resumed by job id)."""
    from ragtune.finetune.hosted import RESULT, HostedJob, tune_hosted
    from ragtune.finetune.workload import workload_job

    job = workload_job(workload, str(settings.base))
    fresh = not (out / RESULT).is_file()
    result = tune_hosted(HostedJob(settings, job.examples, job.test, seed=workload.spec.seed), out)
    if fresh and on_training is not None:
        on_training(result)
    return create_backend(result.backend_name)
