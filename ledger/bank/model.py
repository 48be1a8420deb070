"""The statement model every format is read into.

A statement is one account's movements over a period, with the opening and
closing balances when the format gives them. A line is one movement, as the bank
booked it: the bank's own reference for it, who the other party was, and the
remittance text the payer typed. Every line and statement remembers where in the
file it came from, so a problem can be reported at that line or element.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace
from decimal import Decimal

import babel.numbers


@dataclass(frozen=True)
class Where:
    """A place in a statement file: a line number, or an element's path."""

    file: str
    line: int | None = None
    element: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.element:
            return f"{self.file}: {self.element}"
        return self.file


class StatementError(Exception):
    """A statement file cannot be read; says where and what to do about it."""

    def __init__(self, where: Where, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True)
class BankLine:
    """One movement on the account; ``amount`` is positive for money coming in."""

    date: datetime.date
    amount: Decimal
    currency: str
    #: The bank's unique reference for this movement on this account.
    bank_ref: str
    counterparty: str
    counterparty_iban: str
    remittance: str
    where: Where
    #: The bank reversed an earlier movement (a returned direct debit, say).
    reversal: bool = False


@dataclass(frozen=True)
class BankStatement:
    """One account's movements between ``start`` and ``end`` (both inclusive)."""

    #: The account as the bank names it: an IBAN, or the bank's account number.
    account: str
    currency: str
    start: datetime.date
    end: datetime.date
    #: Balances at the start of ``start`` and the end of ``end``, when given.
    opening: Decimal | None
    closing: Decimal | None
    lines: tuple[BankLine, ...]
    where: Where

    @classmethod
    def of(
        cls,
        *,
        account: str,
        currency: str,
        period: tuple[datetime.date, datetime.date],
        balances: tuple[Decimal | None, Decimal | None],
        lines: Iterable[BankLine],
        where: Where,
    ) -> BankStatement:
        """A statement as every reader should make it: the account without spaces,
        the lines oldest first with unique references, all within the period."""
        start, end = period
        opening, closing = balances
        ordered = sorted(unique_refs(lines), key=lambda line: line.date)
        statement = cls(
            account.replace(" ", ""),
            currency,
            start,
            end,
            opening,
            closing,
            tuple(ordered),
            where,
        )
        return within_period(statement)

    def check_arithmetic(self) -> None:
        """Refuse a statement whose lines do not add up to its balances."""
        if self.opening is None or self.closing is None:
            return
        moved = sum((line.amount for line in self.lines), Decimal(0))
        difference = self.opening + moved - self.closing
        if difference:
            raise StatementError(
                self.where,
                f"opening balance {self.opening} plus the lines ({moved}) is "
                f"{self.opening + moved}, not the closing balance {self.closing} "
                f"(difference {difference}); the file is incomplete or damaged: "
                "download it again from the bank",
            )


def known_currency(code: str, where: Where, context: str = "") -> str:
    """``code`` in capitals if ISO 4217 knows it; else a StatementError at ``where``.

    A mistyped code ("EUX") would otherwise only surface later as a currency the
    fund does not hold, far from the line that has it. Babel carries the ISO 4217
    list (from CLDR), so no list of our own goes stale.
    """
    normal = code.strip().upper()
    if not is_iso_currency(normal):
        raise StatementError(
            where,
            f'{context}unknown currency "{code.strip()}": not an ISO 4217 code '
            "such as EUR or USD",
        )
    return normal


def is_iso_currency(code: str) -> bool:
    """Whether ``code`` (in capitals) is an ISO 4217 currency code."""
    return code in _iso_currencies()


@functools.cache
def _iso_currencies() -> frozenset[str]:
    return frozenset(babel.numbers.list_currencies())


class SyntheticRefs:
    """Stable references for lines that come without the bank's own.

    Some exports (many CSV files, a few OFX and MT940 files) give a line no
    reference of its own, but deduplication needs one that is the same every time
    the line is downloaded. It is made from what the line says: date, amount,
    counterparty and remittance, plus how many identical lines came before it in
    the same file. The limitation: if the bank later changes any of these texts, or
    one download holds only some of several identical lines of a day, the same
    movement gets a different reference and would be imported twice. Prefer a
    layout with the bank's reference column whenever the bank offers one.
    """

    PREFIX = "gen-"

    def __init__(self) -> None:
        self._seen: Counter[tuple[str, ...]] = Counter()

    def __call__(
        self, date: datetime.date, amount: Decimal, counterparty: str, remittance: str
    ) -> str:
        """The next reference for a line with these contents."""
        key = (
            date.isoformat(),
            format(amount.normalize(), "f"),
            " ".join(counterparty.split()),
            " ".join(remittance.split()),
        )
        self._seen[key] += 1
        text = "\x1f".join((*key, str(self._seen[key])))
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        return f"{self.PREFIX}{date:%Y%m%d}-{digest}"


def unique_refs(lines: Iterable[BankLine]) -> tuple[BankLine, ...]:
    """The lines, a reference repeated within them suffixed ``/2``, ``/3``, ...

    Banks are supposed to give each movement its own reference, but some repeat
    one (a standing order's, say); a repeated reference would make the second line
    look already imported. The first occurrence keeps the bank's reference as is.
    """
    seen: Counter[str] = Counter()
    unique = []
    for line in lines:
        seen[line.bank_ref] += 1
        count = seen[line.bank_ref]
        ref = line.bank_ref if count == 1 else f"{line.bank_ref}/{count}"
        unique.append(replace(line, bank_ref=ref))
    return tuple(unique)


def within_period(statement: BankStatement) -> BankStatement:
    """The statement, once sure that every line falls within its period.

    A line outside ``start`` to ``end`` means the file's period or dates are wrong,
    and the balances checked at ``start`` and after ``end`` would not hold.
    """
    if statement.end < statement.start:
        raise StatementError(
            statement.where,
            f"the statement period ends ({statement.end}) before it starts "
            f"({statement.start})",
        )
    for line in statement.lines:
        if not statement.start <= line.date <= statement.end:
            raise StatementError(
                line.where,
                f"dated {line.date}, outside the statement period {statement.start} "
                f"to {statement.end}; the file is inconsistent: ask the bank",
            )
    return statement
