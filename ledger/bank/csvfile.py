"""Bank statements exported as CSV, read with a layout the ledger declares.

Every bank writes its own CSV: its own columns and headings, decimal mark, date
format and encoding, often a few rows of account details above the header and
the newest line first. A :class:`CsvLayout` (declared in the ledger with
``custom "bank-csv"``, see :mod:`ledger.bank.layouts`) names each field by the
heading of its column, so the order of the columns does not matter and columns
the layout does not name are ignored. Rows above the header are found by their
first cell ("Account", "Opening balance", ...); so are such rows below the lines,
where some banks put the closing balance.

Fields are split by Python's :mod:`csv` module, which handles quoting (a ``;``
or a line break inside quotes). Numbers must be written the way the layout says:
with a decimal comma, ``1.234,56``, ``-9,50`` and ``9,50-`` are read; a ``12.34``
in such a file is refused rather than taken for 1234. Every error names the file,
the line and the column, and says what was expected.

Lines without the bank's reference (a layout without ``reference``, or an empty
cell) get a synthetic one: see :class:`~ledger.bank.model.SyntheticRefs` for how,
and for why a reference column is better.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from ledger.bank.model import BankLine
from ledger.bank.model import BankStatement
from ledger.bank.model import StatementError
from ledger.bank.model import SyntheticRefs
from ledger.bank.model import Where
from ledger.bank.model import is_iso_currency
from ledger.bank.model import known_currency
from ledger.errors import FieldError

#: The day used to show what a date format looks like in messages.
_EXAMPLE_DAY = datetime.date(2026, 11, 30)
#: Between the two dates of a period: a dash with spaces, an en or em dash, "to".
_PERIOD_SEPARATOR = re.compile(r"\s+(?:-|\u2013|\u2014|to|bis)\s+|\s*[\u2013\u2014]\s*")


@dataclass(frozen=True)
class CsvLayout:
    """Where a bank's CSV export keeps each field: column headings and row labels.

    Each field is a column heading, except ``account``, ``opening``, ``closing``
    and ``period``, which are the first cell of a row above the header (or below
    the lines). Exactly one of ``amount`` or ``credit`` and ``debit``, one of
    ``currency`` or ``currency_code`` and one of ``account`` or ``account_iban``
    must be given; the constructor raises :class:`~ledger.errors.FieldError`
    otherwise.
    """

    name: str
    #: Heading of the booking-date column.
    date: str
    #: Heading of a signed amount column; or ``credit`` and ``debit`` columns.
    amount: str | None = None
    credit: str | None = None
    debit: str | None = None
    #: Heading of a currency column; or the one currency of every line.
    currency: str | None = None
    currency_code: str | None = None
    #: Heading of the bank's unique reference of a line (strongly advised).
    reference: str | None = None
    counterparty: str | None = None
    counterparty_iban: str | None = None
    #: Headings whose cells, joined with a space, are the remittance text.
    remittance: tuple[str, ...] = ()
    #: Label of the row holding the account's IBAN (or the heading of a column
    #: holding it on every line); or the account, fixed for this layout.
    account: str | None = None
    account_iban: str | None = None
    #: Labels of the rows holding the opening and closing balances and the period.
    opening: str | None = None
    closing: str | None = None
    period: str | None = None
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    decimal: str = "."
    date_format: str = "%Y-%m-%d"

    def __post_init__(self) -> None:
        _check_layout(self)

    @property
    def columns(self) -> tuple[str, ...]:
        """The headings a header row must have for this layout to read the file."""
        named = (
            self.date,
            self.amount,
            self.credit,
            self.debit,
            self.currency,
            self.reference,
            self.counterparty,
            self.counterparty_iban,
            *self.remittance,
        )
        return tuple(heading for heading in named if heading)

    @property
    def labels(self) -> tuple[str, ...]:
        """The first cells of the rows of account details this layout reads."""
        named = (self.account, self.opening, self.closing, self.period)
        return tuple(label for label in named if label)


def _check_layout(layout: CsvLayout) -> None:
    choices = (
        (layout.amount, layout.credit or layout.debit, '"amount", or "credit" and "debit"'),
        (layout.currency, layout.currency_code, '"currency" or "currency-code"'),
        (layout.account, layout.account_iban, '"account" or "account-iban"'),
    )
    for one, other, what in choices:
        if bool(one) == bool(other):
            raise FieldError(f"give exactly one of {what}")
    if bool(layout.credit) != bool(layout.debit):
        raise FieldError('give both "credit" and "debit", or "amount" alone')
    if len(layout.delimiter) != 1:
        raise FieldError(
            f'"delimiter" must be one character, such as ";", not "{layout.delimiter}"'
        )
    if layout.decimal not in (".", ","):
        raise FieldError(f'"decimal" must be "." or ",", not "{layout.decimal}"')
    try:
        codecs.lookup(layout.encoding)
    except LookupError:
        raise FieldError(
            f'unknown "encoding" "{layout.encoding}"; try "utf-8-sig" or "cp1252"'
        ) from None
    if not _round_trips(layout.date_format):
        raise FieldError(
            f'"date-format" "{layout.date_format}" must give day, month and year, '
            'such as "%d.%m.%Y" or "%Y-%m-%d"'
        )
    if layout.currency_code and not is_iso_currency(layout.currency_code):
        raise FieldError(
            f'"currency-code" "{layout.currency_code}" is not an ISO 4217 code'
        )
    headings = [_key(heading) for heading in layout.columns]
    if len(headings) != len(set(headings)):
        raise FieldError("two fields name the same column heading")


def _round_trips(date_format: str) -> bool:
    try:
        text = _EXAMPLE_DAY.strftime(date_format)
        return datetime.datetime.strptime(text, date_format).date() == _EXAMPLE_DAY
    except ValueError:
        return False


def _key(text: str) -> str:
    """A heading or label as compared: trimmed, without a final colon, any case."""
    return text.strip().rstrip(":").strip().casefold()


@dataclass(frozen=True)
class _Row:
    line: int
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)

    @property
    def label(self) -> str:
        return _key(self.cells[0]) if self.cells else ""

    def values(self) -> list[str]:
        """The non-empty cells after the label."""
        return [cell.strip() for cell in self.cells[1:] if cell.strip()]


def matches(layout: CsvLayout, data: bytes) -> bool:
    """Whether ``data`` decodes with the layout's encoding and has its header row."""
    try:
        rows = _rows("", data.decode(layout.encoding), layout.delimiter)
        return _header_at(rows, layout) is not None
    except (UnicodeDecodeError, StatementError):
        return False


