"""ISO 20022 camt.053 bank-to-customer statements, read with ElementTree.

SEPA banks deliver statements as camt.053 XML; every version from
``camt.053.001.02`` on is read (the namespace says which, and the parts we read
kept their place). The PyPI package pycamt was considered and not used: it
merges the statements of a file into one list of transactions, gives every
transaction of a batch the entry's reference, reads the first ``Amt`` it meets
in a transaction, and converts balances through floats.

What we take from each ``Stmt``:

* the account (``Acct/Id/IBAN``, or ``Acct/Id/Othr/Id``) and its currency;
* the opening balance (``OPBD``, else ``PRCD``, the previous closing) and the
  closing balance (``CLBD``), signed by their ``CdtDbtInd``;
* the period (``FrToDt``, else the booking dates of the entries);
* each booked entry (``Ntry`` whose status is ``BOOK``): its ``CdtDbtInd`` gives
  the sign, also for a reversal (``RvslInd`` true: ISO 20022 rules that the
  indicator is that of the reversal entry itself, not of what it reverses).

An entry with several ``TxDtls`` (a batch booking, say) becomes one line per
transaction, each with its own amount and a reference made unique per
transaction: its own ``Refs/AcctSvcrRef`` or the entry's reference and
``/1``, ``/2``, ... The transactions must add up to the entry, or the file is
refused. The counterparty is the debtor of money that came in and the creditor
of money that went out: for a reversal, the other party of the payment it
reverses.

Errors name the file and, for malformed XML, the line; otherwise the path of the
element, such as ``Document/BkToCstmrStmt/Stmt[2]/Ntry[3]/Amt``.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ledger.bank.model import BankLine
from ledger.bank.model import BankStatement
from ledger.bank.model import StatementError
from ledger.bank.model import SyntheticRefs
from ledger.bank.model import Where
from ledger.bank.model import known_currency

NAMESPACE = re.compile(r"^\{(urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.001\.(\d{2}))\}")
_AMOUNT = re.compile(r"\d+(\.\d+)?")


def camt_message(data: bytes) -> str | None:
    """The camt message type the file declares ("053", "052", ...), if any."""
    match = re.search(rb"urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.", data[:4096])
    return match.group(1).decode() if match else None


class _Node:
    """An element with the namespace and its path, for finding and for messages."""

    def __init__(self, element: ET.Element, path: str, namespace: str, file: str) -> None:
        self.element = element
        self.path = path
        self.namespace = namespace
        self.file = file

    def _qualified(self, path: str) -> str:
        return "/".join(f"{{{self.namespace}}}{tag}" for tag in path.split("/"))

    def find(self, path: str) -> _Node | None:
        found = self.element.find(self._qualified(path))
        return (
            None
            if found is None
            else _Node(found, f"{self.path}/{path}", self.namespace, self.file)
        )

    def all(self, path: str) -> Iterator[_Node]:
        """Every element at ``path``, with its 1-based index in the path."""
        for index, found in enumerate(self.element.findall(self._qualified(path)), 1):
            yield _Node(found, f"{self.path}/{path}[{index}]", self.namespace, self.file)

    @property
    def value(self) -> str:
        """The element's own text, stripped."""
        return (self.element.text or "").strip()

    def text(self, path: str) -> str:
        """The text at ``path``, stripped; empty if the element is missing."""
        found = self.find(path)
        return found.value if found is not None else ""

    def first_text(self, *paths: str) -> str:
        return next((text for text in map(self.text, paths) if text), "")

    def required(self, path: str) -> _Node:
        """The element at ``path``; a StatementError naming it if missing or empty."""
        found = self.find(path)
        if found is None or not (found.value or len(found.element)):
            raise StatementError(self.where(path), "missing, but required here")
        return found

    def where(self, path: str = "") -> Where:
        return Where(self.file, element=f"{self.path}/{path}" if path else self.path)

    def error(self, message: str) -> StatementError:
        return StatementError(self.where(), message)


