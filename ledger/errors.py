"""Errors about the ledger's own content, returned as data.

Beancount reports a plugin's problems as values with a ``source`` (the metadata
holding ``filename`` and ``lineno``), a ``message`` and the offending ``entry``;
``bean-check`` prints them as ``file:line: message`` and Fava lists them on its
errors page. Our plugin never raises on bad user data: it returns these, so a
treasurer sees where to fix the ledger instead of a traceback.
"""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

from beancount.core import data


class FederationError(NamedTuple):
    """A region, co-op or collective declaration that cannot be used."""

    source: data.Meta
    message: str
    entry: Any


class LeaseError(NamedTuple):
    """A lease, rent change, termination or index value that cannot be used."""

    source: data.Meta
    message: str
    entry: Any


class ConfigError(NamedTuple):
    """The plugin's configuration string cannot be used."""

    source: data.Meta
    message: str
    entry: Any


class RoundError(NamedTuple):
    """A proposal or round that cannot be put to the members."""

    source: data.Meta
    message: str
    entry: Any


class LevyError(NamedTuple):
    """A ``custom "levy"`` rule that cannot be applied."""

    source: data.Meta
    message: str
    entry: Any


class BankFormatError(NamedTuple):
    """A ``custom "bank-csv"`` layout that cannot be used to read statements."""

    source: data.Meta
    message: str
    entry: Any


class FieldError(ValueError):
    """A directive's field is missing or has the wrong type.

    Raised by the field readers of :mod:`ledger.directives` and turned into one of
    the error values above by the code that knows which directive it was reading.
    """
