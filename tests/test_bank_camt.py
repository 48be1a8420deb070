"""camt.053: versions, several statements, batches, reversals, and errors by element."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ledger.bank.camt import read_camt053
from ledger.bank.model import StatementError
from tests.bank_golden import DATA

FIXTURE = DATA / "camt053-two-statements.xml"
TEXT = FIXTURE.read_text("utf-8")
STMT1 = "Document/BkToCstmrStmt/Stmt[1]"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "statement.xml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(StatementError) as raised:
        read_camt053(path)
    return str(raised.value)


def test_two_statements_batch_and_reversal() -> None:
    first, second = read_camt053(FIXTURE)
    assert (first.account, second.account) == (
        "DE49430609670000001003",
        "DE76430609670000001002",
    )
    batch = [line for line in first.lines if line.date.day == 5]
    assert [(line.amount, line.bank_ref) for line in batch] == [
        (Decimal("1200.00"), "RIV-20261105-B01"),
        (Decimal("1250.00"), "RIV-20261105-BATCH/2"),
        (Decimal("700.00"), "RIV-20261105-BATCH/3"),
    ]
    assert batch[1].remittance == "RF18539007547034"  # structured creditor reference
    (reversal,) = [line for line in first.lines if line.reversal]
    assert reversal.amount == Decimal("-1008.15")
    assert reversal.counterparty == "Millbrook Bicycle Workshop"  # not the co-op itself
    assert all(line.bank_ref != "RIV-20261130-P01" for line in first.lines)  # pending
    assert second.opening == Decimal("134988.56")  # PRCD, for want of OPBD
    for statement in (first, second):
        statement.check_arithmetic()


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08", "10", "13"])
def test_versions_are_recognised_by_namespace(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, TEXT.replace("camt.053.001.08", f"camt.053.001.{version}"))
    assert len(read_camt053(path)) == 2


def test_truncated_file_names_the_line(tmp_path: Path) -> None:
    truncated = TEXT[: TEXT.index("<Ntry>", 3000) + 20]
    path = write(tmp_path, truncated)
    message = error_of(path)
    last_line = truncated.count("\n") + 1
    assert message.startswith(f"{path}:{last_line}: not well-formed XML")
    assert message.endswith(
        "the file is damaged or incomplete: download it again from the bank"
    )


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, TEXT.replace("<Cd>OPBD</Cd>", "<Cd>OPBD</Code>"))
    line = TEXT[: TEXT.index("<Cd>OPBD</Cd>")].count("\n") + 1
    assert error_of(path).startswith(f"{path}:{line}: not well-formed XML (column")


def test_unknown_currency_names_the_element(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        TEXT.replace('<Amt Ccy="EUR">2648.81</Amt>', '<Amt Ccy="EUX">2648.81</Amt>'),
    )
    assert error_of(path) == (
        f'{path}: {STMT1}/Ntry[1]/Amt: unknown currency "EUX": not an ISO 4217 code '
        "such as EUR or USD"
    )


def test_a_missing_required_element_names_its_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        TEXT.replace("<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>", "<RvslInd>"),
    )
    assert (
        error_of(path) == f"{path}: {STMT1}/Ntry[3]/CdtDbtInd: missing, but required here"
    )


def test_a_batch_that_does_not_add_up(tmp_path: Path) -> None:
    path = write(
        tmp_path, TEXT.replace('<Amt Ccy="EUR">700.00</Amt>', '<Amt Ccy="EUR">70.00</Amt>')
    )
    assert error_of(path) == (
        f"{path}: {STMT1}/Ntry[2]: its 3 transactions (TxDtls) add up to 2520.00, not to "
        "the entry's 3150.00; the file is inconsistent: ask the bank"
    )


def test_a_bad_amount(tmp_path: Path) -> None:
    path = write(tmp_path, TEXT.replace(">2648.81<", ">2,648.81<"))
    assert error_of(path) == (
        f'{path}: {STMT1}/Ntry[1]/Amt: "2,648.81" is not an amount such as 1234.56'
    )


def test_a_balance_in_another_currency(tmp_path: Path) -> None:
    path = write(
        tmp_path, TEXT.replace('<Amt Ccy="EUR">170317.52', '<Amt Ccy="SEK">170317.52', 1)
    )
    assert (
        error_of(path) == f"{path}: {STMT1}/Bal[2]/Amt: in SEK, but the account is in EUR"
    )


def test_not_a_camt053_document(tmp_path: Path) -> None:
    path = write(tmp_path, '<?xml version="1.0"?><Document xmlns="urn:other"/>')
    assert "not an ISO 20022 camt.053 statement" in error_of(path)


def test_a_public_sample_whose_period_contradicts_its_entries() -> None:
    """genkgo/camt's multi-statement sample dates its period 2007, its entries 2014."""
    path = DATA / "public" / "genkgo-camt053.v2.multi.statement.xml"
    assert error_of(path) == (
        f"{path}: {STMT1}/Ntry[1]/NtryDtls[1]/TxDtls[1]: dated 2014-12-31, outside the "
        "statement period 2007-10-18 to 2007-10-18; the file is inconsistent: ask the bank"
    )
