"""MT940: several statements per file, references, reversals, errors by line."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.bank.model import StatementError
from ledger.bank.mt940 import read_mt940
from tests.bank_golden import DATA

FIXTURE = DATA / "mt940-two-statements.sta"
TEXT = FIXTURE.read_text("utf-8")


def error_of(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "statement.sta"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StatementError) as raised:
        read_mt940(path)
    return path, str(raised.value)


def test_two_statements_in_swift_envelopes() -> None:
    first, second = read_mt940(FIXTURE)
    assert (first.account, second.account) == (
        "DE49430609670000001003",
        "DE76430609670000001002",
    )
    assert (first.start, first.end) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
    )
    assert first.lines[0].counterparty == "Bread & Roses Bakery Collective"
    assert first.lines[0].counterparty_iban == "DE58430609670000002005"
    for statement in (first, second):
        statement.check_arithmetic()


def test_references() -> None:
    first, second = read_mt940(FIXTURE)
    assert [line.bank_ref for line in first.lines] == [
        "BR26110300012",
        "BR26111000007",
        "BR26111500001",
        "BR26111500001/2",  # the bank repeated its reference
        "RIV-MILL12-NOV",  # no bank reference: the customer reference
    ]
    refs = [line.bank_ref for line in second.lines]  # NONREF: made from the line
    assert len(set(refs)) == 2
    assert all(ref.startswith("gen-20261102-") for ref in refs)


def test_a_reversal_of_a_credit_is_money_out() -> None:
    (reversal,) = [line for line in read_mt940(FIXTURE)[0].lines if line.reversal]
    assert reversal.amount == Decimal("-1200.00")
    assert reversal.where.line == 9


def test_a_broken_statement_line_names_its_line(tmp_path: Path) -> None:
    text = TEXT.replace(
        ":61:2611151115D9,50NCHGNONREF//BR26111500001\n:86:Card",
        ":61:26111X5D9,50\n:86:Card",
    )
    path, message = error_of(tmp_path, text)
    assert message == (
        f'{path}:14: :61: "26111X5D9,50" cannot be read as a statement line '
        "(date, C or D, amount, type, reference)"
    )


def test_a_broken_closing_balance_names_its_line(tmp_path: Path) -> None:
    path, message = error_of(
        tmp_path, TEXT.replace(":62F:C261130EUR1100,00", ":62F:X261130")
    )
    assert message == (
        f'{path}:28: :62F: "X261130" cannot be read as a closing balance (C or D, date, '
        "currency, amount)"
    )


def test_an_impossible_date_names_its_line(tmp_path: Path) -> None:
    path, message = error_of(tmp_path, TEXT.replace(":61:2611201120C", ":61:2613201120C"))
    assert message.startswith(f"{path}:16: :61: cannot be read:")


def test_an_unknown_currency(tmp_path: Path) -> None:
    path, message = error_of(
        tmp_path, TEXT.replace(":60F:C261031EUR1000,00", ":60F:C261031EUX1000,00")
    )
    assert message == (
        f'{path}:23: unknown currency "EUX": not an ISO 4217 code such as EUR or USD'
    )


def test_a_statement_without_account(tmp_path: Path) -> None:
    path, message = error_of(tmp_path, TEXT.replace(":25:DE76430609670000001002\n", ""))
    assert message == f"{path}:20: no :25: account identification: whose statement is it?"
