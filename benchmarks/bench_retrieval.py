"""Retrieval benchmarks: indexing throughput vs raw embedding, query latency at 10k/100k chunks,
and nDCG@10 per mode on the bundled sample knowledge base (with int8 vs fp32 MiniLM).

    .venv/bin/python benchmarks/bench_retrieval.py            # everything, Markdown on stdout
    .venv/bin/python benchmarks/bench_retrieval.py --only latency --sizes 10000

Latency corpora are synthetic (deterministic pseudo-words, random unit vectors): embedding 100k
texts for real would take hours on 2 cores. Queries are embedded for real with the model, so
dense and hybrid latencies include query embedding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
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
from ragtune.retrieval.embedding import SentenceTransformerEmbedder, get_embedder
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
    embedder.model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    raw, raw_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    index = EmbeddedIndex.create(tmp / "throughput", embedder=embedder)
    report = index.update(docs)
    full, full_cpu = time.perf_counter() - t, time.process_time() - c
    assert report.embedded == len(set(c.hash for c in chunks))
    rows = [
        "| step | chunks | wall s | chunks/s (wall) | CPU s | chunks/CPU-s |",
        "|---|---|---|---|---|---|",
        f"| raw `SentenceTransformer.encode` (baseline) | {len(texts)} | {raw:.1f} | "
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
def bench_latency(
    embedder: SentenceTransformerEmbedder, sizes: list[int], tmp: Path, ann: bool, n_q: int
) -> str:
    rows = [
        "| chunks | dense search | mode | p50 ms | p95 ms | p50 ms without query embedding |",
        "|---|---|---|---|---|---|",
    ]
    queries = synthetic_queries(n_q * 4 + 20)
    for q in queries[:10]:
        embedder.embed_query(q)  # warm-up
    t_emb = []
    for q in queries[10:20]:
        t = time.perf_counter()
        embedder.embed_query(q)
        t_emb.append((time.perf_counter() - t) * 1000)
    for size in sizes:
        docs = synthetic_docs(size, words_per_doc=40, seed=size)  # one chunk each
        fake = RandomVectors(embedder)
        configs = [("exact", IndexConfig())]
        if ann:
            configs.append(("hnsw", IndexConfig(ann_threshold=min(size - 1, 1000))))
        for label, config in configs:
            t = time.perf_counter()
            index = EmbeddedIndex.create(tmp / f"lat{size}{label}", config, embedder=fake)
            index.update(docs)
            build = time.perf_counter() - t
            print(f"built {size} chunks ({label}) in {build:.0f} s", file=sys.stderr)
            n_chunks = len(index.chunks())
            qi = 20
            for mode in ("bm25", "dense", "hybrid"):
                batch = queries[qi : qi + n_q]
                qi += n_q
                times, engine = [], []
                for q in batch:
                    t = time.perf_counter()
                    index.search(q, k=5, mode=mode)
                    times.append((time.perf_counter() - t) * 1000)
                fake.cache = {q: embedder.embed_query(q) for q in batch}
                for q in batch:
                    t = time.perf_counter()
                    index.search(q, k=5, mode=mode)
                    engine.append((time.perf_counter() - t) * 1000)
                fake.cache = {}
                rows.append(
                    f"| {n_chunks:,} | {label} | {mode} | {pct(times, 50):.1f} | "
                    f"{pct(times, 95):.1f} | {pct(engine, 50):.1f} |"
                )
            shutil.rmtree(tmp / f"lat{size}{label}", ignore_errors=True)
    note = (
        f"\n\nQuery embedding alone (MiniLM, 4-word query): p50 {statistics.median(t_emb):.1f} ms."
    )
    return "\n".join(rows) + note


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
            runs = [("dense", "rrf"), ("hybrid", "rrf")]
        for mode, fusion in runs:
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
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other agents "
        f"(load average {load[0]:.1f} at start), Python {platform.python_version()}, "
        f"torch threads {args.threads}.\n"
    )
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as d:
        tmp = Path(d)
        if args.only in (None, "throughput"):
            print("## Indexing throughput\n\n" + bench_throughput(embedder, tmp) + "\n", flush=True)
        if args.only in (None, "latency"):
            sizes = [int(s) for s in args.sizes.split(",")]
            print(
                "## Query latency (k=5)\n\n"
                + bench_latency(embedder, sizes, tmp, args.ann, args.queries)
                + "\n",
                flush=True,
            )
        if args.only in (None, "quality"):
            print("## Retrieval quality\n\n" + bench_quality(tmp) + "\n", flush=True)


if __name__ == "__main__":
    main()
