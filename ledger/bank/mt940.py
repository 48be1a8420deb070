"""SWIFT MT940 statements, read with the ``mt-940`` package (module ``mt940``).

An MT940 file holds one or more statements, each starting at ``:20:``: the
account (``:25:``), the opening balance (``:60F:``, or ``:60M:`` for a
statement continued from the previous page), one ``:61:`` line per movement
with its ``:86:`` details, and the closing balance (``:62F:`` or ``:62M:``).
The package parses the tags, German structured ``:86:`` details included
(``?20``-``?29`` remittance, ``?32``/``?33`` name, ``?31`` IBAN); all its
opt-in fixes are switched on, among them signing a reversal of a credit
(``RC``) as money out.

A line's date is its booking (entry) date when the bank gives one, else its
value date. Its bank reference is the ``:61:`` bank reference (after ``//``),
else the customer reference unless that is ``NONREF``, else a synthetic one;
a reference the bank repeats within a statement gets ``/2``, ``/3``, ... The
statement runs from the day after its opening balance's (or its first line's
day, if earlier) to its closing balance's day; lines come oldest first.

The package reports no line numbers, so this module finds the lines itself:
errors name the file and the line of the tag that could not be read.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import mt940
from mt940.models import Transactions

from ledger.bank.model import BankLine
from ledger.bank.model import BankStatement
from ledger.bank.model import StatementError
from ledger.bank.model import SyntheticRefs
from ledger.bank.model import Where
from ledger.bank.model import known_currency

_STATEMENT_START = re.compile(r"(?m)^(?=:20:)")
_TAG = re.compile(r"(?m)^:(\d{2}[A-Z]?|NS):")
_OPTIONS = mt940.Options.all()


def is_mt940(data: bytes) -> bool:
    """Whether the file has the tags of an MT940 statement."""
    text = data[:8192].decode("latin-1")
    return all(re.search(rf"(?m)^:{tag}", text) for tag in ("20:", "25:", "6[02][FM]:"))


@dataclass(frozen=True)
class _Block:
    """One statement's text and the file line it starts on."""

    text: str
    line: int

    def tag_lines(self, tag: str) -> list[int]:
        """The file lines of every ``:tag:`` in this block."""
        return [
            self.line + self.text.count("\n", 0, match.start())
            for match in _TAG.finditer(self.text)
            if match.group(1) == tag
        ]


def read_mt940(path: Path, data: bytes | None = None) -> list[BankStatement]:
    """The statements in the MT940 file at ``path`` (its bytes may be given)."""
    file = str(path)
    raw = path.read_bytes() if data is None else data
    with _library_quiet():
        return _read(file, raw)


def _read(file: str, raw: bytes) -> list[BankStatement]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # MT940 is ASCII by the standard; banks vary
    starts = [match.start() for match in _STATEMENT_START.finditer(text)]
    blocks = [
        _Block(text[start:end], text.count("\n", 0, start) + 1)
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True)
    ]
    if not blocks:
        raise StatementError(Where(file), "no :20: tag: not an MT940 statement")
    return [_statement(file, block) for block in blocks]


_TAG_NAMES = {
    "61": "a statement line (date, C or D, amount, type, reference)",
    "60": "an opening balance (C or D, date, currency, amount)",
    "62": "a closing balance (C or D, date, currency, amount)",
    "25": "an account",
}


@contextlib.contextmanager
def _library_quiet() -> Iterator[None]:
    """Silence the package's own logging of a failed match (a page of regular
    expression): the StatementError says what is wrong, where, in words."""
    logger = logging.getLogger("mt940")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


_ERRORS = (RuntimeError, ValueError, ArithmeticError, KeyError, TypeError, IndexError)


def _parse(file: str, block: _Block) -> Transactions:
    transactions = Transactions(options=_OPTIONS)
    try:
        transactions.parse(block.text)
    except RuntimeError as error:
        if len(error.args) < 3:
            raise _located(file, block, error) from None
        tag_id, value = str(error.args[1].id), str(error.args[2])
        first = value.strip().splitlines()[0] if value.strip() else ""
        raise StatementError(
            Where(file, _line_of(block, tag_id, first)),
            f':{tag_id}: "{first}" cannot be read as '
            f"{_TAG_NAMES.get(tag_id[:2], 'what this tag should hold')}",
        ) from None
    except _ERRORS as error:
        raise _located(file, block, error) from None
    return transactions


def _located(file: str, block: _Block, error: Exception) -> StatementError:
    """The error at the first tag that cannot be read on its own."""
    matches = list(_TAG.finditer(block.text))
    ends = [match.start() for match in matches[1:]] + [len(block.text)]
    for match, end in zip(matches, ends, strict=True):
        try:
            Transactions(options=_OPTIONS).parse(block.text[match.start() : end])
        except _ERRORS as tag_error:
            line = block.line + block.text.count("\n", 0, match.start())
            return StatementError(
                Where(file, line), f":{match.group(1)}: cannot be read: {tag_error}"
            )
    return StatementError(Where(file, block.line), f"cannot read this statement: {error}")