def header_guess(data: bytes) -> str:
    """The row that looks most like a header, to show when no layout matched.

    That is the first of the widest rows (most non-empty fields) near the top,
    split at whichever of ``;``, ``,``, tab or ``|`` the file seems to use.
    """
    text = data.decode("utf-8-sig", errors="replace")
    sample = "\n".join(text.splitlines()[:30])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ";,\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(sample), dialect))
    widths = [sum(1 for cell in row if cell.strip()) for row in rows]
    if not rows:
        return ""
    return str(dialect.delimiter).join(rows[widths.index(max(widths))])


def read_csv(path: Path, layout: CsvLayout, data: bytes | None = None) -> BankStatement:
    """The statement in the CSV file at ``path`` (whose bytes may be given as ``data``).

    Raises :class:`~ledger.bank.model.StatementError` at the file, line and column
    of the first problem.
    """
    file = str(path)
    raw = path.read_bytes() if data is None else data
    rows = _rows(file, _decode(file, raw, layout.encoding), layout.delimiter)
    at = _header_at(rows, layout)
    if at is None:
        wanted = ", ".join(f'"{heading}"' for heading in layout.columns)
        raise StatementError(
            Where(file),
            f"no header row with the headings {wanted} of the bank-csv layout "
            f'"{layout.name}"',
        )
    header = rows[at]
    columns = {_key(cell): index for index, cell in reversed(list(enumerate(header.cells)))}
    labels = {_key(label) for label in layout.labels}
    details = {row.label: row for row in rows[:at] if row.label in labels}
    reader = _LineReader(file, layout, columns, len(header.cells))
    lines = []
    for row in rows[at + 1 :]:
        if row.blank:
            continue
        if row.label in labels:
            details.setdefault(row.label, row)
            continue
        lines.append(reader.line(row))
    if lines and lines[0].date > lines[-1].date:
        lines.reverse()
    lines.sort(key=lambda line: line.date)
    return _statement(file, layout, details, reader, lines)


