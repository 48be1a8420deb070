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

from beancount.core import data
from beancount.core import flags
from beancount.core.amount import Amount

from ledger.federation import Federation
from ledger.federation import Tenant
from ledger.federation import rent_accounts
from ledger.schedule import Charge
from ledger.tenancy import TenantPosition
from ledger.tenancy import tenant_movements

#: The ``filename`` of generated charges; it tells charges apart from everything else.
CHARGE_SOURCE = "<coopfund:rent>"
#: The ``filename`` of generated applications of prepaid credit.
CREDIT_SOURCE = "<coopfund:prepaid>"


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


def rent_entries(
    charges: list[Charge], federation: Federation, entries: Sequence[data.Directive]
) -> list[data.Directive]:
    """The charge transactions, plus one application of prepaid credit where due."""
    by_tenant: dict[Tenant, list[Charge]] = defaultdict(list)
    for charge in charges:
        by_tenant[charge.lease.coop, charge.lease.collective].append(charge)
    tenancies = {tenant: _Tenancy.of(federation, tenant) for tenant in by_tenant}
    movements: dict[Tenant, list[tuple[datetime.date, Decimal, Decimal]]] = defaultdict(
        list
    )
    for tenant, entry, owed, credit in tenant_movements(entries, rent_accounts(federation)):
        movements[tenant].append((entry.date, owed, credit))
    result: list[data.Directive] = []
    for tenant, tenant_charges in by_tenant.items():
        tenant_charges.sort(key=lambda charge: charge.due)
        result.extend(_with_credit(tenant_charges, movements[tenant], tenancies[tenant]))
    return result


def _with_credit(
    charges: list[Charge],
    movements: list[tuple[datetime.date, Decimal, Decimal]],
    tenancy: _Tenancy,
) -> list[data.Directive]:
    """Charge transactions in order, applying credit the way :class:`TenantPosition` says.

    On a charge's due date, the charge comes before that day's payments: a payment
    on the due date was split by whoever booked it knowing the charge was there.
    """
    position = TenantPosition()
    result: list[data.Directive] = []
    moved = 0
    links = {charge.lease.id: frozenset({charge.lease.link}) for charge in charges}
    for charge in charges:
        while moved < len(movements) and movements[moved][0] < charge.due:
            _, owed, credit = movements[moved]
            position.owed += owed
            position.credit += credit
            moved += 1
        link = links[charge.lease.id]
        result.append(_charge_transaction(charge, tenancy, link))
        applied = position.charge(charge.amount)
        if applied:
            result.append(_credit_transaction(charge, applied, tenancy, link))
    return result


def _charge_transaction(
    charge: Charge, tenancy: _Tenancy, link: frozenset[str]
) -> data.Transaction:
    """The transaction that records one charge as owed and earned."""
    narration = f"Rent {charge.period.label} for {charge.lease.workplace}"
    if charge.is_partial:
        narration += f", {charge.first_day} to {charge.last_day} pro rata"
    meta = {
        "filename": CHARGE_SOURCE,
        "lineno": charge.lease.source["lineno"],
        "lease": charge.lease.id,
        "period-start": charge.first_day,
        "period-end": charge.last_day,
    }
    return _transaction(
        charge,
        meta,
        narration,
        payee=tenancy.payee,
        links=link,
        debit=tenancy.receivable,
        credit=tenancy.income,
        number=charge.amount,
    )


def _credit_transaction(
    charge: Charge, applied: Decimal, tenancy: _Tenancy, link: frozenset[str]
) -> data.Transaction:
    """The transaction that pays part or all of a charge from prepaid credit."""
    meta = {
        "filename": CREDIT_SOURCE,
        "lineno": charge.lease.source["lineno"],
        "lease": charge.lease.id,
    }
    narration = f"Prepaid rent applied to rent {charge.period.label}"
    return _transaction(
        charge,
        meta,
        narration,
        payee=tenancy.payee,
        links=link,
        debit=tenancy.prepaid,
        credit=tenancy.receivable,
        number=applied,
    )


def _transaction(
    charge: Charge,
    meta: data.Meta,
    narration: str,
    *,
    payee: str,
    links: frozenset[str],
    debit: str,
    credit: str,
    number: Decimal,
) -> data.Transaction:
    """On the charge's due date, ``number`` moved from ``credit`` to ``debit``."""
    currency = charge.lease.currency
    return data.Transaction(
        meta,
        charge.due,
        flags.FLAG_OKAY,
        payee,
        narration,
        data.EMPTY_SET,
        links,
        [
            data.Posting(debit, Amount(number, currency), None, None, None, None),
            data.Posting(credit, Amount(-number, currency), None, None, None, None),
        ],
    )
