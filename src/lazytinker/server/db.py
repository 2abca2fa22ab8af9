"""SQLite storage of the stand-in server: schema, one shared connection, one lock.

Every access goes through `Database.tx()`, which holds a lock for the whole transaction: SQLite
serialises writers anyway, and one connection with a lock is simple, cannot lose a write, and is
fast enough for a loopback server (a page of 1000 checkpoints is one indexed query).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    project_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    display_name TEXT,
    user_metadata TEXT,
    status TEXT,
    trace_polls INTEGER NOT NULL DEFAULT -1
);
CREATE INDEX IF NOT EXISTS sessions_by_created ON sessions(created_ms DESC, id DESC);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    base_model TEXT NOT NULL,
    is_lora INTEGER NOT NULL,
    lora_rank INTEGER,
    corrupted INTEGER NOT NULL DEFAULT 0,
    last_request_ms INTEGER NOT NULL,
    user_metadata TEXT,
    train_unembed INTEGER,
    train_mlp INTEGER,
    train_attn INTEGER
);
CREATE INDEX IF NOT EXISTS runs_by_session ON runs(session_id);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(last_request_ms DESC, id);
CREATE TABLE IF NOT EXISTS checkpoints (
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    size_bytes INTEGER,
    public INTEGER NOT NULL DEFAULT 0,
    expires_ms INTEGER,
    user_metadata TEXT,
    archive_requested_ms INTEGER,
    PRIMARY KEY (run_id, kind, name)
);
CREATE INDEX IF NOT EXISTS checkpoints_by_owner_time ON checkpoints(owner, time_ms DESC);
CREATE TABLE IF NOT EXISTS samplers (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    base_model TEXT NOT NULL,
    model_path TEXT
);
CREATE INDEX IF NOT EXISTS samplers_by_session ON samplers(session_id);
CREATE TABLE IF NOT EXISTS futures (
    request_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    request_type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    pending_polls INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms INTEGER NOT NULL,
    owner TEXT NOT NULL,
    event TEXT NOT NULL,
    tinker_path TEXT,
    details TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT NOT NULL,
    owner TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    PRIMARY KEY (key, owner)
);
"""


class Database:
    """One SQLite connection (a file in WAL mode, or memory) guarded by a lock."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._conn = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """Run a block as one transaction under the lock; roll back if it raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def is_seeded(self) -> bool:
        """Whether this database already holds seeded data (a reused `--db` file)."""
        with self.tx() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'seeded'").fetchone()
        return row is not None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
