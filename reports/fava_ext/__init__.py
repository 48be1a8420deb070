"""coopfund's pages in Fava.

Declared in the ledger with ``custom "fava-extension" "reports.fava_ext"``. Fava
creates one instance per ledger; each page computes its figures with :mod:`ledger`
and only shapes them into Fava's own table and chart components here.

The pages honour Fava's time filter: with a period selected, figures are as of
the period's last day; otherwise as of the ledger's last entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from typing import cast

from beancount.core import data
from fava.context import g
from fava.core.charts import DateAndBalanceWithBudget
from fava.core.inventory import SimpleCounterInventory
from fava.core.query import BaseColumn
from fava.core.query import DecimalColumn
from fava.core.query import QueryResultTable
from fava.core.query import StrColumn
from fava.core.tree import SerialisedTreeNode
from fava.ext import FavaExtensionBase
from fava.internal_api import BarChart
from fava.internal_api import HierarchyChart

from ledger.books import Books
from ledger.books import books_from
from ledger.fund import FundReport
from ledger.fund import fund_report
from reports.fund_table import HEADINGS
from reports.fund_table import NUMERIC
from reports.fund_table import fund_frame


class Fund(FavaExtensionBase):
    """Per fund: bank balance, reserve, committed, available, rent due vs received."""

    report_title = "Fund"

    def __init__(self, ledger: Any, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._books: Books | None = None
        self._reports: dict[datetime.date, FundReport] = {}

    def after_load_file(self) -> None:
        """The ledger changed: forget what was computed from the old one."""
        self._books = None
        self._reports = {}

    @property
    def books(self) -> Books:
        """The federation as Fava loaded it."""
        if self._books is None:
            ledger = self.ledger
            # Fava types its entries with its own protocols; they are Beancount's.
            entries = cast("Sequence[data.Directive]", ledger.all_entries)
            self._books = books_from(entries, ledger.errors, ledger.options)
        return self._books

    def report(self) -> FundReport:
        """The funds as of the end of Fava's time filter, or of the ledger."""
        as_of = g.filtered.end_date or self.books.last_date
        if as_of not in self._reports:
            self._reports[as_of] = fund_report(
                self.books.entries, self.books.federation, as_of
            )
        return self._reports[as_of]

    def table(self) -> QueryResultTable:
        """The fund table, in Fava's query-table component."""
        frame = fund_frame(self.report())
        types: list[BaseColumn] = [
            DecimalColumn(heading) if column in NUMERIC else StrColumn(heading)
            for column, heading in HEADINGS.items()
        ]
        rows = frame[list(HEADINGS)].itertuples(index=False)
        return QueryResultTable(types, [tuple(row) for row in rows])

    def charts(self) -> list[BarChart | HierarchyChart]:
        """Rent due (as the budget) against rent received per month; fund envelopes."""
        report = self.report()
        return [
            BarChart(f"Rent received vs due, {report.year}", _rent_bars(report)),
            HierarchyChart("Where each fund's money is", _envelopes(report)),
        ]


def _inventory(amounts: Iterable[tuple[str, Decimal]]) -> SimpleCounterInventory:
    """Sum (currency, number) pairs into the inventory type Fava's charts read."""
    inventory = SimpleCounterInventory()
    for currency, number in amounts:
        inventory.add(currency, number)
    return inventory


def _rent_bars(report: FundReport) -> list[DateAndBalanceWithBudget]:
    """Per month: rent received (stacked by fund) against rent due (the budget)."""
    entities = {p.entity.id: p.entity for p in report.positions}
    return [
        DateAndBalanceWithBudget(
            month.month_end,
            _inventory((entities[i].currency, n) for i, n in month.received.items()),
            {
                entities[i].name: _inventory([(entities[i].currency, n)])
                for i, n in month.received.items()
            },
            _inventory((entities[i].currency, n) for i, n in month.due.items()),
        )
        for month in report.months
    ]


def _envelopes(report: FundReport) -> SerialisedTreeNode:
    """Each fund's bank balance split into its envelopes, as an account tree."""
    funds = []
    for position in report.positions:
        chart = position.entity.accounts
        currency = position.entity.currency
        parts = {
            chart.unallocated: position.available,
            chart.reserve: position.reserve,
            chart.committed_root: position.committed,
            chart.deposits_held: position.deposits,
        }
        children = [
            _node(account, _inventory([(currency, number)]), [])
            for account, number in parts.items()
            if number > 0
        ]
        funds.append(_node(chart.fund, _inventory([(currency, position.bank)]), children))
    total = _inventory((p.entity.currency, p.bank) for p in report.positions)
    return _node("Assets", total, funds)


def _node(
    account: str, balance: SimpleCounterInventory, children: list[SerialisedTreeNode]
) -> SerialisedTreeNode:
    """A tree node; only leaves carry a balance of their own, as in Fava's trees."""
    return SerialisedTreeNode(
        account=account,
        balance=SimpleCounterInventory() if children else balance,
        balance_children=balance,
        children=children,
        has_txns=not children,
    )
