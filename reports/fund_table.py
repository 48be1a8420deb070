"""The funds' positions as one table, for the command line and for Fava.

One row per fund (regions first, then co-ops), then a total per currency for the
whole federation. The column list below is the only place the table's columns
are defined; the CLI and the Fava page both render this frame.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ledger.fund import FundReport

#: The frame's columns, as CSV and JSON write them.
COLUMNS = (
    "id",
    "fund",
    "level",
    "currency",
    "bank",
    "reserve",
    "committed",
    "deposits",
    "unplaced",
    "levy_due",
    "available",
    "rent_due",
    "rent_received",
    "arrears",
    "credit",
)
NUMERIC = COLUMNS[4:]
#: The columns people see (in a terminal and in Fava), with their headings.
HEADINGS = {
    "id": "Fund",
    "currency": "Cur",
    "bank": "Bank",
    "reserve": "Reserve",
    "committed": "Committed",
    "deposits": "Deposits",
    "unplaced": "Unplaced",
    "levy_due": "Levy due",
    "available": "Available",
    "rent_due": "Rent due",
    "rent_received": "Received",
    "arrears": "Arrears",
    "credit": "Credit",
}
TOTAL_ID = "TOTAL"


def fund_frame(report: FundReport) -> pd.DataFrame:
    """One row per fund plus a total row per currency, in :data:`COLUMNS` order."""
    rows = [
        {
            "id": position.entity.id,
            "fund": position.entity.name,
            "level": position.entity.level,
            "currency": position.entity.currency,
            **{column: getattr(position, column) for column in NUMERIC},
        }
        for position in report.positions
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    totals = [
        {
            "id": TOTAL_ID,
            "fund": "Federation total",
            "level": "federation",
            "currency": currency,
            **{column: sum(group[column], Decimal(0)) for column in NUMERIC},
        }
        for currency, group in frame.groupby("currency", sort=True)
    ]
    return pd.concat(
        [frame, pd.DataFrame(totals, columns=list(COLUMNS))], ignore_index=True
    )
