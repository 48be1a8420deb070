"""Pabulib files: real instances of every vote type load, count and round-trip.

The instances in tests/data/pabulib are real elections (see SOURCES.md there). Three
independent witnesses check the reader: the files' own ``votes`` and ``score``
columns, written by the people who published them; pabutools, the field's reference
library (a test-only oracle, never imported by coopfund); and a write-then-read
round trip.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pabutools.election import parse_pabulib

from allocation.election import VOTE_TYPES
from allocation.election import Election
from allocation.pabulib import _TITLE
from allocation.pabulib import PabulibError
from allocation.pabulib import _Cells
from allocation.pabulib import _named
from allocation.pabulib import _titles
from allocation.pabulib import format_pb
from allocation.pabulib import parse_pb
from allocation.pabulib import read_pb
from allocation.pabulib import write_pb
from allocation.scores import PointsRuleError
from allocation.scores import tally
from allocation.scores import vote_points

DATA = Path(__file__).parent / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))


def assert_same_election(one: Election, other: Election) -> None:
    """Equal settings (counts aside, which writing recomputes) and equal tables."""
    counts = ("num_projects", "num_votes")
    assert {k: v for k, v in one.meta.items() if k not in counts} == {
        k: v for k, v in other.meta.items() if k not in counts
    }
    pd.testing.assert_frame_equal(one.projects, other.projects)
    pd.testing.assert_frame_equal(one.voters, other.voters)
    pd.testing.assert_frame_equal(_ids_as_text(one.votes), _ids_as_text(other.votes))


def _ids_as_text(votes: pd.DataFrame) -> pd.DataFrame:
    """Voters and projects as text, whether an election holds them as categories
    (read at array speed) or as text (read line by line, or exported)."""
    return votes.astype({"voter": str, "project": str})


def test_the_fixtures_cover_every_vote_type() -> None:
    assert {read_pb(path).vote_type for path in FILES} == set(VOTE_TYPES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_counts_agree_with_the_columns_the_publishers_wrote(path: Path) -> None:
    contest = read_pb(path)
    counted = tally(contest)
    assert len(contest.projects) == int(contest.meta["num_projects"])
    assert len(contest.voters) == int(contest.meta["num_votes"])
    published = contest.projects
    if "votes" in published:
        assert counted["supporters"].tolist() == published["votes"].astype(int).tolist()
    if "score" in published:
        assert counted["points"].tolist() == published["score"].astype(float).tolist()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_ballots_agree_with_the_reference_library(path: Path) -> None:
    contest = read_pb(path)
    instance, profile = parse_pabulib(str(path))
    assert float(contest.budget) == float(instance.budget_limit)
    assert {p: float(c) for p, c in contest.projects["cost"].items()} == {
        p.name: float(p.cost) for p in instance
    }
    ours = contest.ballots()
    if contest.vote_type == "ordinal":
        theirs = sorted(tuple(p.name for p in ballot) for ballot in profile)
        assert sorted(ours.values()) == theirs
    elif contest.vote_type in ("cumulative", "scoring"):
        points = contest.votes.groupby("voter", sort=False).apply(
            lambda v: dict(zip(v["project"], v["points"], strict=True)),
            include_groups=False,
        )
        theirs_points = sorted(
            sorted((p.name, float(s)) for p, s in ballot.items()) for ballot in profile
        )
        assert sorted(sorted(b.items()) for b in points) == theirs_points
    else:
        theirs = sorted(sorted(p.name for p in ballot) for ballot in profile)
        assert sorted(sorted(b) for b in ours.values() if b) == [t for t in theirs if t]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_write_then_read_gives_the_same_election(path: Path, tmp_path: Path) -> None:
    contest = read_pb(path)
    copy = tmp_path / path.name
    write_pb(contest, copy)
    assert_same_election(read_pb(copy), contest)
    assert format_pb(read_pb(copy)) == copy.read_text(encoding="utf-8")


def test_a_ranking_is_kept_in_order_with_voter_metadata() -> None:
    contest = read_pb(DATA / "Poland_Krakow_2019_Bienczyce.pb")
    first = contest.voters.index[0]
    assert contest.voters.columns.tolist() == ["voting_method"]
    assert contest.ballots()[first] == tuple(
        next(
            line.split(";")[1]
            for line in (DATA / "Poland_Krakow_2019_Bienczyce.pb")
            .read_text(encoding="utf-8")
            .splitlines()
            if line.startswith(f"{first};")
        ).split(",")
    )


SMALL = """\
META
key;value
description;test
vote_type;ordinal
budget;100
PROJECTS
project_id;cost
A;60
B;50
C;40
VOTES
voter_id;vote
v1;A,B,C
v2;C,A
v3;B
v4;
"""


def test_rank_to_points_rules_by_hand() -> None:
    contest = parse_pb(SMALL)
    by_rule = {
        rule: tally(contest, rule)["points"].to_dict()
        for rule in ("borda", "fixed:5,3", "harmonic", "approval")
    }
    assert by_rule["borda"] == {"A": 3 + 1, "B": 2 + 1, "C": 1 + 2}
    assert by_rule["fixed:5,3"] == {"A": 5 + 3, "B": 3 + 5, "C": 0 + 5}
    assert by_rule["harmonic"] == pytest.approx(
        {"A": 1 + 1 / 2, "B": 1 / 2 + 1, "C": 4 / 3}
    )
    assert by_rule["approval"] == {"A": 2, "B": 2, "C": 2}
    counted = tally(contest)
    assert counted["first"].to_dict() == {"A": 1, "B": 1, "C": 1}
    assert counted["supporters"].to_dict() == {"A": 2, "B": 2, "C": 2}
    assert contest.ballots()["v4"] == (), "a voter with an empty ballot is kept"
    with pytest.raises(PointsRuleError, match="points rule"):
        vote_points(contest.votes, "dowdall")


def _broken(old: str, new: str) -> str:
    assert old in SMALL
    return SMALL.replace(old, new)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (_broken("META\n", ""), 1, "must begin with a META section"),
        (_broken("VOTES\nvoter_id;vote\n", ""), 6, "the VOTES section is missing"),
        (_broken("vote_type;ordinal", "vote_type;ranked"), 4, 'vote_type "ranked"'),
        (_broken("budget;100\n", ""), 2, "META gives no budget"),
        (_broken("budget;100", "budget;lots"), 5, 'budget "lots" is not a number'),
        (_broken("A;60", "A;-60"), 8, 'cost "-60" is not a number of 0 or more'),
        (_broken("C;40", "A;40"), 10, "project A is listed twice"),
        (_broken("v2;C,A", "v2;C,D"), 14, "the vote names D, not in PROJECTS"),
        (_broken("v2;C,A", "v2;C,C"), 14, "names a project more than once"),
        (_broken("v3;B", "v1;B"), 15, "voter v1 votes twice"),
        (_broken("v3;B", "v3;B;x"), 15, "3 fields; the header has 2"),
        (_broken("project_id;cost", "project_id;price"), 7, "PROJECTS has no cost column"),
    ],
)
def test_each_malformed_file_is_refused_at_its_line(
    text: str, line: int, message: str
) -> None:
    with pytest.raises(PabulibError) as refused:
        parse_pb(text, "bad.pb")
    assert refused.value.line == line
    assert message in refused.value.message
    assert str(refused.value).startswith(f"bad.pb:{line}: ")


def test_points_must_match_the_projects_named() -> None:
    text = (DATA / "coopfund_scoring_example.pb").read_text(encoding="utf-8")
    with pytest.raises(PabulibError, match=r":23: 2 points for 3 projects"):
        parse_pb(text.replace("v1;S1,S2,S3;5,3,0", "v1;S1,S2,S3;5,3"), "scoring.pb")


def test_an_approval_vote_naming_a_project_twice_counts_it_once_and_says_so() -> None:
    text = _broken("vote_type;ordinal", "vote_type;approval").replace(
        "v1;A,B,C", "v1;A,B,A"
    )
    contest = parse_pb(text, "dup.pb")
    assert contest.ballots()["v1"] == ("A", "B")
    assert contest.notes == ("dup.pb:13: A named twice; counted once",)


def test_a_byte_order_mark_windows_line_ends_and_quoted_cells_are_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "excel.pb"
    text = SMALL.replace("A;60", 'A;60;"Odkupmy; i my"').replace(
        "project_id;cost", "project_id;cost;name"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    contest = read_pb(path)
    assert contest.projects.loc["A", "name"] == "Odkupmy; i my"
    assert contest.projects.loc["B", "name"] == ""
    assert contest.ballots()["v2"] == ("C", "A")


@given(
    st.lists(
        st.sampled_from(
            [
                "META",
                "meta;",
                " Votes ",
                "VOTES;;",
                "PROJECTS\r",
                "num_votes;5",
                "key;value",
                "x;projects",
                "İstanbul;1",
                "1;2,3",
                "",
                "\tmeta\t;",
            ]
        ),
        max_size=12,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_titles_are_the_lines_the_title_pattern_matches(lines: list[str], end: str) -> None:
    """Section titles are looked for only on lines holding one of the words; they
    must be exactly the lines the title pattern matches anywhere."""
    text = end.join(lines)
    expected = [(m.start(), m.end(), m.group(1)) for m in _TITLE.finditer(text)]
    assert [(m.start(), m.end(), m.group(1)) for m in _titles(text)] == expected


#: Cell texts: empty, short and long, numbers with and without leading zeros,
#: letters that take two bytes in UTF-8, commas, spaces, a zero byte.
_CELLS = ["", "1", "07", "P00001", "Łąka", "a b", "12345678901234567890", "1,2", "x\0"]


@given(
    st.lists(
        st.one_of(
            st.lists(st.sampled_from(_CELLS), min_size=3, max_size=3),
            st.sampled_from([[""], ["1", "2"], ["1", "2", "3", "4"]]),  # blank, short, long
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_cells_are_the_cells_a_csv_reader_reads(
    lines: list[list[str]], end: str, last_end: bool
) -> None:
    """The votes split at array speed must be the cells a CSV reader gives, blank
    lines skipped; or, unless every other line has three cells and each line
    ends alike, nothing (then the votes are read line by line)."""
    body = end.join(";".join(cells) for cells in lines) + (end if last_end else "")
    cells = _Cells.split(body, 3)
    rows = [row for row in csv.reader(io.StringIO(body, newline=""), delimiter=";") if row]
    lone_return = "\r" in body.removesuffix("\r").replace("\r\n", "")
    if lone_return or any(len(c) != 3 for c in lines if c != [""]):
        assert cells is None
        return
    assert cells is not None
    assert [cells.text(j) for j in range(3)] == [[row[j] for row in rows] for j in range(3)]


@given(
    st.lists(
        st.lists(
            st.sampled_from(["1", "10", "07", "", "P00001", "Łąka", "1234567890"])
        ).map(",".join),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(
        [["1", "2", "10"], ["0", "1", "07"], ["P00001", "Łąka"], ["1234567890", "1"], []]
    ),
)
def test_projects_named_are_those_their_text_names(
    cells: list[str], ids: list[str]
) -> None:
    """Project ids are compared as numbers when short: each must name the project
    that looking it up as text names, with items counted as splitting the cells
    on commas counts them."""
    split = _Cells.split("".join(f"v{n};{cell}\n" for n, cell in enumerate(cells)), 2)
    assert split is not None
    items = split.items(1)
    named = [cell.split(",") if cell else [] for cell in cells]
    assert items.counts.tolist() == [len(n) for n in named]
    projects = pd.Index(ids, dtype=object)
    expected = projects.get_indexer(pd.Index([i for n in named for i in n], dtype=object))
    assert _named(items, projects).tolist() == expected.tolist()
