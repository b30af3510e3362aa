"""Retrieval benchmarks: indexing throughput vs raw embedding, query latency at 10k/100k chunks,
and nDCG@10 per mode on the bundled sample knowledge base (with int8 vs fp32 MiniLM).

    .venv/bin/python benchmarks/bench_retrieval.py            # everything, Markdown on stdout
    .venv/bin/python benchmarks/bench_retrieval.py --only latency --sizes 10000

Latency corpora are synthetic (deterministic pseudo-words, random unit vectors): embedding 100k
texts for real would take hours on 2 cores. The built latency indexes are kept under
`$RAGTUNE_CACHE_DIR/bench/` (default ~/.cache/ragtune/bench), so later runs reopen them in
seconds. Queries are distinct and embedded for real, uncached, with MiniLM fp32 and with the
default precision side by side, so dense and hybrid latencies include query embedding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from ragtune.retrieval import Document, IndexConfig, ingest
from ragtune.retrieval.chunking import chunk_documents, embed_text
from ragtune.retrieval.embedded import EmbeddedIndex
from ragtune.retrieval.embedding import (
    DEFAULT_PRECISION,
    SentenceTransformerEmbedder,
    get_embedder,
)
from ragtune.retrieval.evaluation import bootstrap_ci, evaluate, load_queries

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "ragtune" / "examples" / "sample"


def pseudo_words(n: int, rng: np.random.Generator) -> list[str]:
    syll = ["ka", "to", "ri", "men", "sa", "lo", "qui", "ven", "dor", "al", "es", "tur", "po", "ne"]
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(syll, size=rng.integers(2, 5))))
    return sorted(words)


def synthetic_docs(n: int, words_per_doc: int = 120, seed: int = 0) -> list[Document]:
    """`n` documents of Zipf-distributed pseudo-words (realistic term statistics for BM25)."""
    vocab = np.array(pseudo_words(20_000, np.random.default_rng(0)))  # shared with the queries
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(1.2, size=(n, words_per_doc)), len(vocab)) - 1
    return [
        Document(f"s{i}", f"Synthetic {i}", " ".join(vocab[ranks[i]]) + ".", f"synthetic/{i}")
        for i in range(n)
    ]


def synthetic_queries(n: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(0)
    vocab = pseudo_words(20_000, rng)
    qrng = np.random.default_rng(seed)
    # Zipf ranks, like the documents: queries mix frequent and rarer terms, all in the corpus
    ranks = np.minimum(qrng.zipf(1.2, size=(n, 4)), 3000) - 1
    return [" ".join(vocab[r] for r in row) for row in ranks]


class RandomVectors:
    """Real tokenizer and real query embeddings; random unit vectors for the corpus."""

    def __init__(self, real: SentenceTransformerEmbedder) -> None:
        self.real, self.name = real, real.name
        self._rng = np.random.default_rng(42)
        self.cache: dict[str, np.ndarray] = {}  # filled to time search without the encoder

    @property
    def dimensions(self) -> int:
        return self.real.dimensions

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        v = self._rng.standard_normal((len(texts), self.dimensions)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def embed_query(self, text: str) -> np.ndarray:
        if text in self.cache:
            return self.cache[text]
        return self.real.embed_query(text)

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        return self.real.offsets(texts)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


# -- (1) indexing throughput ------------------------------------------------------------------
def bench_throughput(embedder: SentenceTransformerEmbedder, tmp: Path) -> str:
    docs = ingest(SAMPLE / "kb_v1").documents + synthetic_docs(100, words_per_doc=80, seed=7)
    chunks = chunk_documents(docs, embedder, IndexConfig().chunking)
    unique = {c.hash: embed_text(c.title, c.heading, c.text) for c in chunks}
    texts = list(unique.values())  # what the index will embed
    print(f"throughput: {len(chunks)} chunks", file=sys.stderr)
    embedder.embed(texts[:64])  # warm-up
    t, c = time.perf_counter(), time.process_time()
    embedder.model.encode(
        texts, batch_size=embedder.batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    raw, raw_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    index = EmbeddedIndex.create(tmp / "throughput", embedder=embedder)
    report = index.update(docs)
    full, full_cpu = time.perf_counter() - t, time.process_time() - c
    assert report.embedded == len(set(c.hash for c in chunks))
    rows = [
        "| step | chunks | wall s | chunks/s (wall) | CPU s | chunks/CPU-s |",
        "|---|---|---|---|---|---|",
        f"| raw `SentenceTransformer.encode`, MiniLM {embedder.precision}, batch "
        f"{embedder.batch_size} (baseline) | {len(texts)} | {raw:.1f} | "
        f"{len(texts) / raw:.1f} | {raw_cpu:.1f} | {len(texts) / raw_cpu:.1f} |",
        f"| `index.update` (ingested docs -> chunk, embed, BM25, atomic write) | {len(chunks)} | "
        f"{full:.1f} | {len(chunks) / full:.1f} | {full_cpu:.1f} | {len(chunks) / full_cpu:.1f} |",
    ]
    ratio = (len(chunks) / full) / (len(texts) / raw)
    ratio_cpu = (len(chunks) / full_cpu) / (len(texts) / raw_cpu)
    return "\n".join(rows) + (
        f"\n\nIndexing throughput / raw embedding throughput: **{ratio:.2f}** wall-clock, "
        f"**{ratio_cpu:.2f}** CPU time (the fairer figure on a shared machine)."
    )


# -- (2) query latency ------------------------------------------------------------------------
def latency_index(size: int, label: str, config: IndexConfig, fake: RandomVectors) -> EmbeddedIndex:
    """The synthetic `size`-chunk index, built once and kept under the cache folder.

    The corpus and its random vectors are deterministic, so a kept index is the same index; a
    100k build (chunking, BM25, fsynced write, HNSW) takes minutes, a reopen seconds.
    """
    from ragtune.backends.loading import cache_root

    path = cache_root() / "bench" / f"retrieval-latency-v1-{size}-{label}"
    if (path / "CURRENT").exists():
        return EmbeddedIndex.open(path, embedder=fake)
    shutil.rmtree(path, ignore_errors=True)
    t = time.perf_counter()
    index = EmbeddedIndex.create(path, config, embedder=fake)
    index.update(synthetic_docs(size, words_per_doc=40, seed=size))  # one chunk each
    print(f"built {size} chunks ({label}) in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return index


BLOCK = 10  # queries per precision before switching models


def time_interleaved(
    index: EmbeddedIndex,
    fake: RandomVectors,
    embedders: dict[str, SentenceTransformerEmbedder],
    queries: list[str],
    mode: str,
) -> dict[str, list[float]]:
    """ms per search for each precision, alternating precisions in blocks of `BLOCK` queries, so
    a shared machine's load weighs on both alike while each model stays warm in the CPU caches
    within its block (switching models every query measured ~2x slower for the small one: a
    deployment runs one). Every query is new to every embedder's query cache.
    """
    times: dict[str, list[float]] = {p: [] for p in embedders}
    for e in embedders.values():
        e.clear_query_cache()
    for start in range(0, len(queries), BLOCK):
        block = queries[start : start + BLOCK]
        for p, embedder in embedders.items():
            fake.real = embedder
            index.search(block[0] + " warm", k=5, mode=mode)  # untimed: warm this model again
            for q in block:
                t = time.perf_counter()
                index.search(q, k=5, mode=mode)
                times[p].append((time.perf_counter() - t) * 1000)
    return times


def bench_latency(sizes: list[int], ann: bool, n_q: int, precisions: list[str]) -> str:
    rows = [
        "| chunks | dense search | query encoder | mode | p50 ms | p95 ms | "
        "p50 ms without query embedding | p50 / fp32 p50 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    embedders = {p: get_embedder(precision=p) for p in precisions}
    # distinct queries, a fresh batch for every row, and each embedder's query cache cleared
    # before each timed batch: nothing is timed from a cache
    queries = list(dict.fromkeys(synthetic_queries(n_q * 20 + 100)))
    notes = []
    for p, embedder in embedders.items():
        for q in queries[:10]:
            embedder.embed_query(q)  # warm-up
        embedder.clear_query_cache()
        t_emb = time_queries_embed(embedder, queries[10:60])
        notes.append(f"{p} p50 {pct(t_emb, 50):.1f} ms, p95 {pct(t_emb, 95):.1f} ms")
    qi = 60
    hybrid: dict[tuple[int, str], float] = {}
    for size in sizes:
        configs = [("exact", IndexConfig())]
        if ann:
            configs.append(("hnsw", IndexConfig(ann_threshold=min(size - 1, 1000))))
        for label, config in configs:
            fake = RandomVectors(embedders[precisions[0]])
            index = latency_index(size, label, config, fake)
            n_chunks = len(index.chunks())
            for mode in ("bm25", "dense", "hybrid"):
                batch = queries[qi : qi + n_q]
                qi += n_q
                used = embedders if mode != "bm25" else dict(list(embedders.items())[:1])
                times = time_interleaved(index, fake, used, batch, mode)
                fp32_p50 = pct(times[precisions[0]], 50)
                for p, embedder in used.items():
                    fake.real = embedder
                    fake.cache = {q: embedder.embed_query(q) for q in batch}
                    engine = time_interleaved(index, fake, {p: embedder}, batch, mode)[p]
                    fake.cache = {}
                    p50 = pct(times[p], 50)
                    if mode == "hybrid" and label == "exact":
                        hybrid[(n_chunks, p)] = p50
                    encoder = "-" if mode == "bm25" else f"MiniLM {p}"
                    rows.append(
                        f"| {n_chunks:,} | {label} | {encoder} | {mode} | {p50:.1f} | "
                        f"{pct(times[p], 95):.1f} | {pct(engine, 50):.1f} | "
                        f"{p50 / fp32_p50:.2f} |"
                    )
            index.close()
    note = (
        "\n\nQuery embedding alone (MiniLM, 4-word query, 50 distinct queries): "
        + "; ".join(notes)
        + "."
    )
    goals = {10_000: 10.0, 100_000: 30.0}  # issue 3: hybrid p50, query embedding included
    for (n, p), p50 in sorted(hybrid.items()):
        if n in goals:
            verdict = "met" if p50 <= goals[n] else "missed"
            note += f"\n\nGoal hybrid p50 <= {goals[n]:.0f} ms at {n:,} chunks, MiniLM {p}: "
            note += f"{p50:.1f} ms, {verdict}."
    return "\n".join(rows) + note


def time_queries_embed(embedder: SentenceTransformerEmbedder, queries: list[str]) -> list[float]:
    times = []
    for q in queries:
        t = time.perf_counter()
        embedder.embed_query(q)
        times.append((time.perf_counter() - t) * 1000)
    return times


# -- (3) retrieval quality --------------------------------------------------------------------
def bench_quality(tmp: Path) -> str:
    docs = ingest(SAMPLE / "kb_v1").documents
    queries = load_queries(SAMPLE / "qa.jsonl")
    rows = [
        f"{len(queries)} questions over {len(docs)} documents (sample KB v1); "
        "mean [95% bootstrap CI].",
        "",
        "| model | mode | fusion | nDCG@10 | MRR@10 | recall@1 | recall@5 | ms/query (mean) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    per_query: dict[str, list[float]] = {}
    for precision in ("fp32", "int8"):
        embedder = SentenceTransformerEmbedder(precision=precision)
        texts = [c.text for c in chunk_documents(docs, embedder)]
        embedder.embed(texts[:32])
        t = time.perf_counter()
        embedder.embed(texts)
        rate = len(texts) / (time.perf_counter() - t)
        index = EmbeddedIndex.create(
            tmp / f"q{precision}", IndexConfig(precision=precision), embedder
        )
        index.update(docs)
        runs = [("bm25", "rrf"), ("dense", "rrf"), ("hybrid", "rrf"), ("hybrid", "weighted")]
        if precision == "int8":
            runs = runs[1:]  # BM25 does not depend on the embedder
        for mode, fusion in runs:
            embedder.clear_query_cache()  # time every mode's queries uncached
            t = time.perf_counter()
            report = evaluate(index, queries, [mode], fusion)
            per_q = (time.perf_counter() - t) / len(queries) * 1000
            m = report.results[0].metrics
            label = f"{precision} {mode}" + (f" {fusion}" if mode == "hybrid" else "")
            per_query[label] = report.results[0].per_query["ndcg@10"]

            def cell(name: str, m: dict = m) -> str:
                return f"{m[name].mean:.3f} [{m[name].low:.3f}, {m[name].high:.3f}]"

            fusion_label = fusion if mode == "hybrid" else "-"
            rows.append(
                f"| MiniLM {precision} | {mode} | {fusion_label} | {cell('ndcg@10')} | "
                f"{cell('mrr@10')} | {cell('recall@1')} | {cell('recall@5')} | {per_q:.0f} |"
            )
        rows.append(f"| MiniLM {precision} | (embedding rate) | | {rate:.1f} chunks/s | | | | |")
    rows += ["", "Paired differences in nDCG@10 (same questions; 95% bootstrap CI):", ""]
    for a, b in [
        ("fp32 hybrid weighted", "fp32 hybrid rrf"),
        ("fp32 hybrid weighted", "fp32 dense"),
        ("fp32 hybrid rrf", "fp32 dense"),
        ("fp32 dense", "fp32 bm25"),
        ("int8 dense", "fp32 dense"),
        ("int8 hybrid rrf", "fp32 hybrid rrf"),
        ("int8 hybrid weighted", "fp32 hybrid weighted"),
    ]:
        diff = np.asarray(per_query[a]) - np.asarray(per_query[b])
        low, high = bootstrap_ci(diff.tolist())
        rows.append(f"- {a} - {b}: {diff.mean():+.3f} [{low:+.3f}, {high:+.3f}]")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["throughput", "latency", "quality"])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=100, help="Queries per mode and size.")
    parser.add_argument("--ann", action="store_true", help="Also time HNSW at each size.")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (see results).")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    embedder = get_embedder()
    load = os.getloadavg()
    print(f"# Retrieval benchmarks ({dt.date.today()})\n")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores "
        f"(load average {load[0]:.1f} at start), Python {platform.python_version()}, "
        f"torch threads {args.threads}, default embedding precision {DEFAULT_PRECISION}.\n"
    )
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as d:
        tmp = Path(d)
        if args.only in (None, "throughput"):
            print("## Indexing throughput\n\n" + bench_throughput(embedder, tmp) + "\n", flush=True)
        if args.only in (None, "latency"):
            sizes = [int(s) for s in args.sizes.split(",")]
            precisions = list(dict.fromkeys(["fp32", DEFAULT_PRECISION]))
            print(
                "## Query latency (k=5)\n\n"
                + bench_latency(sizes, args.ann, args.queries, precisions)
                + "\n",
                flush=True,
            )
        if args.only in (None, "quality"):
            print("## Retrieval quality\n\n" + bench_quality(tmp) + "\n", flush=True)


if __name__ == "__main__":
    main()
