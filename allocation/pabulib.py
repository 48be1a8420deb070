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
import re
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np
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


@dataclass
class _Section:
    """A section as read: its title's line, its header (lower-cased), its body text.

    The body's rows are split only when asked for (:attr:`rows`): the votes of a
    large city are read column by column instead, when they are in order.
    """

    line: int
    header: list[str]
    header_line: int
    body: str

    @cached_property
    def rows(self) -> list[Row]:
        """The body's non-empty rows, cells stripped, with their line numbers."""
        reader = csv.reader(io.StringIO(self.body), delimiter=";")
        rows = []
        for row in reader:
            cells = [cell.strip() for cell in row]
            if any(cells):
                rows.append((self.header_line + reader.line_num, cells))
        return rows

    def is_plain(self) -> bool:
        """No quotes and no padding around cells: the body splits on ";" as it is."""
        body = self.body
        if '"' in body:
            return False
        if " " not in body and "\t" not in body:  # (most files: nothing to pad with)
            return True
        padded = ("; ", " ;", ";\t", "\t;", "\n ", " \n", " \r")
        return not any(p in body for p in padded)


_TITLE = re.compile(
    r"^[ \t]*(META|PROJECTS|VOTES)[ \t;]*\r?$", re.MULTILINE | re.IGNORECASE
)


def _titles(text: str) -> list[re.Match[str]]:
    """The section titles, in order.

    Matching the title pattern at every line start of a file of a million votes
    takes a quarter of a second, so only the lines holding one of the words are
    tried (found in the lower-cased text, where offsets are the same unless
    lower-casing changed the length, as a few letters such as "İ" do).
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        return list(_TITLE.finditer(text))
    starts = set()
    for word in ("meta", "projects", "votes"):
        found = lowered.find(word)
        while found >= 0:
            starts.add(text.rfind("\n", 0, found) + 1)
            found = lowered.find(word, found + len(word))
    titles = (_TITLE.match(text, start) for start in sorted(starts))
    return [title for title in titles if title is not None]


def _sections(text: str, source: Path | str) -> dict[str, _Section]:
    """Each section by title; a section's first row is its header."""
    titles = _titles(text)
    lead = len(text) - len(text.lstrip())
    if not titles or titles[0].start() > lead or titles[0].group(1).upper() != "META":
        line = text.count("\n", 0, lead) + 1
        raise PabulibError(source, line, "the file must begin with a META section")
    found: dict[str, _Section] = {}
    ends = [match.start() for match in titles[1:]] + [len(text)]
    for match, end in zip(titles, ends, strict=True):
        title, line = match.group(1).upper(), text.count("\n", 0, match.start()) + 1
        if title in found:
            raise PabulibError(source, line, f"a second {title} section")
        found[title] = _section(line, text[match.end() + 1 : end], title, source)
    last = text.count("\n", 0, titles[-1].start()) + 1
    for title in SECTIONS:
        if title not in found:
            raise PabulibError(source, last, f"the {title} section is missing")
    return found


def _section(line: int, block: str, title: str, source: Path | str) -> _Section:
    """Split ``block`` (the text after the title on ``line``) into header and body."""
    position, number = 0, line
    while position < len(block):
        end = block.find("\n", position)
        end = len(block) if end < 0 else end
        number += 1
        if block[position:end].strip().strip(";").strip():
            (cells,) = csv.reader([block[position:end]], delimiter=";")
            header = [cell.strip().lower() for cell in cells]
            return _Section(line, header, number, block[end + 1 :])
        position = end + 1
    raise PabulibError(source, line, f"{title} has no header line")


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
    """Voters and the long vote table: at array speed when every line is in order,
    else line by line, which finds the first bad line and says what is wrong."""
    fast = _votes_at_once(section, vote_type, projects)
    if fast is not None:
        return fast
    return _votes_by_line(section, vote_type, projects, source)


