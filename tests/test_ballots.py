"""The member register, ballot codes, ballot checks, paper ballots and turnout."""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from allocation.ballots import BallotRefused
from allocation.ballots import Poll
from allocation.ballots import counted_ballots
from allocation.ballots import current_ballots
from allocation.ballots import history
from allocation.codes import code_hash
from allocation.codes import issue
from allocation.codes import member_for
from allocation.count import count
from allocation.pabulib import read_pb
from allocation.pabulib import write_pb
from allocation.paper import PaperRefused
from allocation.paper import import_paper
from allocation.ranks import round_proposals
from allocation.register import Member
from allocation.register import RegisterError
from allocation.register import load_members
from allocation.register import read_register
from allocation.register import save_members
from allocation.round_export import RoundStillOpen
from allocation.round_export import published_voter_id
from allocation.round_export import round_election
from allocation.round_export import round_problem
from allocation.store import open_store
from allocation.store import transaction
from allocation.turnout import turnout
from ledger.books import Books
from ledger.books import load_books
from tests.test_pabulib import assert_same_election

LEDGER = """\
option "operating_currency" "EUR"
plugin "ledger.plugin"
2026-01-01 custom "region" "North"
2026-01-01 custom "coop" "Riverside"
  region: "North"
2026-01-01 custom "coop" "Hillside"
  region: "North"
2026-01-01 custom "collective" "Bakery"
  coop: "Riverside"
2026-11-01 custom "round" "R1"
  scope: "Riverside"
  closes: 2026-11-30
  cutoff: 2026-10-15
  max-ranks: 2
  quorum: "50%"
  conflict: "exclude"
2026-11-01 custom "proposal" "P1"
  title: "Oven"
  cost: 12000.00 EUR
  scope: "Riverside"
  round: "R1"
  collective: "Bakery"
2026-11-01 custom "proposal" "P2"
  title: "Bikes"
  cost: 5000.00 EUR
  scope: "Riverside"
  round: "R1"
2026-11-01 custom "proposal" "P3"
  title: "Library"
  cost: 7000.00 EUR
  scope: "Riverside"
  round: "R1"
"""

REGISTER = """\
member_id,coop,class,collective,joined,left
M1,Riverside,consumer,,2020-05-01,
M2,Riverside,worker,Bakery,2021-03-01,
M3,Riverside,consumer,,2026-10-20,
M4,Riverside,consumer,,2019-01-01,2026-11-10
M5,Hillside,consumer,,2018-01-01,
"""

VOTING_DAY = datetime.datetime(2026, 11, 5, 12, 0)


@pytest.fixture
def books(tmp_path: Path) -> Books:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(LEDGER, encoding="utf-8")
    loaded = load_books(ledger)
    assert not loaded.errors
    return loaded


@pytest.fixture
def connection(books: Books, tmp_path: Path) -> sqlite3.Connection:
    register = tmp_path / "members.csv"
    register.write_text(REGISTER, encoding="utf-8")
    connection = open_store(tmp_path / "coopfund.sqlite")
    save_members(connection, read_register(register, books.federation))
    return connection


@pytest.fixture
def poll(books: Books, connection: sqlite3.Connection) -> Poll:
    return Poll.of(books, "R1", load_members(connection))


