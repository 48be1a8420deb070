"""Bank statement files as two kinds of bank would export them.

* ``csv``: a European online-banking export: UTF-8 with a byte-order mark, ``;``
  between fields, comma decimals, ``DD.MM.YYYY`` dates, account details above the
  header and the newest line first. These are the quirks real exports have and
  that the CSV importer must cope with.
* ``camt053``: ISO 20022 ``camt.053.001.02`` (bank-to-customer statement), as
  SEPA banks deliver it, with opening and closing booked balances.
"""

from __future__ import annotations

import csv
import datetime
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

CAMT_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


@dataclass(frozen=True)
class StatementLine:
    """One line of a bank statement."""

    date: datetime.date
    amount: Decimal
    counterparty: str
    counterparty_iban: str
    remittance: str
    bank_ref: str


@dataclass(frozen=True)
class Statement:
    """One month's statement of one fund's bank account."""

    entity: str
    owner: str
    iban: str
    currency: str
    start: datetime.date
    end: datetime.date
    opening: Decimal
    lines: tuple[StatementLine, ...]
    format: str

    @property
    def closing(self) -> Decimal:
        """The balance after the last line."""
        return self.opening + sum((line.amount for line in self.lines), Decimal(0))


def statement_file(statement: Statement) -> tuple[str, str]:
    """The file name and text of ``statement`` in its bank's format."""
    if statement.format == "csv":
        return f"{statement.entity.lower()}.csv", csv_text(statement)
    return f"{statement.entity.lower()}.camt053.xml", camt053_text(statement)


def _european(number: Decimal) -> str:
    """1234.5 -> '1.234,50'."""
    return f"{number:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


#: The name and ``custom "bank-csv"`` layout of the files :func:`csv_text` writes.
CSV_BANK = "coop-bank"
CSV_LAYOUT = {
    "delimiter": ";",
    "decimal": ",",
    "date-format": "%d.%m.%Y",
    "date": "Booking date",
    "amount": "Amount",
    "currency": "Currency",
    "reference": "Transaction ID",
    "counterparty": "Counterparty",
    "counterparty-iban": "Counterparty IBAN",
    "remittance": "Reference",
    "account": "Account",
    "opening": "Opening balance",
    "closing": "Closing balance",
    "period": "Statement period",
}


def csv_text(statement: Statement) -> str:
    """The statement as a ``;``-separated export, newest line first, with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    period = f"{statement.start:%d.%m.%Y} - {statement.end:%d.%m.%Y}"
    layout = CSV_LAYOUT
    writer.writerow([layout["account"], statement.iban])
    writer.writerow(["Account holder", statement.owner])
    writer.writerow([layout["period"], period])
    opening, closing = _european(statement.opening), _european(statement.closing)
    writer.writerow([layout["opening"], opening, statement.currency])
    writer.writerow([layout["closing"], closing, statement.currency])
    writer.writerow([])
    writer.writerow(
        [
            layout["date"],
            "Value date",
            layout["counterparty"],
            layout["counterparty-iban"],
            layout["remittance"],
            layout["reference"],
            layout["amount"],
            "Balance",
            layout["currency"],
        ]
    )
    balance = statement.opening
    rows = []
    for line in statement.lines:
        balance += line.amount
        rows.append(
            [
                f"{line.date:%d.%m.%Y}",
                f"{line.date:%d.%m.%Y}",
                line.counterparty,
                line.counterparty_iban,
                line.remittance,
                line.bank_ref,
                _european(line.amount),
                _european(balance),
                statement.currency,
            ]
        )
    writer.writerows(reversed(rows))
    return "\ufeff" + out.getvalue()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAMT_NAMESPACE}}}{tag}", attrs)
    element.text = text
    return element


def _path(parent: ET.Element, tags: str, text: str, **attrs: str) -> None:
    """Add nested elements ``A/B/C`` with ``text`` (and ``attrs``) on the last."""
    *parents, last = tags.split("/")
    for tag in parents:
        parent = _sub(parent, tag)
    _sub(parent, last, text, **attrs)


def camt053_text(statement: Statement) -> str:
    """The statement as an ISO 20022 camt.053.001.02 document."""
    ET.register_namespace("", CAMT_NAMESPACE)
    document = ET.Element(f"{{{CAMT_NAMESPACE}}}Document")
    report = _sub(document, "BkToCstmrStmt")
    ident = f"{statement.entity.upper()}-{statement.start:%Y%m}"
    created = f"{statement.end:%Y-%m-%d}T23:59:59"
    header = _sub(report, "GrpHdr")
    _sub(header, "MsgId", ident)
    _sub(header, "CreDtTm", created)
    stmt = _sub(report, "Stmt")
    _sub(stmt, "Id", ident)
    _sub(stmt, "ElctrncSeqNb", f"{statement.start.month}")
    _sub(stmt, "CreDtTm", created)
    period = _sub(stmt, "FrToDt")
    _sub(period, "FrDtTm", f"{statement.start:%Y-%m-%d}T00:00:00")
    _sub(period, "ToDtTm", created)
    account = _sub(stmt, "Acct")
    _path(account, "Id/IBAN", statement.iban)
    _sub(account, "Ccy", statement.currency)
    _path(account, "Ownr/Nm", statement.owner)
    for code, amount, day in (
        ("OPBD", statement.opening, statement.start),
        ("CLBD", statement.closing, statement.end),
    ):
        balance = _sub(stmt, "Bal")
        _path(balance, "Tp/CdOrPrtry/Cd", code)
        _sub(balance, "Amt", f"{abs(amount):.2f}", Ccy=statement.currency)
        _sub(balance, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
        _path(balance, "Dt/Dt", f"{day:%Y-%m-%d}")
    for line in statement.lines:
        _camt_entry(stmt, line, statement.currency)
    ET.indent(document)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, "unicode") + "\n"
    )


def _camt_entry(stmt: ET.Element, line: StatementLine, currency: str) -> None:
    credit = line.amount >= 0
    amount = f"{abs(line.amount):.2f}"
    entry = _sub(stmt, "Ntry")
    _sub(entry, "Amt", amount, Ccy=currency)
    _sub(entry, "CdtDbtInd", "CRDT" if credit else "DBIT")
    _sub(entry, "Sts", "BOOK")
    _path(entry, "BookgDt/Dt", f"{line.date:%Y-%m-%d}")
    _path(entry, "ValDt/Dt", f"{line.date:%Y-%m-%d}")
    _sub(entry, "AcctSvcrRef", line.bank_ref)
    _path(entry, "BkTxCd/Domn/Cd", "PMNT")
    details = _sub(_sub(entry, "NtryDtls"), "TxDtls")
    refs = _sub(details, "Refs")
    _sub(refs, "AcctSvcrRef", line.bank_ref)
    _sub(refs, "EndToEndId", "NOTPROVIDED")
    _path(details, "AmtDtls/TxAmt/Amt", amount, Ccy=currency)
    parties = _sub(details, "RltdPties")
    party, party_account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
    _path(parties, f"{party}/Nm", line.counterparty)
    if line.counterparty_iban:
        _path(parties, f"{party_account}/Id/IBAN", line.counterparty_iban)
    _path(details, "RmtInf/Ustrd", line.remittance)
