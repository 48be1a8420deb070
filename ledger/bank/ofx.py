"""OFX bank statements, version 1 (SGML) and 2 (XML).

Both versions are read with the standard library's HTML tokenizer
(:class:`html.parser.HTMLParser`), which takes tags, text and character
references apart for us and knows each tag's line. OFX 1 is SGML that leaves
the end tags of data elements out (``<TRNAMT>-43.20`` then the next tag); OFX
defines an element as either data (text, no children) or an aggregate
(children, always closed), so a data element ends where the next tag begins.
That one rule builds the same tree from both versions.

Why not a library: ofxtools, the best kept one, is GPL-3.0-only, which cannot be
combined with Beancount's and so coopfund's GPL-2.0-only; ofxparse (MIT) is
unmaintained and converts every time to UTC, which moves a payment booked just
after midnight in Europe to the day before. Here a date is the bank's own
calendar date: the first eight digits of ``DTPOSTED``.

From each ``STMTRS`` (bank account) or ``CCSTMTRS`` (credit card): the account is
``ACCTID``; each ``STMTTRN`` is a line, ``FITID`` its bank reference, ``TRNAMT``
its signed amount, ``NAME`` (or ``PAYEE/NAME``) the counterparty and ``MEMO`` the
remittance. The closing balance is ``LEDGERBAL``; OFX has no opening balance, so
it is None. The period is ``DTSTART`` to ``DTEND`` of the transaction list.
"""

from __future__ import annotations

import codecs
import datetime
import re
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from ledger.bank.model import BankLine
from ledger.bank.model import BankStatement
from ledger.bank.model import StatementError
from ledger.bank.model import SyntheticRefs
from ledger.bank.model import Where
from ledger.bank.model import known_currency

