"""A collective's running position with its co-op: rent owed and credit held.

One rule, used both when the rent plugin applies prepaid credit to new charges and
when a payment is split between what is owed and what is paid in advance:

* a new charge is paid first from any credit the collective holds;
* a payment settles what is owed first, and only the rest becomes credit.

So a collective never has credit and arrears at the same time, and "credit" on a
rent roll means everything due has been paid.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from ledger.federation import Tenant
from ledger.numbers import ZERO
from ledger.numbers import units


@dataclass
class TenantPosition:
    """What one collective owes its co-op (``owed``) and has paid ahead (``credit``)."""

    owed: Decimal = ZERO
    credit: Decimal = ZERO

    def charge(self, amount: Decimal) -> Decimal:
        """Add a charge and settle what the credit can; return the credit applied."""
        applied = max(min(self.credit, amount), ZERO)
        self.credit -= applied
        self.owed += amount - applied
        return applied

    def pay(self, amount: Decimal) -> tuple[Decimal, Decimal]:
        """Receive a payment; return (what settles arrears, what is kept as credit)."""
        settles = min(amount, max(self.owed, ZERO))
        self.owed -= settles
        self.credit += amount - settles
        return settles, amount - settles


def tenant_movements(
    entries: Sequence[data.Directive], accounts: Mapping[str, tuple[Tenant, bool]]
) -> Iterator[tuple[Tenant, data.Transaction, Decimal, Decimal]]:
    """Each posting to a collective's rent accounts, in ledger order.

    ``accounts`` maps each receivable (True) and prepaid-rent (False) account to its
    tenant (:func:`ledger.federation.rent_accounts`). Each movement is (tenant,
    transaction, change in what is owed, change in credit held): a receivable is an
    asset, so what is owed grows with it; prepaid rent is a liability, so credit
    grows as its balance goes negative.
    """
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            found = accounts.get(posting.account)
            if found is None:
                continue
            tenant, is_receivable = found
            number = units(posting)
            if is_receivable:
                yield tenant, entry, number, ZERO
            else:
                yield tenant, entry, ZERO, -number