def _votes_at_once(
    section: _Section, vote_type: str, projects: pd.Index
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]] | None:
    """The votes read column by column, or None if any line needs a closer look:
    the header lacks what the vote type needs, a line does not fill it exactly, a
    voter is listed twice, or a vote names an unknown project (or one twice)."""
    header = section.header
    needed = ["voter_id", "vote", *(["points"] if vote_type in POINTED else [])]
    if header[0] != "voter_id" or not set(needed) <= set(header) or not section.is_plain():
        return None
    cells = _Cells.split(section.body, len(header))
    if cells is None or not cells.lines:
        return None
    # The ids are checked unique as an index, which remembers it: the voters' index
    # and the vote table's categories are this same index, so a million ids are
    # hashed once.
    voter_ids = pd.Index(cells.text(0), name="voter")
    if (voter_ids == "").any() or not voter_ids.is_unique:
        return None
    votes = _long_table(cells, header, voter_ids, vote_type, projects)
    if votes is None:
        return None
    extra = [c for c in header if c not in ("voter_id", "vote", "points")]
    voters = pd.DataFrame(
        {c: cells.text(header.index(c)) for c in extra},
        index=voter_ids,
        columns=extra,
        dtype=str,
    )
    return voters, votes, []


@dataclass(frozen=True)
class _Cells:
    """A plain section body (:meth:`_Section.is_plain`) cut into cells, as ranges
    of its UTF-8 bytes.

    A city's million votes are split at array speed this way, and no Python string
    is made for a cell that is not needed as one: the votes' project ids, three
    million of them, are compared as numbers (:func:`_named`).
    """

    #: The body's bytes, ending in a newline.
    raw: np.ndarray
    #: Where each cell begins, by column then line ...
    starts: np.ndarray
    #: ... and ends: the ";", "\r" or "\n" just after it.
    ends: np.ndarray

    @classmethod
    def split(cls, body: str, width: int) -> _Cells | None:
        """The cells of ``body``'s non-blank lines, or None unless each has exactly
        ``width`` cells and ends in "\n" or "\r\n" (a lone "\r" ends a line
        for some readers and not for others)."""
        text = body if body.endswith("\n") else body + "\n"
        raw = np.frombuffer(text.encode(), dtype=np.uint8)
        newlines = np.flatnonzero(raw == ord("\n"))
        returns = raw[newlines - 1] == ord("\r")
        if np.count_nonzero(raw == ord("\r")) != np.count_nonzero(returns):
            return None
        line_starts = np.r_[0, newlines[:-1] + 1]
        line_ends = newlines - returns
        filled = line_ends > line_starts
        line_starts, line_ends = line_starts[filled], line_ends[filled]
        semicolons = np.flatnonzero(raw == ord(";"))
        first = np.searchsorted(semicolons, line_starts)
        if (np.searchsorted(semicolons, line_ends) - first != width - 1).any():
            return None
        inner = semicolons[first + np.arange(width - 1)[:, np.newaxis]]
        return cls(raw, np.vstack([line_starts, inner + 1]), np.vstack([inner, line_ends]))

    @property
    def lines(self) -> int:
        return int(self.starts.shape[1])

    def text(self, column: int) -> list[str]:
        """The column's cells, as text."""
        joined = _joined(self.raw, self.starts[column], self.ends[column], "\n")
        return joined.tobytes().decode().split("\n")[:-1]

    def items(self, column: int) -> _Items:
        """The comma-separated items of the column's cells (an empty cell has none;
        "1,,2" has an empty one)."""
        starts, ends = self.starts[column], self.ends[column]
        filled = ends > starts
        joined = _joined(self.raw, starts[filled], ends[filled], ",")
        commas = np.flatnonzero(joined == ord(","))
        cell_ends = np.cumsum(ends[filled] - starts[filled] + 1) - 1
        counts = np.zeros(len(starts), dtype=np.int64)
        counts[filled] = np.diff(
            np.searchsorted(commas, cell_ends, side="right"), prepend=0
        )
        return _Items(counts, joined, np.r_[0, commas + 1][: len(commas)], commas)


