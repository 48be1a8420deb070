"""Which collective and lease an incoming bank line pays for.

Three rules, tried in order, each only among the leases of the co-op whose account
received the money:

1. **reference**: the remittance text names a lease id (``RIV-MILL12``), on its own
   and in any letter case;
2. **iban**: the payer's account is one the ledger knows for a collective;
3. **name**: the payer's name, letters and digits only, is a collective's name or
   one of its payer names.

With the IBAN or name rule, the payment is for that collective's lease with the
oldest unpaid rent, or else its lease running on the payment date, or else its most
recent one. A line no rule places is left unmatched, never guessed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from ledger.bank.model import BankLine
from ledger.lease import Lease
from ledger.payers import Payers
from ledger.payers import normal_iban
from ledger.payers import normal_name

REFERENCE, IBAN, NAME = "reference", "iban", "name"


@dataclass(frozen=True)
class Match:
    """A placed line: the collective, the lease, and the rule that placed it."""

    collective: str
    lease: str
    rule: str


class Matcher:
    """Places the lines paid into one co-op's fund."""

    def __init__(self, coop: str, leases: list[Lease], payers: Payers) -> None:
        self._leases = sorted((lease for lease in leases if lease.coop == coop), key=_start)
        self._by_id = {lease.id.casefold(): lease for lease in self._leases}
        ids = sorted(self._by_id, key=len, reverse=True)
        self._reference = (
            re.compile(
                r"(?<![0-9a-z])(" + "|".join(map(re.escape, ids)) + r")(?![0-9a-z])",
                re.IGNORECASE,
            )
            if ids
            else None
        )
        tenants = {lease.collective for lease in self._leases}
        self._by_iban = {k: v for k, v in payers.by_iban.items() if v in tenants}
        self._by_name = {k: v for k, v in payers.by_name.items() if v in tenants}

    def match(
        self, line: BankLine, oldest_unpaid: Callable[[str], str | None]
    ) -> Match | None:
        """The lease ``line`` pays for, or None; ``oldest_unpaid`` gives a
        collective's lease with the oldest open rent, if any."""
        if line.amount <= 0:
            return None
        if self._reference and (found := self._reference.search(line.remittance)):
            lease = self._by_id[found.group(1).casefold()]
            return Match(lease.collective, lease.id, REFERENCE)
        for rule, collective in (
            (IBAN, self._by_iban.get(normal_iban(line.counterparty_iban))),
            (NAME, self._by_name.get(normal_name(line.counterparty))),
        ):
            if collective:
                lease_id = oldest_unpaid(collective) or self._lease_on(
                    collective, line.date
                )
                return Match(collective, lease_id, rule)
        return None

    def _lease_on(self, collective: str, day: datetime.date) -> str:
        own = [lease for lease in self._leases if lease.collective == collective]
        running = [lease for lease in own if lease.is_active_on(day)]
        return (running or own)[-1].id


def _start(lease: Lease) -> datetime.date:
    return lease.start
