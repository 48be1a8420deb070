"""Slow down code guessing: a client gets a few wrong codes per window, then waits.

Wrong attempts are kept in the database, so every worker thread and process of
the ballot site sees the same count, and a restart does not reset it.
"""

from __future__ import annotations

import sqlite3

from allocation.store import transaction

#: Wrong codes a client may enter per window before it must wait.
LIMIT = 5
WINDOW_SECONDS = 600.0


def wait_seconds(connection: sqlite3.Connection, client: str, now: float) -> float:
    """How long ``client`` must wait before trying a code again (0: it may now)."""
    since = now - WINDOW_SECONDS
    rows = connection.execute(
        "SELECT at FROM attempts WHERE client = ? AND at > ? ORDER BY at", (client, since)
    ).fetchall()
    if len(rows) < LIMIT:
        return 0.0
    return max(float(rows[-LIMIT]["at"]) + WINDOW_SECONDS - now, 0.0)


def wrong_attempt(connection: sqlite3.Connection, client: str, now: float) -> None:
    """Count a wrong code against ``client`` and forget attempts out of any window."""
    with transaction(connection):
        connection.execute("INSERT INTO attempts (client, at) VALUES (?, ?)", (client, now))
        connection.execute("DELETE FROM attempts WHERE at <= ?", (now - WINDOW_SECONDS,))
