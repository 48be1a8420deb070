"""The CSV layouts of a ledger's banks, declared with ``custom "bank-csv"``.

How a bank lays out its CSV export belongs with the books, versioned beside them,
so any treasurer can add their bank without touching code::

    2023-11-01 custom "bank-csv" "coop-bank"
      delimiter: ";"
      decimal: ","
      date-format: "%d.%m.%Y"
      date: "Booking date"
      amount: "Amount"
      currency: "Currency"
      reference: "Transaction ID"
      counterparty: "Counterparty"
      counterparty-iban: "Counterparty IBAN"
      remittance: "Reference"
      account: "Account"
      opening: "Opening balance"
      closing: "Closing balance"
      period: "Statement period"

Every field is a quoted string; :class:`~ledger.bank.csvfile.CsvLayout` says what
each means. ``remittance`` may name several columns separated by ``|``. A
directive that cannot be used becomes a :class:`~ledger.errors.BankFormatError` at
its file and line, and the other layouts still work.
"""

from __future__ import annotations

from collections.abc import Sequence

from beancount.core import data

from ledger import directives
from ledger.bank.csvfile import CsvLayout
from ledger.bank.csvfile import layout_fields
from ledger.errors import BankFormatError
from ledger.errors import FieldError

DIRECTIVE = "bank-csv"
#: Metadata Beancount itself puts on every directive.
_BEANCOUNT_KEYS = frozenset({"filename", "lineno"})


def read_layouts(
    entries: Sequence[data.Directive],
) -> tuple[list[CsvLayout], list[BankFormatError]]:
    """Every usable ``bank-csv`` layout in ledger order, and the errors of the others."""
    layouts: list[CsvLayout] = []
    errors: list[BankFormatError] = []
    names: set[str] = set()
    for entry in directives.of_type(entries, DIRECTIVE):
        try:
            layout = layout_of(entry)
            if layout.name in names:
                raise FieldError(f'a bank-csv layout "{layout.name}" is declared already')
        except FieldError as error:
            message = f'custom "{DIRECTIVE}": {error}'
            errors.append(BankFormatError(entry.meta, message, entry))
            continue
        names.add(layout.name)
        layouts.append(layout)
    return layouts, errors


def layout_of(entry: data.Custom) -> CsvLayout:
    """The layout one directive declares; FieldError says what is wrong with it."""
    name = directives.identifier(entry)
    known = set(layout_fields())
    unknown = sorted(set(entry.meta) - known - _BEANCOUNT_KEYS)
    if unknown:
        fields = ", ".join(sorted(known))
        raise FieldError(f'unknown field "{unknown[0]}"; the fields are {fields}')
    values: dict[str, str] = {}
    for key in sorted(set(entry.meta) & known):
        values[key.replace("-", "_")] = directives.text(entry, key)
    if "date" not in values:
        raise FieldError('missing field "date" (the heading of the booking-date column)')
    remittance = values.pop("remittance", "")
    parts = tuple(part.strip() for part in remittance.split("|") if part.strip())
    return CsvLayout(name=name, remittance=parts, **values)
