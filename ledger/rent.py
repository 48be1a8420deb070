"""Rent charges as Beancount transactions, with prepaid credit applied to them.

Each charge of a lease's schedule becomes one transaction on its due date::

    2024-03-01 * "Bread & Roses Bakery Collective" "Rent 2024-03 for 12 Mill Street"
      lease: "RIV-BAKERY"
      period-start: 2024-03-01
      period-end: 2024-03-31
      ^lease-RIV-BAKERY
      Assets:North:Riverside:Receivable:Rent:Bakery   1200.00 EUR
      Income:North:Riverside:Rent:Bakery             -1200.00 EUR

When the collective holds prepaid credit (``Liabilities:...:PrepaidRent:Bakery``)
on the due date, a second transaction applies it to the charge::

    2024-03-01 * "Bread & Roses Bakery Collective" "Prepaid rent applied to rent 2024-03"
      ^lease-RIV-BAKERY
      Liabilities:North:Riverside:PrepaidRent:Bakery  200.00 EUR
      Assets:North:Riverside:Receivable:Rent:Bakery  -200.00 EUR

Both are generated at every load: they cannot be edited (Fava refuses to edit
entries whose source file name starts with ``<``), and they change when the lease
does, which is the point.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from beancount.core import data
from beancount.core import flags
from beancount.core.amount import Amount

from ledger.federation import Federation
from ledger.federation import Tenant
from ledger.federation import rent_accounts
from ledger.lease import Lease
from ledger.periods import Frequency
from ledger.periods import Period
from ledger.schedule import Charge
from ledger.tenancy import TenantPosition
from ledger.tenancy import tenant_movements

#: The ``filename`` of generated charges; it tells charges apart from everything else.
CHARGE_SOURCE = "<coopfund:rent>"
#: The ``filename`` of generated applications of prepaid credit.
CREDIT_SOURCE = "<coopfund:prepaid>"

_DUE = attrgetter("due")


def is_charge(entry: data.Directive) -> bool:
    """Whether ``entry`` is a rent charge produced by the plugin."""
    return isinstance(entry, data.Transaction) and entry.meta["filename"] == CHARGE_SOURCE


@dataclass(frozen=True)
class _Tenancy:
    """What every rent transaction of one collective with one co-op shares."""

    payee: str
    receivable: str
    prepaid: str
    income: str

    @staticmethod
    def of(federation: Federation, tenant: Tenant) -> _Tenancy:
        coop, collective = tenant
        chart = federation.coops[coop].accounts
        return _Tenancy(
            federation.collectives[collective].name,
            chart.rent_receivable(collective),
            chart.prepaid_rent(collective),
            chart.rent_income(collective),
        )


class _Postings:
    """The two postings that move each amount from one account to another, made once.

    Postings and amounts are immutable, so every transaction that moves the same
    amount between the same accounts can hold the same two. A lease charges the
    same rent month after month, so this makes a few hundred postings instead of
    two per charge. That saves memory, and above all time in the rest of the load:
    Python's cyclic garbage collector never stops tracking named tuples, so each
    posting made here would be walked again at every full collection until the load
    ends, and their sheer number would trigger more of those collections.
    """

    def __init__(self, debit: str, credit: str, currency: str) -> None:
        self._debit = debit
        self._credit = credit
        self._currency = currency
        #: By the number's text: 1000 and 1000.00 are equal but not the same
        #: posting (Beancount infers a transaction's tolerance from the digits).
        self._made: dict[str, tuple[data.Posting, data.Posting]] = {}

    def of(self, number: Decimal) -> list[data.Posting]:
        """A new list of the postings that move ``number`` (a transaction's own)."""
        pair = self._made.get(str(number))
        if pair is None:
            pair = self._made[str(number)] = self._pair(number)
        return list(pair)

    def _pair(self, number: Decimal) -> tuple[data.Posting, data.Posting]:
        currency = self._currency
        return (
            data.Posting(self._debit, Amount(number, currency), None, None, None, None),
            data.Posting(self._credit, Amount(-number, currency), None, None, None, None),
        )


class _LeaseBook:
    """What every transaction of one lease shares, made once for all of them."""

    def __init__(
        self,
        lease: Lease,
        tenancy: _Tenancy,
        labels: dict[Frequency, dict[datetime.date, str]],
    ) -> None:
        #: Period labels by start date, shared by every lease of the same frequency.
        self._labels = labels[lease.frequency]
        self.payee = tenancy.payee
        self.lineno = lease.source["lineno"]
        self.link = frozenset({lease.link})
        self.charged = _Postings(tenancy.receivable, tenancy.income, lease.currency)
        self.applied = _Postings(tenancy.prepaid, tenancy.receivable, lease.currency)
        #: The narration's end, after the period's label.
        self.for_workplace = f" for {lease.workplace}"

    def label(self, period: Period) -> str:
        """``period.label``, made once per period for all the leases (it is slow)."""
        label = self._labels.get(period.start)
        if label is None:
            label = self._labels[period.start] = period.label
        return label


def rent_entries(
    charges: list[Charge], federation: Federation, entries: Sequence[data.Directive]
) -> list[data.Directive]:
    """The charge transactions, plus one application of prepaid credit where due."""
    by_tenant: dict[Tenant, list[Charge]] = defaultdict(list)
    for charge in charges:
        by_tenant[charge.lease.coop, charge.lease.collective].append(charge)
    movements: dict[Tenant, list[tuple[datetime.date, Decimal, Decimal]]] = defaultdict(
        list
    )
    for tenant, entry, owed, credit in tenant_movements(entries, rent_accounts(federation)):
        movements[tenant].append((entry.date, owed, credit))
    labels: dict[Frequency, dict[datetime.date, str]] = defaultdict(dict)
    result: list[data.Directive] = []
    for tenant, tenant_charges in by_tenant.items():
        tenant_charges.sort(key=_DUE)
        tenancy = _Tenancy.of(federation, tenant)
        leases = {charge.lease.id: charge.lease for charge in tenant_charges}
        books = {
            ident: _LeaseBook(lease, tenancy, labels) for ident, lease in leases.items()
        }
        result.extend(_with_credit(tenant_charges, movements[tenant], books))
    return result


def _with_credit(
    charges: list[Charge],
    movements: list[tuple[datetime.date, Decimal, Decimal]],
    books: dict[str, _LeaseBook],
) -> list[data.Directive]:
    """Charge transactions in order, applying credit the way :class:`TenantPosition` says.

    On a charge's due date, the charge comes before that day's payments: a payment
    on the due date was split by whoever booked it knowing the charge was there.
    """
    position = TenantPosition()
    result: list[data.Directive] = []
    moved = 0
    for charge in charges:
        while moved < len(movements) and movements[moved][0] < charge.due:
            _, owed, credit = movements[moved]
            position.owed += owed
            position.credit += credit
            moved += 1
        book = books[charge.lease.id]
        result.append(_charge_transaction(charge, book))
        applied = position.charge(charge.amount)
        if applied:
            result.append(_credit_transaction(charge, applied, book))
    return result


def _charge_transaction(charge: Charge, book: _LeaseBook) -> data.Transaction:
    """The transaction that records one charge as owed and earned."""
    narration = f"Rent {book.label(charge.period)}{book.for_workplace}"
    if charge.is_partial:
        narration += f", {charge.first_day} to {charge.last_day} pro rata"
    meta = {
        "filename": CHARGE_SOURCE,
        "lineno": book.lineno,
        "lease": charge.lease.id,
        "period-start": charge.first_day,
        "period-end": charge.last_day,
    }
    return data.Transaction(
        meta,
        charge.due,
        flags.FLAG_OKAY,
        book.payee,
        narration,
        data.EMPTY_SET,
        book.link,
        book.charged.of(charge.amount),
    )


def _credit_transaction(
    charge: Charge, applied: Decimal, book: _LeaseBook
) -> data.Transaction:
    """The transaction that pays part or all of a charge from prepaid credit."""
    meta = {"filename": CREDIT_SOURCE, "lineno": book.lineno, "lease": charge.lease.id}
    return data.Transaction(
        meta,
        charge.due,
        flags.FLAG_OKAY,
        book.payee,
        f"Prepaid rent applied to rent {book.label(charge.period)}",
        data.EMPTY_SET,
        book.link,
        book.applied.of(applied),
    )
