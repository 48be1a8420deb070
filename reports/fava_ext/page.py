"""What every coopfund page in Fava shares: the books as Fava loaded them, the as-of date.

Fava creates one instance of each page per ledger and keeps it across reloads;
``after_load_file`` is where cached figures are dropped.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from typing import TypeVar
from typing import cast

import pandas as pd
from beancount.core import data
from fava.context import g
from fava.core.inventory import SimpleCounterInventory
from fava.core.query import BaseColumn
from fava.core.query import DecimalColumn
from fava.core.query import QueryResultTable
from fava.core.query import StrColumn
from fava.ext import FavaExtensionBase

from ledger.books import Books
from ledger.books import books_from

T = TypeVar("T")


class Page(FavaExtensionBase):
    """A coopfund page: figures computed by :mod:`ledger`, cached per as-of date."""

    def __init__(self, ledger: Any, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._books: Books | None = None
        self._cache: dict[tuple[str, datetime.date], Any] = {}

    def after_load_file(self) -> None:
        """The ledger changed: forget what was computed from the old one."""
        self._books = None
        self._cache = {}

    @property
    def books(self) -> Books:
        """The federation as Fava loaded it."""
        if self._books is None:
            ledger = self.ledger
            # Fava types its entries with its own protocols; they are Beancount's.
            entries = cast("Sequence[data.Directive]", ledger.all_entries)
            self._books = books_from(entries, ledger.errors, ledger.options)
        return self._books

    @property
    def as_of(self) -> datetime.date:
        """The last day of Fava's time filter, or the ledger's last entry."""
        return g.filtered.end_date or self.books.last_date

    def cached(self, name: str, compute: Callable[[datetime.date], T]) -> T:
        """``compute(as_of)``, computed once per ledger load and as-of date."""
        key = (name, self.as_of)
        if key not in self._cache:
            self._cache[key] = compute(self.as_of)
        return cast("T", self._cache[key])


def inventory(amounts: Iterable[tuple[str, Decimal]]) -> SimpleCounterInventory:
    """Sum (currency, number) pairs into the inventory type Fava's charts read."""
    result = SimpleCounterInventory()
    for currency, number in amounts:
        result.add(currency, number)
    return result


def query_table(
    frame: pd.DataFrame, headings: dict[str, str], amounts: Iterable[str]
) -> QueryResultTable:
    """``frame``'s ``headings`` columns as Fava's query table: ``amounts`` as numbers
    (a missing one left blank), every other column as text."""
    numeric = set(amounts)
    types: list[BaseColumn] = [
        DecimalColumn(heading) if column in numeric else StrColumn(heading)
        for column, heading in headings.items()
    ]
    rows: list[tuple[Any, ...]] = [
        tuple(
            value if column in numeric else str(value)
            for column, value in zip(headings, row, strict=True)
        )
        for row in frame[list(headings)].astype(object).itertuples(index=False)
    ]
    return QueryResultTable(types, rows)
