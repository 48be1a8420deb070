"""Leases between a co-op and a worker collective, as declared in the ledger.

A lease starts on its directive's date::

    2024-01-01 custom "lease" "RIV-BAKERY"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 1200.00 EUR          ; per period; 0.00 EUR for a rent-free lease
      frequency: "monthly"       ; "monthly" (default), "quarterly" or "yearly"
      due-day: 1                 ; day of the period's first month (default 1)
      end: 2028-12-31            ; optional: the lease's last day
      holiday-months: 6          ; optional: no rent for the first 6 months
      indexation: "index"        ; "none" (default), "fixed" or "index"
      index: "CPI"               ; with "index": which ``custom "index"`` series
      index-cap: 5               ; optional: at most +5 % a year
      index-floor: 0             ; optional: at least +0 % a year
      ; with "fixed":  indexation-rate: 2.5   (percent a year)

Later events refer to the lease by id::

    2025-04-01 custom "rent-change" "RIV-BAKERY"
      rent: 1350.00 EUR
    2026-02-15 custom "lease-termination" "RIV-BAKERY"
      reason: "The collective moved to a larger workplace"

A termination's date is the lease's last day. What these mean for each charge is
the rent schedule's business (:mod:`ledger.schedule`); this module checks that a
lease can be used at all and reports each problem at its directive's line.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from decimal import Decimal

from beancount.core import data

from ledger import directives
from ledger.errors import FieldError
from ledger.errors import LeaseError
from ledger.federation import Federation
from ledger.indexation import Indexation
from ledger.indexation import IndexSeries
from ledger.periods import FREQUENCIES
from ledger.periods import Frequency
from ledger.periods import add_months

#: Lease ids end up in links (``^lease-<id>``), which allow only these characters.
_LEASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class RentChange:
    """A new rent agreed for a lease, in force from ``date``."""

    date: datetime.date
    rent: Decimal
    source: data.Meta


@dataclass(frozen=True)
class Lease:
    """One lease, with the changes and termination recorded after it."""

    id: str
    coop: str
    collective: str
    workplace: str
    start: datetime.date
    end: datetime.date | None
    rent: Decimal
    currency: str
    frequency: Frequency
    due_day: int
    holiday_months: int
    indexation: Indexation
    source: data.Meta
    changes: tuple[RentChange, ...] = ()
    terminated: datetime.date | None = None

    @property
    def last_day(self) -> datetime.date | None:
        """The lease's last day: its termination, else its planned end, else none."""
        return self.terminated or self.end

    @property
    def commencement(self) -> datetime.date:
        """The first day rent is owed: the start, after any rent holiday."""
        return add_months(self.start, self.holiday_months)

    @property
    def link(self) -> str:
        """The link that ties the lease's charges and payments together."""
        return f"lease-{self.id}"

    def is_active_on(self, day: datetime.date) -> bool:
        """Whether the lease runs on ``day``."""
        return self.start <= day and (self.last_day is None or day <= self.last_day)


def read_leases(
    entries: Sequence[data.Directive],
    federation: Federation,
    indices: dict[str, IndexSeries],
) -> tuple[list[Lease], list[LeaseError]]:
    """Read every lease with its changes and termination; report what cannot be used.

    A lease with an error produces no charges at all: half a schedule would look
    like arrears or like rent forgiven, and neither is what the lease says.
    """
    errors: list[LeaseError] = []
    leases: dict[str, Lease] = {}
    for entry in directives.of_type(entries, "lease"):
        try:
            lease = _parse_lease(entry, federation, indices)
            if lease.id in leases:
                raise FieldError(f'lease "{lease.id}" is already declared')
        except FieldError as error:
            errors.append(LeaseError(entry.meta, str(error), entry))
            continue
        leases[lease.id] = lease
    # Terminations first, so that a rent change after the lease's last day is refused.
    for entry in directives.of_type(entries, "lease-termination"):
        _apply(entry, leases, errors, _terminate)
    for entry in directives.of_type(entries, "rent-change"):
        _apply(entry, leases, errors, _add_change)
    return _without_overlaps(list(leases.values()), errors), errors