def read_camt053(path: Path, data: bytes | None = None) -> list[BankStatement]:
    """The statements in the camt.053 file at ``path`` (its bytes may be given)."""
    file = str(path)
    raw = path.read_bytes() if data is None else data
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as error:
        line, column = error.position
        raise StatementError(
            Where(file, line),
            f"not well-formed XML (column {column + 1}: {_reason(error)}); the file is "
            "damaged or incomplete: download it again from the bank",
        ) from None
    match = NAMESPACE.match(root.tag)
    if not match or match.group(2) != "053" or not root.tag.endswith("}Document"):
        raise StatementError(
            Where(file, element=root.tag),
            "not an ISO 20022 camt.053 statement (its root should be a Document in the "
            "namespace urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN)",
        )
    document = _Node(root, "Document", match.group(1), file)
    report = document.required("BkToCstmrStmt")
    statements = [_statement(node) for node in report.all("Stmt")]
    if not statements:
        raise report.error("no Stmt: the file holds no statement")
    return statements


def _reason(error: ET.ParseError) -> str:
    """Expat's message without the line and column it repeats."""
    return re.sub(r":\s*line \d+, column \d+$", "", str(error))


def _statement(stmt: _Node) -> BankStatement:
    account_id = stmt.required("Acct/Id")
    account = account_id.first_text("IBAN", "Othr/Id")
    if not account:
        raise account_id.error("no IBAN or Othr/Id: whose account is this?")
    currency = _statement_currency(stmt)
    balances = {_balance_code(balance): balance for balance in stmt.all("Bal")}
    opening = balances.get("OPBD") or balances.get("PRCD")
    closing = balances.get("CLBD")
    for balance in (opening, closing):
        if balance is not None:
            _check_currency(balance.required("Amt"), currency)
    refs = SyntheticRefs()
    lines = [
        line
        for entry in stmt.all("Ntry")
        if entry.first_text("Sts/Cd", "Sts") in ("", "BOOK")
        for line in _entry_lines(entry, currency, refs)
    ]
    start, end = _period(stmt, lines)
    return BankStatement.of(
        account=account,
        currency=currency,
        period=(start, end),
        balances=(
            None if opening is None else _signed(opening),
            None if closing is None else _signed(closing),
        ),
        lines=lines,
        where=stmt.where(),
    )


def _statement_currency(stmt: _Node) -> str:
    """The account's currency; else that of its first balance or entry."""
    code = stmt.find("Acct/Ccy")
    if code is not None:
        return known_currency(code.value, code.where())
    for path in ("Bal/Amt", "Ntry/Amt"):
        amount = stmt.find(path)
        if amount is not None:
            return _currency_of(amount)
    raise stmt.error("no Acct/Ccy, balance or entry: in which currency is it?")


def _currency_of(amount: _Node) -> str:
    code = amount.element.get("Ccy")
    if not code:
        raise amount.error('no Ccy="..." attribute: in which currency is this amount?')
    return known_currency(code, amount.where())


def _check_currency(amount: _Node, currency: str) -> None:
    code = _currency_of(amount)
    if code != currency:
        raise amount.error(f"in {code}, but the account is in {currency}")


def _balance_code(balance: _Node) -> str:
    return balance.first_text("Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")


def _number(amount: _Node) -> Decimal:
    text = amount.value
    if not _AMOUNT.fullmatch(text):
        raise amount.error(f'"{text}" is not an amount such as 1234.56')
    return Decimal(text)


def _credit(node: _Node) -> bool:
    indicator = node.required("CdtDbtInd")
    text = indicator.value
    if text not in ("CRDT", "DBIT"):
        raise indicator.error(f'"{text}" is neither CRDT nor DBIT')
    return text == "CRDT"


def _signed(node: _Node) -> Decimal:
    """The ``Amt`` of a balance or entry, negative when it is a debit."""
    number = _number(node.required("Amt"))
    return number if _credit(node) else -number


def _day(node: _Node, *paths: str) -> datetime.date | None:
    for path in paths:
        found = node.find(path)
        if found is None:
            continue
        text = found.value
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            raise found.error(f'"{text}" is not a date such as 2026-11-30') from None
    return None


