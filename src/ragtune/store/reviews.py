"""The run store's human-review tables: review samples, ratings (migration 5), invites (6).

A mixin of `RunStore`, kept apart so the store module stays one noun per file. A rating is keyed
by (run, review, reviewer, item, arm): rating the same answer again replaces the value, so a
reviewer who changes their mind leaves one rating, and a reload resumes where they stopped.

Invites: `new_token()` makes a reviewer's secret (256 random bits from `secrets`) and the store
keeps only `hash_token(token)`, its sha256. A fast hash is enough here because the token is
random, not a password someone chose: nobody can search 2**256 inputs, so the slow, salted
hashes made for guessable passwords (bcrypt, argon2) would add cost and no protection, and a
plain digest lets a request find its token by primary key. A copy of the store file therefore
holds no usable link.

Deliberately not here: drawing the sample, the blind order or checking a value against the
scale (`ragtune.evidence.review`), and any statistics (`ragtune.evidence.human_scores`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ragtune.errors import RagtuneError
from ragtune.store.database import Database
from ragtune.store.records import Rating, Review, ReviewToken

TOKEN_PREFIX = "rt_"  # makes a leaked token easy to recognise (and to grep for)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_token() -> str:
    """A reviewer's secret: 32 random bytes from the OS (`secrets`), URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the store keeps of a token: its sha256, hex (see the module docstring for why)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ReviewTables(Database):
    """Reads and writes of `reviews` and `ratings`."""

    def add_review(
        self,
        run_id: str,
        mode: str,
        arms: Sequence[str],
        items: Sequence[str],
        scale: Sequence[str],
        seed: int,
        sampling: str | None = None,
    ) -> Review:
        """Record a new review of `run_id`; its id is the next number in that run. `sampling`:
        how its items were drawn ("uniform" or "stratified", `Review.sampling`)."""
        with self.transaction():
            number = self._read(
                "SELECT COALESCE(MAX(id), 0) + 1 FROM reviews WHERE run_id = ?", (run_id,)
            )[0][0]
            self._execute(
                "INSERT INTO reviews (run_id, id, mode, arms, items, scale, seed, created,"
                " sampling) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, number, mode, json.dumps(list(arms)), json.dumps(list(items)),
                 json.dumps(list(scale)), seed, _now(), sampling),
            )  # fmt: skip
        return self.get_review(run_id, int(number))

    def get_review(self, run_id: str, review_id: int) -> Review:
        rows = self._read("SELECT * FROM reviews WHERE run_id = ? AND id = ?", (run_id, review_id))
        if not rows:
            known = [r.id for r in self.reviews(run_id)]
            raise RagtuneError(
                f"run {run_id} has no review {review_id}",
                hint=f"its reviews: {known or 'none yet'} (ragtune review {run_id} makes one)",
            )
        return _review(rows[0])

    def reviews(self, run_id: str) -> list[Review]:
        rows = self._read("SELECT * FROM reviews WHERE run_id = ? ORDER BY id", (run_id,))
        return [_review(r) for r in rows]

    def record_rating(self, rating: Rating) -> Rating:
        """Save one rating (replacing the same reviewer's earlier rating of the same answer)."""
        created = rating.created or _now()
        with self.transaction():
            self._execute(
                "INSERT OR REPLACE INTO ratings (run_id, review, reviewer, item_id, arm, mode,"
                " value, shown, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rating.run_id, rating.review, rating.reviewer, rating.item_id, rating.arm,
                 rating.mode, rating.value, json.dumps(list(rating.shown)), created),
            )  # fmt: skip
        return Rating(
            rating.run_id, rating.review, rating.reviewer, rating.item_id, rating.arm,
            rating.mode, rating.value, tuple(rating.shown), created,
        )  # fmt: skip

    def ratings(
        self, run_id: str, review: int | None = None, reviewer: str | None = None
    ) -> list[Rating]:
        """Ratings of a run (of one review, of one reviewer), in the order they were given."""
        sql = "SELECT * FROM ratings WHERE run_id = ?"
        params: list[Any] = [run_id]
        for column, value in (("review", review), ("reviewer", reviewer)):
            if value is not None:
                sql, params = sql + f" AND {column} = ?", [*params, value]
        rows = self._read(sql + " ORDER BY created, item_id, arm", params)
        return [
            Rating(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(json.loads(r[7])), r[8])
            for r in rows
        ]

    def add_review_token(
        self, run_id: str, review: int, reviewer: str, token_hash: str, expires: str | None = None
    ) -> ReviewToken:
        """Record an invite: whoever holds the token behind `token_hash` is `reviewer`."""
        self.get_review(run_id, review)  # a clear error for an unknown review
        token = ReviewToken(token_hash, run_id, review, reviewer, _now(), expires)
        with self.transaction():
            self._execute(
                "INSERT INTO review_tokens (token_hash, run_id, review, reviewer, created,"
                " expires) VALUES (?, ?, ?, ?, ?, ?)",
                (token.token_hash, run_id, review, reviewer, token.created, expires),
            )
        return token

    def review_token(self, token_hash: str) -> ReviewToken | None:
        """The invite with this hash (revoked and expired ones too), or None."""
        rows = self._read("SELECT * FROM review_tokens WHERE token_hash = ?", (token_hash,))
        return _token(rows[0]) if rows else None

    def review_tokens(self, run_id: str) -> list[ReviewToken]:
        """Every invite to the run's reviews, oldest first."""
        rows = self._read(
            "SELECT * FROM review_tokens WHERE run_id = ? ORDER BY created, reviewer", (run_id,)
        )
        return [_token(r) for r in rows]

    def revoke_review_tokens(self, run_id: str, reviewer: str) -> int:
        """Revoke every unrevoked invite of `reviewer` to the run; returns how many."""
        with self.transaction():
            cursor = self._execute(
                "UPDATE review_tokens SET revoked = ? WHERE run_id = ? AND reviewer = ?"
                " AND revoked IS NULL",
                (_now(), run_id, reviewer),
            )
        return int(cursor.rowcount)


def _token(r: Sequence[Any]) -> ReviewToken:
    # columns: token_hash, run_id, review, reviewer, created, expires, revoked
    return ReviewToken(r[0], r[1], int(r[2]), r[3], r[4], r[5], r[6])


def _review(r: Sequence[Any]) -> Review:
    # columns: run_id, id, mode, arms, items, scale, seed, created, sampling (migration 8)
    return Review(
        r[0], int(r[1]), r[2], tuple(json.loads(r[3])), tuple(json.loads(r[4])),
        tuple(json.loads(r[5])), int(r[6]), r[7], r[8],
    )  # fmt: skip