def _line_of(block: _Block, tag_id: str, first: str) -> int:
    """The file line of the ``:tag_id:`` whose value starts with ``first``."""
    for match in _TAG.finditer(block.text):
        if match.group(1).startswith(tag_id):
            rest = block.text[match.end() :].lstrip()
            if rest.startswith(first):
                return block.line + block.text.count("\n", 0, match.start())
    return block.line


def _statement(file: str, block: _Block) -> BankStatement:
    transactions = _parse(file, block)
    info = transactions.data
    where = Where(file, block.line)
    account = str(info.get("account_identification") or "").strip()
    if not account:
        raise StatementError(
            where, "no :25: account identification: whose statement is it?"
        )
    opening = _balance(info, "final_opening_balance", "intermediate_opening_balance")
    closing = _balance(info, "final_closing_balance", "intermediate_closing_balance")
    currency_code = transactions.currency
    if not currency_code:
        raise StatementError(where, "no balance with a currency (:60F: or :62F:)")
    currency = known_currency(
        currency_code, Where(file, _first(block, "60F", "60M", "62F"))
    )
    lines = _lines(file, block, transactions, currency)
    start, end = _period(info, lines)
    if start is None or end is None:
        raise StatementError(
            where, "no lines and no closing balance: which days does it cover?"
        )
    return BankStatement.of(
        account=account,
        currency=currency,
        period=(start, end),
        balances=(opening, closing),
        lines=lines,
        where=where,
    )


def _period(
    info: dict[str, Any], lines: list[BankLine]
) -> tuple[datetime.date | None, datetime.date | None]:
    """From the day after the opening balance's (or the first line's, if earlier) to
    the closing balance's day (or the last line's, if later).

    Banks date ``:60F:`` either with the previous statement's last day or with this
    statement's first; taking the earlier of the day after it and the first line
    fits both.
    """
    opening_day = _balance_day(
        info, "final_opening_balance", "intermediate_opening_balance"
    )
    closing_day = _balance_day(
        info, "final_closing_balance", "intermediate_closing_balance"
    )
    days = [line.date for line in lines]
    firsts = [*days, *([opening_day + datetime.timedelta(days=1)] if opening_day else [])]
    lasts = [*days, *([closing_day] if closing_day else [])]
    if not lasts:
        return None, None
    end = max(lasts)
    return min([*firsts, end]), end


def _first(block: _Block, *tags: str) -> int:
    return min((line for tag in tags for line in block.tag_lines(tag)), default=block.line)


def _balance(info: dict[str, Any], *keys: str) -> Decimal | None:
    for key in keys:
        balance = info.get(key)
        if balance is not None and isinstance(balance.amount, mt940.models.Amount):
            return Decimal(balance.amount.amount)
    return None


def _balance_day(info: dict[str, Any], *keys: str) -> datetime.date | None:
    for key in keys:
        balance = info.get(key)
        if balance is not None and balance.date is not None:
            return datetime.date(balance.date.year, balance.date.month, balance.date.day)
    return None


def _lines(
    file: str, block: _Block, transactions: Transactions, currency: str
) -> list[BankLine]:
    numbers = block.tag_lines("61")
    refs = SyntheticRefs()
    lines = []
    for index, transaction in enumerate(transactions):
        details: dict[str, Any] = transaction.data
        where = Where(file, numbers[index] if index < len(numbers) else block.line)
        day = details.get("entry_date") or details["date"]
        day = datetime.date(day.year, day.month, day.day)
        amount = Decimal(details["amount"].amount)
        code = details["amount"].currency or currency
        counterparty = _text(details, "applicant_name")
        remittance = _text(details, "purpose") or _text(details, "transaction_details")
        reference = _text(details, "bank_reference")
        customer = _text(details, "customer_reference")
        if not reference and customer.upper() != "NONREF":
            reference = customer
        lines.append(
            BankLine(
                date=day,
                amount=amount,
                currency=known_currency(code, where),
                bank_ref=reference or refs(day, amount, counterparty, remittance),
                counterparty=counterparty,
                counterparty_iban=(
                    _text(details, "applicant_iban") or _text(details, "gvc_applicant_iban")
                ).replace(" ", ""),
                remittance=remittance,
                where=where,
                reversal=str(details.get("status") or "").upper().startswith("R"),
            )
        )
    return lines


def _text(details: dict[str, Any], key: str) -> str:
    value = details.get(key)
    return " ".join(str(value).split()) if value else ""