def _entry_lines(entry: _Node, currency: str, refs: SyntheticRefs) -> list[BankLine]:
    amount = _signed(entry)
    _check_currency(entry.required("Amt"), currency)
    day = _day(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
    if day is None:
        raise StatementError(entry.where("BookgDt"), "missing: when was this booked?")
    reversal = entry.text("RvslInd").lower() in ("true", "1")
    details = [tx for group in entry.all("NtryDtls") for tx in group.all("TxDtls")]
    reference = entry.first_text("AcctSvcrRef", "NtryRef")
    if len(details) <= 1:
        tx = details[0] if details else None
        line = _line(entry, tx, day, amount, currency=currency, reversal=reversal)
        if not reference:
            reference = refs(day, amount, line.counterparty, line.remittance)
        return [replace(line, bank_ref=reference)]
    lines = []
    for index, tx in enumerate(details, 1):
        tx_amount = _tx_amount(tx, currency, amount > 0)
        line = _line(entry, tx, day, tx_amount, currency=currency, reversal=reversal)
        own = tx.text("Refs/AcctSvcrRef")
        if own and own != reference:
            tx_ref = own
        elif reference:
            tx_ref = f"{reference}/{index}"
        else:
            tx_ref = refs(day, tx_amount, line.counterparty, line.remittance)
        lines.append(replace(line, bank_ref=tx_ref))
    total = sum((line.amount for line in lines), Decimal(0))
    if total != amount:
        raise entry.error(
            f"its {len(lines)} transactions (TxDtls) add up to {total}, not to the "
            f"entry's {amount}; the file is inconsistent: ask the bank"
        )
    return lines


def _tx_amount(tx: _Node, currency: str, entry_credit: bool) -> Decimal:
    amount = tx.find("AmtDtls/TxAmt/Amt") or tx.find("Amt")
    if amount is None:
        raise tx.error(
            "no amount (AmtDtls/TxAmt/Amt or Amt): a batch entry needs each "
            "transaction's own amount"
        )
    _check_currency(amount, currency)
    number = _number(amount)
    credit = _credit(tx) if tx.find("CdtDbtInd") is not None else entry_credit
    return number if credit else -number


def _line(
    entry: _Node,
    tx: _Node | None,
    day: datetime.date,
    amount: Decimal,
    *,
    currency: str,
    reversal: bool,
) -> BankLine:
    """A line (without its reference yet) from an entry and one of its TxDtls."""
    name, iban, remittance = "", "", ""
    if tx is not None:
        # The other party of the payment: for a reversal, of the payment reversed.
        from_debtor = (amount > 0) != reversal
        sides = [("Dbtr", "DbtrAcct"), ("Cdtr", "CdtrAcct")]
        for party, account in sides if from_debtor else sides[::-1]:
            name = tx.first_text(f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm")
            iban = tx.first_text(
                f"RltdPties/{account}/Id/IBAN", f"RltdPties/{account}/Id/Othr/Id"
            )
            if name or iban:
                break
        remittance = _remittance(tx)
    return BankLine(
        date=day,
        amount=amount,
        currency=currency,
        bank_ref="",
        counterparty=" ".join(name.split()),
        counterparty_iban=iban.replace(" ", ""),
        remittance=remittance or " ".join(entry.text("AddtlNtryInf").split()),
        where=(tx or entry).where(),
        reversal=reversal,
    )


def _remittance(tx: _Node) -> str:
    """Unstructured remittance lines joined, else the structured creditor references."""
    texts = [node.value for node in tx.all("RmtInf/Ustrd")]
    if not any(texts):
        texts = [node.text("CdtrRefInf/Ref") for node in tx.all("RmtInf/Strd")]
    if not any(texts):
        texts = [tx.text("AddtlTxInf")]
    return " ".join(" ".join(texts).split())


def _period(stmt: _Node, lines: list[BankLine]) -> tuple[datetime.date, datetime.date]:
    """``FrToDt``; else the first and last booking days, else the closing balance's."""
    start = _day(stmt, "FrToDt/FrDtTm", "FrToDt/FrDt")
    end = _day(stmt, "FrToDt/ToDtTm", "FrToDt/ToDt")
    if start is not None and end is not None:
        return start, end
    days = [line.date for line in lines] or [
        day
        for balance in stmt.all("Bal")
        if _balance_code(balance) == "CLBD"
        for day in [_day(balance, "Dt/Dt", "Dt/DtTm")]
        if day is not None
    ]
    if not days:
        raise StatementError(
            stmt.where("FrToDt"), "missing, and no entries or closing balance to date it by"
        )
    return start or min(days), end or max(days)