def _decode(file: str, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise StatementError(
            Where(file, line),
            f"not {encoding} text (byte {raw[error.start]:#04x}); set the layout's "
            '"encoding" to the one the bank uses, such as "cp1252" or "latin-1"',
        ) from None


def _rows(file: str, text: str, delimiter: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    start = 1
    try:
        for cells in reader:
            rows.append(_Row(start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise StatementError(
            Where(file, reader.line_num), f"not readable as CSV: {error}"
        ) from None
    return rows


def _header_at(rows: Sequence[_Row], layout: CsvLayout) -> int | None:
    wanted = {_key(heading) for heading in layout.columns}
    for index, row in enumerate(rows):
        if wanted <= {_key(cell) for cell in row.cells}:
            return index
    return None


class _LineReader:
    """Turns data rows into bank lines, knowing the header's columns."""

    def __init__(
        self, file: str, layout: CsvLayout, columns: dict[str, int], width: int
    ) -> None:
        self.file = file
        self.layout = layout
        self.columns = columns
        self.width = width
        self.refs = SyntheticRefs()
        self.accounts: dict[str, int] = {}

    def cell(self, row: _Row, heading: str) -> str:
        index = self.columns[_key(heading)]
        if index >= len(row.cells):
            raise StatementError(
                Where(self.file, row.line),
                f'column "{heading}": missing; the row has {len(row.cells)} fields '
                f"and the header {self.width}",
            )
        return row.cells[index].strip()

    def error(self, row: _Row, heading: str, message: str) -> StatementError:
        return StatementError(Where(self.file, row.line), f'column "{heading}": {message}')

    def line(self, row: _Row) -> BankLine:
        layout = self.layout
        where = Where(self.file, row.line)
        day = self.date(row)
        amount = self.amount(row)
        if layout.currency:
            code = self.cell(row, layout.currency)
            if not code:
                raise self.error(
                    row, layout.currency, "empty; expected a currency code such as EUR"
                )
            currency = known_currency(code, where, f'column "{layout.currency}": ')
        else:
            currency = str(layout.currency_code)
        counterparty = self.text(row, layout.counterparty)
        remittance = " ".join(
            filter(None, (self.text(row, part) for part in layout.remittance))
        )
        reference = self.text(row, layout.reference)
        if not reference:
            reference = self.refs(day, amount, counterparty, remittance)
        if layout.account and _key(layout.account) in self.columns:
            self.accounts.setdefault(self.cell(row, layout.account), row.line)
        return BankLine(
            date=day,
            amount=amount,
            currency=currency,
            bank_ref=reference,
            counterparty=counterparty,
            counterparty_iban=self.text(row, layout.counterparty_iban).replace(" ", ""),
            remittance=remittance,
            where=where,
        )

    def text(self, row: _Row, heading: str | None) -> str:
        return " ".join(self.cell(row, heading).split()) if heading else ""

    def date(self, row: _Row) -> datetime.date:
        heading = self.layout.date
        text = self.cell(row, heading)
        try:
            return parse_date(text, self.layout.date_format)
        except ValueError:
            raise self.error(
                row, heading, _not_a_date(text, self.layout.date_format)
            ) from None

    def amount(self, row: _Row) -> Decimal:
        layout = self.layout
        if layout.amount:
            return self.number(row, layout.amount)
        credit, debit = str(layout.credit), str(layout.debit)
        if not (self.cell(row, credit) or self.cell(row, debit)):
            raise StatementError(
                Where(self.file, row.line),
                f'columns "{credit}" and "{debit}" are both empty; one of them must '
                "hold the amount",
            )
        money_in = self.number(row, credit) if self.cell(row, credit) else Decimal(0)
        money_out = self.number(row, debit) if self.cell(row, debit) else Decimal(0)
        # Banks differ on whether the debit column carries a minus sign: it is money
        # out either way.
        return money_in - abs(money_out)

    def number(self, row: _Row, heading: str) -> Decimal:
        text = self.cell(row, heading)
        try:
            return parse_number(text, self.layout.decimal)
        except ValueError:
            raise self.error(
                row, heading, _not_a_number(text, self.layout.decimal)
            ) from None


def parse_date(text: str, date_format: str) -> datetime.date:
    """``text`` read with ``date_format``; ValueError if it is not such a date."""
    return datetime.datetime.strptime(text.strip(), date_format).date()


def parse_number(text: str, decimal: str) -> Decimal:
    """A number written with ``decimal`` as its decimal mark: ``-1.234,56`` for ",".

    Thousands are grouped by the other mark (or spaces or apostrophes), in groups of
    three; a minus sign may stand in front or at the end (``9,50-``). Anything else
    raises ValueError, so that a number written the other way round is not misread.
    """
    thousands = "." if decimal == "," else ","
    body = re.sub(r"[\s\u00a0\u202f']", "", text).replace("\u2212", "-")
    sign = ""
    if body.endswith("-"):
        sign, body = "-", body[:-1]
    elif body[:1] in ("-", "+"):
        sign, body = body[0], body[1:]
    grouped = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+"
    if not re.fullmatch(rf"(?:\d+|{grouped})(?:{re.escape(decimal)}\d+)?", body):
        raise ValueError(text)
    return Decimal(sign + body.replace(thousands, "").replace(decimal, "."))


def _not_a_date(text: str, date_format: str) -> str:
    example = _EXAMPLE_DAY.strftime(date_format)
    return f'"{text}" is not a date like {example} (format {date_format})'


def _not_a_number(text: str, decimal: str) -> str:
    example = "-1.234,56 (decimal comma)" if decimal == "," else "-1,234.56 (decimal point)"
    return f'"{text}" is not an amount like {example}'


def _statement(
    file: str,
    layout: CsvLayout,
    details: dict[str, _Row],
    reader: _LineReader,
    lines: list[BankLine],
) -> BankStatement:
    def row(label: str | None) -> _Row | None:
        return details.get(_key(label)) if label else None

    account = _account(file, layout, row(layout.account), reader)
    opening, opening_code = _balance(file, layout, layout.opening, row(layout.opening))
    closing, closing_code = _balance(file, layout, layout.closing, row(layout.closing))
    currency = layout.currency_code or (lines[0].currency if lines else None)
    currency = currency or opening_code or closing_code
    if currency is None:
        raise StatementError(
            Where(file),
            'no lines, so no currency; add "currency-code" to the layout, or a '
            "currency after the opening balance",
        )
    for line in lines:
        if line.currency != currency:
            raise StatementError(
                line.where,
                f'currency "{line.currency}" differs from the statement\'s "{currency}"; '
                "a statement is of one account in one currency",
            )
    start, end = _period(file, layout, row(layout.period), lines)
    return BankStatement.of(
        account=account,
        currency=currency,
        period=(start, end),
        balances=(opening, closing),
        lines=lines,
        where=Where(file),
    )


def _account(file: str, layout: CsvLayout, row: _Row | None, reader: _LineReader) -> str:
    if layout.account_iban:
        return layout.account_iban.replace(" ", "")
    if row is not None and row.values():
        return row.values()[0].replace(" ", "")
    if len(reader.accounts) > 1:
        first, second = list(reader.accounts.items())[:2]
        raise StatementError(
            Where(file, second[1]),
            f'lines of two accounts ("{first[0]}" and "{second[0]}"); export one account '
            "per file",
        )
    if reader.accounts:
        return next(iter(reader.accounts)).replace(" ", "")
    raise StatementError(
        Where(file, row.line if row else None),
        f'no "{layout.account}" row with the account above the header (nor such a '
        'column); if the bank leaves it out, give "account-iban" in the layout',
    )


def _balance(
    file: str, layout: CsvLayout, label: str | None, row: _Row | None
) -> tuple[Decimal | None, str | None]:
    """The balance on a details row, and the currency code written after it, if any."""
    if row is None or not row.values():
        return None, None
    text, *rest = row.values()
    try:
        amount = parse_number(text, layout.decimal)
    except ValueError:
        message = _not_a_number(text, layout.decimal)
        raise StatementError(Where(file, row.line), f'"{label}": {message}') from None
    code = rest[0].upper() if rest and is_iso_currency(rest[0].upper()) else None
    return amount, code


def _period(
    file: str, layout: CsvLayout, row: _Row | None, lines: Sequence[BankLine]
) -> tuple[datetime.date, datetime.date]:
    if row is not None and row.values():
        values = row.values()
        parts = values[:2] if len(values) > 1 else _PERIOD_SEPARATOR.split(values[0])
        if len(parts) == 1 and "-" not in _EXAMPLE_DAY.strftime(layout.date_format):
            parts = values[0].split("-")
        try:
            if len(parts) != 2:
                raise ValueError(values[0])
            start, end = (parse_date(part, layout.date_format) for part in parts)
        except ValueError:
            example = _EXAMPLE_DAY.replace(day=1).strftime(layout.date_format)
            example += " - " + _EXAMPLE_DAY.strftime(layout.date_format)
            raise StatementError(
                Where(file, row.line),
                f'"{layout.period}": "{" ".join(values)}" is not a period like {example} '
                f"(format {layout.date_format})",
            ) from None
        if end < start:
            raise StatementError(
                Where(file, row.line), f'"{layout.period}" ends before it starts'
            )
        for line in lines:
            if not start <= line.date <= end:
                raise StatementError(
                    line.where,
                    f"dated {line.date}, outside the statement period {start} to {end}",
                )
        return start, end
    if not lines:
        raise StatementError(
            Where(file), "no lines and no statement period: which days does it cover?"
        )
    return lines[0].date, lines[-1].date


def layout_fields() -> Iterator[str]:
    """The layout's field names as written in the ledger (``date-format``, ...)."""
    for field in fields(CsvLayout):
        if field.name != "name":
            yield field.name.replace("_", "-")
