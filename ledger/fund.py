"""Where each fund stands: the numbers on the "Fund" page and ``coopfund fund``.

Per region and co-op, as of a date:

* **bank**: the fund's bank balance (all its envelopes);
* **reserve**, **committed**, **deposits held**: envelopes that are not free;
* **unplaced**: money in the bank that no rule could place yet (the suspense
  account), which a round must not spend before a treasurer has looked at it;
* **levy due**: the levy a co-op owes its region and has not paid (see
  :mod:`ledger.levy`); it will leave the fund, so no round may count on it;
* **available**: the Unallocated envelope less what is unplaced and the levy due:
  what a round may allocate;
* **rent due** this year: rent charged from 1 January to the as-of date;
* **rent received** this year: money into the fund's envelopes by transactions that
  settle rent (post to a rent receivable or prepaid-rent account); deposits and
  other inflows are not rent;
* **arrears**: rent charged and not yet paid; **credit**: rent paid in advance.

One pass over the transactions, no account balance tree: the page must stay quick
on a federation's full history.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from ledger.accounts import AccountRoles
from ledger.federation import Entity
from ledger.federation import Federation
from ledger.numbers import ZERO
from ledger.numbers import units
from ledger.rent import is_charge

#: What an account is to its entity's fund; see :func:`_classifier`.
UNALLOCATED, RESERVE, DEPOSITS, COMMITTED, BANK, RECEIVABLE, PREPAID, SUSPENSE, LEVY = (
    "unallocated",
    "reserve",
    "deposits",
    "committed",
    "bank",
    "receivable",
    "prepaid",
    "suspense",
    "levy",
)
_IN_BANK = frozenset({UNALLOCATED, RESERVE, DEPOSITS, COMMITTED, BANK})
_RENT = frozenset({RECEIVABLE, PREPAID})


@dataclass(frozen=True)
class FundPosition:
    """One fund's figures as of the report's date."""

    entity: Entity
    bank: Decimal
    reserve: Decimal
    committed: Decimal
    deposits: Decimal
    unplaced: Decimal
    levy_due: Decimal
    available: Decimal
    rent_due: Decimal
    rent_received: Decimal
    arrears: Decimal
    credit: Decimal


@dataclass(frozen=True)
class RentMonth:
    """Rent charged and received in one month, per entity id."""

    month_end: datetime.date
    due: dict[str, Decimal]
    received: dict[str, Decimal]


@dataclass(frozen=True)
class FundReport:
    """Every fund's position, and the year's rent month by month."""

    as_of: datetime.date
    positions: list[FundPosition]
    months: list[RentMonth]

    @property
    def year(self) -> int:
        """The year whose rent is reported: the as-of date's."""
        return self.as_of.year


def fund_report(
    entries: Sequence[data.Directive],
    federation: Federation,
    as_of: datetime.date,
    entities: Sequence[Entity] | None = None,
) -> FundReport:
    """Sum the ledger into each fund's position as of ``as_of`` (inclusive).

    ``entities``: the funds to report (default: every one declared); a co-op's own
    ledger declares its region too, but keeps none of the region's books.
    """
    shown = list(entities) if entities is not None else federation.entities()
    classify = _classifier(federation)
    balances: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    due: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    received: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    year_start = datetime.date(as_of.year, 1, 1)
    for entry in entries:
        if entry.date > as_of:
            break
        if not isinstance(entry, data.Transaction):
            continue
        roles = [(classify(p.account), units(p)) for p in entry.postings]
        for found, number in roles:
            if found:
                balances[found] += number
        if entry.date < year_start:
            continue
        month = entry.date.month
        if is_charge(entry):
            for found, number in roles:
                if found and found[1] == RECEIVABLE:
                    due[found[0], month] += number
        elif any(found and found[1] in _RENT for found, _ in roles):
            for found, number in roles:
                if found and found[1] in _IN_BANK:
                    received[found[0], month] += number
    months = range(1, as_of.month + 1)
    positions = [
        _position(
            entity,
            balances,
            sum((due[entity.id, m] for m in months), ZERO),
            sum((received[entity.id, m] for m in months), ZERO),
        )
        for entity in shown
    ]
    return FundReport(
        as_of, positions, [_month(shown, as_of, m, due, received) for m in months]
    )


def _position(
    entity: Entity,
    balances: dict[tuple[str, str], Decimal],
    due: Decimal,
    received: Decimal,
) -> FundPosition:
    def balance(role: str) -> Decimal:
        return balances.get((entity.id, role), ZERO)

    return FundPosition(
        entity=entity,
        bank=sum((balance(role) for role in _IN_BANK), ZERO),
        reserve=balance(RESERVE),
        committed=balance(COMMITTED),
        deposits=balance(DEPOSITS),
        unplaced=-balance(SUSPENSE),
        levy_due=-balance(LEVY),
        available=balance(UNALLOCATED) + balance(SUSPENSE) + balance(LEVY),
        rent_due=due,
        rent_received=received,
        arrears=balance(RECEIVABLE),
        credit=-balance(PREPAID),
    )


def _month(
    entities: Sequence[Entity],
    as_of: datetime.date,
    month: int,
    due: dict[tuple[str, int], Decimal],
    received: dict[tuple[str, int], Decimal],
) -> RentMonth:
    last_day = calendar.monthrange(as_of.year, month)[1]
    ids = [entity.id for entity in entities]
    return RentMonth(
        datetime.date(as_of.year, month, last_day),
        {ident: due[ident, month] for ident in ids if due.get((ident, month))},
        {ident: received[ident, month] for ident in ids if received.get((ident, month))},
    )


def _classifier(federation: Federation) -> AccountRoles:
    """Which entity an account belongs to and what it is to its fund."""
    prefixes: list[tuple[str, str, str | None]] = []
    for entity in federation.entities():
        chart = entity.accounts
        # Most specific first: an envelope before the bank account that holds it.
        prefixes += [
            (chart.unallocated, entity.id, UNALLOCATED),
            (chart.reserve, entity.id, RESERVE),
            (chart.deposits_held, entity.id, DEPOSITS),
            (chart.committed_root, entity.id, COMMITTED),
            (chart.fund, entity.id, BANK),
            (chart.rent_receivable_root, entity.id, RECEIVABLE),
            (chart.prepaid_rent_root, entity.id, PREPAID),
            (chart.suspense, entity.id, SUSPENSE),
            (chart.levy_payable, entity.id, LEVY),
        ]
    return AccountRoles(prefixes)


def available_on(
    entries: Sequence[data.Directive],
    federation: Federation,
    entity_id: str,
    day: datetime.date,
) -> Decimal:
    """What the fund of ``entity_id`` may allocate at the end of ``day``.

    This is the budget of a round that spends "what the fund has available at
    close": the Unallocated envelope less unplaced money, never a typed number.
    """
    report = fund_report(entries, federation, day)
    return next(p.available for p in report.positions if p.entity.id == entity_id)
