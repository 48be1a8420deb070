"""Pabulib ``.pb`` files: the open format in which participatory budgeting results
are published (https://pabulib.org/format), read and written.

A file has three ``;``-separated sections, each a title line and a header line::

    META
    key;value
    description;Round R2026-CEN of Central Co-op
    vote_type;ordinal
    budget;86000
    PROJECTS
    project_id;cost;name
    P26-C1;48000;Solar roof
    VOTES
    voter_id;vote
    1f3a9c;P26-C1,P26-C3

Reading checks what the counting rules rely on and reports each problem at its
line: the sections, ``vote_type`` and ``budget``, numeric costs, votes naming
known projects once each, and (for cumulative and scoring ballots) one number of
points per project named. Counts such as ``num_votes`` are rewritten from the
data on writing rather than trusted on reading.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation
from pathlib import Path

import pandas as pd

from allocation.election import POINTED
from allocation.election import SETS
from allocation.election import VOTE_TYPES
from allocation.election import Election
from allocation.election import election
from allocation.election import format_number
from ledger.files import write_atomically

SECTIONS = ("META", "PROJECTS", "VOTES")


class PabulibError(ValueError):
    """A file that cannot be read as Pabulib, at ``path:line``."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


Row = tuple[int, list[str]]


def read_pb(path: Path) -> Election:
    """The election a ``.pb`` file records."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return parse_pb(handle.read(), path)


def parse_pb(text: str, source: Path | str = "<text>") -> Election:
    """The election in ``text``; ``source`` names it in error messages."""
    sections = _sections(text, source)
    meta = _meta(sections["META"], source)
    projects = _projects(sections["PROJECTS"], source)
    voters, votes, notes = _votes(
        sections["VOTES"], meta["vote_type"], projects.index, source
    )
    return election(meta, projects, voters, votes, notes)


def _rows(text: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text), delimiter=";")
    for row in reader:
        cells = [cell.strip() for cell in row]
        if any(cells):
            yield reader.line_num, cells


@dataclass
class _Section:
    """A section as read: its header (lower-cased) and its data rows."""

    line: int
    header: list[str] = field(default_factory=list)
    header_line: int = 0
    rows: list[Row] = field(default_factory=list)


def _sections(text: str, source: Path | str) -> dict[str, _Section]:
    """Each section by title; a section's first row is its header."""
    found: dict[str, _Section] = {}
    section: _Section | None = None
    for line, cells in _rows(text):
        title = cells[0].upper() if not any(cells[1:]) else ""
        if title in SECTIONS:
            if title in found:
                raise PabulibError(source, line, f"a second {title} section")
            section = found[title] = _Section(line)
        elif section is None:
            raise PabulibError(source, line, "the file must begin with a META section")
        elif not section.header:
            section.header, section.header_line = [c.lower() for c in cells], line
        else:
            section.rows.append((line, cells))
    last = max((s.line for s in found.values()), default=1)
    for title in SECTIONS:
        if title not in found:
            raise PabulibError(source, last, f"the {title} section is missing")
        if not found[title].header:
            raise PabulibError(source, found[title].line, f"{title} has no header line")
    return found


def _meta(section: _Section, source: Path | str) -> dict[str, str]:
    if section.header[:2] != ["key", "value"]:
        raise PabulibError(
            source, section.header_line, 'the META header must be "key;value"'
        )
    meta = {cells[0]: ";".join(cells[1:]) for _, cells in section.rows}
    line = {cells[0]: n for n, cells in section.rows}
    vote_type = meta.get("vote_type", "")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            source,
            line.get("vote_type", section.header_line),
            f'vote_type "{vote_type}" must be one of {", ".join(VOTE_TYPES)}',
        )
    if "budget" not in meta:
        raise PabulibError(source, section.header_line, "META gives no budget")
    meta["budget"] = str(_number(meta["budget"], "budget", source, line["budget"]))
    return meta


def _number(text: str, what: str, source: Path | str, line: int) -> Decimal:
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        raise PabulibError(source, line, f'{what} "{text}" is not a number of 0 or more')
    return number


def _table(section: _Section, key: str, source: Path | str) -> list[Row]:
    """Rows with as many cells as the header, which must start with ``key``."""
    if section.header[0] != key:
        raise PabulibError(
            source, section.header_line, f'the header must start with "{key}"'
        )
    width = len(section.header)
    for row_line, cells in section.rows:
        if len(cells) > width:
            raise PabulibError(
                source, row_line, f"{len(cells)} fields; the header has {width}"
            )
        cells.extend([""] * (width - len(cells)))
    return section.rows


