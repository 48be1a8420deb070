"""The ballot site through Flask's test client: codes, ballots, receipts, refusals.

The ledger is tests/test_ballots.py's: round R1 of Riverside, open 2026-11-01 to
2026-11-30, cut-off 2026-10-15, two ranks, policy "exclude"; M1 may vote, M2 works
in the Bakery (whose proposal is P1), M3 joined after the cut-off, M4 left on
2026-11-10, M5 belongs to another co-op.
"""

from __future__ import annotations

import datetime
import re
import sqlite3
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from allocation.ballots import current_ballots
from allocation.ballots import history
from allocation.codes import issue
from allocation.register import load_members
from allocation.register import read_register
from allocation.register import save_members
from allocation.store import open_store
from allocation.store import store_path
from ledger.books import load_books
from reports.ballot_site import create_app
from tests.test_ballots import LEDGER
from tests.test_ballots import REGISTER

VOTING_DAY = datetime.date(2026, 11, 5)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "main.beancount"
    path.write_text(LEDGER, encoding="utf-8")
    register = tmp_path / "members.csv"
    register.write_text(REGISTER, encoding="utf-8")
    connection = open_store(store_path(path))
    save_members(connection, read_register(register, load_books(path).federation))
    connection.close()
    return path


@pytest.fixture
def codes(ledger: Path) -> dict[str, str]:
    connection = open_store(store_path(ledger))
    members = load_members(connection).values()
    issued = issue(connection, "R1", members, VOTING_DAY)
    connection.close()
    return {member.id: code for member, code in issued}


@pytest.fixture
def database(ledger: Path) -> sqlite3.Connection:
    return open_store(store_path(ledger))


def client_for(ledger: Path, day: datetime.date = VOTING_DAY) -> FlaskClient:
    app = create_app(ledger, day)
    app.testing = True
    return app.test_client()


def token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(client: FlaskClient, code: str) -> str:
    csrf = token(client, "/round/R1")
    response = client.post("/round/R1", data={"code": code, "csrf_token": csrf})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf


def vote(client: FlaskClient, csrf: str, ranking: list[str]) -> tuple[int, str]:
    """Send a ranking and, if it is accepted, confirm it; the last response."""
    response = client.post(
        "/round/R1/ballot", data={"rank": [*ranking, ""], "csrf_token": csrf}
    )
    if response.status_code != 302:
        return response.status_code, response.get_data(as_text=True)
    response = client.post("/round/R1/confirm", data={"csrf_token": csrf})
    follow = client.get(response.headers["Location"])
    return follow.status_code, follow.get_data(as_text=True)


def test_a_member_ranks_confirms_and_gets_a_receipt(
    ledger: Path, codes: dict[str, str], database: sqlite3.Connection
) -> None:
    client = client_for(ledger)
    csrf = sign_in(client, codes["M1"].lower().replace("-", " "))
    page = client.get("/round/R1/ballot").get_data(as_text=True)
    assert all(title in page for title in ("Oven", "Bikes", "Library"))
    status, receipt_page = vote(client, csrf, ["P3", "P2"])
    assert status == 200
    (ballot,) = current_ballots(database, "R1")
    assert (ballot.member_id, ballot.ranking, ballot.source) == ("M1", ("P3", "P2"), "web")
    assert ballot.receipt in receipt_page
    assert receipt_page.index("Library") < receipt_page.index("Bikes")

    # Voting again replaces the ballot; the first stays in the history.
    assert "selected" in client.get("/round/R1/ballot").get_data(as_text=True)
    vote(client, csrf, ["P2"])
    assert [b.ranking for b in history(database, "R1", "M1")] == [("P3", "P2"), ("P2",)]
    assert [b.ranking for b in current_ballots(database, "R1")] == [("P2",)]

    # The first receipt still finds its ballot, marked as replaced.
    other = client_for(ledger)
    csrf = token(other, "/lookup")
    found = other.post("/lookup", data={"receipt": ballot.receipt, "csrf_token": csrf})
    assert "A later ballot replaced this one." in found.get_data(as_text=True)


