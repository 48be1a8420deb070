"""A member's ballot: who may cast one, what a valid ranking is, and keeping it.

A ballot ranks proposals of one round, best first. It is refused, with every
reason given and nothing stored, when the round is not open that day, the member
is not in the register, not in the round's electorate (another co-op's member;
joined after the cut-off; left), when it ranks a proposal not on the ballot, one
proposal twice, more proposals than the round allows, none at all, or (under the
"exclude" conflict policy) a proposal of the voter's own collective.

A member may vote again until the round closes: the new ballot is the one that
counts, and the earlier ones stay in the database as history.
"""

from __future__ import annotations

import datetime
import itertools
import json
import secrets
import sqlite3
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from allocation.ranks import WIDTH
from allocation.ranks import decode_codes
from allocation.ranks import decode_ranks
from allocation.ranks import encode_rankings
from allocation.ranks import round_proposals
from allocation.register import CLASSES
from allocation.register import Member
from allocation.store import connect
from allocation.store import transaction
from ledger.books import Books
from ledger.proposals import Proposal
from ledger.proposals import Round


@dataclass(frozen=True)
class Ballot:
    """A stored ballot; ``receipt`` is the secret that lets its voter look it up."""

    round: str
    member_id: str
    ranking: tuple[str, ...]
    source: str
    submitted: datetime.datetime
    receipt: str
    current: bool


class BallotRefused(ValueError):
    """A ballot that cannot be accepted; ``problems`` says every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class UnknownRound(ValueError):
    """No round of that id is declared; the message lists the ones that are."""


@dataclass(frozen=True)
class Poll:
    """One round as the ballot box sees it: its ballot, its electorate, the register."""

    round: Round
    proposals: tuple[Proposal, ...]
    #: The co-ops whose members vote: the round's co-op, or every co-op of its region.
    coops: frozenset[str]
    members: dict[str, Member]

    @staticmethod
    def of(books: Books, round_id: str, members: dict[str, Member]) -> Poll:
        """The poll of ``round_id`` as the ledger declares it."""
        agenda = books.agenda
        voting = agenda.rounds.get(round_id)
        if voting is None:
            known = ", ".join(sorted(agenda.rounds)) or "none"
            raise UnknownRound(f'no round "{round_id}" is declared (rounds: {known})')
        federation = books.federation
        if voting.scope in federation.coops:
            coops = frozenset({voting.scope})
        else:
            coops = frozenset(
                c.id for c in federation.coops.values() if c.region == voting.scope
            )
        return Poll(voting, tuple(agenda.ballot(round_id)), coops, members)

    def electorate(self) -> list[Member]:
        """The members of record on the cut-off, in the round's co-ops."""
        cutoff = self.round.cutoff
        return [
            m
            for m in self.members.values()
            if m.coop in self.coops and m.of_record_on(cutoff)
        ]

    def problems(
        self, member_id: str, ranking: Sequence[str], day: datetime.date
    ) -> list[str]:
        """Every reason to refuse this ballot on ``day``; empty if none."""
        voting = self.round
        problems = self.barred(member_id, day)
        member = self.members.get(member_id)
        on_ballot = {proposal.id: proposal for proposal in self.proposals}
        if not ranking:
            problems.append("the ballot ranks no proposal: rank at least one")
        unknown = [p for p in ranking if p not in on_ballot]
        if unknown:
            problems.append(f"{', '.join(unknown)} not on the ballot of round {voting.id}")
        twice = sorted(p for p, n in Counter(ranking).items() if n > 1)
        if twice:
            problems.append(f"{', '.join(twice)} ranked more than once")
        if len(ranking) > voting.max_ranks:
            problems.append(
                f"{len(ranking)} proposals ranked; round {voting.id} allows at most "
                f"{voting.max_ranks}"
            )
        own = own_collective_proposals(member, ranking, on_ballot)
        if own and voting.conflict == "exclude":
            problems.append(
                f"members of collective {member.collective if member else ''} may not "
                f"rank its own proposal {', '.join(own)} in this round"
            )
        return problems

    def barred(self, member_id: str, day: datetime.date) -> list[str]:
        """Why ``member_id`` may not vote at all on ``day``, whatever they rank."""
        voting = self.round
        problems: list[str] = []
        if not voting.is_open_on(day):
            problems.append(
                f"round {voting.id} is not open on {day}: voting runs from {voting.opens} "
                f"to {voting.closes}"
            )
        return problems + self._voter_problems(member_id, self.members.get(member_id), day)

    def _voter_problems(
        self, member_id: str, member: Member | None, day: datetime.date
    ) -> list[str]:
        voting = self.round
        if member is None:
            return [f"member {member_id} is not in the register"]
        if member.coop not in self.coops:
            return [
                f"member {member.id} belongs to {member.coop}, "
                f"which does not vote in {voting.id}"
            ]
        if member.joined > voting.cutoff:
            return [
                f"member {member.id} joined on {member.joined}, after the cut-off "
                f"{voting.cutoff}: only members of record that day vote"
            ]
        if member.left is not None and member.left <= max(day, voting.cutoff):
            return [f"member {member.id} left on {member.left}"]
        return []

    def cast(
        self,
        connection: sqlite3.Connection,
        member_id: str,
        ranking: Sequence[str],
        now: datetime.datetime,
        source: str = "web",
    ) -> Ballot:
        """Check and store one ballot; BallotRefused says why not."""
        problems = self.problems(member_id, ranking, now.date())
        if problems:
            raise BallotRefused(problems)
        (ballot,) = record(connection, self.round.id, [(member_id, ranking)], source, now)
        return ballot


