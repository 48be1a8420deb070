"""CSV statements: the quirks real exports have, and errors at file:line and column."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.bank.csvfile import CsvLayout
from ledger.bank.csvfile import parse_number
from ledger.bank.csvfile import read_csv
from ledger.bank.model import StatementError
from ledger.demo.statements import CSV_LAYOUT
from ledger.errors import FieldError
from tests.bank_golden import DATA

COOP_BANK = CsvLayout(
    name="coop-bank",
    date="Booking date",
    amount="Amount",
    currency="Currency",
    reference="Transaction ID",
    counterparty="Counterparty",
    counterparty_iban="Counterparty IBAN",
    remittance=("Reference",),
    account="Account",
    opening="Opening balance",
    closing="Closing balance",
    period="Statement period",
    delimiter=";",
    decimal=",",
    date_format="%d.%m.%Y",
)

HEADER = (
    "\ufeffAccount;DE49430609670000001003\r\n"
    "Statement period;01.11.2026 - 30.11.2026\r\n"
    "Opening balance;1.000,00;EUR\r\n"
    "Closing balance;1.100,00;EUR\r\n"
    "\r\n"
    "Booking date;Counterparty;Counterparty IBAN;Reference;Transaction ID;Amount;"
    "Currency\r\n"
)


def write(tmp_path: Path, text: str, name: str = "statement.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def error_of(path: Path, layout: CsvLayout = COOP_BANK) -> str:
    with pytest.raises(StatementError) as raised:
        read_csv(path, layout)
    return str(raised.value)


def test_the_demo_layout_is_this_layout() -> None:
    """The fields of the demo's custom "bank-csv" directive make the layout used here."""
    fields: dict[str, object] = {k.replace("-", "_"): v for k, v in CSV_LAYOUT.items()}
    fields["remittance"] = (fields["remittance"],)
    assert CsvLayout(name="coop-bank", **fields) == COOP_BANK  # type: ignore[arg-type]


def test_bom_semicolons_comma_decimals_details_and_newest_first() -> None:
    (statement,) = [read_csv(DATA / "coop-bank.csv", COOP_BANK)]
    assert statement.account == "DE12500105170648489890"
    assert (statement.start, statement.end) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
    )
    assert (statement.opening, statement.closing) == (
        Decimal("12345.67"),
        Decimal("15990.17"),
    )
    assert [line.bank_ref for line in statement.lines] == [
        "TX-1115-01",
        "TX-1127-01",
        "TX-1130-01",
    ]
    bakery = statement.lines[1]
    assert bakery.counterparty == 'Bread & Roses "Bakery" Collective'
    assert bakery.remittance == "Rent 2026-11; RIV-MILL12"
    assert bakery.counterparty_iban == "DE58430609670000002005"
    assert statement.lines[0].remittance == "Rent 2026-11 second half"
    assert statement.lines[0].where.line == 10  # the record starts on line 10 of 11
    statement.check_arithmetic()


def test_credit_and_debit_columns() -> None:
    layout = CsvLayout(
        name="credit-debit",
        date="Date",
        credit="Credit",
        debit="Debit",
        currency_code="EUR",
        counterparty="Payee",
        remittance=("Description",),
        account="Account",
    )
    statement = read_csv(DATA / "credit-debit.csv", layout)
    assert [line.amount for line in statement.lines] == [
        Decimal("1008.15"),
        Decimal("-84.20"),
        Decimal("50.00"),
        Decimal("50.00"),
        Decimal("-9.50"),
    ]
    assert statement.account == "DE76430609670000001002"
    assert statement.opening is None


def test_synthetic_references_are_stable_and_tell_identical_lines_apart(
    tmp_path: Path,
) -> None:
    body = "01.11.2026;M. Okafor;;Donation;;50,00;EUR\r\n" * 2
    path = write(tmp_path, HEADER + body)
    first = read_csv(path, COOP_BANK)
    again = read_csv(path, COOP_BANK)
    refs = [line.bank_ref for line in first.lines]
    assert refs == [line.bank_ref for line in again.lines]
    assert len(set(refs)) == 2
    assert all(ref.startswith("gen-20261101-") for ref in refs)


def test_balances_below_the_lines_are_found(tmp_path: Path) -> None:
    text = (
        "Booking date;Counterparty;Counterparty IBAN;Reference;Transaction ID;Amount;"
        "Currency\n"
        "02.11.2026;A;;x;T1;100,00;EUR\n"
        "Closing balance;1.100,00\n"
        "Account;DE49430609670000001003\n"
        "Opening balance;1.000,00\n"
    )
    statement = read_csv(write(tmp_path, text), COOP_BANK)
    assert (statement.opening, statement.closing) == (
        Decimal("1000.00"),
        Decimal("1100.00"),
    )
    assert statement.start == statement.end == datetime.date(2026, 11, 2)


