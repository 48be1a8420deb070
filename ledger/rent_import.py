"""Import bank statements into the ledger: read, plan, then write atomically.

The whole import is checked before any file changes: the statements must read,
every line must be bookable (see :mod:`ledger.reconcile`), and the ledger with the
new entries must pass Beancount's checks; then each changed file is replaced by an
atomic rename. Importing the same statements again finds nothing new and leaves
every file exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ledger.bank.layouts import read_layouts
from ledger.bank.model import BankStatement
from ledger.bank.read import read_statements
from ledger.books import Books
from ledger.books import check
from ledger.books import format_error
from ledger.books import load_books
from ledger.files import LedgerWriteError
from ledger.files import replace_checked
from ledger.insertion import Placement
from ledger.insertion import insert
from ledger.reconcile import StatementImport
from ledger.reconcile import plan_import


def read_for(books: Books, paths: Sequence[Path]) -> list[BankStatement]:
    """Every statement in ``paths``, CSV files read with the ledger's layouts."""
    layouts, _ = read_layouts(books.declarations)
    return [statement for path in paths for statement in read_statements(path, layouts)]


def import_statements(
    ledger: Path, paths: Sequence[Path], *, dry_run: bool = False
) -> list[StatementImport]:
    """Book ``paths`` into the ledger at ``ledger``; with ``dry_run``, only plan it.

    Raises :class:`~ledger.bank.model.StatementError`,
    :class:`~ledger.reconcile.ImportRefused` or :class:`~ledger.files.LedgerWriteError`
    with what is wrong and where; the ledger is then untouched.
    """
    books = load_books(ledger)
    if books.errors:
        shown = "\n".join(format_error(error) for error in books.errors[:10])
        raise LedgerWriteError(
            f"{ledger} has errors already; fix them first (bean-check {ledger}):\n{shown}"
        )
    plan = plan_import(books, read_for(books, paths))
    entries = [entry for item in plan for entry in item.entries]
    if entries and not dry_run:
        changes = insert(Placement.of(books.entries, ledger), entries)
        included = [Path(name) for name in books.options["include"]]
        replace_checked(ledger, included, changes, check)
    return plan
