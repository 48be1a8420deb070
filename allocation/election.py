"""An election in the one shape every counting rule reads: projects, voters, votes.

Ballots come from two places: our own rounds (the SQLite database beside the
ledger) and Pabulib files (real elections, from anywhere). Both become an
:class:`Election`, so a rule is written and tested once, and a round exported to
Pabulib and read back is the same election.

The votes are one long table, one row per (voter, project) mention, because
every rule then becomes a vectorised group-by instead of a loop over ballots:

========  ========  ========  ======
voter     project   position  points
========  ========  ========  ======
v1        P3        1         NaN
v1        P1        2         NaN
v2        P1        1         NaN
========  ========  ========  ======

``position`` is the place in the voter's list (1 = first, which for an ordinal
ballot is the favourite); ``points`` is what the voter gave the project on a
cumulative or scoring ballot, and missing (NaN) for the other vote types, whose
points follow from the position by the election's points rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

#: Pabulib's vote types: a set of projects, a ranking, points to share out,
#: a score per project, or a single project.
VOTE_TYPES = ("approval", "ordinal", "cumulative", "scoring", "choose-1")
#: The vote types whose ballots carry points of their own.
POINTED = ("cumulative", "scoring")
#: The vote types whose ballots are sets of projects, in no particular order.
SETS = ("approval", "choose-1")
VOTE_COLUMNS = ("voter", "project", "position", "points")


@dataclass(frozen=True, eq=False)
class Election:
    """One election: its settings, its projects, its voters and their votes.

    ``meta`` keeps every setting as text, in the order it was given (Pabulib's
    META section), so that nothing a file says is lost on the way through.
    ``projects`` is indexed by project id and has a float ``cost`` column first,
    then any further columns as text; ``voters`` is indexed by voter id, in the
    order voters were listed, with their metadata as text; ``votes`` is the long
    table described in the module's docstring. A count of our own round may leave
    its voters unnamed, numbered 0, 1, 2, ... instead: no rule depends on who
    voted, and a million ids would cost a count a fifth of a second.
    """

    meta: dict[str, str]
    projects: pd.DataFrame
    voters: pd.DataFrame
    votes: pd.DataFrame
    #: What a reader let pass and a person should know, ``file:line: ...`` each.
    notes: tuple[str, ...] = ()

    @property
    def vote_type(self) -> str:
        """One of :data:`VOTE_TYPES`."""
        return self.meta["vote_type"]

    @property
    def budget(self) -> Decimal:
        """The money the election shares out."""
        return Decimal(self.meta["budget"])

    def ballots(self) -> dict[str, tuple[str, ...]]:
        """Each voter's list of projects, in order (voters without one included)."""
        listed = self.votes.sort_values(["voter", "position"], kind="stable")
        grouped = listed.groupby("voter", sort=False)["project"].agg(tuple)
        return {voter: grouped.get(voter, ()) for voter in self.voters.index}


def positions(column: pd.Series, index: pd.Index) -> np.ndarray:
    """Where each value of ``column`` sits in ``index`` (-1: not there).

    A vote table counted from our store holds its voters and projects as
    categories: then only the categories are looked up (a few thousand projects,
    or none at all when they are the index itself), not three million strings.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        codes = column.cat.codes.to_numpy()
        place = (
            np.arange(len(categories))
            if categories.equals(index)
            else index.get_indexer(categories)
        )
        found: np.ndarray = np.where(codes >= 0, place[codes], -1)
        return found
    looked_up: np.ndarray = index.get_indexer(pd.Index(column))
    return looked_up


def format_number(number: float) -> str:
    """``48000`` rather than ``48000.0``; other numbers as Python writes them."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def election(
    meta: dict[str, str],
    projects: pd.DataFrame,
    voters: pd.DataFrame,
    votes: pd.DataFrame,
    notes: Sequence[str] = (),
) -> Election:
    """An :class:`Election` with its tables in the standard dtypes and order.

    Readers and exporters build their tables in whatever way is natural to them;
    passing them through here means two elections with the same content compare
    equal, whatever they were read from.
    """
    projects = projects.copy()
    projects.index = projects.index.astype(str).rename("project")
    projects["cost"] = projects["cost"].astype("float64")
    projects = projects[["cost", *[c for c in projects.columns if c != "cost"]]]
    voters = voters.copy()
    numbered = isinstance(voters.index, pd.RangeIndex)  # unnamed voters
    voters.index = (voters.index if numbered else voters.index.astype(str)).rename("voter")
    votes = pd.DataFrame(
        {
            "voter": _ids(votes["voter"]),
            "project": _ids(votes["project"]),
            "position": votes["position"].astype("int64"),
            "points": votes["points"].astype("float64"),
        }
    ).reset_index(drop=True)
    return Election(dict(meta), projects, voters, votes, tuple(notes))


def _ids(column: pd.Series) -> pd.Series:
    """Ids as text; categories (see :func:`positions`, labelled by text) are kept."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column
    return column.astype(str)