@pytest.mark.parametrize(
    ("text", "decimal", "number"),
    [
        ("1.234,56", ",", "1234.56"),
        ("-9,50", ",", "-9.50"),
        ("9,50-", ",", "-9.50"),
        ("1 234,56", ",", "1234.56"),
        ("12", ",", "12"),
        ("1,234.56", ".", "1234.56"),
        ("+0.5", ".", "0.5"),
        ("1'234.56", ".", "1234.56"),
    ],
)
def test_numbers(text: str, decimal: str, number: str) -> None:
    assert parse_number(text, decimal) == Decimal(number)


@pytest.mark.parametrize(
    ("text", "decimal"),
    [
        ("12.34", ","),
        ("1.23,45", ","),
        ("", "."),
        ("12x", "."),
        ("1.2.3", "."),
    ],
)
def test_numbers_written_the_other_way_are_refused(text: str, decimal: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, decimal)


def test_a_bad_date_names_file_line_column_and_format(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "31.13.2026;A;;x;T1;100,00;EUR\r\n")
    assert error_of(path) == (
        f'{path}:7: column "Booking date": "31.13.2026" is not a date like 30.11.2026 '
        "(format %d.%m.%Y)"
    )


def test_a_bad_amount_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "02.11.2026;A;;x;T1;100,00;EUR\r\n03.11.2026;B;;y;T2;1O0,00;EUR\r\n",
    )
    assert error_of(path) == (
        f'{path}:8: column "Amount": "1O0,00" is not an amount like -1.234,56 '
        "(decimal comma)"
    )


def test_a_dot_decimal_in_a_comma_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "02.11.2026;A;;x;T1;100.00;EUR\r\n")
    assert f'{path}:7: column "Amount": "100.00" is not an amount' in error_of(path)


def test_an_unknown_currency(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "02.11.2026;A;;x;T1;100,00;EUX\r\n")
    assert error_of(path) == (
        f'{path}:7: column "Currency": unknown currency "EUX": not an ISO 4217 code '
        "such as EUR or USD"
    )


def test_a_short_row(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "02.11.2026;A;;x;T1;100,00\r\n")
    assert error_of(path) == (
        f'{path}:7: column "Currency": missing; the row has 6 fields and the header 7'
    )


def test_a_line_outside_the_period(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "02.12.2026;A;;x;T1;100,00;EUR\r\n")
    assert error_of(path).startswith(
        f"{path}:7: dated 2026-12-02, outside the statement period 2026-11-01 to 2026-11-30"
    )


def test_a_bad_period(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER.replace("01.11.2026 - 30.11.2026", "November"))
    assert error_of(path) == (
        f'{path}:2: "Statement period": "November" is not a period like '
        "01.11.2026 - 30.11.2026 (format %d.%m.%Y)"
    )


def test_no_header_row(tmp_path: Path) -> None:
    path = write(tmp_path, "Account;DE49430609670000001003\r\nDate;Amount\r\n")
    assert error_of(path).startswith(
        f'{path}: no header row with the headings "Booking date"'
    )


def test_wrong_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(
        (HEADER[1:] + "02.11.2026;Caf\u00e9;;x;T1;100,00;EUR\r\n").encode("latin-1")
    )
    assert error_of(path).startswith(f"{path}:7: not utf-8-sig text (byte 0xe9)")


def test_lines_of_two_accounts_in_one_file(tmp_path: Path) -> None:
    layout = CsvLayout(
        name="x", date="Date", amount="Amount", currency_code="EUR", account="Account"
    )
    text = "Date,Amount,Account\n2026-11-01,1.00,DE01\n2026-11-02,2.00,DE02\n"
    assert "lines of two accounts" in error_of(write(tmp_path, text), layout)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, 'exactly one of "amount", or "credit" and "debit"'),
        ({"amount": "A", "credit": "C", "debit": "D"}, 'exactly one of "amount"'),
        ({"credit": "C"}, 'give both "credit" and "debit"'),
        (
            {"amount": "A", "currency_code": None},
            'exactly one of "currency" or "currency-code"',
        ),
        (
            {"amount": "A", "currency_code": "EUX"},
            '"currency-code" "EUX" is not an ISO 4217',
        ),
        (
            {"amount": "A", "account_iban": None},
            'exactly one of "account" or "account-iban"',
        ),
        ({"amount": "A", "delimiter": ";;"}, '"delimiter" must be one character'),
        ({"amount": "A", "decimal": "'"}, '"decimal" must be "." or ","'),
        ({"amount": "A", "encoding": "klingon"}, 'unknown "encoding" "klingon"'),
        ({"amount": "A", "date_format": "%d.%m"}, '"date-format" "%d.%m" must give day'),
        ({"amount": "Date"}, "two fields name the same column heading"),
    ],
)
def test_unusable_layouts(fields: dict[str, str | None], message: str) -> None:
    arguments: dict[str, str | None] = {
        "name": "x",
        "date": "Date",
        "currency_code": "EUR",
        "account_iban": "DE01",
        **fields,
    }
    with pytest.raises(FieldError, match=re.escape(message)):
        CsvLayout(**arguments)  # type: ignore[arg-type]
