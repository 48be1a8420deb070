"""Paper ballots, typed into a CSV file, checked like ballots cast on the web.

Columns: ``member_id``, ``rank_1``, ``rank_2``, ... (as many as the round allows;
empty cells after the last choice) and an optional ``date`` (ISO) on which the
ballot was cast, by default the day of the import. Every row is checked before any
is stored: one refused row and the import stores nothing, listing each problem at
its line. Stored ballots are marked as paper.
"""

from __future__ import annotations

import csv
import datetime
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from allocation.ballots import Ballot
from allocation.ballots import Poll
from allocation.ballots import record


class PaperRefused(ValueError):
    """Rows that cannot be imported, one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PaperBallot:
    """One row of the file, read."""

    line: int
    member_id: str
    ranking: tuple[str, ...]
    day: datetime.date


def read_paper(path: Path, today: datetime.date) -> list[PaperBallot]:
    """The rows of a paper-ballot file; a row that cannot be read is a PaperRefused."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        ranks = sorted((f for f in fields if f.startswith("rank_")), key=_rank_number)
        if "member_id" not in fields or not ranks:
            raise PaperRefused(
                [f"{path}:1: the header needs member_id and rank_1, rank_2, ..."]
            )
        rows, problems = [], []
        for row in reader:
            line = reader.line_num
            try:
                day = datetime.date.fromisoformat(row["date"]) if row.get("date") else today
            except ValueError:
                problems.append(
                    f'{path}:{line}: date "{row["date"]}" is not like 2026-11-30'
                )
                continue
            ranking = tuple(
                row[rank].strip() for rank in ranks if (row[rank] or "").strip()
            )
            rows.append(PaperBallot(line, (row["member_id"] or "").strip(), ranking, day))
    if problems:
        raise PaperRefused(problems)
    return rows


def _rank_number(field: str) -> int:
    suffix = field.removeprefix("rank_")
    return int(suffix) if suffix.isdigit() else 0


def import_paper(
    connection: sqlite3.Connection, path: Path, poll: Poll, now: datetime.datetime
) -> list[Ballot]:
    """Check every paper ballot in ``path``, then store them all, or none."""
    rows = read_paper(path, now.date())
    problems = [
        f"{path}:{row.line}: {problem}"
        for row in rows
        for problem in poll.problems(row.member_id, row.ranking, row.day)
    ]
    first: dict[str, int] = {}
    for row in rows:
        if first.setdefault(row.member_id, row.line) != row.line:
            problems.append(
                f"{path}:{row.line}: member {row.member_id} already has a ballot on line "
                f"{first[row.member_id]} of this file"
            )
    if problems:
        raise PaperRefused(problems)
    votes = [(row.member_id, row.ranking) for row in rows]
    return record(connection, poll.round.id, votes, "paper", now)
