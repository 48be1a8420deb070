"""Which bank lines are levy payments between a fund and the level above it.

Levy payments reconcile like rent, from each side's own statement:

* money **in** from one of the fund's members (a region's co-ops, a nation's
  regions) settles that member's levy receivable. The member is found by the same
  three rules as a collective (:mod:`ledger.matching`): the remittance names its id
  next to the word "levy" (``LEVY Riverside 2025``); the payer's IBAN is the
  member's (``iban`` on its declaration); the payer's name is the member's name;
* money **out** to the level above (the receiver's IBAN, or a remittance naming
  both the levy and the receiver: ``LEVY North 2025``, so that a council's levy
  is not taken for the region's) settles the fund's levy payable.

A payment is linked to the oldest levy it settles (``^levy-<payer>-<year>``), so
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

    payer: Entity
    receiver: Entity
    #: The account the payment settles in the statement's fund: the receiver's
    #: receivable from the payer, or the payer's payable to its receiver.
    settles: str
    rule: str

    def other_side(self, fund: Entity) -> str:
        """The name of the side that is not ``fund``, as its statement shows it."""
        return self.payer.name if fund.id == self.receiver.id else self.receiver.name


class LevyMatcher:
    """Places the levy lines of one fund's statement."""

    def __init__(self, entity: Entity, federation: Federation) -> None:
        self._entity = entity
        above = federation.entity(entity.above) if entity.above else None
        self._above = above
        members = federation.members_of(entity.id)
        self._by_iban = {
            normal_iban(str(m.extra["iban"])): m for m in members if "iban" in m.extra
        }
        self._by_name = {normal_name(m.name): m for m in members}
        self._by_id = {m.id.casefold(): m for m in members}

    def match(self, line: BankLine) -> LevyPayment | None:
        """The levy payment ``line`` is, or None."""
        return self._in(line) if line.amount > 0 else self._out(line)

    def _in(self, line: BankLine) -> LevyPayment | None:
        receiver = self._entity
        found: tuple[str, Entity | None] = (REFERENCE, self._named(line.remittance))
        if found[1] is None:
            found = (IBAN, self._by_iban.get(normal_iban(line.counterparty_iban)))
        if found[1] is None:
            found = (NAME, self._by_name.get(normal_name(line.counterparty)))
        rule, payer = found
        if payer is None:
            return None
        return LevyPayment(
            payer, receiver, receiver.accounts.levy_receivable(payer.id), rule
        )

    def _named(self, remittance: str) -> Entity | None:
        if not _LEVY_WORD.search(remittance):
            return None
        return next((self._by_id[w] for w in _words(remittance) if w in self._by_id), None)

    def _out(self, line: BankLine) -> LevyPayment | None:
        payer, receiver = self._entity, self._above
        if receiver is None or line.amount == 0:
            return None
        iban = receiver.extra.get("iban")
        if iban and normal_iban(str(iban)) == normal_iban(line.counterparty_iban):
            rule = IBAN
        elif _LEVY_WORD.search(line.remittance) and receiver.id.casefold() in _words(
            line.remittance
        ):
            rule = REFERENCE
        else:
            return None
        return LevyPayment(payer, receiver, payer.accounts.levy_payable, rule)


def _words(text: str) -> list[str]:
    """The letters-and-digits words of a remittance, in lower case, to find ids in."""
    return re.findall(r"[0-9a-z]+", text.casefold())


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
