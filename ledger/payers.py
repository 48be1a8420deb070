"""Who pays from which bank account, under which name: the ledger's matching rules.

A collective is recognised by the IBAN and name on its own declaration, and by any
``custom "payer"`` directive naming it: one per account it pays from, or per name
its bank prints on transfers::

    2024-03-01 custom "payer" "Bakery"
      iban: "DE89 3704 0044 0532 0130 00"
      name: "Bread and Roses eG"

Keeping these rules in the ledger means they are versioned with the books and any
treasurer can see why a payment was placed where it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from beancount.core import data

from ledger import directives
from ledger.errors import FieldError
from ledger.errors import LeaseError
from ledger.federation import Federation

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normal_iban(text: str) -> str:
    """An IBAN without spaces, in capitals, as banks compare them."""
    return re.sub(r"\s+", "", text).upper()


def normal_name(text: str) -> str:
    """A name reduced to lower-case letters and digits, accents removed.

    "Bread & Roses Bakery Collective" and "BREAD + ROSES BAKERY-COLLECTIVE" are the
    same payer to a treasurer, and so to the matcher.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


@dataclass
class Payers:
    """Collective ids by the IBANs and names they pay from."""

    by_iban: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)

    def add(self, collective: str, iban: str | None, name: str | None) -> None:
        """Record an account or name for ``collective``; refuse one taken by another."""
        for index, given, key in (
            (self.by_iban, iban, normal_iban(iban) if iban else ""),
            (self.by_name, name, normal_name(name) if name else ""),
        ):
            if not key:
                continue
            other = index.setdefault(key, collective)
            if other != collective:
                raise FieldError(
                    f'"{given}" is already a payer for "{other}": one account or name '
                    "can pay for one collective only"
                )


def read_payers(
    entries: Sequence[data.Directive], federation: Federation
) -> tuple[Payers, list[LeaseError]]:
    """The matching rules: each collective's own IBAN and name, then payer directives."""
    payers = Payers()
    errors: list[LeaseError] = []
    for collective in federation.collectives.values():
        iban = collective.extra.get("iban")
        own_iban = iban if isinstance(iban, str) else None
        try:
            payers.add(collective.id, own_iban, collective.name)
        except FieldError as error:
            errors.append(LeaseError(collective.source, str(error), None))
    for entry in directives.of_type(entries, "payer"):
        try:
            payer_of = directives.identifier(entry)
            if payer_of not in federation.collectives:
                raise FieldError(
                    f'payer for "{payer_of}", which is not a declared collective'
                )
            iban = directives.text(entry, "iban", "") or None
            name = directives.text(entry, "name", "") or None
            if not iban and not name:
                raise FieldError('a payer needs an "iban" or a "name" (or both)')
            payers.add(payer_of, iban, name)
        except FieldError as error:
            errors.append(LeaseError(entry.meta, str(error), entry))
    return payers, errors
