"""The rent roll, unplaced bank lines and a collective's statement as tables.

The rent roll has one row per lease, then a total row per co-op and one for the
federation, told apart by the ``level`` column (``lease``, ``co-op``,
``federation``), so a script reading the CSV can keep or drop the totals.
"""

from __future__ import annotations

import pandas as pd

from ledger.arrears import BUCKETS
from ledger.numbers import ZERO
from ledger.rent_roll import RentRoll
from ledger.tenant_statement import StatementLine

AMOUNTS = ("charged", "paid", "balance", "credit", *(name for name, _ in BUCKETS))
ROLL_COLUMNS = (
    "level",
    "coop",
    "collective",
    "lease",
    "workplace",
    *AMOUNTS,
    "last_payment",
)
#: What people see of the roll, with short headings.
ROLL_HEADINGS = {
    "coop": "Co-op",
    "collective": "Collective",
    "lease": "Lease",
    "charged": "Charged",
    "paid": "Paid",
    "balance": "Owed",
    "credit": "Credit",
    **{name: name for name, _ in BUCKETS},
    "last_payment": "Last paid",
}
UNPLACED_HEADINGS = {
    "date": "Date",
    "coop": "Co-op",
    "amount": "Amount",
    "counterparty": "From / to",
    "remittance": "Text",
    "bank_ref": "Bank ref.",
    "source": "Booked at",
}
STATEMENT_HEADINGS = {
    "date": "Date",
    "description": "Description",
    "lease": "Lease",
    "charge": "Charge",
    "payment": "Payment",
    "balance": "Balance",
}


def roll_frame(roll: RentRoll) -> pd.DataFrame:
    """Lease rows, each co-op followed by its total, then the federation's total."""
    rows = [
        {
            "level": "lease",
            "coop": row.coop,
            "collective": row.collective,
            "lease": row.lease or "",
            "workplace": row.workplace,
            "charged": row.charged,
            "paid": row.paid,
            "balance": row.balance,
            "credit": row.credit,
            **row.buckets,
            "last_payment": row.last_payment,
        }
        for row in roll.rows
    ]
    leases = pd.DataFrame(rows, columns=list(ROLL_COLUMNS))
    parts = []
    for coop, group in leases.groupby("coop", sort=True):
        parts += [group, _total(group, "co-op", str(coop))]
    parts.append(_total(leases, "federation", "Federation"))
    return pd.concat(parts, ignore_index=True)


def _total(rows: pd.DataFrame, level: str, coop: str) -> pd.DataFrame:
    total: dict[str, object] = {column: sum(rows[column], ZERO) for column in AMOUNTS}
    last = rows["last_payment"].dropna()
    total |= {
        "level": level,
        "coop": coop,
        "collective": "Total",
        "lease": "",
        "workplace": "",
        "last_payment": max(last) if len(last) else None,
    }
    return pd.DataFrame([total], columns=list(ROLL_COLUMNS))


def unplaced_frame(roll: RentRoll) -> pd.DataFrame:
    """The bank lines waiting in suspense, oldest first."""
    return pd.DataFrame(
        [vars(line) for line in sorted(roll.unplaced, key=lambda line: line.date)],
        columns=list(UNPLACED_HEADINGS),
    )


def statement_frame(lines: list[StatementLine]) -> pd.DataFrame:
    """A collective's charges and payments with the running balance."""
    return pd.DataFrame([vars(line) for line in lines], columns=list(STATEMENT_HEADINGS))
