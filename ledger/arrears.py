"""Who owes what, for which lease, and for how long: first in, first out.

Each collective's rent receivable is a queue of open items. A charge adds an item
due on its due date; anything else that raises the receivable (a returned payment,
a charge booked by hand) adds an item due on its own date. Anything that lowers it
(a payment, prepaid credit applied, rent forgiven) settles the oldest open items
first, whatever the payer wrote on the transfer: the usual rule in property
management, and the one that makes aging meaningful.

Aging buckets count days past due at the as-of date: 0-30, 31-60, 61-90, 90+.
Credit is what the collective paid ahead: its prepaid-rent balance, plus any amount
by which payments booked to the receivable exceeded everything charged. Credit and
last payments are attributed to the lease the transaction is linked to
(``^lease-<id>``), which is how imported payments and the plugin's entries are
linked.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import NamedTuple

from beancount.core import data

from ledger.federation import Federation
from ledger.federation import Tenant
from ledger.federation import rent_accounts
from ledger.numbers import ZERO
from ledger.numbers import units
from ledger.rent import CHARGE_SOURCE
from ledger.rent import CREDIT_SOURCE

#: Upper bounds (days past due, inclusive) of the aging buckets; the last is open.
BUCKETS = (("0-30", 30), ("31-60", 60), ("61-90", 90), ("90+", None))

_LEASE_LINK = "lease-"
_GENERATED = frozenset({CHARGE_SOURCE, CREDIT_SOURCE})


class OpenItem(NamedTuple):
    """One charge (or other debit) of a tenant, and what is left to pay of it."""

    due: datetime.date
    lease: str | None
    amount: Decimal
    remaining: Decimal


@dataclass
class TenantLedger:
    """One collective's rent account with one co-op, settled first in, first out.

    Settling first in, first out means the money paid so far, whenever it came,
    covers the items in order: an item is unpaid by what the items up to it add
    up to beyond that money, and never by more than itself. So the ledger keeps
    the items' running total and the total paid, and works out the rest.
    """

    #: (due, lease, amount) of every debit, in the order they were made.
    _debits: list[tuple[datetime.date, str | None, Decimal]] = field(default_factory=list)
    #: The running total of the debits' amounts, item by item.
    _owed_through: list[Decimal] = field(default_factory=list)
    _settled: Decimal = ZERO
    #: Every item before this one is fully paid (money paid only ever grows).
    _first_open: int = 0
    #: Everything ever charged, per lease (None: debits linked to no lease).
    charged: dict[str | None, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    #: Credit per lease (None: transactions linked to no lease).
    credit: dict[str | None, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    last_payment: dict[str | None, datetime.date] = field(default_factory=dict)

    def debit(self, due: datetime.date, amount: Decimal, lease: str | None) -> None:
        """A new item to pay: a charge, or anything else that raises what is owed."""
        total = self._owed_through[-1] if self._owed_through else ZERO
        self._debits.append((due, lease, amount))
        self._owed_through.append(total + amount)
        self.charged[lease] += amount

    def settle(self, amount: Decimal) -> None:
        """Something lowered what is owed: it pays the oldest open items first."""
        self._settled += amount

    def _item(self, index: int) -> OpenItem:
        due, lease, amount = self._debits[index]
        left = min(amount, max(self._owed_through[index] - self._settled, ZERO))
        return OpenItem(due, lease, amount, left)

    def _skip_paid(self) -> int:
        while (
            self._first_open < len(self._debits)
            and self._owed_through[self._first_open] <= self._settled
        ):
            self._first_open += 1
        return self._first_open

    @property
    def items(self) -> list[OpenItem]:
        """Every item, paid or not, oldest first."""
        return [self._item(index) for index in range(len(self._debits))]

    @property
    def open_items(self) -> list[OpenItem]:
        """The items not fully paid, oldest first."""
        return [self._item(index) for index in range(self._skip_paid(), len(self._debits))]

    def oldest_open(self) -> OpenItem | None:
        """The oldest item not fully paid, if any."""
        first = self._skip_paid()
        return self._item(first) if first < len(self._debits) else None

    @property
    def balance(self) -> Decimal:
        """What is owed now; never negative, since an excess is credit."""
        owed = self._owed_through[-1] if self._owed_through else ZERO
        return max(owed - self._settled, ZERO)

    @property
    def total_credit(self) -> Decimal:
        """All the credit the collective holds: prepaid, and paid beyond every charge."""
        owed = self._owed_through[-1] if self._owed_through else ZERO
        return sum(self.credit.values(), ZERO) + max(self._settled - owed, ZERO)


def bucket_of(days_past_due: int) -> str:
    """The aging bucket a number of days past due falls in."""
    for name, limit in BUCKETS:
        if limit is None or days_past_due <= limit:
            return name
    raise AssertionError("the last bucket is open-ended")


def aging(items: Iterable[OpenItem], as_of: datetime.date) -> dict[str, Decimal]:
    """The open amounts by bucket of days past due at ``as_of``."""
    buckets = {name: ZERO for name, _ in BUCKETS}
    for item in items:
        buckets[bucket_of((as_of - item.due).days)] += item.remaining
    return buckets


def lease_of(entry: data.Transaction) -> str | None:
    """The lease a transaction is about: its ``lease`` metadata or ``^lease-`` link."""
    lease = entry.meta.get("lease")
    if isinstance(lease, str):
        return lease
    for link in entry.links:
        if link.startswith(_LEASE_LINK):
            return link[len(_LEASE_LINK) :]
    return None


def tenant_ledgers(
    entries: Sequence[data.Directive], federation: Federation, as_of: datetime.date
) -> dict[Tenant, TenantLedger]:
    """Every collective's rent account with its co-op, as of ``as_of`` (inclusive).

    Almost every transaction of a federation touches rent, so this loop is kept
    tight: a rent roll must not cost much next to loading the ledger.
    """
    accounts = rent_accounts(federation)
    ledgers = {tenant: TenantLedger() for tenant, _ in accounts.values()}
    books = {
        account: (ledgers[tenant], owed) for account, (tenant, owed) in accounts.items()
    }
    # (``owed``: whether the account is the receivable, else the prepaid credit.)
    for entry in entries:
        if entry.date > as_of:
            break
        if type(entry) is not data.Transaction:
            continue
        lease: str | None = None
        seen = False
        for posting in entry.postings:
            found = books.get(posting.account)
            if found is None:
                continue
            if not seen:
                seen = True
                lease = lease_of(entry)
                paid_by_someone = entry.meta["filename"] not in _GENERATED
            ledger, is_receivable = found
            number = units(posting)
            if not is_receivable:
                ledger.credit[lease] -= number
            elif number > 0:
                ledger.debit(entry.date, number, lease)
            else:
                ledger.settle(-number)
            if number < 0 and paid_by_someone:
                ledger.last_payment[lease] = entry.date
    return ledgers
