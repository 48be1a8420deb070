"""A closed round as an :class:`~allocation.election.Election`: what is counted, and
what is published as a Pabulib file so anyone can recount it.

Only a closed round is exported: while members may still vote, a file would be a
leak of the running count and not the final one. The ballots are the current ones
of the members of the round's electorate; earlier ballots of members who changed
their minds stay in the database's history and do not count.

Voters are anonymised: a voter's id in the file is the first 16 hex digits of the
SHA-256 of ``ROUND:RECEIPT``, where the receipt is the secret the member got when
voting. Nobody can tell from the file who voted how, but a member holding their
receipt can compute their id (the ballot site shows it) and check that their
ballot is in the published count as they cast it. Voters are listed in the order
of these ids, which says nothing about when anyone voted.

The budget is the round's: a fixed amount, or what the fund had available at the
end of the closing day, read from the ledger.

A round that weighs its ballots (``weighting``, see :mod:`allocation.weights`) is
published with its ballots as cast, each one once, as Pabulib has no weights: the
file's META says the weighting, and the voters' columns hold what it weighs by,
so reading the file back counts it as the round was counted. Each voter's co-op is
always published; their class (worker or consumer) only when the round weighs by
class, since nothing else depends on it and a class narrows down who voted.
"""

from __future__ import annotations

import datetime
import hashlib
import sqlite3
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd

from allocation.ballots import Ballot
from allocation.ballots import Counted
from allocation.ballots import Poll
from allocation.ballots import counted_ballots
from allocation.election import Election
from allocation.election import election
from allocation.election import format_number
from allocation.problem import Options
from allocation.problem import Problem
from allocation.problem import problem
from allocation.scores import tally
from ledger.books import Books
from ledger.fund import available_on
from ledger.proposals import Proposal
from ledger.proposals import Round

#: Our rules by the names Pabulib's ``rule`` field uses, where it has one.
PABULIB_RULES = {
    "greedy": "greedy",
    "mes": "equalshares/add1",
    "utilitarian": "utilitarian",
}
#: How Pabulib files name the ways of voting.
VOTING_METHODS = {"web": "internet", "paper": "paper"}


class RoundStillOpen(ValueError):
    """The round has not closed yet on the day of the export."""


def published_voter_id(ballot: Ballot) -> str:
    """The anonymous id under which ``ballot`` appears in the round's Pabulib file."""
    return _anonymous(ballot.round, ballot.receipt)


def _anonymous(round_id: str, receipt: str) -> str:
    return hashlib.sha256(f"{round_id}:{receipt}".encode()).hexdigest()[:16]


def round_budget(books: Books, voting: Round) -> Decimal:
    """The money the round shares out: fixed by the round, or available at its close."""
    if voting.budget is not None:
        return voting.budget
    return available_on(books.entries, books.federation, voting.scope, voting.closes)


#: How a counted round names its voters: by the ids its Pabulib file gives them,
#: by their member ids, or not at all (numbered 0, 1, 2, ...).
VOTER_NAMES = ("published", "members", "unnamed")


def round_election(
    books: Books,
    poll: Poll,
    connection: sqlite3.Connection,
    today: datetime.date,
    *,
    voters: str = "published",
) -> Election:
    """The closed round of ``poll`` with its counted ballots, ready to count or publish.

    ``voters`` says how voters are named (:data:`VOTER_NAMES`): published ids
    (and listed in their order), member ids, or not at all. A count does not
    depend on who voted, so it leaves them unnamed, which saves hashing every
    receipt and reading a million member ids.
    """
    voting = poll.round
    if today <= voting.closes:
        raise RoundStillOpen(
            f"round {voting.id} closes on {voting.closes}: export it from "
            f"{voting.closes + datetime.timedelta(days=1)} on, when the count is final"
        )
    published = voters == "published"
    counted = counted_ballots(
        connection, voting, poll.coops, ids=voters == "members", receipts=published
    )
    table, votes = vote_tables(counted, voting.id, names=voters)
    if published and voting.weighting != "class":
        table = table.drop(columns="class")
    contest = election(_meta(books, voting), _projects(books, poll), table, votes)
    return with_counts(contest)


def round_options(poll: Poll) -> Options:
    """The options the round and its proposals declare, for the utilitarian model."""
    voting, proposals = poll.round, poll.proposals
    return Options(
        partial=voting.partial,
        requires=tuple((p.id, other) for p in proposals for other in p.requires),
        excludes=tuple((p.id, other) for p in proposals for other in p.excludes),
        category_caps={category: float(cap) for category, cap in voting.caps},
        coop_floors=voting.coop_floors,
        max_coop_share=(
            None if voting.max_coop_share is None else float(voting.max_coop_share)
        ),
    )


def round_problem(
    books: Books, poll: Poll, connection: sqlite3.Connection, today: datetime.date
) -> Problem:
    """What the closed round asks the rules: its ballots under its own points rule,
    weighting, budget and options, with the lot drawn from its id."""
    voting = poll.round
    return problem(
        round_election(books, poll, connection, today, voters="unnamed"),
        points=voting.points,
        budget=float(round_budget(books, voting)),
        options=round_options(poll),
        lot_seed=voting.id,
        weighting=voting.weighting,
    )


