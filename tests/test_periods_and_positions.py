"""Calendar arithmetic and the arrears/credit rule, on their own."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ledger.periods import Frequency
from ledger.periods import add_months
from ledger.periods import period_containing
from ledger.tenancy import TenantPosition

day = datetime.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (day(2024, 1, 31), 1, day(2024, 2, 29)),
        (day(2023, 1, 31), 1, day(2023, 2, 28)),
        (day(2024, 11, 15), 3, day(2025, 2, 15)),
        (day(2024, 3, 1), 6, day(2024, 9, 1)),
        (day(2024, 2, 29), 12, day(2025, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_last(start, months, expected) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("frequency", "inside", "first", "last", "label"),
    [
        (Frequency.MONTHLY, day(2024, 2, 10), day(2024, 2, 1), day(2024, 2, 29), "2024-02"),
        (
            Frequency.QUARTERLY,
            day(2024, 5, 31),
            day(2024, 4, 1),
            day(2024, 6, 30),
            "2024-Q2",
        ),
        (Frequency.YEARLY, day(2024, 7, 4), day(2024, 1, 1), day(2024, 12, 31), "2024"),
    ],
)
def test_periods_are_calendar_periods(frequency, inside, first, last, label) -> None:
    period = period_containing(inside, frequency)
    assert (period.start, period.end, period.label) == (first, last, label)
    assert period.next().start == last + datetime.timedelta(days=1)


def test_due_day_beyond_the_month_is_its_last_day() -> None:
    assert period_containing(day(2025, 2, 3), Frequency.MONTHLY).due_date(31) == day(
        2025, 2, 28
    )


def test_payment_settles_arrears_first_and_keeps_the_rest_as_credit() -> None:
    position = TenantPosition()
    assert position.charge(Decimal(100)) == 0
    assert position.pay(Decimal(150)) == (Decimal(100), Decimal(50))
    assert position.charge(Decimal(100)) == Decimal(50), "credit pays the next charge"
    assert (position.owed, position.credit) == (Decimal(50), Decimal(0))
    assert position.pay(Decimal(20)) == (Decimal(20), Decimal(0))
    assert (position.owed, position.credit) == (Decimal(30), Decimal(0))
