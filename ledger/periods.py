"""Calendar arithmetic for rent: billing periods, due dates, adding months.

Rent is billed by calendar period (a month, a quarter starting in January, April,
July or October, or a calendar year), which is how treasurers read a rent roll.
"""

from __future__ import annotations

import calendar
import datetime
import enum
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple


class Frequency(enum.Enum):
    """How often rent is charged; the value is the period's length in months."""

    MONTHLY = 1
    QUARTERLY = 3
    YEARLY = 12

    @property
    def label(self) -> str:
        """The word used in ledgers: ``monthly``, ``quarterly``, ``yearly``."""
        return self.name.lower()


#: Each frequency by the word used in ledgers.
FREQUENCIES = {frequency.label: frequency for frequency in Frequency}


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """28 to 31. (``calendar.monthrange`` also computes a weekday: too slow per charge.)"""
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day if it is shorter.

    2024-01-31 plus one month is 2024-02-29: a lease that starts on the 31st still
    has a day in February.
    """
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return datetime.date(year, month + 1, min(day.day, days_in_month(year, month + 1)))


class Period(NamedTuple):
    """One billing period, both ends inclusive.

    A named tuple rather than a dataclass: a federation's history has a period per
    charge, and tuples are made several times faster.
    """

    start: datetime.date
    end: datetime.date
    frequency: Frequency

    @property
    def days(self) -> int:
        """Its length in days, the denominator of a partial period's share."""
        return (self.end - self.start).days + 1

    def due_date(self, due_day: int) -> datetime.date:
        """The ``due_day`` of the period's first month, or that month's last day."""
        last = days_in_month(self.start.year, self.start.month)
        return self.start.replace(day=min(due_day, last))

    def next(self) -> Period:
        """The period that follows this one."""
        start = self.end + datetime.timedelta(days=1)
        return Period(start, _period_end(start, self.frequency), self.frequency)

    @property
    def label(self) -> str:
        """``2024-03``, ``2024-Q2`` or ``2024``, as people write them."""
        year, month = self.start.year, self.start.month
        if self.frequency is Frequency.MONTHLY:
            return f"{year}-{month:02d}"
        if self.frequency is Frequency.QUARTERLY:
            return f"{year}-Q{(month - 1) // 3 + 1}"
        return str(year)


def period_containing(day: datetime.date, frequency: Frequency) -> Period:
    """The calendar month, quarter or year that contains ``day``."""
    first_month = (day.month - 1) // frequency.value * frequency.value + 1
    start = datetime.date(day.year, first_month, 1)
    return Period(start, _period_end(start, frequency), frequency)


def _period_end(start: datetime.date, frequency: Frequency) -> datetime.date:
    """The last day of the period that begins on ``start`` (a first of a month)."""
    year, month = divmod(start.year * 12 + start.month - 2 + frequency.value, 12)
    return datetime.date(year, month + 1, days_in_month(year, month + 1))


class Calendar:
    """Periods and due dates, each worked out once and then shared.

    A federation's leases are charged for the same calendar months again and again
    (1,078 leases over ten years: 81,000 charges, 120 months), so the rent
    schedule looks each period and due date up here instead of computing it anew.
    Periods are immutable, so sharing them is safe. The tables are keyed by dates
    and ints, not by periods: a period's hash would call the enum's Python-level
    ``__hash__``.
    """

    def __init__(self) -> None:
        self._after: dict[Frequency, dict[datetime.date, Period]] = {
            frequency: {} for frequency in Frequency
        }
        self._due: dict[int, dict[datetime.date, datetime.date]] = defaultdict(dict)

    def periods(self, first: Period) -> Iterator[Period]:
        """``first`` and every period after it, in order, without end."""
        after = self._after[first.frequency]
        period = first
        while True:
            yield period
            following = after.get(period.start)
            if following is None:
                following = after[period.start] = period.next()
            period = following

    def due_dates(self, due_day: int) -> dict[datetime.date, datetime.date]:
        """The due dates (by period start) on ``due_day``, for :meth:`due_date`."""
        return self._due[due_day]

    @staticmethod
    def due_date(
        known: dict[datetime.date, datetime.date], period: Period, due_day: int
    ) -> datetime.date:
        """``period.due_date(due_day)``, looked up in ``known`` (from :meth:`due_dates`)."""
        due = known.get(period.start)
        if due is None:
            due = known[period.start] = period.due_date(due_day)
        return due


_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$")


def parse_period(text: str) -> Period:
    """A calendar period as people write it: ``2026``, ``2026-Q3`` or ``2026-07``."""
    found = _PERIOD.match(text.strip())
    if found is None:
        raise ValueError(
            f'period "{text}" must be a year (2026), a quarter (2026-Q3) or a month '
            "(2026-07)"
        )
    year, quarter, month = found.groups()
    if quarter:
        return period_containing(
            datetime.date(int(year), int(quarter) * 3, 1), Frequency.QUARTERLY
        )
    if month:
        return period_containing(datetime.date(int(year), int(month), 1), Frequency.MONTHLY)
    return period_containing(datetime.date(int(year), 1, 1), Frequency.YEARLY)


def period_between(start: datetime.date, end: datetime.date) -> Period | None:
    """The calendar month, quarter or year that is exactly ``start``..``end``."""
    for frequency in Frequency:
        period = period_containing(start, frequency)
        if (period.start, period.end) == (start, end):
            return period
    return None