def own_collective_proposals(
    member: Member | None, ranking: Sequence[str], on_ballot: dict[str, Proposal]
) -> list[str]:
    """The ranked proposals sponsored by the voter's own collective."""
    if member is None or member.collective is None:
        return []
    return [
        p
        for p in ranking
        if p in on_ballot and on_ballot[p].collective == member.collective
    ]


def record(
    connection: sqlite3.Connection,
    round_id: str,
    votes: Sequence[tuple[str, Sequence[str]]],
    source: str,
    now: datetime.datetime,
) -> list[Ballot]:
    """Store checked ballots, (member id, ranking) each, as their members' current ones.

    All in one transaction: either every ballot is stored, or none is.
    """
    ballots = [
        Ballot(
            round_id, member, tuple(ranking), source, now, secrets.token_urlsafe(12), True
        )
        for member, ranking in votes
    ]
    with transaction(connection):
        ranks = encode_rankings(connection, round_id, [b.ranking for b in ballots])
        for ballot, codes in zip(ballots, ranks, strict=True):
            connection.execute(
                "UPDATE ballots SET current = 0 "
                "WHERE round = ? AND member_id = ? AND current = 1",
                (round_id, ballot.member_id),
            )
            connection.execute(
                "INSERT INTO ballots (round, member_id, member_key, ranking, ranks, "
                "source, submitted, receipt) VALUES (?, ?, "
                "(SELECT key FROM members WHERE member_id = ?), ?, ?, ?, ?, ?)",
                (
                    round_id,
                    ballot.member_id,
                    ballot.member_id,
                    json.dumps(list(ballot.ranking)),
                    codes,
                    source,
                    now.isoformat(),
                    ballot.receipt,
                ),
            )
    return ballots


def _ballot(row: sqlite3.Row) -> Ballot:
    return Ballot(
        row["round"],
        row["member_id"],
        tuple(json.loads(row["ranking"])),
        row["source"],
        datetime.datetime.fromisoformat(row["submitted"]),
        row["receipt"],
        bool(row["current"]),
    )


def current_ballots(connection: sqlite3.Connection, round_id: str) -> list[Ballot]:
    """The ballot that counts for each member who voted in the round."""
    rows = connection.execute(
        "SELECT * FROM ballots WHERE round = ? AND current = 1 ORDER BY id", (round_id,)
    )
    return [_ballot(row) for row in rows]


