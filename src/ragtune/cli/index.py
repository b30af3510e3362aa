"""`ragtune index build|update|stats|eval` and `ragtune search`: the retrieval commands.

An index lives at `DOCS/.ragtune/index` by default (ingest skips hidden folders, so it never
indexes itself), or wherever `--index` says: another directory or a Postgres DSN
(`postgresql://user@host/db#name`). Commands only parse options and print; the work is done in
`ragtune.retrieval`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ragtune.cli.main import cli
from ragtune.errors import RagtuneError

_MODES = click.Choice(["bm25", "dense", "hybrid"])
_FUSIONS = click.Choice(["rrf", "weighted"])


def default_index(source: Path) -> Path:
    if source.is_file():
        return source.parent / ".ragtune" / f"index-{source.stem}"
    return source / ".ragtune" / "index"


def resolve_index(location: str) -> str:
    """An index location from what the user typed: a DSN, an index dir, or a docs folder."""
    from ragtune.retrieval import is_postgres

    if is_postgres(location):
        return location
    path = Path(location)
    for candidate in (path, default_index(path)):
        if (candidate / "CURRENT").exists():
            return str(candidate)
    raise RagtuneError(
        f"no ragtune index at {location!r} (nor at {default_index(path)})",
        hint=f"build one with `ragtune index build {location}`",
    )


def _ingest(source: Path, id_field: str, title_field: str, text_field: str, max_mb: float) -> Any:
    from ragtune.retrieval import FieldMap, ingest

    report = ingest(
        source,
        fields=FieldMap(id=id_field, title=title_field, text=text_field),
        max_bytes=int(max_mb * 1024 * 1024),
    )
    for s in report.skipped:
        click.echo(f"skipped {s.source}: {s.reason}", err=True)
    if not report.documents:
        raise RagtuneError(
            f"no readable documents in {str(source)!r} ({len(report.skipped)} skipped)",
            hint="give a folder of .md/.txt/.html/.pdf files or a .jsonl/.csv corpus",
        )
    return report


def _source_options(f: Any) -> Any:
    f = click.option("--max-mb", default=20.0, show_default=True, help="Skip larger files.")(f)
    f = click.option("--text-field", default="text", show_default=True, help="JSONL/CSV text.")(f)
    f = click.option("--title-field", default="title", show_default=True, help="JSONL/CSV title.")(
        f
    )
    f = click.option("--id-field", default="id", show_default=True, help="JSONL/CSV id field.")(f)
    f = click.option("--index", "location", help="Index dir or postgresql:// DSN (#name).")(f)
    f = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(f)
    return f


def _print_update(report: Any, skipped: int, location: str, as_json: bool) -> None:
    if as_json:
        data = {
            "index": location,
            "version": report.version.to_dict(),
            "added_documents": report.added_documents,
            "changed_documents": report.changed_documents,
            "removed_documents": report.removed_documents,
            "skipped_files": skipped,
        }
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(f"{location}: {report.summary()}; {skipped} files skipped")


@cli.group()
def index() -> None:
    """Build, update, inspect and evaluate a retrieval index.

    \b
    Example:
      ragtune index build docs/
      ragtune search docs/ "how do refunds work?" --k 5
    """


@index.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@_source_options
@click.option("--model", default="all-MiniLM-L6-v2", show_default=True, help="Embedding model.")
@click.option(
    "--precision",
    type=click.Choice(["int8", "fp32"]),
    default="int8",  # ragtune.retrieval.embedding.DEFAULT_PRECISION (not imported: no numpy here)
    show_default=True,
    help="Embedding model weights: int8 (2x faster, same nDCG within its CI) or fp32.",
)
@click.option("--chunk-tokens", default=200, show_default=True, help="Max tokens per chunk.")
@click.option("--overlap", default=32, show_default=True, help="Tokens shared by neighbours.")
def build(
    source: Path,
    location: str | None,
    as_json: bool,
    id_field: str,
    title_field: str,
    text_field: str,
    max_mb: float,
    model: str,
    precision: str,
    chunk_tokens: int,
    overlap: int,
) -> None:
    """Index the documents in SOURCE (a folder, or a .jsonl/.csv corpus).

    \b
    Example:
      ragtune index build docs/                      # index in docs/.ragtune/index
      ragtune index build faq.jsonl --id-field qid --index 'postgresql://me@localhost/kb#faq'
    """
    from ragtune.retrieval import ChunkConfig, IndexConfig, create_index

    config = IndexConfig(
        model=model, precision=precision, chunking=ChunkConfig(chunk_tokens, overlap)
    )
    report = _ingest(source, id_field, title_field, text_field, max_mb)
    target = location or str(default_index(source))
    idx = create_index(target, config)
    try:
        result = idx.update(report.documents)
    finally:
        idx.close()
    _print_update(result, len(report.skipped), target, as_json)


@index.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@_source_options
def update(
    source: Path,
    location: str | None,
    as_json: bool,
    id_field: str,
    title_field: str,
    text_field: str,
    max_mb: float,
) -> None:
    """Bring the index of SOURCE up to date: embed new or changed chunks, drop deleted documents.

    \b
    Example:
      ragtune index update docs/
    """
    from ragtune.retrieval import open_index

    target = resolve_index(location or str(source))
    report = _ingest(source, id_field, title_field, text_field, max_mb)
    idx = open_index(target)
    try:
        result = idx.update(report.documents)
    finally:
        idx.close()
    _print_update(result, len(report.skipped), target, as_json)


@index.command()
@click.argument("location")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def stats(location: str, as_json: bool) -> None:
    """Show size, model and version history of the index at LOCATION (or of a docs folder).

    \b
    Example:
      ragtune index stats docs/
    """
    from ragtune.retrieval import open_index

    idx = open_index(resolve_index(location))
    try:
        s = idx.stats()
    finally:
        idx.close()
    if as_json:
        click.echo(json.dumps(s.to_dict(), indent=2))
        return
    click.echo(f"index      {s.location} ({s.backend})")
    click.echo(f"model      {s.model} ({s.dimensions} dims), dense search {s.dense_search}")
    click.echo(f"contents   {s.documents} documents, {s.chunks} chunks")
    click.echo(f"lexical    {', '.join(f'{k}={v}' for k, v in s.bm25.items())}")
    click.echo("versions")
    for v in s.history:
        click.echo(
            f"  {v.version_id:>4}  {v.created_at}  {v.documents} docs  {v.chunks} chunks  "
            f"{v.embedded} embedded  {v.reused} reused  {v.removed_documents} docs removed"
        )


@index.command(name="eval")
@click.argument("location")
@click.argument("queries", type=click.Path(exists=True, path_type=Path))
@click.option("--modes", default="bm25,dense,hybrid", show_default=True, help="Comma-separated.")
@click.option("--fusion", type=_FUSIONS, default="weighted", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def eval_(location: str, queries: Path, modes: str, fusion: str, as_json: bool) -> None:
    """Recall@1/5/10, MRR@10 and nDCG@10 with 95% bootstrap CIs, per search mode.

    QUERIES is JSONL with `question` (or `query`) and `doc_ids` (relevant document ids).

    \b
    Example:
      ragtune index eval docs/ qa.jsonl --modes bm25,hybrid
    """
    from ragtune.retrieval import open_index
    from ragtune.retrieval.evaluation import evaluate, load_queries
    from ragtune.retrieval.fusion import MODES

    chosen = [m.strip() for m in modes.split(",") if m.strip()]
    bad = [m for m in chosen if m not in MODES]
    if bad or not chosen:
        raise RagtuneError(f"unknown mode(s) {bad or modes!r}", hint=f"use some of {MODES}")
    qs = load_queries(queries)
    idx = open_index(resolve_index(location))
    try:
        report = evaluate(idx, qs, chosen, fusion)
    finally:
        idx.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(f"{report.queries} queries; mean [95% bootstrap CI]")
        click.echo(report.table())


@cli.command()
@click.argument("location")
@click.argument("query")
@click.option("--k", default=5, show_default=True, help="Number of hits.")
@click.option("--mode", type=_MODES, default="hybrid", show_default=True)
@click.option("--fusion", type=_FUSIONS, default="weighted", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON.")
def search(location: str, query: str, k: int, mode: str, fusion: str, as_json: bool) -> None:
    """Search the index at LOCATION (or of a docs folder) and print hits with citations.

    \b
    Example:
      ragtune search docs/ "how do refunds work?" --k 5 --mode hybrid
    """
    from ragtune.retrieval import open_index

    idx = open_index(resolve_index(location))
    try:
        hits = idx.search(query, k=k, mode=mode, fusion=fusion)
    finally:
        idx.close()
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo("no hits", err=True)
    for h in hits:
        c = h.citation
        where = f"{c.source}:{c.start}-{c.end}"
        label = c.heading if c.heading.startswith(c.title) else f"{c.title} > {c.heading}"
        label = label if c.heading else c.title
        click.echo(f"{h.rank}. {label}  [{c.doc_id}]  {where}  score {h.score:.4f}")
        snippet = " ".join(h.text.split())
        click.echo(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}")
