"""Each collective's rent position on any date, with payments not booked yet.

Importing a statement books payments between charges that already exist. How a
payment splits into arrears and credit depends on everything before it, including
credit that earlier lines of the same import create; and the rent plugin will
apply that credit to later charges when the ledger is next loaded. So the position
is replayed from the ledger as the plugin sees it: the charges, and every booked
movement on the receivable and prepaid accounts *except* the plugin's own credit
applications, which the replay makes itself with the same rule
(:class:`~ledger.tenancy.TenantPosition`). A first-in-first-out
:class:`~ledger.arrears.TenantLedger` runs alongside, to know which lease has the
oldest unpaid rent.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from ledger.arrears import TenantLedger
from ledger.arrears import lease_of
from ledger.books import Books
from ledger.federation import Tenant
from ledger.federation import rent_accounts
from ledger.rent import CREDIT_SOURCE
from ledger.rent import is_charge
from ledger.tenancy import TenantPosition
from ledger.tenancy import tenant_movements

_CHARGE, _MOVEMENT = 0, 1


@dataclass(order=True)
class _Event:
    date: datetime.date
    #: Charges come before the same day's movements, as in the plugin.
    kind: int
    owed: Decimal = field(compare=False)
    credit: Decimal = field(compare=False)
    lease: str | None = field(compare=False)


@dataclass
class _Replay:
    events: list[_Event] = field(default_factory=list)
    done: int = 0
    position: TenantPosition = field(default_factory=TenantPosition)
    fifo: TenantLedger = field(default_factory=TenantLedger)

    def advance(self, day: datetime.date) -> None:
        """Apply every event dated on or before ``day``."""
        while self.done < len(self.events) and self.events[self.done].date <= day:
            event = self.events[self.done]
            self.done += 1
            if event.kind == _CHARGE:
                self.fifo.debit(event.date, event.owed, event.lease)
                applied = self.position.charge(event.owed)
                if applied:
                    self.fifo.settle(applied)
                continue
            self.position.owed += event.owed
            self.position.credit += event.credit
            if event.owed > 0:
                self.fifo.debit(event.date, event.owed, event.lease)
            elif event.owed < 0:
                self.fifo.settle(-event.owed)


class TenantTimeline:
    """Positions of every collective, replayed up to each date asked, in order.

    Dates must be asked in non-decreasing order per collective, which is how the
    importer books a statement's lines.
    """

    def __init__(self, books: Books) -> None:
        self._replays: dict[Tenant, _Replay] = defaultdict(_Replay)
        accounts = rent_accounts(books.federation)
        for tenant, entry, owed, credit in tenant_movements(books.entries, accounts):
            if entry.meta.get("filename") == CREDIT_SOURCE:
                continue  # the replay applies credit itself
            kind = _CHARGE if is_charge(entry) else _MOVEMENT
            self._replays[tenant].events.append(
                _Event(entry.date, kind, owed, credit, lease_of(entry))
            )
        for replay in self._replays.values():
            replay.events.sort()

    def oldest_unpaid_lease(self, tenant: Tenant, day: datetime.date) -> str | None:
        """The lease with the collective's oldest unpaid rent on ``day``, if any."""
        replay = self._replays[tenant]
        replay.advance(day)
        oldest = replay.fifo.oldest_open()
        return oldest.lease if oldest else None

    def pay(
        self, tenant: Tenant, day: datetime.date, amount: Decimal
    ) -> tuple[Decimal, Decimal]:
        """Book a payment on ``day``: (what settles arrears, what becomes credit)."""
        replay = self._replays[tenant]
        replay.advance(day)
        settles, credit = replay.position.pay(amount)
        if settles:
            replay.fifo.settle(settles)
        return settles, credit