_OFX_AMOUNT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def is_ofx(data: bytes) -> bool:
    """Whether the file starts like an OFX file (header or root element)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    return head.startswith(b"OFXHEADER") or b"<?OFX" in head or b"<OFX>" in head


@dataclass
class _Element:
    """An OFX element: data (``text``) or an aggregate (``children``)."""

    tag: str
    line: int
    raw: str = ""
    children: list[_Element] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.raw.strip()

    def find(self, path: str) -> _Element | None:
        """The first element at a ``/``-separated path of tags, case-insensitive."""
        found: _Element | None = self
        for tag in path.lower().split("/"):
            found = (
                next((c for c in found.children if c.tag == tag), None) if found else None
            )
        return found

    def text_at(self, path: str) -> str:
        found = self.find(path)
        return found.text if found is not None else ""

    def iter(self, tag: str) -> list[_Element]:
        """Every element named ``tag`` in this subtree, in document order."""
        found = [self] if self.tag == tag else []
        for child in self.children:
            found.extend(child.iter(tag))
        return found


class _TreeBuilder(HTMLParser):
    """Builds the element tree: a data element ends at the next tag.

    ``closed`` are the tags that have an end tag somewhere in the file: in OFX 1,
    the aggregates. An element without text, children or such an end tag is an
    empty data element (``<MEMO>`` with nothing after it), and ends at the next
    tag too, instead of swallowing what follows.
    """

    def __init__(self, closed: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.closed = closed
        self.root = _Element("", 0)
        self.stack = [self.root]

    def _close_data(self) -> None:
        while len(self.stack) > 1:
            top = self.stack[-1]
            if not (top.text or (not top.children and top.tag not in self.closed)):
                break
            self.stack.pop()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_data()
        element = _Element(tag, self.getpos()[0])
        self.stack[-1].children.append(element)
        self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if any(element.tag == tag for element in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        if top is not self.root and not top.children:  # aggregates hold no text
            top.raw += data


def _decode(data: bytes) -> str:
    """The text, in the encoding the OFX header declares (else UTF-8 or cp1252)."""
    head = data[:1024].decode("ascii", errors="replace").upper()
    declared = re.search(r'ENCODING\s*=\s*"([\w.-]+)"', head)  # OFX 2: <?xml encoding=...?>
    charset = re.search(r"CHARSET:\s*([\w.-]+)", head)  # OFX 1 header
    names = [declared.group(1) if declared else ""]
    if charset and charset.group(1) not in ("NONE", "UTF-8"):
        names.append(
            f"cp{charset.group(1)}" if charset.group(1).isdigit() else charset.group(1)
        )
    for name in [*names, "utf-8-sig", "cp1252"]:
        try:
            codecs.lookup(name)
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")  # the five bytes cp1252 leaves undefined


def read_ofx(path: Path, data: bytes | None = None) -> list[BankStatement]:
    """The statements in the OFX file at ``path`` (its bytes may be given)."""
    file = str(path)
    text = _decode(path.read_bytes() if data is None else data)
    builder = _TreeBuilder({tag.lower() for tag in re.findall(r"</([\w.]+)\s*>", text)})
    builder.feed(text)
    builder.close()
    root = builder.root.find("ofx")
    if root is None:
        raise StatementError(Where(file), "no <OFX> element: not an OFX file")
    found = root.iter("stmtrs") + root.iter("ccstmtrs")
    if not found:
        raise StatementError(
            Where(file, root.line),
            "no bank or credit-card statement (<STMTRS> or <CCSTMTRS>) in this OFX file",
        )
    found.sort(key=lambda element: element.line)
    return [_statement(file, element) for element in found]


def _statement(file: str, stmtrs: _Element) -> BankStatement:
    where = Where(file, stmtrs.line)
    account = stmtrs.text_at("bankacctfrom/acctid") or stmtrs.text_at("ccacctfrom/acctid")
    if not account:
        kind = "BANKACCTFROM" if stmtrs.tag == "stmtrs" else "CCACCTFROM"
        raise StatementError(
            where,
            f"<{stmtrs.tag.upper()}> has no <{kind}><ACCTID>: whose account is this? "
            "Download the statement again from the bank",
        )
    curdef = _required(file, stmtrs, "curdef")
    currency = known_currency(curdef.text, Where(file, curdef.line), "<CURDEF>: ")
    transactions = stmtrs.find("banktranlist")
    refs = SyntheticRefs()
    lines = [
        _line(file, stmttrn, currency, refs)
        for stmttrn in (transactions.iter("stmttrn") if transactions else [])
    ]
    lines.sort(key=lambda line: line.date)
    balance = stmtrs.find("ledgerbal")
    closing = None if balance is None else _amount(file, _required(file, balance, "balamt"))
    start, end = _period(file, stmtrs, lines)
    return BankStatement.of(
        account=account,
        currency=currency,
        period=(start, end),
        balances=(None, closing),
        lines=lines,
        where=where,
    )


def _required(file: str, parent: _Element, path: str) -> _Element:
    found = parent.find(path)
    if found is None or not found.text:
        tags = "".join(f"<{tag.upper()}>" for tag in path.split("/"))
        raise StatementError(
            Where(file, parent.line), f"<{parent.tag.upper()}> has no {tags}, but needs one"
        )
    return found


def _amount(file: str, element: _Element) -> Decimal:
    text = element.text
    if not _OFX_AMOUNT.fullmatch(text):
        raise StatementError(
            Where(file, element.line),
            f'<{element.tag.upper()}>: "{text}" is not an amount such as -1234.56',
        )
    return Decimal(text.replace(",", "."))


def _date(file: str, element: _Element) -> datetime.date:
    """The calendar date the bank wrote: ``20261130``, ``20261130120000.000[+1:CET]``."""
    text = element.text
    try:
        return datetime.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        raise StatementError(
            Where(file, element.line),
            f'<{element.tag.upper()}>: "{text}" is not a date such as 20261130',
        ) from None


def _line(file: str, stmttrn: _Element, currency: str, refs: SyntheticRefs) -> BankLine:
    where = Where(file, stmttrn.line)
    day = _date(file, _required(file, stmttrn, "dtposted"))
    amount = _amount(file, _required(file, stmttrn, "trnamt"))
    code = stmttrn.text_at("currency/cursym") or stmttrn.text_at("origcurrency/cursym")
    counterparty = stmttrn.text_at("name") or stmttrn.text_at("payee/name")
    remittance = stmttrn.text_at("memo")
    return BankLine(
        date=day,
        amount=amount,
        currency=known_currency(code, where, "<CURSYM>: ") if code else currency,
        bank_ref=stmttrn.text_at("fitid") or refs(day, amount, counterparty, remittance),
        counterparty=" ".join(counterparty.split()),
        counterparty_iban=stmttrn.text_at("bankacctto/acctid").replace(" ", ""),
        remittance=" ".join(remittance.split()),
        where=where,
    )


def _period(
    file: str, stmtrs: _Element, lines: list[BankLine]
) -> tuple[datetime.date, datetime.date]:
    days = []
    for path in ("banktranlist/dtstart", "banktranlist/dtend"):
        found = stmtrs.find(path)
        days.append(_date(file, found) if found is not None and found.text else None)
    start, end = days
    if start is not None and end is not None:
        return start, end
    dates = [line.date for line in lines]
    asof = stmtrs.find("ledgerbal/dtasof")
    if not dates and asof is not None and asof.text:
        dates = [_date(file, asof)]
    if not dates:
        raise StatementError(
            Where(file, stmtrs.line),
            "no <DTSTART> and <DTEND>, nor any transaction: which days does it cover?",
        )
    return start or min(dates), end or max(dates)
