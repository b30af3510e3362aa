"""Build what the arms of a workload need, once: backends, index, knowledge text, tuned model.

Only what the requested arms use is built, as their traits say (no index for a classify run, no
fine-tune unless an arm needs the tuned model, no embedder unless an arm recalls by
similarity). Everything heavy lives in the run's work folder, so `--resume` reuses the index and
the adapter instead of rebuilding them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ragtune.backends import Backend, ResponseCache, create_backend, parse_backend_name
from ragtune.config import Workload, hosted_finetune
from ragtune.errors import RagtuneError
from ragtune.finetune import HostedTuneError
from ragtune.progress import phase
from ragtune.strategies import Resources, TaskSpec, curve_arm, requirements

log = logging.getLogger(__name__)


def build_resources(
    workload: Workload,
    arms: Sequence[str],
    work_dir: Path,
    *,
    cache: ResponseCache | None = None,
    on_training: Callable[..., None] | None = None,
    reuse_only: bool = False,
) -> Resources:
    """Resources for `arms`; `on_training(result)` is told about a fine-tune when one runs.

    `reuse_only`: open the index and the tuned model that `work_dir` already holds and fail
    rather than build them (a Ray worker must never re-index or retrain).
    """
    spec = workload.spec
    needs = workload.needs(list(arms))
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
        make_backend=lambda name: create_backend(name, cache=cache),
    )
    if spec.knowledge is not None and (needs.needs_index or needs.needs_text):
        build_knowledge(
            resources,
            workload.path(spec.knowledge.path),
            work_dir / "index",
            text=needs.needs_text,
            reuse_only=reuse_only,
        )
    if needs.needs_embed:
        with phase("loading the embedder"):
            resources.embed = embedder()
    if needs.needs_tuned and resources.train:
        sizes = curve_sizes(workload, arms)
        try:
            if any(
                requirements(a, workload.arms[a]).needs_tuned for a in plain_arms(workload, arms)
            ):
                resources.tuned = tuned_backend(
                    workload, cheap, work_dir / "tuned", on_training, reuse_only=reuse_only
                )
            for size in sizes:  # a learning curve: one tuned model per training size
                folder = curve_folder(workload, size)
                backend = (
                    resources.tuned
                    if folder == "tuned" and resources.tuned is not None
                    else tuned_backend(
                        workload,
                        cheap,
                        work_dir / folder,
                        on_training,
                        reuse_only=reuse_only,
                        size=size,
                    )
                )
                if backend is not None:
                    resources.tuned_at[size] = backend
        except HostedTuneError as err:  # the tuned arms fail with it; the other arms still run
            log.error("%s", err.message)
            resources.extras["tuned_error"] = err.message
    return resources


def curve_sizes(workload: Workload, arms: Sequence[str]) -> list[int]:
    """The training sizes of the learning-curve arms (`finetune@250`) among `arms`."""
    sizes = {getattr(workload.arms[a], "train_size", None) for a in arms}
    return sorted(n for n in sizes if n is not None)


def plain_arms(workload: Workload, arms: Sequence[str]) -> list[str]:
    return [a for a in arms if getattr(workload.arms[a], "train_size", None) is None]


def curve_folder(workload: Workload, size: int) -> str:
    """Where size `size` is tuned: the plain tuned arm's folder when the subset is the plain
    arm's whole training set (the whole train split, uncapped), so that adapter is trained once
    and reused by both; `tuned@<size>` otherwise (kept, so `--resume` reuses it too)."""
    from ragtune.finetune import tuning_settings

    whole = size >= len(workload.split("train")) and tuning_settings(workload).max_examples is None
    return "tuned" if whole else curve_arm("tuned", size)


def build_knowledge(
    resources: Resources, source: Path, location: Path, *, text: bool, reuse_only: bool = False
) -> None:
    """Index the knowledge base (or reopen the run's index) and, for long_context, its text."""
    from ragtune.retrieval import build_index, ingest, open_index

    documents = ingest(source).documents
    if location.exists() and any(location.iterdir()):  # resuming: the run's index is built
        with phase(f"opening the index of {len(documents)} documents"):
            resources.index = open_index(location)
    elif reuse_only:
        raise missing(location, "retrieval index")
    else:
        with phase(f"indexing the knowledge base ({len(documents)} documents)"):
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
    from ragtune.retrieval import get_embedder

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
    on_training: Callable[..., None] | None,
    *,
    reuse_only: bool = False,
    size: int | None = None,
) -> Backend | None:
    """LoRA-tune the cheap local model on the train split (or reuse the run's adapter), or,
    with `provider: openai | together | fireworks`, run (or resume) a hosted fine-tuning job and
    answer with its model.

    `size`: a learning curve's point, tuned on that nested subset of train (`workload_job`).
    `on_training(result, train_set=N)` is told about a local fine-tune and its N examples."""
    from ragtune.finetune import tune, tuning_settings, workload_job

    hosted = hosted_finetune(workload.spec)
    if hosted is not None and size is None:
        return hosted_backend(workload, hosted, out, on_training)

    name = parse_backend_name(cheap.name)
    if name.kind != "local":
        log.warning("fine-tuning needs a local cheap backend; %s is not", cheap.name)
        return None
    method = tuning_settings(workload).method
    weights = out / ("model" if method == "full" else "adapter")  # where the recipe saves
    if not weights.exists() and reuse_only:
        raise missing(weights, "tuned model")
    if not weights.exists():
        job = workload_job(workload, str(name.model), size=size)
        with phase(f"fine-tuning {name.model} on {len(job.examples)} examples ({method})"):
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
            on_training(result, train_set=len(job.examples))
    if method == "full":
        return create_backend(f"local:{weights}")
    return create_backend(f"local:{name.model}", adapter=str(weights))


def missing(path: Path, what: str) -> RagtuneError:
    return RagtuneError(
        f"the run's {what} is not at {path}",
        hint="Ray workers read the run's work dir from the driver: run them on the driver's "
        "machine or put the store's folder on a filesystem every node mounts at the same path",
    )


def hosted_backend(
    workload: Workload, settings: Any, out: Path, on_training: Callable[[Any], None] | None
) -> Backend:
    """The provider's fine-tuned model, after its job succeeded (resumed by job id)."""
    from ragtune.finetune import RESULT, HostedJob, tune_hosted, workload_job

    job = workload_job(workload, str(settings.base))
    fresh = not (out / RESULT).is_file()
    result = tune_hosted(HostedJob(settings, job.examples, job.test, seed=workload.spec.seed), out)
    if fresh and on_training is not None:
        on_training(result)
    if result.provider in ("together", "fireworks"):
        import os

        from ragtune.cost import load_hosted

        # the provider's key answers for its tuned model (a test server needs none)
        key = os.environ.get(load_hosted().providers[result.provider].key_variable)
        return create_backend(result.backend_name, api_key=key)
    return create_backend(result.backend_name)