def test_wrong_codes_are_refused_then_throttled(
    ledger: Path, codes: dict[str, str], database: sqlite3.Connection
) -> None:
    client = client_for(ledger)
    csrf = token(client, "/round/R1")
    for _ in range(5):
        wrong = client.post(
            "/round/R1", data={"code": "AAAA-BBBB-CCCC", "csrf_token": csrf}
        )
        assert wrong.status_code == 401
        assert "That code is not valid" in wrong.get_data(as_text=True)
    held = client.post("/round/R1", data={"code": codes["M1"], "csrf_token": csrf})
    assert held.status_code == 429
    assert "Too many wrong codes" in held.get_data(as_text=True)
    assert database.execute("SELECT count(*) FROM attempts").fetchone()[0] == 5


def test_a_form_without_its_token_is_refused_and_nothing_stored(
    ledger: Path, codes: dict[str, str], database: sqlite3.Connection
) -> None:
    client = client_for(ledger)
    sign_in(client, codes["M1"])
    response = client.post("/round/R1/ballot", data={"rank": ["P2"]})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert database.execute("SELECT count(*) FROM ballots").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("member", "ranking", "message"),
    [
        ("M1", ["P9"], "P9 not on the ballot of round R1"),
        ("M1", ["P2", "P2"], "P2 ranked more than once"),
        ("M1", ["P1", "P2", "P3"], "3 proposals ranked; round R1 allows at most 2"),
        ("M1", [], "the ballot ranks no proposal"),
        ("M2", ["P1"], "may not rank its own proposal P1"),
    ],
)
def test_each_invalid_ballot_is_refused_with_its_reason(
    ledger: Path,
    codes: dict[str, str],
    database: sqlite3.Connection,
    member: str,
    ranking: list[str],
    message: str,
) -> None:
    client = client_for(ledger)
    csrf = sign_in(client, codes[member])
    status, page = vote(client, csrf, ranking)
    assert status == 422
    assert message in page
    assert database.execute("SELECT count(*) FROM ballots").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("member", "day", "message"),
    [
        ("M3", VOTING_DAY, "joined on 2026-10-20, after the cut-off 2026-10-15"),
        ("M4", datetime.date(2026, 11, 12), "member M4 left on 2026-11-10"),
        ("M1", datetime.date(2026, 12, 1), "round R1 is not open on 2026-12-01"),
    ],
)
def test_members_who_may_not_vote_are_told_why(
    ledger: Path,
    codes: dict[str, str],
    database: sqlite3.Connection,
    member: str,
    day: datetime.date,
    message: str,
) -> None:
    client = client_for(ledger, day)
    csrf = sign_in(client, codes[member])
    page = client.get("/round/R1/ballot")
    assert page.status_code == 403
    assert message in page.get_data(as_text=True)
    status, refused = vote(client, csrf, ["P2"])
    assert status == 422 and message in refused
    assert database.execute("SELECT count(*) FROM ballots").fetchone()[0] == 0


def test_nobody_sees_another_members_ballot(ledger: Path, codes: dict[str, str]) -> None:
    voter = client_for(ledger)
    vote(voter, sign_in(voter, codes["M1"]), ["P3"])
    stranger = client_for(ledger)
    assert stranger.get("/round/R1/receipt").status_code == 302, "no receipt, no ballot"
    assert stranger.get("/round/R1/ballot").status_code == 302, "no code, no ballot page"
    csrf = token(stranger, "/lookup")
    guess = stranger.post("/lookup", data={"receipt": "guess", "csrf_token": csrf})
    assert guess.status_code == 404
    headers = voter.get("/round/R1/receipt").headers
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_after_the_count_a_receipt_shows_what_became_of_each_choice(
    counted_demo: Path,
) -> None:
    connection = open_store(store_path(counted_demo))
    left_out = {"P26-R3", "P26-R4"}  # the demo's count of R2026-NORTH funds neither
    ballot = next(
        b for b in current_ballots(connection, "R2026-NORTH") if left_out & set(b.ranking)
    )
    client = client_for(counted_demo, datetime.date(2026, 12, 20))
    csrf = token(client, "/lookup")
    page = client.post("/lookup", data={"receipt": ballot.receipt, "csrf_token": csrf})
    text = " ".join(page.get_data(as_text=True).split())
    assert page.status_code == 200
    assert "This is the ballot that counts." in text
    assert "not funded" in text
    assert "it would have been funded had it cost" in text
    assert "Funded in this round" in text and "Legal aid for collectives" in text
    funded = set(ballot.ranking) - left_out
    if funded:
        assert "<strong>funded</strong>" in text
