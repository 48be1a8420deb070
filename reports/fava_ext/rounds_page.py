"""The "Rounds" page: each round's proposals, what was committed, what was paid out."""

from __future__ import annotations

import datetime
from typing import Any

from fava.core.charts import DateAndBalanceWithBudget
from fava.core.query import BaseColumn
from fava.core.query import DecimalColumn
from fava.core.query import QueryResultTable
from fava.core.query import StrColumn
from fava.internal_api import BarChart

from ledger.round_report import ProposalLine
from ledger.round_report import RoundLine
from ledger.round_report import round_report
from reports.fava_ext import page

#: The table's columns: heading, and whether it holds amounts.
COLUMNS = (
    ("Rank", False),
    ("Proposal", False),
    ("Title", False),
    ("Fund", False),
    ("Cost", True),
    ("Points", True),
    ("Committed", True),
    ("Disbursed", True),
    ("Outstanding", True),
    ("Lost if forced", True),
    ("Funded at cost", True),
)


class Rounds(page.Page):
    """Per round: its rules, its proposals, commitments against disbursements."""

    report_title = "Rounds"

    def rounds(self) -> list[RoundLine]:
        """Every round, latest first, as of the end of Fava's time filter."""
        return self.cached("rounds", lambda as_of: round_report(self.books, as_of))

    def state(self, line: RoundLine) -> str:
        """Where the round stands on the page's date."""
        return line.state(self.as_of)

    def table(self, line: RoundLine) -> QueryResultTable:
        """The round's proposals, in Fava's query-table component."""
        types: list[BaseColumn] = [
            DecimalColumn(name) if amount else StrColumn(name) for name, amount in COLUMNS
        ]
        rows: list[tuple[Any, ...]] = [
            (
                "" if p.rank is None else str(p.rank),
                p.proposal,
                p.title,
                p.entity,
                p.cost,
                p.points,
                p.committed,
                p.disbursed,
                p.outstanding,
                p.lost_if_forced,
                p.funded_at_cost,
            )
            for p in sorted(line.proposals.values(), key=_by_rank)
        ]
        return QueryResultTable(types, rows)

    def charts(self) -> list[BarChart]:
        """Per round: money paid out against money committed (the budget line)."""
        bars = [
            DateAndBalanceWithBudget(
                line.decided or line.closes or datetime.date.min,
                page.inventory(
                    [(p.currency, p.disbursed) for p in line.proposals.values()]
                ),
                {
                    p.proposal: page.inventory([(p.currency, p.disbursed)])
                    for p in line.proposals.values()
                    if p.disbursed
                },
                page.inventory(
                    [(p.currency, p.committed) for p in line.proposals.values()]
                ),
            )
            for line in reversed(self.rounds())
            if line.committed
        ]
        return [BarChart("Disbursed against committed, per round", bars)]


def _bar(line: RoundLine) -> DateAndBalanceWithBudget:
    """One round: disbursed, stacked by proposal, against committed as the budget."""
    proposals = list(line.proposals.values())
    return DateAndBalanceWithBudget(
        line.decided or line.closes or datetime.date.min,
        page.inventory([(p.currency, p.disbursed) for p in proposals]),
        {
            p.proposal: page.inventory([(p.currency, p.disbursed)])
            for p in proposals
            if p.disbursed
        },
        page.inventory([(p.currency, p.committed) for p in proposals]),
    )


def _by_rank(line: ProposalLine) -> int:
    """Counted rounds by rank; the others in the order declared or committed."""
    return line.rank or 0
