"""Count a closed round by its rule and make the result ready to book.

The count and the published file come from the same ballots: the hash recorded
with the commitments is the SHA-256 of the round's Pabulib text, so anyone holding
the published file can check that it is what was counted.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from allocation.ballots import Poll
from allocation.count import count
from allocation.explain import explain_proposals
from allocation.outcome import Outcome
from allocation.pabulib import format_pb
from allocation.problem import Problem
from allocation.round_export import round_election
from allocation.round_export import round_problem
from ledger.books import Books
from ledger.commitments import Allocation
from ledger.commitments import ProposalResult
from ledger.fund import available_on
from ledger.numbers import to_cents


@dataclass(frozen=True)
class Counted:
    """A counted round: what the rule was asked, what it decided, and the booking."""

    problem: Problem
    outcome: Outcome
    allocation: Allocation


def count_round(
    books: Books,
    poll: Poll,
    connection: sqlite3.Connection,
    today: datetime.date,
    *,
    rule: str | None = None,
    solver: str = "cbc",
    progress: Callable[[int, int], None] | None = None,
) -> Counted:
    """Count the closed round of ``poll`` by ``rule`` (default: the round's own).

    The ballots weigh what the round's ``weighting`` says, so the points and the
    objective booked are weighted points; the published file, whose hash is
    booked, holds the ballots as cast and names the weighting. ``progress`` hears
    how the explanations advance (see :func:`explain_proposals`).
    """
    voting = poll.round
    rule = rule or voting.rule
    asked = round_problem(books, poll, connection, today)
    outcome = count(asked, rule, solver)
    why = explain_proposals(asked, outcome, lambda p: count(p, rule, solver), progress)
    published = format_pb(round_election(books, poll, connection, today))
    rows = why.to_dict("index")
    results = tuple(
        ProposalResult(
            proposal=proposal,
            amount=to_cents(Decimal(str(rows[proposal.id]["funded"]))),
            points=_number(rows[proposal.id]["points"]),
            rank=int(rows[proposal.id]["rank"]),
            lost_if_forced=_optional(rows[proposal.id]["points_lost_if_forced"]),
            funded_at_cost=_optional(rows[proposal.id]["funded_at_cost"]),
        )
        for proposal in poll.proposals
    )
    allocation = Allocation(
        round=voting,
        rule=rule,
        solver=outcome.solver,
        objective=_number(outcome.objective),
        budget=to_cents(Decimal(str(asked.budget))),
        available=available_on(
            books.entries, books.federation, voting.scope, voting.closes
        ),
        ballots=len(asked.voters),
        ballots_sha256=hashlib.sha256(published.encode()).hexdigest(),
        lot=asked.lot,
        results=results,
    )
    return Counted(asked, outcome, allocation)


def _number(value: float) -> Decimal:
    """A points figure for the ledger: whole if it is, else to 4 places."""
    rounded = round(float(value), 4)
    return Decimal(int(rounded)) if rounded.is_integer() else Decimal(str(rounded))


def _optional(value: float) -> Decimal | None:
    """NaN (does not apply) as None; infinity (can never be) as None too."""
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else _number(number)