def by_receipt(connection: sqlite3.Connection, receipt: str) -> Ballot | None:
    """The ballot a receipt was given for, if any."""
    row = connection.execute(
        "SELECT * FROM ballots WHERE receipt = ?", (receipt,)
    ).fetchone()
    return _ballot(row) if row else None


def history(connection: sqlite3.Connection, round_id: str, member_id: str) -> list[Ballot]:
    """Every ballot a member cast in a round, oldest first."""
    rows = connection.execute(
        "SELECT * FROM ballots WHERE round = ? AND member_id = ? ORDER BY id",
        (round_id, member_id),
    )
    return [_ballot(row) for row in rows]


@dataclass(frozen=True)
class Counted:
    """The ballots that count in a round, column by column (one entry per voter,
    except ``codes``, which lists every rank's proposal code, ballot after ballot).

    Columns rather than :class:`Ballot` objects, because a federation round can
    hold a million ballots and the count must not wait for a million objects.
    """

    member_ids: list[str]
    #: Each voter's co-op (an array of text).
    coops: np.ndarray
    #: Each voter's class in the register ("consumer" or "worker"), which a round
    #: weighing its ballots by class needs (an array of text).
    classes: np.ndarray
    sources: list[str]
    receipts: list[str]
    #: How many proposals each ballot ranks.
    lengths: np.ndarray
    #: Each rank's proposal code (see :mod:`allocation.ranks`).
    codes: np.ndarray
    #: The round's proposals by code: code ``c`` is item ``c - 1``.
    proposals: list[str]

    @property
    def ranked(self) -> np.ndarray:
        """Every ranked proposal's id, ballot after ballot."""
        ids: np.ndarray = np.asarray(self.proposals, dtype=object)[self.codes - 1]
        return ids


#: Separates values that may hold commas (member ids) in one aggregated string.
_UNIT = "\x1f"
#: How many slices of the electorate a count reads, and how many at once, each on
#: a connection of its own. SQLite works outside Python's interpreter lock, so
#: while one thread splits the strings of one slice, SQLite reads the next on
#: another core.
SLICES = 4
READERS = 2


class _Slice(NamedTuple):
    """The ballots of the members whose keys fall in one range, column by column."""

    member_ids: list[str]
    #: Each voter's (co-op, class) as a position in the count's list of them.
    groups: np.ndarray
    sources: list[str]
    receipts: list[str]
    lengths: np.ndarray
    codes: np.ndarray


def counted_ballots(
    connection: sqlite3.Connection,
    voting: Round,
    coops: frozenset[str],
    *,
    ids: bool = True,
    receipts: bool = True,
) -> Counted:
    """The current ballot of each member of the round's electorate, in the order of
    the members' keys.

    The electorate test is :meth:`Poll.electorate`'s, in SQL: members of the
    round's co-ops who had joined by the cut-off and had not left by then.
    Without ``ids``, member ids are left empty, and without ``receipts``, sources
    and receipts (a count needs none of them; a published file needs receipts).

    A million ballots must count in well under a second, so the rows never reach
    Python one by one. SQLite concatenates each column into one string
    (``group_concat``) and Python splits each once. Ballots come from the index
    made for counting and join the register on the members' integer keys; ranks
    come as proposal codes (:mod:`allocation.ranks`) and each voter's co-op and
    class as the code of the pair, both of which numpy decodes without a string
    per voter. The electorate is read in slices of member keys, several at once
    on connections of their own (see :data:`SLICES`). Each member falls in exactly
    one slice, so each current ballot is read once, whatever is written meanwhile.
    """
    groups = [(coop, kind) for coop in sorted(coops) for kind in CLASSES]
    span = connection.execute(
        "SELECT (SELECT min(member_key) FROM ballots WHERE round = ? AND current = 1), "
        "(SELECT max(member_key) FROM ballots WHERE round = ? AND current = 1)",
        (voting.id, voting.id),
    ).fetchone()
    if span[0] is None:
        empty = np.zeros(0, dtype=np.int64)
        nothing = np.zeros(0, dtype=object)
        return Counted([], nothing, nothing, [], [], empty, empty, [])
    edges = np.linspace(span[0], span[1] + 1, SLICES + 1).round().astype(np.int64)
    bounds = [(int(low), int(high)) for low, high in itertools.pairwise(edges)]

    def read(on: sqlite3.Connection, low: int, high: int) -> _Slice:
        return _read_slice(on, voting, low, high, ids=ids, receipts=receipts)

    path = _file_of(connection)
    if path is None or connection.in_transaction:  # others would not see its writes
        _number_groups(connection, groups)
        slices = [read(connection, low, high) for low, high in bounds]
    else:

        def read_apart(low: int, high: int) -> _Slice:
            with closing(connect(path)) as own:
                _number_groups(own, groups)
                return read(own, low, high)

        with ThreadPoolExecutor(READERS) as pool:
            slices = list(pool.map(read_apart, *zip(*bounds, strict=True)))
    pairs = np.asarray(groups, dtype=object).reshape(-1, 2)
    group = np.concatenate([s.groups for s in slices])
    return Counted(
        list(itertools.chain.from_iterable(s.member_ids for s in slices)),
        pairs[group, 0],
        pairs[group, 1],
        list(itertools.chain.from_iterable(s.sources for s in slices)),
        list(itertools.chain.from_iterable(s.receipts for s in slices)),
        np.concatenate([s.lengths for s in slices]),
        np.concatenate([s.codes for s in slices]),
        round_proposals(connection, voting.id),
    )


