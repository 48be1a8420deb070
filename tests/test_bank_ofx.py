"""OFX 1 (SGML) and 2 (XML): one tree from both, the bank's own dates, errors by line."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.bank.model import StatementError
from ledger.bank.ofx import read_ofx
from tests.bank_golden import DATA

SGML = DATA / "ofx1-sgml.ofx"


def error_of(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "statement.ofx"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StatementError) as raised:
        read_ofx(path)
    return path, str(raised.value)


def test_sgml_with_unclosed_elements_and_a_windows_charset() -> None:
    (statement,) = read_ofx(SGML)
    assert statement.account == "DE22430609670000001004"
    assert statement.opening is None
    assert statement.closing == Decimal("1286.10")
    fee = statement.lines[-1]
    assert fee.bank_ref == "OAK-20261130-901"  # not swallowed by the empty <MEMO>
    assert fee.remittance == ""
    # 23:30 in New York on 30 November is 1 December in UTC: the bank's day counts.
    assert fee.date == datetime.date(2026, 11, 30)
    assert statement.lines[1].counterparty == "Fix-It Repair & Café Collective"
    assert statement.lines[1].counterparty_iban == "DE74430609670000002008"


def test_xml_with_payee_aggregate_and_a_missing_fitid() -> None:
    (statement,) = read_ofx(DATA / "ofx2-xml.ofx")
    assert [line.counterparty for line in statement.lines] == [
        "Commons Café Collective",
        "Müller & Söhne Roofing",
        "M. Okafor",
    ]
    assert statement.lines[2].bank_ref.startswith("gen-20261118-")


def test_several_statements_in_one_file() -> None:
    statements = read_ofx(DATA / "public" / "ofxparse-multiple_accounts.ofx")
    assert [s.account for s in statements] == ["78934567889", "89273829182"]
    assert [len(s.lines) for s in statements] == [4, 1]


def test_a_statement_without_its_account(tmp_path: Path) -> None:
    text = SGML.read_text("cp1252").replace("<ACCTID>DE22430609670000001004\n", "")
    path, message = error_of(tmp_path, text)
    assert message == (
        f"{path}:29: <STMTRS> has no <BANKACCTFROM><ACCTID>: whose account is this? "
        "Download the statement again from the bank"
    )


def test_a_bad_amount_names_its_line(tmp_path: Path) -> None:
    text = SGML.read_text("cp1252").replace("<TRNAMT>475.60", "<TRNAMT>475,60 EUR")
    path, message = error_of(tmp_path, text)
    assert message == f'{path}:50: <TRNAMT>: "475,60 EUR" is not an amount such as -1234.56'


def test_a_bad_date_names_its_line(tmp_path: Path) -> None:
    text = SGML.read_text("cp1252").replace("<DTPOSTED>20261117", "<DTPOSTED>2026-11-17")
    path, message = error_of(tmp_path, text)
    assert message == f'{path}:49: <DTPOSTED>: "2026-11-17" is not a date such as 20261130'


def test_an_unknown_currency(tmp_path: Path) -> None:
    text = SGML.read_text("cp1252").replace("<CURDEF>EUR", "<CURDEF>EUX")
    path, message = error_of(tmp_path, text)
    assert message.startswith(f'{path}:30: <CURDEF>: unknown currency "EUX"')


def test_a_credit_card_statement() -> None:
    text = SGML.read_text("cp1252")
    for bank, card in (("STMTRS>", "CCSTMTRS>"), ("BANKACCTFROM>", "CCACCTFROM>")):
        text = text.replace(bank, card)
    (statement,) = read_ofx(SGML, text.encode("cp1252"))
    assert statement.account == "DE22430609670000001004"
    assert len(statement.lines) == 3


def test_no_statement_in_the_file(tmp_path: Path) -> None:
    path, message = error_of(tmp_path, "OFXHEADER:100\n\n<OFX>\n<SIGNONMSGSRSV1>\n</OFX>\n")
    assert message == (
        f"{path}:3: no bank or credit-card statement (<STMTRS> or <CCSTMTRS>) in this "
        "OFX file"
    )
