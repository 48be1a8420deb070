"""A collective's running position with its co-op: rent owed and credit held.

One rule, used both when the rent plugin applies prepaid credit to new charges and
when a payment is split between what is owed and what is paid in advance:

* a new charge is paid first from any credit the collective holds;
* a payment settles what is owed first, and only the rest becomes credit.

So a collective never has credit and arrears at the same time, and "credit" on a
rent roll means everything due has been paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.numbers import ZERO


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