def _projects(section: _Section, source: Path | str) -> pd.DataFrame:
    header = section.header
    if "cost" not in header:
        raise PabulibError(source, section.header_line, "PROJECTS has no cost column")
    rows = _table(section, "project_id", source)
    seen: set[str] = set()
    cost_at = header.index("cost")
    for line, cells in rows:
        if cells[0] in seen:
            raise PabulibError(source, line, f"project {cells[0]} is listed twice")
        seen.add(cells[0])
        cells[cost_at] = str(_number(cells[cost_at], "cost", source, line))
    table = pd.DataFrame([cells for _, cells in rows], columns=header, dtype=str)
    return table.set_index("project_id")


def _votes(
    section: _Section,
    vote_type: str,
    projects: pd.Index,
    source: Path | str,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    header = section.header
    if "vote" not in header:
        raise PabulibError(source, section.header_line, "VOTES has no vote column")
    pointed = vote_type in POINTED
    if pointed and "points" not in header:
        raise PabulibError(
            source, section.header_line, f"{vote_type} votes need a points column"
        )
    rows = _table(section, "voter_id", source)
    vote_at = header.index("vote")
    points_at = header.index("points") if "points" in header else None
    known = set(projects)
    seen: set[str] = set()
    notes: list[str] = []
    voter_ids: list[str] = []
    long: dict[str, list[object]] = {c: [] for c in ("voter", "project", "position")}
    points: list[float] = []
    for line, cells in rows:
        voter = cells[0]
        if voter in seen:
            raise PabulibError(source, line, f"voter {voter} votes twice")
        seen.add(voter)
        voter_ids.append(voter)
        chosen, repeats = _chosen(cells[vote_at], vote_type, known, source, line)
        notes += repeats
        if pointed and points_at is not None:
            points += _points(cells[points_at], len(chosen), source, line)
        long["voter"] += [voter] * len(chosen)
        long["project"] += chosen
        long["position"] += range(1, len(chosen) + 1)
    votes = pd.DataFrame(long)
    votes["points"] = points if pointed else float("nan")
    extra = [c for c in header if c not in ("voter_id", "vote", "points")]
    voters = pd.DataFrame(
        [[cells[header.index(c)] for c in extra] for _, cells in rows],
        columns=extra,
        index=pd.Index(voter_ids, name="voter"),
        dtype=str,
    )
    return voters, votes, notes


def _list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


def _chosen(
    cell: str, vote_type: str, known: set[str], source: Path | str, line: int
) -> tuple[list[str], list[str]]:
    """The projects a vote names, and a note for each repeat that was let pass.

    An approval vote is a set, so a project named twice is still one approval:
    published files have such lines (Warszawa 2026, Amsterdam), and refusing the
    whole file for them would help nobody. In a ranking or a share of points a
    repeat is ambiguous, so it is an error.
    """
    chosen = _list(cell)
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise PabulibError(
            source, line, f"the vote names {', '.join(unknown)}, not in PROJECTS"
        )
    unique = list(dict.fromkeys(chosen))
    if len(unique) == len(chosen):
        return chosen, []
    if vote_type not in SETS:
        raise PabulibError(source, line, "the vote names a project more than once")
    twice = sorted({p for p in chosen if chosen.count(p) > 1})
    return unique, [f"{source}:{line}: {', '.join(twice)} named twice; counted once"]


def _points(cell: str, expected: int, source: Path | str, line: int) -> list[float]:
    given = _list(cell)
    if len(given) != expected:
        raise PabulibError(
            source, line, f"{len(given)} points for {expected} projects: give one each"
        )
    return [float(_number(p, "points", source, line)) for p in given]


def write_pb(contest: Election, path: Path) -> None:
    """Write ``contest`` to ``path`` atomically, with its counts recomputed."""
    write_atomically(path, format_pb(contest))


def format_pb(contest: Election) -> str:
    """The text of ``contest`` as a ``.pb`` file."""
    meta = dict(contest.meta)
    meta["num_projects"] = str(len(contest.projects))
    meta["num_votes"] = str(len(contest.voters))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerows([["META"], ["key", "value"], *meta.items()])
    projects = contest.projects
    writer.writerows([["PROJECTS"], ["project_id", *projects.columns]])
    for project, row in zip(projects.index, projects.itertuples(index=False), strict=True):
        writer.writerow([project, format_number(row[0]), *row[1:]])
    pointed = contest.vote_type in POINTED
    writer.writerows(
        [
            ["VOTES"],
            ["voter_id", "vote", *(["points"] if pointed else []), *contest.voters.columns],
        ]
    )
    listed = contest.votes.sort_values(["voter", "position"], kind="stable")
    by_voter = listed.groupby("voter", sort=False)
    chosen = by_voter["project"].agg(",".join)
    given = by_voter["points"].agg(lambda s: ",".join(format_number(p) for p in s))
    for voter, row in zip(
        contest.voters.index, contest.voters.itertuples(index=False), strict=True
    ):
        points = [given.get(voter, "")] if pointed else []
        writer.writerow([voter, chosen.get(voter, ""), *points, *row])
    return out.getvalue()
