"""Rounds and what became of them: per proposal, committed, disbursed, outstanding.

What the "Rounds" page shows, read from the books alone. A commitment is money
moved into a proposal's ``...:Fund:Committed:<P>`` envelope; a disbursement is
money moved out of it (to the loan, grant or equity account); what is left is
outstanding. Commitments carry the round and proposal in their metadata (the
write-back of a round, and the demo's earlier rounds, both do), so rounds held
before coopfund kept ballots still show with their commitments.

Declared rounds that have not been counted yet show their ballot, with nothing
committed; a ``custom "allocation"`` directive of a counted round (written with
its commitments) adds how it was counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.books import Books
from ledger.numbers import ZERO
from ledger.numbers import units


@dataclass
class ProposalLine:
    """One proposal of a round, declared or known from its commitment."""

    round: str
    proposal: str
    title: str
    entity: str
    currency: str
    cost: Decimal | None = None
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    #: The points the round's ballots gave it, if its count records them.
    points: Decimal | None = None
    rank: int | None = None
    #: For a proposal left out: points the others would lose if it were forced in,
    #: and the highest cost at which it would have been funded.
    lost_if_forced: Decimal | None = None
    funded_at_cost: Decimal | None = None

    @property
    def outstanding(self) -> Decimal:
        """Committed and not yet paid out."""
        return self.committed - self.disbursed


@dataclass
class RoundLine:
    """A round: as declared (if it is), its proposals, and how it was counted."""

    id: str
    scope: str = ""
    opens: datetime.date | None = None
    closes: datetime.date | None = None
    rule: str = ""
    points: str = ""
    #: The declared budget; None for "what is available at close" (or undeclared).
    budget: Decimal | None = None
    #: The ``custom "allocation"`` directive's metadata, once the round is counted.
    allocation: dict[str, Any] = field(default_factory=dict)
    #: The day of its first commitment.
    decided: datetime.date | None = None
    proposals: dict[str, ProposalLine] = field(default_factory=dict)

    @property
    def committed(self) -> Decimal:
        """Money committed to the round's proposals."""
        return sum((p.committed for p in self.proposals.values()), ZERO)

    @property
    def disbursed(self) -> Decimal:
        """Money paid out to the round's proposals."""
        return sum((p.disbursed for p in self.proposals.values()), ZERO)

    def state(self, as_of: datetime.date) -> str:
        """ "voting", "closed" (not counted yet), "counted", or "earlier" (known
        only from commitments)."""
        if self.allocation or (self.closes is None and self.committed):
            return "counted" if self.allocation else "earlier"
        if self.closes is not None and as_of <= self.closes:
            return "voting"
        return "counted" if self.committed else "closed"


def round_report(books: Books, as_of: datetime.date) -> list[RoundLine]:
    """Every round, declared or committed to, as of ``as_of``; latest first."""
    rounds = _declared(books)
    envelopes = _envelopes(books)
    for entry in books.entries:
        if entry.date > as_of:
            break
        if isinstance(entry, data.Custom) and entry.values:
            _add_count(entry, rounds)
        if isinstance(entry, data.Transaction):
            _add_movements(entry, envelopes, rounds)
    for ident, line in rounds.items():
        line.id = line.id or ident
    return sorted(
        rounds.values(),
        key=lambda r: (r.closes or datetime.date.min, r.id),
        reverse=True,
    )


def _add_count(entry: data.Custom, rounds: dict[str, RoundLine]) -> None:
    """A round's ``custom "allocation"`` or a proposal's ``"allocation-result"``."""
    meta = {k: v for k, v in entry.meta.items() if k not in ("filename", "lineno")}
    round_id = str(entry.values[0].value)
    if entry.type == "allocation":
        rounds.setdefault(round_id, RoundLine(id=round_id)).allocation = meta
    elif entry.type == "allocation-result" and len(entry.values) > 1:
        line = rounds.get(round_id)
        found = line.proposals.get(str(entry.values[1].value)) if line else None
        if found is not None:
            found.points = meta.get("points")
            rank = meta.get("rank")
            found.rank = int(rank) if isinstance(rank, Decimal) else None
            found.lost_if_forced = meta.get("points-lost-if-forced")
            found.funded_at_cost = meta.get("funded-at-cost")


def _declared(books: Books) -> dict[str, RoundLine]:
    agenda = books.agenda
    entities = {e.id: e for e in books.federation.entities()}
    rounds: dict[str, RoundLine] = {}
    for voting in agenda.rounds.values():
        rounds[voting.id] = RoundLine(
            id=voting.id,
            scope=voting.scope,
            opens=voting.opens,
            closes=voting.closes,
            rule=voting.rule,
            points=voting.points,
            budget=voting.budget,
        )
    for proposal in agenda.proposals.values():
        rounds[proposal.round].proposals[proposal.id] = ProposalLine(
            round=proposal.round,
            proposal=proposal.id,
            title=proposal.title,
            entity=entities[proposal.scope].name,
            currency=proposal.currency,
            cost=proposal.cost,
        )
    return rounds


def _envelopes(books: Books) -> dict[str, tuple[str, str]]:
    """Committed-envelope prefix -> (entity name, currency), for every fund."""
    return {
        f"{entity.accounts.committed_root}:": (entity.name, entity.currency)
        for entity in books.federation.entities()
    }


def _add_movements(
    entry: data.Transaction,
    envelopes: dict[str, tuple[str, str]],
    rounds: dict[str, RoundLine],
) -> None:
    for posting in entry.postings:
        prefix = next((p for p in envelopes if posting.account.startswith(p)), None)
        if prefix is None:
            continue
        proposal = posting.account[len(prefix) :]
        line = _line(rounds, entry, proposal, *envelopes[prefix])
        number = units(posting)
        if number > 0:
            line.committed += number
            counted = rounds[line.round]
            counted.decided = min(counted.decided or entry.date, entry.date)
            points = entry.meta.get("points")
            if isinstance(points, Decimal):
                line.points = points
        else:
            line.disbursed -= number


def _line(
    rounds: dict[str, RoundLine],
    entry: data.Transaction,
    proposal: str,
    entity: str,
    currency: str,
) -> ProposalLine:
    """The proposal's line, found by id, or made from the commitment's metadata."""
    for line in rounds.values():
        if proposal in line.proposals:
            return line.proposals[proposal]
    round_id = str(entry.meta.get("round", "")) or "(no round)"
    found = rounds.setdefault(round_id, RoundLine(id=round_id))
    title = (entry.narration or proposal).split(": commit to ", 1)[-1]
    made = ProposalLine(round_id, proposal, title, entity, currency)
    found.proposals[proposal] = made
    return made