def _parse_lease(
    entry: data.Custom, federation: Federation, indices: dict[str, IndexSeries]
) -> Lease:
    lease_id = directives.identifier(entry)
    if not _LEASE_ID.match(lease_id):
        raise FieldError(
            f'lease id "{lease_id}" may use only letters, digits, ".", "_" and "-" '
            "(it becomes part of the link ^lease-<id>)"
        )
    coop_id = directives.text(entry, "coop")
    coop = federation.coops.get(coop_id)
    if coop is None:
        raise FieldError(f'lease "{lease_id}": co-op "{coop_id}" is not declared')
    collective_id = directives.text(entry, "collective")
    collective = federation.collectives.get(collective_id)
    if collective is None:
        raise FieldError(
            f'lease "{lease_id}": collective "{collective_id}" is not declared'
        )
    if collective.coop != coop_id:
        raise FieldError(
            f'lease "{lease_id}": collective "{collective_id}" belongs to co-op '
            f'"{collective.coop}", not "{coop_id}"'
        )
    if entry.date < collective.declared:
        raise FieldError(
            f'lease "{lease_id}" starts {entry.date}, before collective "{collective_id}" '
            f"is declared ({collective.declared})"
        )
    rent, currency = directives.amount(entry, "rent")
    _check_rent(rent, currency, coop.currency, lease_id)
    end = directives.date(entry, "end")
    if end is not None and end < entry.date:
        raise FieldError(f'lease "{lease_id}": end {end} is before its start {entry.date}')
    frequency = directives.choice(entry, "frequency", tuple(FREQUENCIES), "monthly")
    return Lease(
        id=lease_id,
        coop=coop_id,
        collective=collective_id,
        workplace=directives.text(entry, "workplace"),
        start=entry.date,
        end=end,
        rent=rent,
        currency=currency,
        frequency=FREQUENCIES[frequency],
        due_day=directives.integer(entry, "due-day", 1, 1, 31),
        holiday_months=directives.integer(entry, "holiday-months", 0, 0, 120),
        indexation=_parse_indexation(entry, indices),
        source=entry.meta,
    )


def _check_rent(rent: Decimal, currency: str, coop_currency: str, lease_id: str) -> None:
    if rent < 0:
        raise FieldError(f'lease "{lease_id}": rent {rent} {currency} is negative')
    if currency != coop_currency:
        raise FieldError(
            f'lease "{lease_id}": rent is in {currency} but the co-op keeps its fund '
            f"in {coop_currency}"
        )


def _parse_indexation(entry: data.Custom, indices: dict[str, IndexSeries]) -> Indexation:
    kind = directives.choice(entry, "indexation", ("none", "fixed", "index"), "none")
    if kind == "fixed":
        return Indexation(kind, rate=directives.number(entry, "indexation-rate"))
    if kind == "none":
        return Indexation()
    name = directives.text(entry, "index")
    if name not in indices:
        raise FieldError(f'index "{name}" has no values: add custom "index" "{name}" lines')
    cap = _optional_number(entry, "index-cap")
    floor = _optional_number(entry, "index-floor")
    if cap is not None and floor is not None and cap < floor:
        raise FieldError(f"index-cap {cap} is below index-floor {floor}")
    return Indexation(kind, index=name, cap=cap, floor=floor)


def _optional_number(entry: data.Custom, key: str) -> Decimal | None:
    return directives.number(entry, key) if key in entry.meta else None


def _apply(
    entry: data.Custom,
    leases: dict[str, Lease],
    errors: list[LeaseError],
    update: Callable[[data.Custom, Lease], Lease],
) -> None:
    try:
        lease_id = directives.identifier(entry)
        lease = leases.get(lease_id)
        if lease is None:
            raise FieldError(
                f'{entry.type} refers to lease "{lease_id}", which is not declared'
            )
        if entry.date < lease.start:
            raise FieldError(
                f'{entry.type} on {entry.date} is before lease "{lease_id}" starts'
            )
        leases[lease_id] = update(entry, lease)
    except FieldError as error:
        errors.append(LeaseError(entry.meta, str(error), entry))


def _add_change(entry: data.Custom, lease: Lease) -> Lease:
    rent, currency = directives.amount(entry, "rent")
    _check_rent(rent, currency, lease.currency, lease.id)
    if lease.last_day is not None and entry.date > lease.last_day:
        raise FieldError(f'rent-change on {entry.date} is after lease "{lease.id}" ends')
    change = RentChange(entry.date, rent, entry.meta)
    return replace(lease, changes=(*lease.changes, change))


def _terminate(entry: data.Custom, lease: Lease) -> Lease:
    if lease.terminated is not None:
        raise FieldError(f'lease "{lease.id}" was already terminated on {lease.terminated}')
    if lease.end is not None and entry.date > lease.end:
        raise FieldError(f'termination on {entry.date} is after lease "{lease.id}" ends')
    return replace(lease, terminated=entry.date)


def _without_overlaps(leases: list[Lease], errors: list[LeaseError]) -> list[Lease]:
    """Drop (and report) a lease whose workplace is already let for part of its term."""
    kept: list[Lease] = []
    let: dict[tuple[str, str], list[Lease]] = defaultdict(list)
    for lease in sorted(leases, key=lambda lease: lease.start):
        workplace = let[lease.coop, lease.workplace]
        clash = next((o for o in workplace if o.is_active_on(lease.start)), None)
        if clash is None:
            kept.append(lease)
            workplace.append(lease)
            continue
        until = clash.last_day or "open-ended"
        message = (
            f'lease "{lease.id}": workplace "{lease.workplace}" of co-op "{lease.coop}" '
            f'is already let under lease "{clash.id}" ({clash.start} to {until})'
        )
        errors.append(LeaseError(lease.source, message, None))
    return kept
