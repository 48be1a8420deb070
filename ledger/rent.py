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
from decimal import Decimal

from beancount.core import amount as amount_lib
from beancount.core import data
from beancount.core import flags

from ledger.federation import Federation
from ledger.numbers import ZERO
from ledger.numbers import units
from ledger.schedule import Charge
from ledger.tenancy import TenantPosition

#: The ``filename`` of generated charges; it tells charges apart from everything else.
CHARGE_SOURCE = "<coopfund:rent>"
#: The ``filename`` of generated applications of prepaid credit.
CREDIT_SOURCE = "<coopfund:prepaid>"

Tenant = tuple[str, str]


def is_charge(entry: data.Directive) -> bool:
    """Whether ``entry`` is a rent charge produced by the plugin."""
    return isinstance(entry, data.Transaction) and entry.meta["filename"] == CHARGE_SOURCE


def rent_entries(
    charges: list[Charge], federation: Federation, entries: Sequence[data.Directive]
) -> list[data.Directive]:
    """The charge transactions, plus one application of prepaid credit where due."""
    by_tenant: dict[Tenant, list[Charge]] = defaultdict(list)
    for charge in charges:
        by_tenant[charge.lease.coop, charge.lease.collective].append(charge)
    movements = _tenant_movements(entries, federation, set(by_tenant))
    result: list[data.Directive] = []
    for tenant, tenant_charges in by_tenant.items():
        tenant_charges.sort(key=lambda charge: charge.due)
        result.extend(_with_credit(tenant_charges, movements[tenant], federation))
    return result


def _tenant_movements(
    entries: Sequence[data.Directive], federation: Federation, tenants: set[Tenant]
) -> dict[Tenant, list[tuple[datetime.date, Decimal, Decimal]]]:
    """Per tenant, each posting to its receivable or prepaid account, in date order.

    Each movement is (date, change in what is owed, change in credit held).
    """
    accounts: dict[str, tuple[Tenant, bool]] = {}
    for coop_id, collective in tenants:
        chart = federation.coops[coop_id].accounts
        accounts[chart.rent_receivable(collective)] = ((coop_id, collective), True)
        accounts[chart.prepaid_rent(collective)] = ((coop_id, collective), False)
    movements: dict[Tenant, list[tuple[datetime.date, Decimal, Decimal]]] = defaultdict(
        list
    )
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            found = accounts.get(posting.account)
            if found is None:
                continue
            tenant, is_receivable = found
            number = units(posting)
            # A receivable is an asset (owed grows with it); prepaid rent is a
            # liability (credit grows as its balance goes negative).
            change = (number, ZERO) if is_receivable else (ZERO, -number)
            movements[tenant].append((entry.date, *change))
    return movements


def _with_credit(
    charges: list[Charge],
    movements: list[tuple[datetime.date, Decimal, Decimal]],
    federation: Federation,
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
        result.append(charge_transaction(charge, federation))
        applied = position.charge(charge.amount)
        if applied:
            result.append(credit_transaction(charge, applied, federation))
    return result


def _meta(source: str, charge: Charge, extra: dict[str, object]) -> data.Meta:
    return data.new_metadata(source, charge.lease.source["lineno"], extra)


def charge_transaction(charge: Charge, federation: Federation) -> data.Transaction:
    """The transaction that records one charge as owed and earned."""
    lease = charge.lease
    chart = federation.coops[lease.coop].accounts
    narration = f"Rent {charge.period.label} for {lease.workplace}"
    if charge.is_partial:
        narration += f", {charge.first_day} to {charge.last_day} pro rata"
    meta = _meta(
        CHARGE_SOURCE,
        charge,
        {
            "lease": lease.id,
            "period-start": charge.first_day,
            "period-end": charge.last_day,
        },
    )
    return _transaction(
        charge,
        meta,
        narration,
        federation,
        debit=chart.rent_receivable(lease.collective),
        credit=chart.rent_income(lease.collective),
        number=charge.amount,
    )


def credit_transaction(
    charge: Charge, applied: Decimal, federation: Federation
) -> data.Transaction:
    """The transaction that pays part or all of a charge from prepaid credit."""
    lease = charge.lease
    chart = federation.coops[lease.coop].accounts
    return _transaction(
        charge,
        _meta(CREDIT_SOURCE, charge, {"lease": lease.id}),
        f"Prepaid rent applied to rent {charge.period.label}",
        federation,
        debit=chart.prepaid_rent(lease.collective),
        credit=chart.rent_receivable(lease.collective),
        number=applied,
    )


def _transaction(
    charge: Charge,
    meta: data.Meta,
    narration: str,
    federation: Federation,
    *,
    debit: str,
    credit: str,
    number: Decimal,
) -> data.Transaction:
    lease = charge.lease
    payee = federation.collectives[lease.collective].name
    return data.Transaction(
        meta,
        charge.due,
        flags.FLAG_OKAY,
        payee,
        narration,
        data.EMPTY_SET,
        frozenset({lease.link}),
        [
            data.Posting(
                debit, amount_lib.Amount(number, lease.currency), None, None, None, None
            ),
            data.Posting(
                credit, amount_lib.Amount(-number, lease.currency), None, None, None, None
            ),
        ],
    )
