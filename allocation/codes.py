"""Ballot codes: one secret per eligible member and round, stored only as a hash.

A code is twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L),
printed in groups of four. About 58 bits of randomness: far beyond guessing, even
before the ballot site throttles attempts. The database keeps a SHA-256 hash of
round and code, so a copy of it does not let anyone vote; the plain codes exist
only in the list handed out, once.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
import sqlite3
from collections.abc import Iterable

from allocation.register import Member
from allocation.store import transaction

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
_NOT_CODE = re.compile(r"[^0-9A-Z]")


def new_code() -> str:
    """A fresh code, e.g. ``K7QM-2XHD-94RT``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def code_hash(round_id: str, code: str) -> str:
    """What the database keeps of a code; spaces, dashes and lower case do not matter."""
    normal = _NOT_CODE.sub("", code.upper())
    return hashlib.sha256(f"{round_id}:{normal}".encode()).hexdigest()


def issue(
    connection: sqlite3.Connection,
    round_id: str,
    members: Iterable[Member],
    today: datetime.date,
) -> list[tuple[Member, str]]:
    """New codes for the members who have none yet in the round; (member, code)."""
    have = {
        row["member_id"]
        for row in connection.execute(
            "SELECT member_id FROM codes WHERE round = ?", (round_id,)
        )
    }
    issued = [(member, new_code()) for member in members if member.id not in have]
    with transaction(connection):
        connection.executemany(
            "INSERT INTO codes (round, member_id, code_hash, issued) VALUES (?, ?, ?, ?)",
            [
                (round_id, m.id, code_hash(round_id, code), today.isoformat())
                for m, code in issued
            ],
        )
    return issued


def member_for(connection: sqlite3.Connection, round_id: str, code: str) -> str | None:
    """The member a code belongs to in the round, or None for a wrong code."""
    row = connection.execute(
        "SELECT member_id FROM codes WHERE round = ? AND code_hash = ?",
        (round_id, code_hash(round_id, code)),
    ).fetchone()
    return str(row["member_id"]) if row else None