def _number_groups(connection: sqlite3.Connection, groups: list[tuple[str, str]]) -> None:
    """Give the connection the count's (co-op, class) pairs with their codes, in a
    table of its own: the electorate's co-ops, and a code for each voter's pair."""
    connection.execute(
        "CREATE TEMP TABLE IF NOT EXISTS count_groups "
        "(coop TEXT, class TEXT, code TEXT, PRIMARY KEY (coop, class)) WITHOUT ROWID"
    )
    connection.execute("DELETE FROM count_groups")
    connection.executemany(
        "INSERT INTO count_groups VALUES (?, ?, ?)",
        [(coop, kind, f"{n:0{WIDTH}x}") for n, (coop, kind) in enumerate(groups)],
    )


def _read_slice(
    connection: sqlite3.Connection,
    voting: Round,
    low: int,
    high: int,
    *,
    ids: bool,
    receipts: bool,
) -> _Slice:
    """The electorate's ballots of members with keys from ``low`` to before ``high``
    (the connection's ``count_groups`` say which co-ops, see :func:`_number_groups`)."""
    cutoff = voting.cutoff.isoformat()
    # The separator is a literal: SQLite would call char(31) once per row.
    named = f"group_concat(m.member_id, '{_UNIT}')" if ids else "NULL"
    extra = (
        f", group_concat(b.source, '{_UNIT}'), group_concat(b.receipt, '{_UNIT}')"
        if receipts
        else ""
    )
    row = connection.execute(
        f"SELECT count(*), group_concat(g.code, ''), group_concat(b.ranks, ','), "
        f"{named}{extra} "
        "FROM ballots AS b JOIN members AS m ON m.key = b.member_key "
        "JOIN count_groups AS g ON g.coop = m.coop AND g.class = m.class "
        "WHERE b.round = ? AND b.current = 1 "
        "AND b.member_key >= ? AND b.member_key < ? "
        "AND m.joined <= ? AND (m.left_on IS NULL OR m.left_on > ?)",
        (voting.id, low, high, cutoff, cutoff),
    ).fetchone()
    if not row[0]:
        empty = np.zeros(0, dtype=np.int64)
        return _Slice([], empty, [], [], empty, empty)
    group, ranks, member_ids = row[1:4]
    lengths, codes = decode_ranks(ranks)
    return _Slice(
        member_ids.split(_UNIT) if ids else [],
        decode_codes(group),
        row[4].split(_UNIT) if receipts else [],
        row[5].split(_UNIT) if receipts else [],
        lengths,
        codes,
    )


def _file_of(connection: sqlite3.Connection) -> Path | None:
    """The file of the connection's main database (None: one in memory)."""
    for _, name, file in connection.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    return None
