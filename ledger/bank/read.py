"""Read any statement file: recognise its format by content, then read it.

File names and extensions are what a download happened to be called, so the
content decides: an ISO 20022 camt.053 namespace, an OFX header or root, the
tags of an MT940 statement; anything else is CSV, read with the first
``bank-csv`` layout whose headings appear in one of its rows. When nothing
recognises a file, the error says what to do next.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ledger.bank.camt import camt_message
from ledger.bank.camt import read_camt053
from ledger.bank.csvfile import CsvLayout
from ledger.bank.csvfile import header_guess
from ledger.bank.csvfile import matches
from ledger.bank.csvfile import read_csv
from ledger.bank.model import BankStatement
from ledger.bank.model import StatementError
from ledger.bank.model import Where
from ledger.bank.model import known_currency
from ledger.bank.mt940 import is_mt940
from ledger.bank.mt940 import read_mt940
from ledger.bank.ofx import is_ofx
from ledger.bank.ofx import read_ofx


def read_statements(path: Path, layouts: Sequence[CsvLayout]) -> list[BankStatement]:
    """Every statement in the file at ``path``, oldest line first in each.

    ``layouts`` are the ledger's CSV layouts (:func:`ledger.bank.layouts.read_layouts`).
    Raises :class:`~ledger.bank.model.StatementError` naming the file, and the line
    or element, of the first problem.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StatementError(
            Where(str(path)), f"cannot read the file: {error.strerror}"
        ) from None
    statements = _read(path, data, layouts)
    for statement in statements:
        known_currency(statement.currency, statement.where)
        for line in statement.lines:
            known_currency(line.currency, line.where)
    return statements


def statement_format(data: bytes) -> str:
    """``camt053``, ``ofx``, ``mt940`` or ``csv``: what the content looks like."""
    message = camt_message(data)
    if message is not None:
        return f"camt{message}"
    if is_ofx(data):
        return "ofx"
    if is_mt940(data):
        return "mt940"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xml"
    return "csv"


def _read(path: Path, data: bytes, layouts: Sequence[CsvLayout]) -> list[BankStatement]:
    kind = statement_format(data)
    if kind == "camt053":
        return read_camt053(path, data)
    if kind.startswith("camt"):
        raise StatementError(
            Where(str(path)),
            f"an ISO 20022 camt.{kind[4:]} message, not a camt.053 statement; download "
            "the account statement (camt.053) from the bank instead",
        )
    if kind == "ofx":
        return read_ofx(path, data)
    if kind == "mt940":
        return read_mt940(path, data)
    if kind == "xml":
        raise StatementError(
            Where(str(path)),
            "an XML file, but not a camt.053 statement nor OFX; download the statement "
            "as camt.053, OFX, MT940 or CSV",
        )
    for layout in layouts:
        if matches(layout, data):
            return [read_csv(path, layout, data)]
    declared = "; ".join(
        f'"{layout.name}" needs ' + ", ".join(f'"{h}"' for h in layout.columns)
        for layout in layouts
    )
    raise StatementError(
        Where(str(path)),
        "no bank-csv layout in the ledger has the headings of this file "
        f"({declared or 'the ledger declares none'}); declare one for this bank with "
        'custom "bank-csv" "<bank>" naming its columns, such as date: "Booking date" '
        f'and amount: "Amount". Its header row seems to be: {header_guess(data)!r}',
    )
