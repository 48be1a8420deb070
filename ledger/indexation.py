"""Rent indexation: fixed yearly steps, or a published index with a cap and a floor.

Index values are recorded in the ledger, one directive per published value, dated
on the day the value refers to::

    2024-01-01 custom "index" "CPI" 121.7

A review uses the latest value on or before its date, so a late publication never
changes a rent retroactively.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from beancount.core import data

from ledger import directives
from ledger.errors import FieldError
from ledger.errors import LeaseError

HUNDRED = Decimal(100)


@dataclass
class IndexSeries:
    """The published values of one index, in date order."""

    name: str
    dates: list[datetime.date] = field(default_factory=list)
    values: list[Decimal] = field(default_factory=list)

    def value_on(self, day: datetime.date) -> Decimal | None:
        """The latest value published on or before ``day``, if any."""
        position = bisect.bisect_right(self.dates, day)
        return self.values[position - 1] if position else None


def read_indices(
    entries: Sequence[data.Directive],
) -> tuple[dict[str, IndexSeries], list[LeaseError]]:
    """Collect every ``custom "index"`` value, refusing two values for one date."""
    series: dict[str, IndexSeries] = {}
    errors: list[LeaseError] = []
    for entry in directives.of_type(entries, "index"):
        try:
            name, value = _index_value(entry)
        except FieldError as error:
            errors.append(LeaseError(entry.meta, str(error), entry))
            continue
        index = series.setdefault(name, IndexSeries(name))
        if index.dates and index.dates[-1] == entry.date:
            message = f'index "{name}" already has a value for {entry.date}'
            errors.append(LeaseError(entry.meta, message, entry))
            continue
        index.dates.append(entry.date)
        index.values.append(value)
    return series, errors


def _index_value(entry: data.Custom) -> tuple[str, Decimal]:
    name = directives.identifier(entry)
    value = entry.values[1].value if len(entry.values) > 1 else None
    if isinstance(value, bool) or not isinstance(value, Decimal) or value <= 0:
        raise FieldError(f'custom "index" "{name}" needs a positive value after the name')
    return name, value


@dataclass(frozen=True)
class Indexation:
    """How a lease's rent is reviewed on each anniversary of its start.

    ``kind`` is ``"none"``, ``"fixed"`` (``rate`` percent a year) or ``"index"``
    (follow ``index``, the yearly change clamped to ``[floor, cap]`` percent).
    """

    kind: str = "none"
    rate: Decimal = Decimal(0)
    index: str | None = None
    cap: Decimal | None = None
    floor: Decimal | None = None

    def change_percent(
        self, series: IndexSeries | None, base: datetime.date, review: datetime.date
    ) -> Decimal | None:
        """The percentage by which rent moves at ``review``; None if it cannot be known.

        ``base`` is the date the current rent was set (the start, the last review or
        the last rent change); the index moves from its value then to its value now.
        """
        if self.kind == "none":
            return Decimal(0)
        if self.kind == "fixed":
            return self.rate
        if series is None:
            return None
        before, now = series.value_on(base), series.value_on(review)
        if before is None or now is None:
            return None
        change = (now / before - 1) * HUNDRED
        if self.cap is not None:
            change = min(change, self.cap)
        if self.floor is not None:
            change = max(change, self.floor)
        return change
