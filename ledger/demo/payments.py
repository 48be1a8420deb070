"""Simulated rent payments: how each collective's habits turn charges into transfers.

Deterministic: each collective draws from its own random stream, seeded by the
federation's seed and the collective's id, so adding a collective does not change
what the others pay.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from ledger.demo.spec import PayerHabits
from ledger.numbers import to_cents


@dataclass(frozen=True)
class Due:
    """One charge as the payer sees it on the co-op's invoice."""

    lease: str
    due: datetime.date
    period: str
    amount: Decimal


@dataclass(frozen=True)
class Transfer:
    """One bank transfer a collective makes towards its rent."""

    date: datetime.date
    amount: Decimal
    lease: str
    period: str


def transfers(dues: list[Due], habits: PayerHabits, rng: random.Random) -> list[Transfer]:
    """The transfers a payer with ``habits`` makes for ``dues``, in date order."""
    result: list[Transfer] = []
    for due in dues:
        amount = due.amount
        if habits.arrears_from is not None and due.due >= habits.arrears_from:
            amount = to_cents(amount * Decimal(str(habits.arrears_share)))
        if not amount:
            continue
        paid_on = due.due + datetime.timedelta(days=_delay(habits, rng))
        if rng.random() < habits.partial_chance:
            first = to_cents(amount * Decimal(str(round(rng.uniform(0.4, 0.8), 2))))
            later = paid_on + datetime.timedelta(days=rng.randint(20, 50))
            result.append(Transfer(paid_on, first, due.lease, due.period))
            result.append(Transfer(later, amount - first, due.lease, due.period))
        elif rng.random() < habits.overpay_chance:
            rounded_up = (amount / 500).to_integral_value(rounding="ROUND_CEILING") * 500
            extra = max(rounded_up - amount, Decimal(100))
            result.append(Transfer(paid_on, amount + extra, due.lease, due.period))
        else:
            result.append(Transfer(paid_on, amount, due.lease, due.period))
    return sorted(result, key=lambda transfer: transfer.date)


def _delay(habits: PayerHabits, rng: random.Random) -> int:
    delay = rng.randint(*habits.delay)
    if rng.random() < habits.late_chance:
        delay += rng.randint(15, 45)
    return delay
