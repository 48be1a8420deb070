"""Fifty members' browsers cast 5,000 ballots at once on the real ballot site.

Every ballot must be stored exactly once, as it was sent: none lost, none doubled,
no request failing, although SQLite lets one writer in at a time.
"""

from __future__ import annotations

from pathlib import Path

from allocation.ballots import current_ballots
from allocation.store import open_store
from allocation.store import store_path
from bench.ballots import ROUND
from bench.ballots import prepare
from bench.ballots import rankings
from bench.ballots import serving
from bench.ballots import storm
from tests.conftest import free_port

BALLOTS = 5000
CLIENTS = 50


def test_every_ballot_is_stored_exactly_once(tmp_path: Path) -> None:
    ledger, codes = prepare(tmp_path, BALLOTS)
    jobs = rankings(codes)
    port = free_port()
    with serving(ledger, port, CLIENTS):
        votes = storm(port, jobs, CLIENTS)
    assert len(votes) == BALLOTS, "every client finished every ballot without an error"
    connection = open_store(store_path(ledger))
    stored = current_ballots(connection, ROUND)
    assert len(stored) == BALLOTS
    assert connection.execute("SELECT count(*) FROM ballots").fetchone()[0] == BALLOTS
    sent = {member: ranking for member, _, ranking in jobs}
    assert {b.member_id: b.ranking for b in stored} == sent
    assert len({b.receipt for b in stored}) == BALLOTS
