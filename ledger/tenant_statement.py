"""A collective's statement of account with its co-op: charges, payments, balance.

What a treasurer sends a collective that disputes its arrears: every charge and
every payment in date order with the running balance, positive when the collective
owes money and negative when it has paid ahead. Applications of prepaid credit do
not change that balance (money moves from the collective's credit to its charges),
so they are not lines of their own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from ledger.arrears import lease_of
from ledger.books import Books
from ledger.numbers import ZERO
from ledger.numbers import units
from ledger.rent import is_charge


class UnknownCollective(ValueError):
    """No collective of that id is declared; the message lists the ones that are."""


@dataclass(frozen=True)
class StatementLine:
    """One charge or payment, and the balance after it."""

    date: datetime.date
    description: str
    lease: str | None
    charge: Decimal
    payment: Decimal
    balance: Decimal


def tenant_statement(
    books: Books, collective: str, as_of: datetime.date
) -> list[StatementLine]:
    """Every charge and payment of ``collective`` up to ``as_of``, with the balance."""
    federation = books.federation
    if collective not in federation.collectives:
        known = ", ".join(sorted(federation.collectives)) or "none"
        raise UnknownCollective(
            f'no collective "{collective}" is declared (declared: {known})'
        )
    chart = federation.coops[federation.collectives[collective].coop].accounts
    accounts = {chart.rent_receivable(collective), chart.prepaid_rent(collective)}
    lines: list[StatementLine] = []
    balance = ZERO
    for entry in books.entries:
        if entry.date > as_of:
            break
        if not isinstance(entry, data.Transaction):
            continue
        change = sum((units(p) for p in entry.postings if p.account in accounts), ZERO)
        if not change:
            continue
        balance += change
        charge, payment = (change, ZERO) if change > 0 else (ZERO, -change)
        description = (entry.narration or "") if is_charge(entry) else _payment(entry)
        lines.append(
            StatementLine(
                entry.date, description, lease_of(entry), charge, payment, balance
            )
        )
    return lines


def _payment(entry: data.Transaction) -> str:
    reference = entry.meta.get("bank-ref")
    text = entry.narration or "Payment"
    return f"{text} (bank ref. {reference})" if reference else text
