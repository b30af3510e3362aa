"""Reviewer invites in the run store (migration 6): hashed, revocable, optionally expiring."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ragtune.errors import RagtuneError
from ragtune.evidence.review import CORRECTNESS
from ragtune.store import RunStore, hash_token, new_token


@pytest.fixture
def reviewed(review_run: tuple[Path, str]) -> tuple[Path, str]:
    path, run_id = review_run
    with RunStore.open(path) as store:
        store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"), ("q0", "q1"),
                         CORRECTNESS, 7)  # fmt: skip
    return path, run_id


def test_tokens_are_random_and_only_their_hash_is_stored(reviewed: tuple[Path, str]) -> None:
    path, run_id = reviewed
    tokens = [new_token() for _ in range(50)]
    assert len(set(tokens)) == 50 and all(t.startswith("rt_") and len(t) >= 43 for t in tokens)
    token = tokens[0]
    with RunStore.open(path) as store:
        store.add_review_token(run_id, 1, "alice", hash_token(token))
        found = store.review_token(hashlib.sha256(token.encode()).hexdigest())
        assert found is not None and (found.reviewer, found.review) == ("alice", 1)
        assert store.review_token(hash_token(tokens[1])) is None
    assert token.encode() not in path.read_bytes()  # the store file never holds the token


def test_revoking_ends_every_link_of_that_reviewer_only(reviewed: tuple[Path, str]) -> None:
    path, run_id = reviewed
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    with RunStore.open(path) as store:
        for who, token in (("alice", "a1"), ("alice", "a2"), ("bob", "b1")):
            store.add_review_token(run_id, 1, who, hash_token(token))
        assert store.revoke_review_tokens(run_id, "alice") == 2
        assert store.revoke_review_tokens(run_id, "alice") == 0  # already revoked
        states = {t.token_hash: t.state(now) for t in store.review_tokens(run_id)}
    assert states == {
        hash_token("a1"): "revoked",
        hash_token("a2"): "revoked",
        hash_token("b1"): "valid",
    }


def test_a_link_expires_at_its_time(reviewed: tuple[Path, str]) -> None:
    path, run_id = reviewed
    soon = datetime.now(UTC) + timedelta(hours=1)
    with RunStore.open(path) as store:
        token = store.add_review_token(
            run_id, 1, "alice", hash_token("x"), soon.isoformat(timespec="milliseconds")
        )
    before = (soon - timedelta(seconds=1)).isoformat(timespec="milliseconds")
    after = (soon + timedelta(seconds=1)).isoformat(timespec="milliseconds")
    assert (token.state(before), token.state(after)) == ("valid", "expired")


def test_an_invite_to_an_unknown_review_is_refused(reviewed: tuple[Path, str]) -> None:
    path, run_id = reviewed
    with RunStore.open(path) as store, pytest.raises(RagtuneError, match="has no review 9"):
        store.add_review_token(run_id, 9, "alice", hash_token("x"))
