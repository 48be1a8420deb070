"""The statement importer on beangulp's API, for Fava's import page and beangulp tools.

One importer reads every format coopfund knows; it needs the ledger, because the
ledger says which fund an account belongs to, how a bank's CSV files are laid out
and who pays from where. In Fava's ``import-config`` file::

    from ledger.importer import CoopfundImporter
    CONFIG = [CoopfundImporter("main.beancount")]

Extraction matches, splits and deduplicates exactly as ``coopfund rent import``
does (:mod:`ledger.reconcile`), by bank reference: so beangulp's own duplicate
guessing, which takes two equal rents paid on the same day for one payment, is
switched off.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from beancount.core import data
from beangulp import Importer

from ledger.bank.model import BankStatement
from ledger.bank.model import StatementError
from ledger.books import Books
from ledger.books import load_books
from ledger.payers import normal_iban
from ledger.reconcile import funds_by_iban
from ledger.reconcile import plan_import
from ledger.rent_import import read_for


class CoopfundImporter(Importer):  # type: ignore[misc]
    """Reads CSV, OFX, camt.053 and MT940 statements of the ledger's fund accounts."""

    def __init__(self, ledger: str | Path) -> None:
        self.ledger = Path(ledger)
        self._books: tuple[float, Books] | None = None

    @property
    def name(self) -> str:
        """Unique per ledger, as Fava requires of importer names."""
        return f"coopfund:{self.ledger.name}"

    def books(self) -> Books:
        """The ledger, loaded again only when its main file changed."""
        stamp = self.ledger.stat().st_mtime
        if self._books is None or self._books[0] != stamp:
            self._books = (stamp, load_books(self.ledger))
        return self._books[1]

    def _statements(self, filepath: str) -> list[BankStatement]:
        return read_for(self.books(), [Path(filepath)])

    def identify(self, filepath: str) -> bool:
        """Whether the file is a statement of one of the ledger's fund accounts."""
        try:
            statements = self._statements(filepath)
        except (StatementError, OSError, UnicodeDecodeError):
            return False
        return bool(statements) and bool(self._fund_accounts(statements))

    def _fund_accounts(self, statements: list[BankStatement]) -> list[str]:
        funds = funds_by_iban(self.books())
        return [
            funds[iban].accounts.fund
            for iban in (normal_iban(statement.account) for statement in statements)
            if iban in funds
        ]

    def account(self, filepath: str) -> str:
        """The fund bank account the statement belongs to."""
        return self._fund_accounts(self._statements(filepath))[0]

    def date(self, filepath: str) -> datetime.date | None:
        """The last day the statement covers."""
        return max(statement.end for statement in self._statements(filepath))

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        """The entries that booking the statement would add to the ledger."""
        plan = plan_import(self.books(), self._statements(filepath))
        return [entry for item in plan for entry in item.entries]

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Nothing to do: extraction already left out every known bank reference."""
