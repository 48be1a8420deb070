"""A counted round, booked: its commitments in a file of their own, and disbursements.

A round's result lives in ``rounds/<ROUND>.beancount`` beside the file that
declares the round, which includes it. Counting the round again rewrites that file
whole, so a second run never doubles a commitment, and an unchanged result leaves
it byte for byte as it was::

    2026-12-14 custom "allocation" "R2026-CEN"
      rule: "utilitarian"
      solver: "cbc"
      objective: 412
      budget: 86000.00
      available: 86000.00          ; the fund's available money at the close
      ballots: 431
      ballots-sha256: "9f2c..."    ; of the round's published Pabulib file
      lot: "P26-C4 P26-C1 ..."     ; the tie order drawn before counting

    2026-12-14 custom "allocation-result" "R2026-CEN" "P26-C5"
      points: 120
      rank: 5
      funded: 0.00
      points-lost-if-forced: 31
      funded-at-cost: 38000

    2026-12-14 * "Round R2026-CEN: commit to Heat pumps for the Wash House" ^round-R2026-CEN
      round: "R2026-CEN"
      proposal: "P26-C1"
      ...
      Assets:Central:Fund:Unallocated      -45000.00 EUR
      Assets:Central:Fund:Committed:P26-C1  45000.00 EUR

Everything is dated the day after the close, so the money available at the close
(the budget) is not changed by the round's own commitments. Writing goes through
:func:`~ledger.files.replace_checked`: the whole ledger is checked with the new
file before anything is replaced.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import amount as amount_lib
from beancount.core import data
from beancount.core import flags
from beancount.parser import printer
from beancount.parser.grammar import ValueType

from ledger.accounts import EntityAccounts
from ledger.books import Books
from ledger.books import check
from ledger.books import load_books
from ledger.errors import FieldError
from ledger.federation import Entity
from ledger.files import LedgerWriteError
from ledger.files import replace_checked
from ledger.insertion import Placement
from ledger.insertion import insert
from ledger.numbers import ZERO
from ledger.numbers import to_cents
from ledger.proposals import Proposal
from ledger.proposals import Round
from ledger.round_report import round_report

ROUNDS_DIR = "rounds"


class AllocationRefused(ValueError):
    """A write that would be wrong now; the message says what to do instead."""


@dataclass(frozen=True)
class ProposalResult:
    """What the round decided about one proposal, and why."""

    proposal: Proposal
    amount: Decimal
    points: Decimal
    rank: int
    #: Points the others would lose if it were forced in (0 if funded).
    lost_if_forced: Decimal | None = None
    #: The highest cost at which it would have been funded (None if funded).
    funded_at_cost: Decimal | None = None


@dataclass(frozen=True)
class Allocation:
    """A counted round, ready to book."""

    round: Round
    rule: str
    solver: str
    objective: Decimal
    budget: Decimal
    available: Decimal
    ballots: int
    ballots_sha256: str
    lot: tuple[str, ...]
    results: tuple[ProposalResult, ...]

    @property
    def day(self) -> datetime.date:
        """When the result is booked: the day after the round closed."""
        return self.round.closes + datetime.timedelta(days=1)


def round_file(voting: Round) -> Path:
    """Where a round's result is kept: ``rounds/`` beside the file declaring it.

    So a co-op's round lands in that co-op's own books, which both its ledger and
    the region's include, wherever it was counted from.
    """
    declared = Path(str(voting.source["filename"])).resolve()
    return declared.parent / ROUNDS_DIR / f"{voting.id}.beancount"


def entity_of(books: Books, scope: str) -> Entity:
    """The co-op or region whose fund a round spends."""
    federation = books.federation
    return federation.coops.get(scope) or federation.regions[scope]


def render(books: Books, allocation: Allocation) -> str:
    """The text of the round's file."""
    voting, day = allocation.round, allocation.day
    meta = {
        "rule": allocation.rule,
        "solver": allocation.solver,
        "objective": allocation.objective,
        "budget": allocation.budget,
        "available": allocation.available,
        "ballots": Decimal(allocation.ballots),
        "ballots-sha256": allocation.ballots_sha256,
        "lot": " ".join(allocation.lot),
    }
    entries: list[data.Directive] = [_custom(day, "allocation", [voting.id], meta)]
    for result in allocation.results:
        entries.append(
            _custom(
                day,
                "allocation-result",
                [voting.id, result.proposal.id],
                {
                    "points": result.points,
                    "rank": Decimal(result.rank),
                    "funded": result.amount,
                    "points-lost-if-forced": result.lost_if_forced,
                    "funded-at-cost": result.funded_at_cost,
                },
            )
        )
    chart = entity_of(books, voting.scope).accounts
    for result in allocation.results:
        if result.amount > 0:
            entries.append(_commitment(allocation, result, chart))
    header = (
        f"; Round {voting.id}, counted by coopfund allocate. This file is rewritten\n"
        "; whole each time the round is counted: do not edit it by hand.\n\n"
    )
    return header + "\n".join(printer.format_entry(entry) for entry in entries)


def _custom(
    day: datetime.date, kind: str, values: Sequence[str], meta: dict[str, object]
) -> data.Custom:
    kept = {k: v for k, v in meta.items() if v is not None}
    return data.Custom(
        data.new_metadata("<coopfund>", 0, kept),
        day,
        kind,
        [ValueType(v, str) for v in values],
    )


