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

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from allocation.ranks import encode_rankings

FILENAME = "coopfund.sqlite"
#: How much of the file SQLite may map into memory (address space, not memory used).
MMAP_BYTES = 1 << 30
#: Raise when the schema changes; ``open_store`` upgrades older files step by step.
SCHEMA_VERSION = 3


def _members(table: str) -> str:
    """The register's table (under another name while an upgrade rebuilds it)."""
    return f"""
CREATE TABLE {table} (
    key        INTEGER PRIMARY KEY,
    member_id  TEXT NOT NULL UNIQUE,
    coop       TEXT NOT NULL,
    class      TEXT NOT NULL CHECK (class IN ('consumer', 'worker')),
    collective TEXT,
    joined     TEXT NOT NULL,
    left_on    TEXT
);
"""


_PROPOSAL_CODES = """
CREATE TABLE proposal_codes (
    round      TEXT NOT NULL,
    code       INTEGER NOT NULL CHECK (code BETWEEN 1 AND 65535),
    proposal   TEXT NOT NULL,
    PRIMARY KEY (round, code),
    UNIQUE (round, proposal)
);
"""

#: What a count reads of each current ballot, in the order of the members' keys:
#: a scan of this index touches a few bytes a ballot instead of whole rows with
#: their JSON rankings and receipts, and a slice of the electorate by key is a
#: range of it (see :func:`allocation.ballots.counted_ballots`). Schema 3; a store
#: of schema 1 or 2 gets it when it is opened.
_COUNTING_INDEX = """
CREATE INDEX ballots_to_count ON ballots (round, member_key, ranks) WHERE current = 1;
"""

_SCHEMA = (
    _members("members")
    + """
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
    member_key INTEGER NOT NULL,
    ranking    TEXT NOT NULL,
    ranks      TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('web', 'paper')),
    submitted  TEXT NOT NULL,
    receipt    TEXT NOT NULL UNIQUE,
    current    INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1))
);
CREATE UNIQUE INDEX one_current_ballot ON ballots (round, member_id) WHERE current = 1;
"""
    + _COUNTING_INDEX
    + """
CREATE TABLE attempts (
    client     TEXT NOT NULL,
    at         REAL NOT NULL
);
CREATE INDEX attempts_by_client ON attempts (client, at);
"""
    + _PROPOSAL_CODES
)

#: Schema 1 to 2: members get a stable integer key (a rowid may change on VACUUM),
#: ballots the member's key and their ranks as proposal codes, so a count reads
#: a million ballots with a join on integers and no JSON (see
#: :func:`allocation.ballots.counted_ballots`). The key is looked up from the
#: member id as the ballot is stored, which the foreign key on member_id checks.
_UPGRADE_TO_2 = (
    _members("members_2")
    + """
INSERT INTO members_2 (member_id, coop, class, collective, joined, left_on)
    SELECT member_id, coop, class, collective, joined, left_on FROM members;
DROP TABLE members;
ALTER TABLE members_2 RENAME TO members;
ALTER TABLE ballots ADD COLUMN member_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ballots ADD COLUMN ranks TEXT NOT NULL DEFAULT '';
UPDATE ballots SET member_key = (
    SELECT key FROM members WHERE members.member_id = ballots.member_id
);
"""
    + _PROPOSAL_CODES
)


def store_path(ledger: Path) -> Path:
    """Where the database of the ledger at ``ledger`` lives."""
    return ledger.resolve().parent / FILENAME


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode; use :func:`transaction` to write."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA busy_timeout = 30000")
    # Read pages straight from the operating system's cache instead of copying
    # each into SQLite's own: a count reads every current ballot of a round.
    connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    connection.row_factory = sqlite3.Row
    return connection


def open_store(path: Path) -> sqlite3.Connection:
    """Connect to the database at ``path``, creating it (empty) if needed, and
    upgrading one an earlier coopfund wrote."""
    connection = connect(path)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        connection.execute("PRAGMA journal_mode = WAL")
        with transaction(connection):
            _run(connection, _SCHEMA)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    if version == 1:
        _upgrade_to_2(connection)
    if version in (1, 2):
        with transaction(connection):
            _run(connection, _COUNTING_INDEX)
            connection.execute("PRAGMA user_version = 3")
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"{path} was written by a newer coopfund (schema {version}); upgrade coopfund"
        )
    return connection


def _run(connection: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _upgrade_to_2(connection: sqlite3.Connection) -> None:
    """Give members their keys and every stored ballot its member key and codes."""
    connection.execute("PRAGMA foreign_keys = OFF")  # the members table is rebuilt
    with transaction(connection):
        _run(connection, _UPGRADE_TO_2)
        stored = connection.execute(
            "SELECT id, round, ranking FROM ballots ORDER BY id"
        ).fetchall()
        by_round: dict[str, list[tuple[int, list[str]]]] = {}
        for ident, round_id, ranking in stored:
            by_round.setdefault(round_id, []).append((ident, json.loads(ranking)))
        for round_id, ballots in by_round.items():
            ranks = encode_rankings(connection, round_id, [r for _, r in ballots])
            connection.executemany(
                "UPDATE ballots SET ranks = ? WHERE id = ?",
                zip(ranks, (ident for ident, _ in ballots), strict=True),
            )
        connection.execute("PRAGMA user_version = 2")
    connection.execute("PRAGMA foreign_keys = ON")


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