def vote_tables(
    counted: Counted, round_id: str, *, names: str = "published"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The voters (with co-op, class and voting method), named as ``names`` says
    (:data:`VOTER_NAMES`), and the long vote table."""
    if names not in VOTER_NAMES:
        raise ValueError(f'voters are named {", ".join(VOTER_NAMES)}, not "{names}"')
    published = names == "published"
    voter_ids: pd.Index = (
        pd.Index([_anonymous(round_id, receipt) for receipt in counted.receipts])
        if published
        else pd.Index(counted.member_ids)
        if names == "members"
        else pd.RangeIndex(len(counted.lengths))
    )
    lengths = counted.lengths
    voter_at = np.repeat(np.arange(len(voter_ids)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    voters = pd.DataFrame(
        {
            "coop": counted.coops,
            "class": counted.classes,
            "voting_method": [VOTING_METHODS[source] for source in counted.sources]
            if published
            else "",
        },
        index=voter_ids,
        dtype=str,
    )
    if published:  # plain ids, as any Pabulib file holds them
        voter: object = voter_ids.to_numpy()[voter_at]
        project: object = counted.ranked
    else:  # counted: categories, which the rules look up by code (see positions)
        voter = pd.Categorical.from_codes(voter_at, categories=voter_ids)
        project = pd.Categorical.from_codes(
            counted.codes - 1, categories=pd.Index(counted.proposals)
        )
    votes = pd.DataFrame(
        {
            "voter": voter,
            "project": project,
            "position": np.arange(len(voter_at)) - starts + 1,
            "points": np.nan,
        }
    )
    if published:  # list voters by their published ids, which say nothing of time
        order = np.argsort(voter_ids.to_numpy(), kind="stable")
        place = np.empty_like(order)
        place[order] = np.arange(len(order))
        voters = voters.iloc[order]
        votes = votes.iloc[np.argsort(place[voter_at], kind="stable")]
    return voters, votes


def with_counts(contest: Election) -> Election:
    """``contest`` with Pabulib's ``votes`` and ``score`` columns in its projects."""
    counted = tally(contest)
    projects = contest.projects.copy()
    projects.insert(1, "votes", counted["supporters"].astype(str))
    projects.insert(2, "score", counted["points"].map(format_number))
    return replace(contest, projects=projects)


def _meta(books: Books, voting: Round) -> dict[str, str]:
    scope = (
        books.federation.coops.get(voting.scope) or books.federation.regions[voting.scope]
    )
    region = books.federation.regions[scope.region] if scope.region else scope
    meta = {
        "description": f"Round {voting.id} of {scope.name}",
        "unit": region.name,
        "subunit": scope.name,
        "instance": voting.id,
        "num_projects": "0",
        "num_votes": "0",
        "budget": str(round_budget(books, voting)),
        "vote_type": "ordinal",
        "rule": PABULIB_RULES[voting.rule],
        "date_begin": f"{voting.opens:%d.%m.%Y}",
        "date_end": f"{voting.closes:%d.%m.%Y}",
        "min_length": "1",
        "max_length": str(voting.max_ranks),
        "scoring_fn": voting.points,
        "currency": scope.currency,
        "language": "en",
        "comment": (
            "#1: Exported by coopfund. Ballots are the members' current ballots at the "
            "close. voter_id is the first 16 hex digits of SHA-256 of 'ROUND:RECEIPT', "
            "so a member can find their own ballot with their receipt. scoring_fn is "
            "the round's points rule: borda (k..1 for a ballot ranking k), fixed:a,b,... "
            "(points by rank) or harmonic (1/rank)."
        ),
    }
    if voting.weighting != "member":
        meta["weighting"] = voting.weighting
        meta["comment"] += (
            " #2: weighting is how the round weighed its ballots: coop (the ballots of "
            "each co-op that voted weigh the same together, N/(K*n_c) each, by the "
            "voters' coop) or class (worker and consumer ballots half and half, "
            "N/(2*n_class) each, by the voters' class). The votes and score of "
            "PROJECTS count each ballot once."
        )
    return meta


def _projects(books: Books, poll: Poll) -> pd.DataFrame:
    proposals = poll.proposals
    federation = books.federation

    def coop(proposal: Proposal) -> str:
        """Whose proposal it is: its collective's co-op, or the co-op it asks."""
        if proposal.collective:
            return federation.collectives[proposal.collective].coop
        return proposal.scope if proposal.scope in federation.coops else ""

    return pd.DataFrame(
        {
            "cost": [float(p.cost) for p in proposals],
            "name": [p.title for p in proposals],
            "category": [p.category for p in proposals],
            "instrument": [p.instrument for p in proposals],
            "minimum": ["" if p.minimum is None else str(p.minimum) for p in proposals],
            "proposer": [p.collective or "" for p in proposals],
            "coop": [coop(p) for p in proposals],
        },
        index=[p.id for p in proposals],
    )
