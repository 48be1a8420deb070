"""The "Fund" page: where each fund's money is, and this year's rent."""

from __future__ import annotations

from fava.core.charts import DateAndBalanceWithBudget
from fava.core.inventory import SimpleCounterInventory
from fava.core.query import QueryResultTable
from fava.core.tree import SerialisedTreeNode
from fava.internal_api import BarChart
from fava.internal_api import HierarchyChart

from ledger.fund import FundReport
from ledger.fund import fund_report
from reports.fava_ext import page
from reports.fund_table import HEADINGS
from reports.fund_table import NUMERIC
from reports.fund_table import fund_frame


class Fund(page.Page):
    """Per fund: bank balance, reserve, committed, available, rent due vs received."""

    report_title = "Fund"

    def report(self) -> FundReport:
        """The funds as of the end of Fava's time filter, or of the ledger."""
        return self.cached(
            "fund",
            lambda as_of: fund_report(
                self.books.entries,
                self.books.federation,
                as_of,
                self.books.kept_entities,
            ),
        )

    def table(self) -> QueryResultTable:
        """The fund table, in Fava's query-table component."""
        return page.query_table(fund_frame(self.report()), HEADINGS, NUMERIC)

    def charts(self) -> list[BarChart | HierarchyChart]:
        """Rent due (as the budget) against rent received per month; fund envelopes."""
        report = self.report()
        return [
            BarChart(f"Rent received vs due, {report.year}", _rent_bars(report)),
            HierarchyChart("Where each fund's money is", _envelopes(report)),
        ]


def _rent_bars(report: FundReport) -> list[DateAndBalanceWithBudget]:
    """Per month: rent received (stacked by fund) against rent due (the budget)."""
    entities = {p.entity.id: p.entity for p in report.positions}
    return [
        DateAndBalanceWithBudget(
            month.month_end,
            page.inventory((entities[i].currency, n) for i, n in month.received.items()),
            {
                entities[i].name: page.inventory([(entities[i].currency, n)])
                for i, n in month.received.items()
            },
            page.inventory((entities[i].currency, n) for i, n in month.due.items()),
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
            chart.unallocated: position.available + position.unplaced + position.levy_due,
            chart.reserve: position.reserve,
            chart.committed_root: position.committed,
            chart.deposits_held: position.deposits,
        }
        children = [
            _node(account, page.inventory([(currency, number)]), [])
            for account, number in parts.items()
            if number > 0
        ]
        funds.append(
            _node(chart.fund, page.inventory([(currency, position.bank)]), children)
        )
    total = page.inventory((p.entity.currency, p.bank) for p in report.positions)
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
