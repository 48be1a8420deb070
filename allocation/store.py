"""The SQLite database beside the ledger: the member register, ballot codes, ballots.

One file, ``coopfund.sqlite`` in the ledger's directory, because members' names and
votes must stay out of the books (which many people read) while still travelling
with them. SQLite in write-ahead-log mode lets the ballot site serve many members at
once: readers never wait, and writers queue for a moment rather than fail.

Ballots are never overwritten: a member's new ballot marks the earlier one as no
longer current, and the database guarantees one current ballot per member and
round.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILENAME = "coopfund.sqlite"
#: Raise when the schema changes; ``open_store`` upgrades older files step by step.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE members (
    member_id  TEXT PRIMARY KEY,
    coop       TEXT NOT NULL,
    class      TEXT NOT NULL CHECK (class IN ('consumer', 'worker')),
    collective TEXT,
    joined     TEXT NOT NULL,
    left_on    TEXT
);
CREATE TABLE codes (
    round      TEXT NOT NULL,
    member_id  TEXT NOT NULL REFERENCES members (member_id),
    code_hash  TEXT NOT NULL UNIQUE,
    issued     TEXT NOT NULL,
    PRIMARY KEY (round, member_id)
);
CREATE TABLE ballots (
    id         INTEGER PRIMARY KEY,
    round      TEXT NOT NULL,
    member_id  TEXT NOT NULL REFERENCES members (member_id),
    ranking    TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('web', 'paper')),
    submitted  TEXT NOT NULL,
    receipt    TEXT NOT NULL UNIQUE,
    current    INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1))
);
CREATE UNIQUE INDEX one_current_ballot ON ballots (round, member_id) WHERE current = 1;
CREATE TABLE attempts (
    client     TEXT NOT NULL,
    at         REAL NOT NULL
);
CREATE INDEX attempts_by_client ON attempts (client, at);
"""


def store_path(ledger: Path) -> Path:
    """Where the database of the ledger at ``ledger`` lives."""
    return ledger.resolve().parent / FILENAME


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode; use :func:`transaction` to write."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.row_factory = sqlite3.Row
    return connection


def open_store(path: Path) -> sqlite3.Connection:
    """Connect to the database at ``path``, creating it (empty) if needed."""
    connection = connect(path)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        connection.execute("PRAGMA journal_mode = WAL")
        with transaction(connection):
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    elif version > SCHEMA_VERSION:
        raise RuntimeError(
            f"{path} was written by a newer coopfund (schema {version}); upgrade coopfund"
        )
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing, holding the write lock from the start (``BEGIN IMMEDIATE``).

    Taking the lock up front means two writers queue instead of both reading and
    then failing to upgrade their locks.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
