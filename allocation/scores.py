"""From ballots to points: what each project is worth to the voters, by a declared rule.

A rank is turned into points by the round's rule (``custom "round"``'s ``points``,
or Pabulib's ``scoring_fn`` for an ordinal file):

* ``borda``: a ballot ranking k projects gives k points to its first, k-1 to its
  second, ... 1 to its last (Pabulib's ordinal ``score`` convention);
* ``fixed:5,4,3,2,1``: these points by rank, 0 below the last one listed;
* ``harmonic``: 1/rank.

Approval and choose-1 ballots give each named project 1 point; cumulative and
scoring ballots give the points written on them. Everything is a vectorised
operation on the long vote table: no loop over ballots, so a round of 100,000
members counts in well under a second.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from allocation.election import POINTED
from allocation.election import Election
from allocation.election import positions

_FIXED = re.compile(r"^fixed:(\d+(?:\.\d+)?(?:,\d+(?:\.\d+)?)*)$")


class PointsRuleError(ValueError):
    """A points rule that is not one of those described in this module."""


def points_rule(contest: Election) -> str:
    """The rule an election's ballots are counted by, by the election's own settings."""
    if contest.vote_type == "ordinal":
        return contest.meta.get("scoring_fn", "borda").strip().lower() or "borda"
    if contest.vote_type in POINTED:
        return "given"
    return "approval"


def vote_points(votes: pd.DataFrame, rule: str) -> pd.Series:
    """The points each row of a long vote table gives its project, by ``rule``."""
    position = votes["position"].to_numpy()
    if rule == "given":
        return votes["points"].astype("float64")
    if rule == "approval":
        return pd.Series(1.0, index=votes.index)
    if rule == "borda":
        return pd.Series(ballot_lengths(votes) - position + 1.0, index=votes.index)
    if rule == "harmonic":
        return pd.Series(1.0 / position, index=votes.index)
    fixed = _FIXED.match(rule)
    if fixed is None:
        raise PointsRuleError(
            f'points rule "{rule}" must be "borda", "harmonic", "fixed:3,2,1" and the '
            'like, "approval" or "given"'
        )
    table = np.array([0.0, *map(float, fixed.group(1).split(","))])
    return pd.Series(table[np.where(position < len(table), position, 0)], index=votes.index)


def ballot_lengths(votes: pd.DataFrame) -> np.ndarray:
    """For each row, how many projects its voter's ballot names.

    Readers list each ballot's rows together, positions 1, 2, ...; then a ballot
    starts wherever the position is 1, and its length is the distance to the next
    start: no grouping by voter, which on a million voters is the slow part. That
    holds when, from one row to the next, either a ballot starts or the position
    goes up by one and the voter stays the same. Otherwise (rows in any order) it
    groups by voter.
    """
    position = votes["position"].to_numpy()
    if not len(position):
        return np.zeros(0)
    voter = votes["voter"]
    voters = (
        voter.cat.codes.to_numpy()
        if isinstance(voter.dtype, pd.CategoricalDtype)
        else voter.to_numpy()
    )
    starting = position[1:] == 1
    going_on = (np.diff(position) == 1) & (voters[1:] == voters[:-1])
    if position[0] == 1 and (starting | going_on).all():
        sizes = np.diff(np.r_[np.flatnonzero(position == 1), len(position)])
        return np.repeat(sizes, sizes).astype("float64")
    size = votes.groupby("voter", sort=False)["position"].transform("size")
    return np.asarray(size, dtype="float64")


def project_totals(
    votes: pd.DataFrame, projects: pd.Index, *, ranked: bool
) -> pd.DataFrame:
    """Per project of ``projects``: ``points`` (the votes' points column summed),
    ``supporters`` (ballots naming it) and ``first`` (first preferences).

    Only a ranking has a first preference; on other ballots every project named is
    the voter's choice, so ``first`` equals ``supporters``.
    """
    where = positions(votes["project"], projects)
    size = len(projects)
    supporters = np.bincount(where, minlength=size)
    firsts = where[votes["position"].to_numpy() == 1] if ranked else where
    return pd.DataFrame(
        {
            "points": np.bincount(
                where, weights=votes["points"].to_numpy(), minlength=size
            ),
            "supporters": supporters,
            "first": np.bincount(firsts, minlength=size),
        },
        index=projects,
    )


def tally(contest: Election, rule: str | None = None) -> pd.DataFrame:
    """Per project: ``points``, ``supporters``, ``first`` (see :func:`project_totals`)
    and ``cost``; every project listed, in the election's order. ``rule`` defaults to
    the election's own (:func:`points_rule`).
    """
    votes = contest.votes.assign(
        points=vote_points(contest.votes, rule or points_rule(contest))
    )
    table = project_totals(
        votes, contest.projects.index, ranked=contest.vote_type == "ordinal"
    )
    table["cost"] = contest.projects["cost"]
    return table
