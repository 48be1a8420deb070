"""The treasurer's rent roll: per lease, what was charged, paid, and how late the rest is.

One row per lease (rent-free leases included, with zeros, so the roll lists every
workplace), computed first in, first out by :mod:`ledger.arrears`. Debits that
belong to no lease (a charge booked by hand) get a row of their own per collective.
Also listed: the bank lines booked to a suspense account and still flagged ``!``,
which no rule could place.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core import flags

from ledger.arrears import OpenItem
from ledger.arrears import TenantLedger
from ledger.arrears import aging
from ledger.arrears import tenant_ledgers
from ledger.books import Books
from ledger.federation import Tenant
from ledger.numbers import ZERO
from ledger.numbers import units


@dataclass(frozen=True)
class LeaseRow:
    """One lease's line on the rent roll."""

    coop: str
    collective: str
    #: None for debits that belong to no lease.
    lease: str | None
    workplace: str
    charged: Decimal
    paid: Decimal
    balance: Decimal
    credit: Decimal
    buckets: dict[str, Decimal]
    last_payment: datetime.date | None


@dataclass(frozen=True)
class UnplacedLine:
    """A bank line in suspense: booked, but not to any collective yet."""

    date: datetime.date
    coop: str
    amount: Decimal
    counterparty: str
    remittance: str
    bank_ref: str
    source: str


@dataclass(frozen=True)
class RentRoll:
    """Every lease's position as of a date, and the lines nobody could place."""

    as_of: datetime.date
    rows: list[LeaseRow]
    unplaced: list[UnplacedLine]
    #: Rent still unpaid, by the first day of the month it fell due, per co-op.
    unpaid_by_month: dict[datetime.date, dict[str, Decimal]]


def rent_roll(books: Books, as_of: datetime.date, coop: str | None = None) -> RentRoll:
    """The rent roll of every co-op, or of ``coop`` alone, as of ``as_of``."""
    ledgers = {
        tenant: ledger
        for tenant, ledger in tenant_ledgers(books.entries, books.federation, as_of).items()
        if coop in (None, tenant[0])
    }
    unpaid = {tenant: _by_lease(ledger.open_items) for tenant, ledger in ledgers.items()}
    rows: list[LeaseRow] = []
    for lease in sorted(
        books.leases, key=lambda one: (one.coop, one.collective, one.start)
    ):
        tenant = (lease.coop, lease.collective)
        if coop in (None, lease.coop) and lease.start <= as_of:
            ledger = ledgers[tenant]
            row = _row(
                tenant, lease.id, lease.workplace, ledger, unpaid=unpaid, as_of=as_of
            )
            rows.append(row)
    for tenant, ledger in ledgers.items():
        if None in ledger.charged:
            unleased = "(not under a lease)"
            rows.append(_row(tenant, None, unleased, ledger, unpaid=unpaid, as_of=as_of))
    by_month: dict[datetime.date, dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for (owner, _), leases in unpaid.items():
        for item in (item for items in leases.values() for item in items):
            by_month[item.due.replace(day=1)][owner] += item.remaining
    months = {month: dict(by_month[month]) for month in sorted(by_month)}
    return RentRoll(as_of, rows, _unplaced(books, as_of, coop), months)


def _by_lease(items: list[OpenItem]) -> dict[str | None, list[OpenItem]]:
    grouped: dict[str | None, list[OpenItem]] = defaultdict(list)
    for item in items:
        grouped[item.lease].append(item)
    return grouped


def _row(
    tenant: Tenant,
    lease: str | None,
    workplace: str,
    ledger: TenantLedger,
    *,
    unpaid: dict[Tenant, dict[str | None, list[OpenItem]]],
    as_of: datetime.date,
) -> LeaseRow:
    items = unpaid[tenant].get(lease, [])
    charged = ledger.charged.get(lease, ZERO)
    balance = sum((item.remaining for item in items), ZERO)
    coop, collective = tenant
    return LeaseRow(
        coop=coop,
        collective=collective,
        lease=lease,
        workplace=workplace,
        charged=charged,
        paid=charged - balance,
        balance=balance,
        credit=ledger.credit.get(lease, ZERO),
        buckets=aging(items, as_of),
        last_payment=ledger.last_payment.get(lease),
    )


def _unplaced(books: Books, as_of: datetime.date, coop: str | None) -> list[UnplacedLine]:
    suspense = {
        entity.accounts.suspense: entity.id
        for entity in books.federation.entities()
        if coop in (None, entity.id)
    }
    lines = []
    for entry in _flagged(books.entries, as_of):
        for posting in entry.postings:
            if posting.account in suspense:
                lines.append(
                    UnplacedLine(
                        date=entry.date,
                        coop=suspense[posting.account],
                        amount=-units(posting),
                        counterparty=entry.payee or "",
                        remittance=entry.narration or "",
                        bank_ref=str(entry.meta.get("bank-ref", "")),
                        source=f"{entry.meta['filename']}:{entry.meta['lineno']}",
                    )
                )
    return lines


def _flagged(
    entries: Sequence[data.Directive], as_of: datetime.date
) -> list[data.Transaction]:
    return [
        entry
        for entry in entries
        if isinstance(entry, data.Transaction)
        and entry.flag == flags.FLAG_WARNING
        and entry.date <= as_of
    ]