def _commitment(
    allocation: Allocation, result: ProposalResult, chart: EntityAccounts
) -> data.Transaction:
    proposal = result.proposal
    meta = {
        "round": allocation.round.id,
        "proposal": proposal.id,
        "rule": allocation.rule,
        "points": result.points,
        "rank": Decimal(result.rank),
        "solver": allocation.solver,
        "objective": allocation.objective,
        "ballots-sha256": allocation.ballots_sha256,
    }
    return data.Transaction(
        data.new_metadata("<coopfund>", 0, meta),
        allocation.day,
        flags.FLAG_OKAY,
        None,
        f"Round {allocation.round.id}: commit to {proposal.title}",
        data.EMPTY_SET,
        frozenset({f"round-{allocation.round.id}"}),
        [
            _posting(chart.unallocated, -result.amount, proposal.currency),
            _posting(chart.committed(proposal.id), result.amount, proposal.currency),
        ],
    )


def _posting(account: str, number: Decimal, currency: str) -> data.Posting:
    return data.Posting(
        account, amount_lib.Amount(number, currency), None, None, None, None
    )


def recorded_available(books: Books, round_id: str) -> Decimal | None:
    """The available money a counted round recorded at its close, if counted."""
    for entry in books.declarations:
        if (
            entry.type == "allocation"
            and entry.values
            and entry.values[0].value == round_id
        ):
            value = entry.meta.get("available")
            return value if isinstance(value, Decimal) else None
    return None


def write_allocation(
    ledger: Path, books: Books, allocation: Allocation, *, proceed: bool = False
) -> bool:
    """Book ``allocation`` into the round's file; False if it was already so.

    Refuses, unless ``proceed``, when the round was counted before with another
    figure for the money available at its close: entries dated on or before the
    close have changed since, and the members' budget with them.
    """
    voting = allocation.round
    before = recorded_available(books, voting.id)
    if (
        voting.budget is None
        and before is not None
        and before != allocation.available
        and not proceed
    ):
        raise AllocationRefused(
            f"round {voting.id} was counted with {before} available at its close "
            f"({voting.closes}); the ledger now says {allocation.available}, so "
            f"entries dated on or before {voting.closes} changed since. Check them; "
            "to count the round again with the new budget, add --proceed"
        )
    target = round_file(voting)
    text = render(books, allocation)
    changes = {}
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        changes[target] = text
    include = f'include "{ROUNDS_DIR}/{voting.id}.beancount"'
    included = [Path(name).resolve() for name in books.options["include"]]
    if target.resolve() not in included:
        declaring = Path(str(voting.source["filename"]))
        text_before = declaring.read_text(encoding="utf-8")
        changes[declaring] = text_before.rstrip("\n") + f"\n\n{include}\n"
    if not changes:
        return False
    target.parent.mkdir(exist_ok=True)
    replace_checked(ledger, [Path(p) for p in books.options["include"]], changes, check)
    return True


@dataclass(frozen=True)
class Disbursement:
    """A payment booked against a commitment, and where the commitment stands."""

    entry: data.Transaction
    committed: Decimal
    disbursed: Decimal

    @property
    def over(self) -> Decimal:
        """How much more has been paid out than was committed (0 if not)."""
        return max(self.disbursed - self.committed, ZERO)


def disburse(
    ledger: Path,
    proposal_id: str,
    amount: Decimal,
    day: datetime.date,
    narration: str | None = None,
) -> Disbursement:
    """Pay ``amount`` out of the proposal's commitment, written where Fava would."""
    books = load_books(ledger)
    proposal = books.agenda.proposals.get(proposal_id)
    if proposal is None:
        known = ", ".join(sorted(books.agenda.proposals)) or "none"
        raise FieldError(f'no proposal "{proposal_id}" is declared (proposals: {known})')
    chart = entity_of(books, proposal.scope).accounts
    envelope = chart.committed(proposal.id)
    status = next(
        line.proposals[proposal.id]
        for line in round_report(books, books.last_date)
        if proposal.id in line.proposals
    )
    committed, disbursed = status.committed, status.disbursed
    if committed == 0:
        raise AllocationRefused(
            f"nothing is committed to {proposal_id}: count its round first "
            f"(coopfund allocate {ledger} {proposal.round})"
        )
    amount = to_cents(amount)
    entry = data.Transaction(
        data.new_metadata(
            "<coopfund>", 0, {"round": proposal.round, "proposal": proposal.id}
        ),
        day,
        flags.FLAG_OKAY,
        None,
        narration or f"Disbursement ({proposal.instrument}): {proposal.title}",
        data.EMPTY_SET,
        frozenset({f"round-{proposal.round}"}),
        [
            _posting(envelope, -amount, proposal.currency),
            _posting(
                chart.disbursed(proposal.id, proposal.instrument), amount, proposal.currency
            ),
        ],
    )
    if books.errors:
        raise LedgerWriteError(
            f"{ledger} has errors already; fix them first (bean-check {ledger})"
        )
    changes = insert(Placement.of(books.entries, ledger), [entry])
    replace_checked(ledger, [Path(p) for p in books.options["include"]], changes, check)
    return Disbursement(entry, committed, disbursed + amount)
