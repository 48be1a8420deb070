"""The rent schedule: which charges a lease produces, for which periods, how much.

The rules, as a treasurer would check them by hand:

1. **Periods are calendar periods**: months; quarters starting in January, April,
   July and October; calendar years. A period's rent is due on the lease's due day
   of the period's first month (the month's last day if it is shorter).
2. **Rent commences** on the lease's start date, or ``holiday-months`` months after
   it when the lease has a rent holiday. Nothing is charged before.
3. **Partial first or last period**: when rent commences, or the lease ends or is
   terminated, part-way through a period, the charge is the period's rent times
   the days let in the period divided by the days in the period, rounded half up
   to the cent. A partial first period is due on the later of the period's due
   date and the first day charged.
4. **Which rent applies**: the rent in force on the first day charged in the period
   applies to the whole period. A rent change or review dated inside a period
   therefore takes effect from the next period.
5. **Reviews** happen on each anniversary of the start: fixed indexation adds its
   rate; index indexation follows the index from the date the rent was last set to
   the review date, clamped to the cap and floor; the new rent is rounded half up
   to the cent. A rent change on an anniversary replaces that year's review.
6. **Rent-free**: while the rent in force is zero, no charge is produced at all
   (a zero charge would later read as arrears).
7. Charges are produced for every period due on or before the ``until`` date.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ledger.indexation import HUNDRED
from ledger.indexation import IndexSeries
from ledger.lease import Lease
from ledger.numbers import to_cents
from ledger.periods import Calendar
from ledger.periods import Period
from ledger.periods import add_months
from ledger.periods import period_containing


@dataclass(frozen=True)
class RentStep:
    """The rent per period in force from ``since`` until the next step."""

    since: datetime.date
    rent: Decimal
    reason: str


class Charge(NamedTuple):
    """One period's rent, owed by the lease's collective from ``due``.

    (A named tuple, like :class:`~ledger.periods.Period`, for speed: one per charge.)
    """

    lease: Lease
    due: datetime.date
    period: Period
    first_day: datetime.date
    last_day: datetime.date
    #: The rent for the whole period, before any pro-rating.
    period_rent: Decimal
    amount: Decimal

    @property
    def is_partial(self) -> bool:
        """Whether only part of the period is charged."""
        return (self.first_day, self.last_day) != (self.period.start, self.period.end)


def rent_steps(
    lease: Lease, series: IndexSeries | None, until: datetime.date
) -> tuple[list[RentStep], list[str]]:
    """The lease's rent over time, up to ``until``, and the reviews that could not run."""
    steps = [RentStep(lease.start, lease.rent, "lease start")]
    problems: list[str] = []
    changes = {change.date: change for change in lease.changes}
    base = lease.start
    horizon = min(until, lease.last_day or until)
    for day in sorted({*changes, *_anniversaries(lease.start, horizon)}):
        if day in changes:
            steps.append(RentStep(day, changes[day].rent, "rent change"))
            base = day
            continue
        percent = lease.indexation.change_percent(series, base, day)
        if percent is None:
            problems.append(
                f'lease "{lease.id}": no "{lease.indexation.index}" value on or before '
                f"{base} and {day} for the review on {day}; the rent stays unchanged"
            )
            continue
        if percent:
            new_rent = to_cents(steps[-1].rent * (1 + percent / HUNDRED))
            steps.append(RentStep(day, new_rent, f"indexation {percent:+.2f} %"))
        base = day
    return steps, problems


def _anniversaries(start: datetime.date, horizon: datetime.date) -> list[datetime.date]:
    days = []
    years = 1
    while (day := add_months(start, 12 * years)) <= horizon:
        days.append(day)
        years += 1
    return days


def charges(
    lease: Lease,
    series: IndexSeries | None,
    until: datetime.date,
    calendar: Calendar | None = None,
) -> tuple[list[Charge], list[str]]:
    """Every charge of the lease due on or before ``until``, in date order.

    ``calendar`` shares periods and due dates between leases (the plugin passes one
    for all of them); the rules above are applied to each period exactly as written.
    """
    steps, problems = rent_steps(lease, series, until)
    since = [step.since for step in steps]
    result: list[Charge] = []
    commencement, last_day = lease.commencement, lease.last_day or datetime.date.max
    calendar = calendar or Calendar()
    due_day = lease.due_day
    known_dues = calendar.due_dates(due_day)
    for period in calendar.periods(period_containing(commencement, lease.frequency)):
        start, end = period.start, period.end
        first = max(start, commencement)
        last = min(end, last_day)
        due = max(calendar.due_date(known_dues, period, due_day), first)
        if first > last or due > until:
            return result, problems
        rent = steps[bisect.bisect_right(since, first) - 1].rent
        if rent:
            amount = rent
            if first != start or last != end:  # a partial period
                amount = to_cents(rent * ((last - first).days + 1) / period.days)
            result.append(Charge(lease, due, period, first, last, rent, amount))
    raise AssertionError("unreachable: the periods never end")  # pragma: no cover
