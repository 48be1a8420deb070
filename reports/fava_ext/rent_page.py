"""The "Rent roll" page: every lease's arrears and aging, and each collective's statement.

The page lists the roll per co-op, with a link from each collective to its
statement of account (the same page, with ``?collective=<id>``), the bank lines
still in suspense, and a chart of unpaid rent by the month it fell due: the older
the bar, the older the debt.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fava.core.charts import DateAndBalanceWithBudget
from fava.internal_api import BarChart
from flask import request
from flask import url_for

from ledger.rent_roll import RentRoll as Roll
from ledger.rent_roll import rent_roll
from ledger.tenant_statement import StatementLine
from ledger.tenant_statement import tenant_statement
from reports.fava_ext import page
from reports.rent_tables import AMOUNTS
from reports.rent_tables import roll_frame


class RentRoll(page.Page):
    """Per lease: charged, paid, owed, credit, aging; and per collective, a statement."""

    report_title = "Rent roll"

    def roll(self) -> Roll:
        """The rent roll as of Fava's time filter's end, or the ledger's last entry."""
        return self.cached("roll", lambda as_of: rent_roll(self.books, as_of))

    def coop_tables(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Per co-op (by name): its lease rows then its total, amounts formatted."""
        frame = roll_frame(self.roll())
        names = {coop.id: coop.name for coop in self.books.federation.coops.values()}
        tables = []
        for coop, group in frame[frame["level"] != "federation"].groupby(
            "coop", sort=False
        ):
            rows = [_formatted(row) for row in group.to_dict(orient="records")]
            tables.append((names.get(str(coop), str(coop)), rows))
        return tables

    def federation_total(self) -> dict[str, Any]:
        """The federation's total row, formatted."""
        frame = roll_frame(self.roll())
        return _formatted(frame[frame["level"] == "federation"].iloc[0].to_dict())

    def statement_url(self, collective: str) -> str:
        """This page, showing ``collective``'s statement, keeping Fava's filters."""
        values: dict[str, Any] = {**(request.view_args or {}), **request.args}
        values["collective"] = collective
        return url_for(str(request.endpoint), **values)

    def statement(self, collective: str) -> list[StatementLine]:
        """``collective``'s charges and payments with the running balance."""
        return tenant_statement(self.books, collective, self.as_of)

    def charts(self) -> list[BarChart]:
        """Unpaid rent by the month it fell due, stacked by co-op."""
        roll = self.roll()
        currencies = {
            coop.id: coop.currency for coop in self.books.federation.coops.values()
        }
        names = {coop.id: coop.name for coop in self.books.federation.coops.values()}
        bars = [
            DateAndBalanceWithBudget(
                _month_end(month),
                page.inventory((currencies[c], n) for c, n in per_coop.items()),
                {
                    names[c]: page.inventory([(currencies[c], n)])
                    for c, n in per_coop.items()
                },
                {},
            )
            for month, per_coop in roll.unpaid_by_month.items()
        ]
        return [BarChart(f"Rent unpaid on {roll.as_of}, by the month it fell due", bars)]


def _formatted(row: Mapping[Hashable, Any]) -> dict[str, Any]:
    """Amounts as text with thousands separators and cents; dates as ISO text."""
    return {
        str(key): _amount(value) if key in AMOUNTS else value or ""
        for key, value in row.items()
    }


def _amount(value: Any) -> str:
    return f"{value:,.2f}" if isinstance(value, Decimal) else ""


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)
