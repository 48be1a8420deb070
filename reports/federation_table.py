"""The consolidated statement as one table, for the command line and for Fava.

Per level (a region): the region's own fund, each of its co-ops (the drill-down),
then the level's total; with several regions in one currency, the federation's
total last. The columns are defined here once; ``coopfund report
federation`` and the Fava "Federation" page both render this frame.
"""

from __future__ import annotations

import datetime
import html

import pandas as pd

from ledger.consolidation import FIGURES
from ledger.consolidation import Consolidated
from ledger.consolidation import FundSummary
from ledger.consolidation import summary_figures
from ledger.levy_roll import LevyLine

COLUMNS = ("region", "id", "fund", "level", "currency", *FIGURES)
HEADINGS = {
    "id": "Fund",
    "level": "Level",
    "currency": "Cur",
    "rent_received": "Rent in",
    "levy": "Levy",
    "loan_repayments": "Repaid",
    "committed": "Committed",
    "disbursed": "Disbursed",
    "arrears": "Arrears",
    "levy_unpaid": "Levy unpaid",
    "reserve": "Reserve",
    "outstanding": "Outstanding",
    "bank": "Bank",
}
#: What each column means, for the page's legend and the HTML report.
MEANINGS = {
    "Rent in": "rent received in the period",
    "Levy": "levy paid in (+, a region) or up (-, a co-op) in the period; a level's "
    "total is what is still in transit",
    "Repaid": "loan repayments received in the period",
    "Committed": "money rounds committed to proposals in the period",
    "Disbursed": "grants, loans and stakes paid out in the period",
    "Arrears": "rent owed at the end",
    "Levy unpaid": "levy owed to a region (+) or by a co-op (-) at the end",
    "Reserve": "the indivisible reserve at the end",
    "Outstanding": "committed and not yet disbursed at the end",
    "Bank": "the fund's bank balance at the end",
}
TOTAL_LEVEL = "total"


def federation_frame(consolidated: Consolidated) -> pd.DataFrame:
    """Each level's funds, then its total, in :data:`COLUMNS` order."""
    rows = []
    for level in consolidated.levels:
        funds = [*([level.own] if level.own else []), *level.coops]
        rows += [_row(level.region, fund) for fund in funds]
        rows.append(
            {
                "region": level.region,
                "id": f"{level.region} total",
                "fund": f"{level.name}, consolidated",
                "level": TOTAL_LEVEL,
                "currency": level.currency,
                **level.total,
            }
        )
    currencies = {level.currency for level in consolidated.levels}
    if len(consolidated.levels) > 1 and len(currencies) == 1:
        rows.append(
            {
                "region": "",
                "id": "Federation total",
                "fund": "Every region, consolidated",
                "level": TOTAL_LEVEL,
                "currency": currencies.pop(),
                **consolidated.total,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _row(region: str, fund: FundSummary) -> dict[str, object]:
    return {
        "region": region,
        "id": fund.entity,
        "fund": fund.name,
        "level": fund.level,
        "currency": fund.currency,
        **summary_figures(fund),
    }


def federation_html(consolidated: Consolidated, frame: pd.DataFrame) -> str:
    """A standalone HTML page of the statement, to mail or print."""
    title = (
        f"Consolidated statement {consolidated.period.label}, as of {consolidated.as_of}"
    )
    shown = frame[list(HEADINGS)].rename(columns=HEADINGS)
    table = shown.to_html(index=False, float_format="{:,.2f}".format, border=0)
    legend = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}</dd>"
        for name, text in MEANINGS.items()
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{padding:2px 8px;text-align:right}td:first-child{text-align:left}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{table}<dl>{legend}</dl>"
        f"<p>{consolidated.ledgers} ledger(s) read.</p></body></html>\n"
    )


LEVY_HEADINGS = {
    "payer": "Payer",
    "year": "Year",
    "currency": "Cur",
    "levy": "Levy",
    "paid": "Paid",
    "received": "Received",
    "owed": "Owed",
    "due": "Due",
    "days_late": "Days late",
}


def levy_frame(lines: list[LevyLine], as_of: datetime.date) -> pd.DataFrame:
    """One row per co-op and year; a side the ledger does not keep is left blank."""
    return pd.DataFrame(
        [
            {
                "receiver": line.receiver,
                "payer": line.payer,
                "year": line.year,
                "currency": line.currency,
                "levy": line.amount,
                "paid": line.paid,
                "received": line.received,
                "owed": line.owed,
                "due": line.due.isoformat(),
                "days_late": line.days_late(as_of),
            }
            for line in lines
        ],
        columns=["receiver", *LEVY_HEADINGS],
    )
