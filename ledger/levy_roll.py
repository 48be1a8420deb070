"""What each co-op owes its region (and each region its nation) in levies.

One line per payer and year (per ``^levy-<payer>-<year>`` link): the levy the
plugin booked, what the payer's books show it paid, what the receiver's books
show it received (the two differ by money in transit, or by a payment one side has not
booked yet), what is still owed, its due date and the days past it.

A co-op's own ledger holds only its side: the receiver's column is then empty.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from ledger.federation import Federation
from ledger.levy import LEVY_SOURCE
from ledger.numbers import ZERO
from ledger.numbers import units


@dataclass(frozen=True)
class LevyLine:
    """One payer's levy for one year, and what became of it."""

    payer: str
    receiver: str
    year: int
    currency: str
    amount: Decimal
    due: datetime.date
    #: Paid, by the payer's books; None when the ledger keeps only the receiver's.
    paid: Decimal | None
    #: Received, by the receiver's books; None in a co-op's own ledger.
    received: Decimal | None

    @property
    def owed(self) -> Decimal:
        """The levy less what reached the receiver (or, alone, what the payer paid)."""
        settled = self.received if self.received is not None else self.paid
        return self.amount - (settled or ZERO)

    def days_late(self, as_of: datetime.date) -> int:
        """Days past the due date with something still owed; 0 otherwise."""
        return max((as_of - self.due).days, 0) if self.owed > 0 else 0


def levy_roll(
    entries: Sequence[data.Directive], federation: Federation, as_of: datetime.date
) -> list[LevyLine]:
    """Every levy booked by ``as_of``, by year and payer."""
    sides = {}
    for payer in federation.entities():
        receiver = federation.entity(payer.above) if payer.above else None
        if receiver is not None:
            sides[payer.accounts.levy_payable] = (payer.id, "paid")
            sides[receiver.accounts.levy_receivable(payer.id)] = (payer.id, "received")
    levies: dict[str, data.Transaction] = {}
    moved: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    seen_sides: set[tuple[str, str]] = set()
    for entry in entries:
        if entry.date > as_of:
            break
        if not isinstance(entry, data.Transaction):
            continue
        links = [link for link in entry.links if link.startswith("levy-")]
        if not links:
            continue
        for posting in entry.postings:
            side = sides.get(posting.account)
            if side is None:
                continue
            seen_sides.add((links[0], side[1]))
            if entry.meta["filename"] == LEVY_SOURCE:
                levies.setdefault(links[0], entry)
            else:
                moved[links[0], side[1]] += abs(units(posting))
    return [
        _line(link, levy, moved, seen_sides, federation)
        for link, levy in sorted(levies.items(), key=lambda item: (item[1].date, item[0]))
    ]


def _line(
    link: str,
    levy: data.Transaction,
    moved: dict[tuple[str, str], Decimal],
    seen_sides: set[tuple[str, str]],
    federation: Federation,
) -> LevyLine:
    payer = federation.entity(str(levy.meta["payer"]))
    assert payer is not None  # the plugin books levies of declared payers only

    def side(name: str) -> Decimal | None:
        return moved.get((link, name), ZERO) if (link, name) in seen_sides else None

    return LevyLine(
        payer=payer.id,
        receiver=str(levy.meta["levy"]),
        year=levy.date.year,
        currency=payer.currency,
        amount=abs(units(levy.postings[0])),
        due=levy.meta["due"],
        paid=side("paid"),
        received=side("received"),
    )
