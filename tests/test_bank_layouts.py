"""``custom "bank-csv"`` directives: layouts, and errors at the directive's file:line."""

from __future__ import annotations

from pathlib import Path

from ledger.bank.layouts import read_layouts
from ledger.errors import BankFormatError
from tests.conftest import load_text


def messages(errors: list[BankFormatError]) -> list[str]:
    return [f"{e.source['filename']}:{e.source['lineno']}: {e.message}" for e in errors]


def test_a_full_layout(tmp_path: Path) -> None:
    ledger = load_text(
        tmp_path / "ledger.beancount",
        """
        2023-11-01 custom "bank-csv" "coop-bank"
          encoding: "cp1252"
          delimiter: ";"
          decimal: ","
          date-format: "%d.%m.%Y"
          date: "Booking date"
          credit: "Credit"
          debit: "Debit"
          currency-code: "EUR"
          reference: "Transaction ID"
          counterparty: "Counterparty"
          counterparty-iban: "Counterparty IBAN"
          remittance: "Reference 1 | Reference 2"
          account-iban: "DE49 4306 0967 0000 0010 03"
        """,
    )
    layouts, errors = read_layouts(ledger.entries)
    assert errors == []
    (layout,) = layouts
    assert layout.name == "coop-bank"
    assert layout.remittance == ("Reference 1", "Reference 2")
    assert (layout.encoding, layout.delimiter, layout.decimal) == ("cp1252", ";", ",")
    assert layout.columns == (
        "Booking date",
        "Credit",
        "Debit",
        "Transaction ID",
        "Counterparty",
        "Counterparty IBAN",
        "Reference 1",
        "Reference 2",
    )


def test_defaults(tmp_path: Path) -> None:
    ledger = load_text(
        tmp_path / "ledger.beancount",
        """
        2023-11-01 custom "bank-csv" "plain"
          date: "Date"
          amount: "Amount"
          currency: "Currency"
          account: "Account"
        """,
    )
    (layout,), _ = read_layouts(ledger.entries)
    assert (layout.encoding, layout.delimiter, layout.decimal, layout.date_format) == (
        "utf-8-sig",
        ",",
        ".",
        "%Y-%m-%d",
    )


def test_a_layout_without_date_is_an_error_at_its_line(tmp_path: Path) -> None:
    ledger = load_text(
        tmp_path / "ledger.beancount",
        """
        2023-11-01 custom "bank-csv" "good"
          date: "Date"
          amount: "Amount"
          currency-code: "EUR"
          account-iban: "DE49430609670000001003"

        2023-11-01 custom "bank-csv" "no-date"
          amount: "Amount"
          currency-code: "EUR"
          account-iban: "DE49430609670000001003"
        """,
    )
    layouts, errors = read_layouts(ledger.entries)
    assert [layout.name for layout in layouts] == ["good"]
    assert messages(errors) == [
        f'{ledger.path}:8: custom "bank-csv": missing field "date" '
        "(the heading of the booking-date column)"
    ]
    assert isinstance(errors[0], BankFormatError)
    assert errors[0].entry.values[0].value == "no-date"


def test_other_unusable_directives(tmp_path: Path) -> None:
    ledger = load_text(
        tmp_path / "ledger.beancount",
        """
        2023-11-01 custom "bank-csv" "typo"
          date: "Date"
          amount: "Amount"
          currency-code: "EUR"
          account-iban: "DE01"
          remitance: "Text"

        2023-11-01 custom "bank-csv" "number"
          date: "Date"
          amount: "Amount"
          currency-code: "EUR"
          account-iban: "DE01"
          decimal: 1

        2023-11-01 custom "bank-csv" "both"
          date: "Date"
          amount: "Amount"
          credit: "In"
          debit: "Out"
          currency-code: "EUR"
          account-iban: "DE01"

        2023-11-01 custom "bank-csv" "both"
          date: "Date"
          amount: "Amount"
          currency-code: "EUR"
          account-iban: "DE01"

        2023-11-01 custom "bank-csv" "both"
          date: "Date"
          amount: "Amount"
          currency-code: "EUR"
          account-iban: "DE01"
        """,
    )
    layouts, errors = read_layouts(ledger.entries)
    assert [layout.name for layout in layouts] == ["both"]
    found = messages(errors)
    assert found[0].startswith(
        f'{ledger.path}:2: custom "bank-csv": unknown field "remitance"'
    )
    assert found[1] == (
        f'{ledger.path}:9: custom "bank-csv": field "decimal" must be a quoted string, '
        "got Decimal('1')"
    )
    assert found[2] == (
        f'{ledger.path}:16: custom "bank-csv": give exactly one of "amount", or "credit" '
        'and "debit"'
    )
    assert found[3] == (
        f'{ledger.path}:30: custom "bank-csv": a bank-csv layout "both" is declared already'
    )
