"""Which bank lines are levy payments between a co-op and its region.

Levy payments reconcile like rent, from each side's own statement:

* on a **region's** statement, money in from one of its co-ops settles that co-op's
  levy receivable. The co-op is found by the same three rules as a collective
  (:mod:`ledger.matching`): the remittance names the co-op's id next to the word
  "levy" (``LEVY Riverside 2025``); the payer's IBAN is the co-op's (``iban`` on
  its declaration); the payer's name is the co-op's name;
* on a **co-op's** statement, money out to its region (the region's IBAN, or a
  remittance naming both the levy and the region: ``LEVY North 2025``, so that
  a council's levy is not taken for the region's) settles the co-op's levy
  payable.

A payment is linked to the oldest levy it settles (``^levy-<coop>-<year>``), so
Fava's link view shows each year's levy next to what paid it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from ledger.bank.model import BankLine
from ledger.federation import Entity
from ledger.federation import Federation
from ledger.matching import IBAN
from ledger.matching import NAME
from ledger.matching import REFERENCE
from ledger.numbers import ZERO
from ledger.numbers import units
from ledger.payers import normal_iban
from ledger.payers import normal_name

_LEVY_WORD = re.compile(r"(?<![0-9a-z])levy(?![0-9a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class LevyPayment:
    """A placed levy payment: who paid whom, and the account it settles."""

    coop: Entity
    region: Entity
    #: The account the payment settles in the statement's fund: the region's
    #: receivable from the co-op, or the co-op's payable to its region.
    settles: str
    rule: str

    def payee(self, into_region: bool) -> str:
        """The other side's name, as the statement's reader knows it."""
        return self.coop.name if into_region else self.region.name


class LevyMatcher:
    """Places the levy lines of one fund's statement."""

    def __init__(self, entity: Entity, federation: Federation) -> None:
        self._entity = entity
        self._federation = federation
        self._coops = [c for c in federation.coops.values() if c.region == entity.id]
        self._by_iban = {
            normal_iban(str(c.extra["iban"])): c for c in self._coops if "iban" in c.extra
        }
        self._by_name = {normal_name(c.name): c for c in self._coops}
        self._by_id = {c.id.casefold(): c for c in self._coops}

    def match(self, line: BankLine) -> LevyPayment | None:
        """The levy payment ``line`` is, or None."""
        if self._entity.region is None:
            return self._into_region(line)
        return self._out_of_coop(line)

    def _into_region(self, line: BankLine) -> LevyPayment | None:
        if line.amount <= 0:
            return None
        region = self._entity
        found: tuple[str, Entity | None] = (REFERENCE, self._named(line.remittance))
        if found[1] is None:
            found = (IBAN, self._by_iban.get(normal_iban(line.counterparty_iban)))
        if found[1] is None:
            found = (NAME, self._by_name.get(normal_name(line.counterparty)))
        rule, coop = found
        if coop is None:
            return None
        return LevyPayment(coop, region, region.accounts.levy_receivable(coop.id), rule)

    def _named(self, remittance: str) -> Entity | None:
        if not _LEVY_WORD.search(remittance):
            return None
        words = re.findall(r"[0-9a-z]+", remittance.casefold())
        return next((self._by_id[w] for w in words if w in self._by_id), None)

    def _out_of_coop(self, line: BankLine) -> LevyPayment | None:
        if line.amount >= 0:
            return None
        coop = self._entity
        region = self._federation.regions[coop.region or ""]
        iban = region.extra.get("iban")
        words = re.findall(r"[0-9a-z]+", line.remittance.casefold())
        if iban and normal_iban(str(iban)) == normal_iban(line.counterparty_iban):
            rule = IBAN
        elif _LEVY_WORD.search(line.remittance) and region.id.casefold() in words:
            rule = REFERENCE
        else:
            return None
        return LevyPayment(coop, region, coop.accounts.levy_payable, rule)


def oldest_open_levy(
    entries: Sequence[data.Directive], account: str, paid_since: Decimal = ZERO
) -> str | None:
    """The link of the oldest levy on ``account`` not yet settled, if any.

    Levies and payments share links, so what is open is what each link's postings
    on the account leave; ``paid_since`` is what this import has already paid onto
    the account, settling the oldest first.
    """
    balances: dict[str, Decimal] = defaultdict(Decimal)
    order: list[str] = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            if posting.account != account:
                continue
            for link in sorted(entry.links):
                if link.startswith("levy-"):
                    if link not in balances:
                        order.append(link)
                    balances[link] += units(posting)
    left = abs(paid_since)
    for link in order:
        owed = abs(balances[link])
        if owed > left:
            return link
        left -= owed
    return None
