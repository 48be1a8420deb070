"""Money arithmetic shared by the rent schedule, the reports and the demo."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal

from beancount.core import data

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    """Round half up to the cent, the rule for every amount we compute."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def units(posting: data.Posting) -> Decimal:
    """A posting's number; zero for the rare posting Beancount left incomplete."""
    if posting.units is None or posting.units.number is None:
        return ZERO
    return posting.units.number
