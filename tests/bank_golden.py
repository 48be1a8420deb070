"""Golden files for statement readers: a stable JSON form of what a file reads as.

Each fixture ``X`` under ``tests/data/statements/`` has its expected reading in
``X.expected.json``. After a deliberate change to a reader, regenerate them with
``UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_bank_read.py`` and read the diff
before committing: a golden file must hold what the statement really says.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ledger.bank.model import BankLine
from ledger.bank.model import BankStatement
from ledger.bank.model import Where

DATA = Path(__file__).parent / "data" / "statements"


def _where(where: Where) -> dict[str, Any]:
    """Where in the file, without the file (which depends on the checkout)."""
    if where.line is not None:
        return {"line": where.line}
    return {"element": where.element} if where.element else {}


def _line(line: BankLine) -> dict[str, Any]:
    return {
        "date": line.date.isoformat(),
        "amount": str(line.amount),
        "currency": line.currency,
        "bank_ref": line.bank_ref,
        "counterparty": line.counterparty,
        "counterparty_iban": line.counterparty_iban,
        "remittance": line.remittance,
        "reversal": line.reversal,
        "where": _where(line.where),
    }


def _statement(statement: BankStatement) -> dict[str, Any]:
    def amount(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "account": statement.account,
        "currency": statement.currency,
        "start": statement.start.isoformat(),
        "end": statement.end.isoformat(),
        "opening": amount(statement.opening),
        "closing": amount(statement.closing),
        "where": _where(statement.where),
        "lines": [_line(line) for line in statement.lines],
    }


def as_json(statements: Sequence[BankStatement]) -> str:
    """The statements as indented JSON, amounts as exact decimal strings."""
    data = [_statement(statement) for statement in statements]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def check_golden(fixture: Path, statements: Sequence[BankStatement]) -> None:
    """Compare with ``<fixture>.expected.json``; with UPDATE_GOLDEN=1, rewrite it."""
    golden = fixture.with_name(fixture.name + ".expected.json")
    actual = as_json(statements)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no {golden.name}: run with UPDATE_GOLDEN=1 and check it"
    assert actual == golden.read_text(encoding="utf-8")
