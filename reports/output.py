"""Print a report frame for people (an aligned table) or for scripts (CSV, JSON).

Amounts stay :class:`~decimal.Decimal` to the end: the table shows them with
thousands separators, CSV and JSON write them as exact decimal strings (JSON has
no decimal type, and a float would lose cents).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pandas as pd

FORMATS = ("table", "csv", "json")


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def table(frame: pd.DataFrame, headings: dict[str, str]) -> str:
    """The ``headings`` columns of ``frame``, aligned, numbers to the right."""
    columns = list(headings)
    cells = [
        [_cell(value) for value in row] for row in frame[columns].itertuples(index=False)
    ]
    widths = [
        max([len(headings[column]), *(len(row[i]) for row in cells)])
        for i, column in enumerate(columns)
    ]
    numeric = [
        frame[column].map(lambda v: isinstance(v, Decimal)).any() for column in columns
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line([headings[c] for c in columns]), rule, *map(line, cells)])


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, amounts as exact decimal strings."""
    return [
        {
            str(key): str(value) if isinstance(value, Decimal) else value
            for key, value in row.items()
        }
        for row in frame.to_dict(orient="records")
    ]


def render(
    frame: pd.DataFrame, fmt: str, headings: dict[str, str], about: dict[str, Any]
) -> str:
    """``frame`` as ``table``, ``csv`` or ``json``; ``about`` heads the JSON object."""
    if fmt == "table":
        return table(frame, headings)
    if fmt == "csv":
        return str(frame.to_csv(index=False))
    return json.dumps({**about, "rows": records(frame)}, indent=2, default=str)
