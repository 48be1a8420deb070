"""The "Federation" page: the consolidated statement, level by level, in Fava.

The ledger Fava serves is the region's, which includes every co-op's books, so the
page summarises it as one ledger (:func:`ledger.consolidation.summarise_books`);
``coopfund report federation`` does the same over many ledgers at once.
"""

from __future__ import annotations

import datetime

from fava.context import g
from fava.core.charts import DateAndBalanceWithBudget
from fava.core.query import QueryResultTable
from fava.internal_api import BarChart

from ledger.books import format_error
from ledger.consolidation import FIGURES
from ledger.consolidation import Consolidated
from ledger.consolidation import LedgerSummary
from ledger.consolidation import consolidate
from ledger.consolidation import period_end
from ledger.consolidation import summarise_books
from ledger.levy_roll import levy_roll
from ledger.periods import Period
from ledger.periods import parse_period
from ledger.periods import period_between
from reports.fava_ext import page
from reports.federation_table import HEADINGS
from reports.federation_table import LEVY_HEADINGS
from reports.federation_table import MEANINGS
from reports.federation_table import federation_frame
from reports.federation_table import levy_frame

#: How many years the chart goes back.
CHART_YEARS = 4


class Federation(page.Page):
    """Per level: the region's fund, its co-ops, and their consolidated total."""

    report_title = "Federation"

    def period(self) -> Period:
        """The month, quarter or year Fava's time filter selects; else the as-of year."""
        chosen = g.filtered.date_range
        if chosen is not None:
            found = period_between(chosen.begin, chosen.end - datetime.timedelta(days=1))
            if found is not None:
                return found
        return parse_period(str(self.as_of.year))

    def statement(self, period: Period | None = None) -> Consolidated:
        """The consolidated statement of ``period`` (default: :meth:`period`)."""
        chosen = period or self.period()
        return self.cached(
            f"federation-{chosen.label}",
            lambda as_of: self._consolidated(chosen, as_of),
        )

    def _consolidated(self, period: Period, as_of: datetime.date) -> Consolidated:
        funds = summarise_books(self.books, period, as_of)
        errors = tuple(format_error(error) for error in self.books.errors)
        return consolidate([LedgerSummary("", funds, errors)], period, as_of)

    def meanings(self) -> dict[str, str]:
        """What each column means, for the legend under the table."""
        return MEANINGS

    def drill_down(self) -> list[tuple[str, str, str]]:
        """(fund id, name, Fava account filter) for every fund on the page."""
        kept = self.books.kept_entities
        regions = [entity for entity in kept if entity.region is None]
        coops = sorted((entity for entity in kept if entity.region), key=lambda e: e.id)
        return [(entity.id, entity.name, entity.path) for entity in [*regions, *coops]]

    def table(self) -> QueryResultTable:
        """The statement, in Fava's query-table component."""
        return page.query_table(federation_frame(self.statement()), HEADINGS, FIGURES)

    def levies_owed(self) -> QueryResultTable:
        """Levies not (fully) received by the as-of date, oldest first."""
        lines = self.cached(
            "levies",
            lambda as_of: levy_roll(self.books.entries, self.books.federation, as_of),
        )
        frame = levy_frame([line for line in lines if line.owed != 0], self.as_of)
        return page.query_table(frame, LEVY_HEADINGS, ("levy", "paid", "received", "owed"))

    def charts(self) -> list[BarChart]:
        """Per year: money in (rent, levy, repayments) by fund, against disbursements."""
        as_of = self.as_of
        first = max(as_of.year - CHART_YEARS + 1, self._first_year())
        bars = []
        for year in range(first, as_of.year + 1):
            statement = self.statement(parse_period(str(year)))
            totals = list(statement.levels)
            funds = [
                fund
                for level in totals
                for fund in [*([level.own] if level.own else []), *level.coops]
            ]
            inflow = {
                fund.name: page.inventory(
                    [(fund.currency, fund.rent_received + fund.levy + fund.loan_repayments)]
                )
                for fund in funds
            }
            bars.append(
                DateAndBalanceWithBudget(
                    period_end(statement.period, as_of),
                    page.inventory(
                        (
                            level.currency,
                            level.total["rent_received"] + level.total["loan_repayments"],
                        )
                        for level in totals
                    ),
                    inflow,
                    page.inventory(
                        (level.currency, level.total["disbursed"]) for level in totals
                    ),
                )
            )
        return [BarChart("Money in by fund, per year, against money paid out", bars)]

    def _first_year(self) -> int:
        entries = self.books.entries
        return entries[0].date.year if entries else self.as_of.year
