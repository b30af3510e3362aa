"""Numbered, append-only schema migrations for the run store.

`MIGRATIONS[i]` is migration number i + 1: a name and SQL. Each is applied once, in order, and
recorded in the `migrations` table with a checksum of its SQL. Never edit or reorder an entry
that has shipped: add a new one (a test pins the checksums). Deliberately not here: reading or
writing records (`runstore.py`).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from datetime import UTC, datetime

from ragtune.errors import RagtuneError

log = logging.getLogger(__name__)

MIGRATIONS: list[tuple[str, str]] = [
    (
        "runs, arms, items, predictions, measurements, metrics",
        """
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    workload TEXT,
    config TEXT NOT NULL,       -- resolved workload config, JSON
    versions TEXT NOT NULL,     -- package -> version, JSON
    seed INTEGER NOT NULL,
    machine TEXT NOT NULL,      -- JSON
    status TEXT NOT NULL DEFAULT 'running',
    finished TEXT
);
CREATE TABLE arms (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending',
    reason TEXT,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE items (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    split TEXT NOT NULL,
    position INTEGER NOT NULL,
    input TEXT NOT NULL,        -- JSON
    gold TEXT,                  -- JSON
    PRIMARY KEY (run_id, id)
);
CREATE TABLE predictions (
    run_id TEXT NOT NULL,
    arm TEXT NOT NULL,
    item_id TEXT NOT NULL,
    repeat INTEGER NOT NULL,
    text TEXT,
    citations TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL,
    PRIMARY KEY (run_id, arm, item_id, repeat),
    FOREIGN KEY (run_id, arm) REFERENCES arms(run_id, name) ON DELETE CASCADE,
    FOREIGN KEY (run_id, item_id) REFERENCES items(run_id, id) ON DELETE CASCADE
);
CREATE TABLE measurements (
    run_id TEXT NOT NULL,
    arm TEXT NOT NULL,
    item_id TEXT NOT NULL,
    repeat INTEGER NOT NULL,
    stage TEXT NOT NULL,        -- answer | escalation | judge | ...
    model TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    latency_s REAL,
    ttft_s REAL,
    cached INTEGER NOT NULL DEFAULT 0,  -- 1: from the response cache (first call's latency)
    PRIMARY KEY (run_id, arm, item_id, repeat, stage),
    FOREIGN KEY (run_id, arm, item_id, repeat)
        REFERENCES predictions(run_id, arm, item_id, repeat) ON DELETE CASCADE
);
CREATE TABLE metrics (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    arm TEXT NOT NULL,
    repeat INTEGER NOT NULL,    -- -1: pooled over repeats
    name TEXT NOT NULL,
    item_id TEXT NOT NULL,      -- '': aggregate over items
    value REAL,
    details TEXT,               -- JSON
    PRIMARY KEY (run_id, arm, repeat, name, item_id)
);
""",
    ),
    (
        "training runs and loss curves",
        """
CREATE TABLE training_runs (
    id TEXT PRIMARY KEY,
    run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
    created TEXT NOT NULL,
    base_model TEXT NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,       -- resolved recipe, JSON
    train_examples INTEGER,
    train_tokens INTEGER,
    status TEXT NOT NULL DEFAULT 'running',
    duration_s REAL,
    output_path TEXT,
    machine TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE training_loss (
    training_run_id TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
    split TEXT NOT NULL,        -- train | validation
    step INTEGER NOT NULL,
    loss REAL NOT NULL,
    epoch REAL,
    PRIMARY KEY (training_run_id, split, step)
);
""",
    ),
    (
        "knowledge-base versions",
        """
CREATE TABLE kb_versions (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    path TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    documents INTEGER NOT NULL,
    chunks INTEGER,
    created TEXT NOT NULL,
    PRIMARY KEY (run_id, version)
);
""",
    ),
    (
        "typed per-item columns; the judge's calls in their own table",
        """
ALTER TABLE predictions ADD COLUMN answer TEXT;             -- the parsed answer, JSON
ALTER TABLE predictions ADD COLUMN latency_s REAL;          -- what the user waited
ALTER TABLE predictions ADD COLUMN wall_share_s REAL NOT NULL DEFAULT 0;  -- machine time share
ALTER TABLE predictions ADD COLUMN from_cache INTEGER NOT NULL DEFAULT 0;
UPDATE predictions SET
    answer = NULLIF(extra -> '$.answer', 'null'),
    latency_s = json_extract(extra, '$.latency_s'),
    wall_share_s = COALESCE(json_extract(extra, '$.wall_share_s'), 0),
    from_cache = COALESCE(json_extract(extra, '$.from_cache'), 0);
ALTER TABLE measurements ADD COLUMN prefix TEXT;            -- cacheable prefix fingerprint
ALTER TABLE measurements ADD COLUMN prefix_share REAL NOT NULL DEFAULT 0;
ALTER TABLE measurements ADD COLUMN batch INTEGER;          -- requests sent together
UPDATE measurements SET
    prefix = (SELECT json_extract(p.extra, '$.calls.' || measurements.stage || '.prefix')
              FROM predictions p WHERE p.run_id = measurements.run_id AND p.arm = measurements.arm
              AND p.item_id = measurements.item_id AND p.repeat = measurements.repeat),
    prefix_share = COALESCE((SELECT json_extract(p.extra, '$.calls.' || measurements.stage
              || '.share') FROM predictions p WHERE p.run_id = measurements.run_id
              AND p.arm = measurements.arm AND p.item_id = measurements.item_id
              AND p.repeat = measurements.repeat), 0),
    batch = (SELECT json_extract(p.extra, '$.calls.' || measurements.stage || '.batch')
             FROM predictions p WHERE p.run_id = measurements.run_id AND p.arm = measurements.arm
             AND p.item_id = measurements.item_id AND p.repeat = measurements.repeat);
UPDATE predictions SET extra = json_remove(extra, '$.answer', '$.latency_s', '$.wall_share_s',
    '$.from_cache', '$.calls');
CREATE TABLE judge_calls (
    run_id TEXT NOT NULL,
    arm TEXT NOT NULL,
    item_id TEXT NOT NULL,
    repeat INTEGER NOT NULL,
    model TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    latency_s REAL,
    ttft_s REAL,
    cached INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, arm, item_id, repeat),
    FOREIGN KEY (run_id, arm, item_id, repeat)
        REFERENCES predictions(run_id, arm, item_id, repeat) ON DELETE CASCADE
);
INSERT INTO judge_calls SELECT run_id, arm, item_id, repeat, model, input_tokens,
    cache_write_tokens, cache_read_tokens, output_tokens, latency_s, ttft_s, cached
    FROM measurements WHERE stage = 'judge';
DELETE FROM measurements WHERE stage = 'judge';
""",
    ),
    (
        "human review: the blind samples and the reviewers' ratings",
        """
CREATE TABLE reviews (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,        -- 1, 2, ... per run
    mode TEXT NOT NULL,         -- pointwise | pairwise
    arms TEXT NOT NULL,         -- JSON list; pairwise: [a, b]
    items TEXT NOT NULL,        -- JSON list of item ids: the sample, in review order
    scale TEXT NOT NULL,        -- JSON list of the values a rating may take
    seed INTEGER NOT NULL,      -- the sample's and the blind orders' seed
    created TEXT NOT NULL,
    PRIMARY KEY (run_id, id)
);
CREATE TABLE ratings (
    run_id TEXT NOT NULL,
    review INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    item_id TEXT NOT NULL,
    arm TEXT NOT NULL,          -- the arm rated; pairwise: "a~b"
    mode TEXT NOT NULL,         -- pointwise | pairwise
    value TEXT NOT NULL,        -- one of the review's scale; pairwise: a | b | tie
    shown TEXT NOT NULL,        -- JSON list: the arms in the blind order the page showed
    created TEXT NOT NULL,
    PRIMARY KEY (run_id, review, reviewer, item_id, arm),
    FOREIGN KEY (run_id, review) REFERENCES reviews(run_id, id) ON DELETE CASCADE,
    FOREIGN KEY (run_id, item_id) REFERENCES items(run_id, id) ON DELETE CASCADE
);
""",
    ),
    (
        "reviewer links: hashed invite tokens, revocable and optionally expiring",
        """
CREATE TABLE review_tokens (
    token_hash TEXT PRIMARY KEY,  -- sha256 hex of the token; the token itself is never stored
    run_id TEXT NOT NULL,
    review INTEGER NOT NULL,
    reviewer TEXT NOT NULL,       -- every rating given with this token is this reviewer's
    created TEXT NOT NULL,
    expires TEXT,                 -- ISO 8601 UTC; NULL: never
    revoked TEXT,                 -- when it was revoked; NULL: still valid
    FOREIGN KEY (run_id, review) REFERENCES reviews(run_id, id) ON DELETE CASCADE
);
CREATE INDEX review_tokens_by_reviewer ON review_tokens (run_id, reviewer);
""",
    ),
    (
        "the device that measured each arm's local calls and each fine-tune",
        """
ALTER TABLE arms ADD COLUMN device TEXT;           -- JSON {kind, name, cores}; NULL: unknown
ALTER TABLE training_runs ADD COLUMN device TEXT;  -- JSON, as above
""",
    ),
    (
        "how each review's items were drawn (PPI uses only uniformly random ones)",
        """
ALTER TABLE reviews ADD COLUMN sampling TEXT;  -- uniform | stratified; NULL: not recorded
""",
    ),
    (
        "provider batches: each submitted batch's id, recorded before it is polled",
        """
CREATE TABLE batches (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,        -- the arm name and repeat ("rag#0"), or "judge"
    backend TEXT NOT NULL,      -- the backend name the requests were for
    round INTEGER NOT NULL,     -- 0: the first batch; 1: the follow-up of its failed requests
    batch_id TEXT NOT NULL,     -- the provider's id (batch_..., msgbatch_...)
    provider TEXT NOT NULL,     -- openai | anthropic
    requests TEXT NOT NULL,     -- JSON list of the custom ids it holds
    created TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'submitted',  -- the provider's word at the last poll
    counts TEXT,                -- JSON {succeeded, errored, expired, cancelled, processing}
    ended TEXT,                 -- when it was seen ended; NULL: still polled on --resume
    turnaround_s REAL,          -- created -> seen ended, seconds
    PRIMARY KEY (run_id, stage, backend, round)
);
""",
    ),
]

LATEST = len(MIGRATIONS)

_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied TEXT NOT NULL
)
"""


def checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


def _statements(sql: str) -> list[str]:
    # Split on ';' only where SQLite agrees a statement ends (not inside comments or strings).
    out, buffer = [], ""
    for part in sql.split(";"):
        buffer += part + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                out.append(buffer)
            buffer = ""
    return out


def applied(conn: sqlite3.Connection) -> dict[int, str]:
    """Applied migration number -> checksum; empty for a new database."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "migrations" not in tables:
        if tables:
            raise RagtuneError(
                f"this SQLite file is not a ragtune run store (it has tables {sorted(tables)} "
                "but no migrations table)",
                hint="point ragtune at a new file or at a store that ragtune created",
            )
        return {}
    return dict(conn.execute("SELECT id, checksum FROM migrations").fetchall())


def _pending(done: dict[int, str], target: int) -> list[int]:
    """Migration numbers still to apply; refuses a newer schema and reports edited migrations."""
    newest = max(done, default=0)
    if newest > LATEST:
        raise RagtuneError(
            f"this run store has schema version {newest}, newer than this ragtune "
            f"understands (up to {LATEST})",
            hint="upgrade ragtune (pip install -U ragtune) to open it",
        )
    for number, (name, sql) in enumerate(MIGRATIONS, start=1):
        if number in done and done[number] != checksum(sql):
            log.warning("migration %d (%s) changed after it was applied", number, name)
    return [n for n in range(1, target + 1) if n not in done]


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> list[int]:
    """Apply the pending migrations (up to number `upto`) in one transaction; return their numbers.

    The connection must be in autocommit mode (isolation_level=None). BEGIN IMMEDIATE takes the
    write lock first, so two processes opening a new store at once apply each migration once.
    """
    target = LATEST if upto is None else upto
    if not _pending(applied(conn), target):  # the usual case: no write lock needed
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = applied(conn)  # again, under the lock: another process may have migrated
        newest = max(done, default=0)
        conn.execute(_MIGRATIONS_TABLE)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        pending = _pending(done, target)
        for number in pending:
            name, sql = MIGRATIONS[number - 1]
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations (id, name, checksum, applied) VALUES (?, ?, ?, ?)",
                (number, name, checksum(sql), now),
            )
        conn.execute(f"PRAGMA user_version = {max([newest, *pending])}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if pending:
        log.info("run store migrated: applied %s", pending)
    return pending
