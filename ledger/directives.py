"""Typed reading of our ``custom`` directives and their metadata.

Beancount parses ``custom`` directives liberally: any values, any metadata. These
readers check one field each and raise :class:`~ledger.errors.FieldError` with a
message that names the field, what it should look like and what was found, so the
caller can turn it into an error pointing at the directive's file and line.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from collections.abc import Sequence
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from ledger.errors import FieldError

#: Beancount account components must start with a capital letter or a digit; we keep
#: to ASCII so every identifier can be typed on any keyboard.
_COMPONENT = re.compile(r"^[A-Z][A-Za-z0-9-]*$")

_MISSING = object()


def of_type(entries: Sequence[data.Directive], kind: str) -> Iterator[data.Custom]:
    """Yield the ``custom`` directives of one type, in ledger order."""
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == kind:
            yield entry


def identifier(entry: data.Custom) -> str:
    """The directive's first value: the id of the thing it declares or refers to."""
    if not entry.values or not isinstance(entry.values[0].value, str):
        raise FieldError(f'custom "{entry.type}" needs an id as its first value, in quotes')
    return str(entry.values[0].value)


def component(value: str, what: str) -> str:
    """Check that an id can be used inside account names (``Riverside``, ``Bakery-2``)."""
    if not _COMPONENT.match(value):
        raise FieldError(
            f'{what} "{value}" must start with a capital letter and use only letters, '
            "digits and dashes, because it becomes part of account names"
        )
    return value


def _get(entry: data.Custom, key: str) -> object:
    return entry.meta.get(key, _MISSING)


def text(entry: data.Custom, key: str, default: str | None = None) -> str:
    """A quoted string field; required unless a default is given."""
    value = _get(entry, key)
    if value is _MISSING:
        if default is None:
            raise FieldError(f'missing field "{key}" (a quoted string)')
        return default
    if not isinstance(value, str):
        raise FieldError(f'field "{key}" must be a quoted string, got {value!r}')
    return value


def amount(entry: data.Custom, key: str) -> tuple[Decimal, str]:
    """A required amount field such as ``rent: 1200.00 EUR``, as (number, currency)."""
    value = _get(entry, key)
    if value is _MISSING:
        raise FieldError(f'missing field "{key}" (an amount such as 1200.00 EUR)')
    if not isinstance(value, Amount) or not isinstance(value.number, Decimal):
        raise FieldError(
            f'field "{key}" must be an amount such as 1200.00 EUR, got {value!r}'
        )
    return value.number, value.currency


def number(entry: data.Custom, key: str, default: Decimal | None = None) -> Decimal:
    """A plain number field such as ``index-cap: 5``; required unless defaulted."""
    value = _get(entry, key)
    if value is _MISSING:
        if default is None:
            raise FieldError(f'missing field "{key}" (a number)')
        return default
    if isinstance(value, bool) or not isinstance(value, Decimal):
        raise FieldError(f'field "{key}" must be a number, got {value!r}')
    return value


def integer(entry: data.Custom, key: str, default: int, low: int, high: int) -> int:
    """A whole number within ``[low, high]``, such as ``due-day: 5``."""
    value = number(entry, key, Decimal(default))
    if value != value.to_integral_value() or not low <= value <= high:
        raise FieldError(
            f'field "{key}" must be a whole number from {low} to {high}, got {value}'
        )
    return int(value)


def flag(entry: data.Custom, key: str) -> bool:
    """An optional TRUE/FALSE field such as ``partial: TRUE``; FALSE when absent."""
    value = _get(entry, key)
    if value is _MISSING:
        return False
    if not isinstance(value, bool):
        raise FieldError(f'field "{key}" must be TRUE or FALSE, got {value!r}')
    return value


def date(entry: data.Custom, key: str) -> datetime.date | None:
    """An optional date field such as ``end: 2026-12-31``."""
    value = _get(entry, key)
    if value is _MISSING:
        return None
    if not isinstance(value, datetime.date):
        raise FieldError(f'field "{key}" must be a date such as 2026-12-31, got {value!r}')
    return value


def choice(entry: data.Custom, key: str, choices: tuple[str, ...], default: str) -> str:
    """A string field restricted to a few values, such as ``frequency: "monthly"``."""
    value = text(entry, key, default)
    if value not in choices:
        allowed = ", ".join(f'"{c}"' for c in choices)
        raise FieldError(f'field "{key}" must be one of {allowed}, got "{value}"')
    return value