def test_a_bad_register_lists_every_bad_row_and_imports_nothing(
    books: Books, tmp_path: Path
) -> None:
    register = tmp_path / "bad.csv"
    register.write_text(
        REGISTER
        + "M6,Riverside,volunteer,,2020-01-01,\n"
        + "M7,Riverside,worker,,2020-01-01,\n"
        + "M8,Lakeside,consumer,,2020-01-01,\n"
        + "M1,Riverside,consumer,,2020-01-01,\n"
        + "M9,Riverside,consumer,,1 May 2020,\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterError) as refused:
        read_register(register, books.federation)
    assert refused.value.problems == [
        f'{register}:7: class "volunteer" must be "consumer" or "worker"',
        f"{register}:8: worker M7 names no collective: say which one they work in",
        f'{register}:9: co-op "Lakeside" is not declared in the ledger',
        f"{register}:10: member M1 is on line 2 too",
        f'{register}:11: joined "1 May 2020" is not a date like 2024-03-01',
    ]


def test_the_electorate_is_the_members_of_record_on_the_cutoff(poll: Poll) -> None:
    assert sorted(m.id for m in poll.electorate()) == ["M1", "M2", "M4"]


def test_codes_are_stored_as_hashes_and_issued_once(
    poll: Poll, connection: sqlite3.Connection
) -> None:
    new = issue(connection, "R1", poll.electorate(), VOTING_DAY.date())
    issued = {member.id: code for member, code in new}
    assert set(issued) == {"M1", "M2", "M4"}
    stored = {row["code_hash"] for row in connection.execute("SELECT code_hash FROM codes")}
    assert issued["M1"] not in stored and code_hash("R1", issued["M1"]) in stored
    sloppy = issued["M2"].lower().replace("-", " ")
    assert member_for(connection, "R1", sloppy) == "M2"
    assert member_for(connection, "R1", "AAAA-BBBB-CCCC") is None
    assert member_for(connection, "R2", issued["M2"]) is None, "codes belong to one round"
    assert issue(connection, "R1", poll.electorate(), VOTING_DAY.date()) == []


@pytest.mark.parametrize(
    "case",
    [
        ("M3", ["P2"], VOTING_DAY, "M3 joined on 2026-10-20, after the cut-off 2026-10-15"),
        ("M4", ["P2"], datetime.datetime(2026, 11, 12), "member M4 left on 2026-11-10"),
        ("M5", ["P2"], VOTING_DAY, "M5 belongs to Hillside, which does not vote in R1"),
        ("M9", ["P2"], VOTING_DAY, "member M9 is not in the register"),
        ("M1", ["P2", "P7"], VOTING_DAY, "P7 not on the ballot of round R1"),
        ("M1", ["P2", "P2"], VOTING_DAY, "P2 ranked more than once"),
        (
            "M1",
            ["P1", "P2", "P3"],
            VOTING_DAY,
            "3 proposals ranked; round R1 allows at most 2",
        ),
        ("M1", [], VOTING_DAY, "the ballot ranks no proposal"),
        (
            "M1",
            ["P2"],
            datetime.datetime(2026, 12, 1),
            "round R1 is not open on 2026-12-01",
        ),
        (
            "M2",
            ["P1"],
            VOTING_DAY,
            "members of collective Bakery may not rank its own proposal P1",
        ),
    ],
)
def test_each_invalid_ballot_is_refused_with_its_reason_and_nothing_stored(
    poll: Poll,
    connection: sqlite3.Connection,
    case: tuple[str, list[str], datetime.datetime, str],
) -> None:
    member, ranking, day, message = case
    with pytest.raises(BallotRefused) as refused:
        poll.cast(connection, member, ranking, day)
    assert any(message in problem for problem in refused.value.problems), refused.value
    assert connection.execute("SELECT count(*) FROM ballots").fetchone()[0] == 0


def test_a_new_ballot_replaces_the_old_which_stays_in_the_history(
    poll: Poll, connection: sqlite3.Connection
) -> None:
    first = poll.cast(connection, "M1", ["P2", "P3"], VOTING_DAY)
    second = poll.cast(connection, "M1", ["P3"], VOTING_DAY + datetime.timedelta(days=1))
    assert first.receipt != second.receipt
    assert [(b.ranking, b.current) for b in history(connection, "R1", "M1")] == [
        (("P2", "P3"), False),
        (("P3",), True),
    ]
    assert [b.ranking for b in current_ballots(connection, "R1")] == [("P3",)]


def test_paper_ballots_are_all_stored_or_none(
    poll: Poll, connection: sqlite3.Connection, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "member_id,rank_1,rank_2,date\nM1,P2,P3,2026-11-03\nM3,P2,,2026-11-03\nM1,P3,,\n",
        encoding="utf-8",
    )
    with pytest.raises(PaperRefused) as refused:
        import_paper(connection, bad, poll, VOTING_DAY)
    assert f"{bad}:3: member M3 joined on 2026-10-20" in str(refused.value)
    assert f"{bad}:4: member M1 already has a ballot on line 2 of this file" in str(
        refused.value
    )
    assert connection.execute("SELECT count(*) FROM ballots").fetchone()[0] == 0
    good = tmp_path / "good.csv"
    good.write_text("member_id,rank_1,rank_2\nM1,P2,P3\nM4,P3,\n", encoding="utf-8")
    stored = import_paper(connection, good, poll, VOTING_DAY)
    assert [(b.member_id, b.ranking, b.source) for b in stored] == [
        ("M1", ("P2", "P3"), "paper"),
        ("M4", ("P3",), "paper"),
    ]


def test_turnout_counts_current_ballots_against_the_electorate_and_quorum(
    books: Books, poll: Poll, connection: sqlite3.Connection
) -> None:
    poll.cast(connection, "M1", ["P2"], VOTING_DAY)
    poll.cast(connection, "M1", ["P3"], VOTING_DAY)
    report = turnout(connection, poll)
    assert (report.total.eligible, report.total.voted, report.quorum) == (3, 1, 2)
    assert not report.quorum_met
    poll.cast(connection, "M4", ["P2"], VOTING_DAY)
    assert turnout(connection, poll).quorum_met


def test_a_closed_round_is_published_with_current_ballots_under_anonymous_ids(
    books: Books, poll: Poll, connection: sqlite3.Connection, tmp_path: Path
) -> None:
    changed = poll.cast(connection, "M1", ["P2", "P3"], VOTING_DAY)
    m1 = poll.cast(connection, "M1", ["P3"], VOTING_DAY)
    m2 = poll.cast(connection, "M2", ["P2"], VOTING_DAY)
    m4 = poll.cast(connection, "M4", ["P3", "P2"], VOTING_DAY)
    with pytest.raises(RoundStillOpen, match="export it from 2026-12-01 on"):
        round_election(books, poll, connection, datetime.date(2026, 11, 30))
    contest = round_election(books, poll, connection, datetime.date(2026, 12, 1))
    counted = {published_voter_id(b): b.ranking for b in (m1, m2, m4)}
    assert contest.ballots() == counted
    assert list(contest.voters.index) == sorted(counted), "ordered by id, not by time"
    assert published_voter_id(changed) not in counted
    assert not {"M1", "M2", "M4"} & set(contest.voters.index)
    assert contest.voters["coop"].unique().tolist() == ["Riverside"]
    assert contest.projects[["votes", "score"]].to_dict("index") == {
        "P1": {"votes": "0", "score": "0"},
        "P2": {"votes": "2", "score": "2"},
        "P3": {"votes": "2", "score": "3"},
    }
    assert contest.meta["scoring_fn"] == "borda"
    assert contest.meta["max_length"] == "2"
    published = tmp_path / "R1.pb"
    write_pb(contest, published)
    assert_same_election(read_pb(published), contest)
    named = round_election(
        books, poll, connection, datetime.date(2026, 12, 1), voters="members"
    )
    assert named.ballots() == {"M1": ("P3",), "M2": ("P2",), "M4": ("P3", "P2")}


def test_a_closed_round_poses_its_problem_with_its_own_rules(
    connection: sqlite3.Connection, tmp_path: Path
) -> None:
    text = LEDGER.replace(
        '  conflict: "exclude"\n', '  conflict: "exclude"\n  budget: 15000.00 EUR\n'
    ).replace('  title: "Library"\n', '  title: "Library"\n  requires: "P2"\n')
    ledger = tmp_path / "options.beancount"
    ledger.write_text(text, encoding="utf-8")
    books = load_books(ledger)
    assert not books.errors
    poll = Poll.of(books, "R1", load_members(connection))
    poll.cast(connection, "M1", ["P3", "P2"], VOTING_DAY)
    poll.cast(connection, "M4", ["P3"], VOTING_DAY)
    asked = round_problem(books, poll, connection, datetime.date(2026, 12, 1))
    assert asked.budget == 15000
    assert asked.points_rule == "borda" and asked.lot[0] in {"P1", "P2", "P3"}
    assert asked.projects["points"].to_dict() == {"P1": 0, "P2": 1, "P3": 3}
    assert asked.projects["coop"].to_dict() == {
        "P1": "Riverside",
        "P2": "Riverside",
        "P3": "Riverside",
    }
    assert asked.options.requires == (("P3", "P2"),)
    assert count(asked, "utilitarian").selected == ["P2", "P3"]


#: The ballot store as coopfund wrote it before ranks were kept as codes.
SCHEMA_1 = """
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
CREATE TABLE attempts (client TEXT NOT NULL, at REAL NOT NULL);
"""


def test_ranks_are_kept_as_codes_numbered_per_round(
    poll: Poll, connection: sqlite3.Connection
) -> None:
    poll.cast(connection, "M1", ["P2", "P3"], VOTING_DAY)
    poll.cast(connection, "M2", ["P3"], VOTING_DAY)
    poll.cast(connection, "M1", ["P3", "P2"], VOTING_DAY)
    rows = connection.execute("SELECT member_id, ranks FROM ballots ORDER BY id").fetchall()
    assert [tuple(row) for row in rows] == [
        ("M1", "00010002"),
        ("M2", "0002"),
        ("M1", "00020001"),
    ]
    assert round_proposals(connection, "R1") == ["P2", "P3"]
    counted = counted_ballots(connection, poll.round, frozenset({"Riverside"}))
    starts = np.cumsum(counted.lengths) - counted.lengths
    ranked = {
        member: counted.ranked[start : start + length].tolist()
        for member, start, length in zip(
            counted.member_ids, starts, counted.lengths, strict=True
        )
    }
    assert ranked == {"M1": ["P3", "P2"], "M2": ["P3"]}


@pytest.mark.parametrize("in_transaction", [False, True])
def test_the_count_reads_each_current_ballot_of_the_electorate_once(
    books: Books, connection: sqlite3.Connection, in_transaction: bool
) -> None:
    """Forty voters, read in slices of member keys: on connections of their own,
    or all on the caller's connection while it holds a transaction (whose writes
    the others could not see)."""
    members = [
        Member(
            f"V{n:02}",
            "Riverside",
            "worker" if n % 3 == 0 else "consumer",
            "Bakery" if n % 3 == 0 else None,
            datetime.date(2020, 1, 1),
            None,
        )
        for n in range(40)
    ]
    save_members(connection, members)
    poll = Poll.of(books, "R1", load_members(connection))
    proposals = ["P1", "P2", "P3"]
    for n, member in enumerate(members):
        choice = [proposals[n % 3], proposals[(n + 1) % 3]][: 1 + n % 2]
        if member.kind == "worker":
            choice = [p for p in choice if p != "P1"] or ["P2"]
        poll.cast(connection, member.id, choice, VOTING_DAY)
    poll.cast(connection, "V05", ["P3"], VOTING_DAY)  # votes again: only this counts
    gone = replace(members[7], left=datetime.date(2026, 10, 1))  # left before the cut-off
    save_members(connection, [gone])
    expected = {
        b.member_id: (b.ranking, "worker" if b.member_id in WORKERS else "consumer")
        for b in current_ballots(connection, "R1")
        if b.member_id != "V07"
    }
    if in_transaction:
        with transaction(connection):
            counted = counted_ballots(connection, poll.round, frozenset({"Riverside"}))
    else:
        counted = counted_ballots(connection, poll.round, frozenset({"Riverside"}))
    starts = np.cumsum(counted.lengths) - counted.lengths
    read = {
        member: (tuple(counted.ranked[start : start + length]), kind)
        for member, start, length, kind in zip(
            counted.member_ids, starts, counted.lengths, counted.classes, strict=True
        )
    }
    assert len(counted.member_ids) == len(read) == 40 - 1
    assert read == expected
    assert set(counted.coops) == {"Riverside"}
    assert read["V05"][0] == ("P3",)


WORKERS = {f"V{n:02}" for n in range(0, 40, 3)}


def test_a_store_of_schema_1_is_upgraded_with_its_ballots(
    books: Books, tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA_1)
    old.executemany(
        "INSERT INTO members VALUES (?, 'Riverside', 'consumer', NULL, '2020-01-01', NULL)",
        [("M1",), ("M2",)],
    )
    old.executemany(
        "INSERT INTO ballots (round, member_id, ranking, source, submitted, receipt, "
        "current) VALUES ('R1', ?, ?, 'web', '2026-11-05T12:00:00', ?, ?)",
        [
            ("M1", '["P1"]', "r1", 0),
            ("M1", '["P3", "P2"]', "r2", 1),
            ("M2", '["P2"]', "r3", 1),
        ],
    )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()

    connection = open_store(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 3
    assert connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'ballots_to_count'"
    ).fetchone()
    assert [tuple(r) for r in connection.execute("SELECT key, member_id FROM members")] == [
        (1, "M1"),
        (2, "M2"),
    ]
    assert [
        tuple(row)
        for row in connection.execute("SELECT member_key, ranks FROM ballots ORDER BY id")
    ] == [(1, "0001"), (1, "00020003"), (2, "0003")]
    poll = Poll.of(books, "R1", load_members(connection))
    counted = counted_ballots(connection, poll.round, frozenset({"Riverside"}))
    assert sorted(counted.ranked.tolist()) == ["P2", "P2", "P3"]
    # New ballots go on from the codes the upgrade gave.
    poll.cast(connection, "M2", ["P1", "P3"], VOTING_DAY)
    assert round_proposals(connection, "R1") == ["P1", "P3", "P2"]
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