class _Items(NamedTuple):
    """Comma-separated items: how many each cell lists, and each one's bytes as a
    range of ``joined`` (the items in order, each followed by a comma)."""

    counts: np.ndarray
    joined: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def text(self) -> list[str]:
        return self.joined.tobytes().decode().split(",")[:-1]


def _joined(
    raw: np.ndarray, starts: np.ndarray, ends: np.ndarray, separator: str
) -> np.ndarray:
    """The bytes of the ranges ``starts[i]`` to ``ends[i]`` (ordered, apart), each
    with its last byte (the separator that ends a cell) made ``separator``.

    The bytes are picked by a mask, made as runs: out, in, out, in, ... out."""
    edges = np.empty(2 * len(starts) + 2, dtype=np.int64)
    edges[0], edges[1:-1:2], edges[2:-1:2], edges[-1] = 0, starts, ends + 1, len(raw)
    picked = np.zeros(len(edges) - 1, dtype=bool)
    picked[1::2] = True
    joined: np.ndarray = raw[np.repeat(picked, np.diff(edges))]
    joined[np.cumsum(ends - starts + 1) - 1] = ord(separator)
    return joined


def _long_table(
    cells: _Cells,
    header: list[str],
    voter_ids: pd.Index,
    vote_type: str,
    projects: pd.Index,
) -> pd.DataFrame | None:
    """One row per project named, if all are known, none twice on a ballot, and
    (for pointed ballots) each has a number of points of 0 or more."""
    named = cells.items(header.index("vote"))
    lengths, where = named.counts, _named(named, projects)
    voter_at = np.repeat(np.arange(len(voter_ids)), lengths)
    pairs = np.sort(voter_at * (len(projects) + 1) + where)
    if (where < 0).any() or (pairs[1:] == pairs[:-1]).any():
        return None
    points = np.full(len(where), np.nan)
    if vote_type in POINTED:
        given = cells.items(header.index("points"))
        try:
            points = np.asarray(given.text(), dtype=float)
        except ValueError:
            return None
        if not np.array_equal(given.counts, lengths) or (points < 0).any():
            return None
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pd.DataFrame(
        {
            # Categories (see election.positions): the ids are not repeated per vote.
            "voter": pd.Categorical.from_codes(voter_at, categories=voter_ids),
            "project": pd.Categorical.from_codes(where, categories=projects),
            "position": np.arange(len(where)) - starts + 1,
            "points": points,
        }
    )


#: Ids of at most this many bytes are compared as numbers (:func:`_named`).
_PACKED = 8


def _named(items: _Items, projects: pd.Index) -> np.ndarray:
    """Each item's position in ``projects`` (-1: not a project).

    Project ids are short (Pabulib numbers them, mostly), so an id of up to eight
    bytes is read as one 64-bit number, its bytes in order, and three million of
    them are looked up as numbers, eight times faster than as strings. Two ids are
    equal when their numbers and lengths are; longer ids are looked up as text.
    """
    ids = [str(p).encode() for p in projects]
    lengths = np.array([len(i) for i in ids])
    widths = items.ends - items.starts
    if ids and len(widths) and max(widths.max(), lengths.max()) <= _PACKED:
        padded = [int.from_bytes(i.ljust(_PACKED, b"\0")) for i in ids]
        known = pd.Index(np.array(padded, dtype=np.uint64))
        if known.is_unique:  # (unless an id ends in a zero byte)
            where = known.get_indexer(pd.Index(_packed(items, widths)))
            return np.where(lengths[where] == widths, where, -1)
    return projects.get_indexer(pd.Index(items.text()))


def _packed(items: _Items, widths: np.ndarray) -> np.ndarray:
    """Each item's bytes as one big-endian number, padded with zero bytes: the
    eight bytes from its start, those past its end made zero."""
    padded = np.r_[items.joined, np.zeros(_PACKED, dtype=np.uint8)]
    windows = np.lib.stride_tricks.sliding_window_view(padded, _PACKED)[items.starts]
    windows *= np.arange(_PACKED) < widths[:, np.newaxis]
    codes: np.ndarray = windows.view(">u8")[:, 0].astype(np.uint64)
    return codes


def _votes_by_line(
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
