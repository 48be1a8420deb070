"""The member register: who may vote, read from the membership secretary's CSV.

Columns (a header row, in any order): ``member_id``, ``coop``, ``class``
(``consumer`` or ``worker``), ``collective`` (for workers), ``joined`` and ``left``
(ISO dates; ``left`` empty for current members). The ledger must declare every
co-op and collective the register names. Importing is all or nothing: one bad row
and nothing changes, with every problem listed at its line. A member already in
the database is updated, so importing each new export of the register is how it is
kept current; nobody is deleted, because their past ballots stay on record.
"""

from __future__ import annotations

import csv
import datetime
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from allocation.store import transaction
from ledger.federation import Federation

COLUMNS = ("member_id", "coop", "class", "collective", "joined", "left")
CLASSES = ("consumer", "worker")


@dataclass(frozen=True)
class Member:
    """One member of a co-op, as the register knows them."""

    id: str
    coop: str
    kind: str
    collective: str | None
    joined: datetime.date
    left: datetime.date | None

    def of_record_on(self, day: datetime.date) -> bool:
        """Whether they were a member on ``day``: joined by then and not yet left."""
        return self.joined <= day and (self.left is None or self.left > day)


class RegisterError(ValueError):
    """Rows of a register file that cannot be imported; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_register(path: Path, federation: Federation) -> list[Member]:
    """Every member in the CSV file at ``path``; RegisterError lists every bad row."""
    problems: list[str] = []
    members: list[Member] = []
    seen: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegisterError([f"{path}:1: missing column(s) {', '.join(missing)}"])
        for row in reader:
            line = reader.line_num
            try:
                member = _member(row, federation)
            except ValueError as error:
                problems.append(f"{path}:{line}: {error}")
                continue
            if member.id in seen:
                problems.append(
                    f"{path}:{line}: member {member.id} is on line {seen[member.id]} too"
                )
                continue
            seen[member.id] = line
            members.append(member)
    if problems:
        raise RegisterError(problems)
    return members


def _date(text: str, column: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f'{column} "{text}" is not a date like 2024-03-01') from None


def _member(row: dict[str, str], federation: Federation) -> Member:
    ident = (row["member_id"] or "").strip()
    if not ident:
        raise ValueError("member_id is empty")
    coop = row["coop"].strip()
    if coop not in federation.coops:
        raise ValueError(f'co-op "{coop}" is not declared in the ledger')
    kind = row["class"].strip()
    if kind not in CLASSES:
        raise ValueError(f'class "{kind}" must be "consumer" or "worker"')
    collective = (row["collective"] or "").strip() or None
    if kind == "worker":
        if collective is None:
            raise ValueError(
                f"worker {ident} names no collective: say which one they work in"
            )
        declared = federation.collectives.get(collective)
        if declared is None:
            raise ValueError(
                f'worker {ident} names collective "{collective}", which is not declared'
            )
        if declared.coop != coop:
            raise ValueError(
                f'collective "{collective}" belongs to "{declared.coop}", not "{coop}"'
            )
    elif collective:
        raise ValueError(
            f'consumer {ident} names a collective ("{collective}"); only workers do'
        )
    joined = _date(row["joined"], "joined")
    left = _date(row["left"], "left") if (row["left"] or "").strip() else None
    if left is not None and left < joined:
        raise ValueError(f"left {left} before joining {joined}")
    return Member(ident, coop, kind, collective, joined, left)


def save_members(connection: sqlite3.Connection, members: Iterable[Member]) -> int:
    """Add or update ``members`` in one transaction; return how many were written."""
    rows = [
        (
            m.id,
            m.coop,
            m.kind,
            m.collective,
            m.joined.isoformat(),
            m.left.isoformat() if m.left else None,
        )
        for m in members
    ]
    with transaction(connection):
        connection.executemany(
            "INSERT INTO members (member_id, coop, class, collective, joined, left_on) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET "
            "coop = excluded.coop, class = excluded.class, "
            "collective = excluded.collective, "
            "joined = excluded.joined, left_on = excluded.left_on",
            rows,
        )
    return len(rows)


def load_members(
    connection: sqlite3.Connection, only: Iterable[str] | None = None
) -> dict[str, Member]:
    """Every member in the database, by id; or only the members ``only`` names
    (the ballot site asks for one voter, not a register of a million)."""
    if only is None:
        rows = connection.execute("SELECT * FROM members")
    else:
        wanted = list(only)
        marks = ", ".join("?" * len(wanted))
        rows = connection.execute(
            f"SELECT * FROM members WHERE member_id IN ({marks})", wanted
        )
    return {
        row["member_id"]: Member(
            row["member_id"],
            row["coop"],
            row["class"],
            row["collective"],
            datetime.date.fromisoformat(row["joined"]),
            datetime.date.fromisoformat(row["left_on"]) if row["left_on"] else None,
        )
        for row in rows
    }
