"""How many of those who may vote did, per round and per co-op, and whether it is enough.

The quorum is the round's: a share of the eligible members (``5%``) or a number of
ballots (``50``); the result of a round that misses it is advisory only, which the
report says. Ballots of workers who ranked their own collective's proposal are
counted too, so that a round whose conflict policy is ``report`` can show them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass

from allocation.ballots import Poll
from allocation.ballots import current_ballots
from allocation.ballots import own_collective_proposals


@dataclass(frozen=True)
class Turnout:
    """One line of the report: a co-op, or the whole round (``coop`` None)."""

    coop: str | None
    eligible: int
    voted: int
    #: Ballots ranking a proposal of the voter's own collective.
    own_collective: int

    @property
    def share(self) -> float:
        """Ballots per eligible member, from 0 to 1."""
        return self.voted / self.eligible if self.eligible else 0.0


@dataclass(frozen=True)
class TurnoutReport:
    """Turnout of one round, in total and per co-op, and its quorum."""

    round: str
    total: Turnout
    coops: list[Turnout]
    quorum: int

    @property
    def quorum_met(self) -> bool:
        """Whether enough members voted for the result to bind the fund."""
        return self.total.voted >= self.quorum


def turnout(connection: sqlite3.Connection, poll: Poll) -> TurnoutReport:
    """Count the current ballots of the round against its electorate."""
    electorate = {member.id: member for member in poll.electorate()}
    on_ballot = {proposal.id: proposal for proposal in poll.proposals}
    eligible = Counter(member.coop for member in electorate.values())
    voted: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for ballot in current_ballots(connection, poll.round.id):
        member = electorate.get(ballot.member_id)
        if member is None:
            continue
        voted[member.coop] += 1
        if own_collective_proposals(member, ballot.ranking, on_ballot):
            own[member.coop] += 1
    coops = [Turnout(c, eligible[c], voted[c], own[c]) for c in sorted(poll.coops)]
    total = Turnout(None, sum(eligible.values()), sum(voted.values()), sum(own.values()))
    return TurnoutReport(poll.round.id, total, coops, poll.round.quorum_for(total.eligible))
