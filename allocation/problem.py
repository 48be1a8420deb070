"""What a counting rule is given: scored projects, the budget, the round's options.

Every rule reads a :class:`Problem`, whether the ballots came from our own round
or from a Pabulib file, so greedy, the utilitarian optimum and equal shares are
compared on exactly the same numbers.

Ties are broken the same way by every rule, in an order declared before counting:
the lower cost first, then more first preferences, then a lot. The lot is a
shuffle of the project ids seeded by the election's name (``lot_seed``), so it is
fixed before any ballot is read and anyone can redraw it; it is recorded with the
result.

A federation-wide round may weigh its ballots (:mod:`allocation.weights`). The
weighting is applied here, once, by multiplying each vote's points by its voter's
weight: every rule then maximises, or shares out, weighted points without knowing
that there are weights, and a ballot of weight 2 counts as two identical ballots
would (but for the size of equal shares' Add1 steps, one per ballot). Supporters
and first preferences stay head counts of ballots.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

import numpy as np
import pandas as pd

from allocation.election import SETS
from allocation.election import Election
from allocation.election import positions
from allocation.scores import points_rule
from allocation.scores import project_totals
from allocation.scores import vote_points
from allocation.weights import voter_weights

#: Pabulib's names for equal shares, and the completion each one means.
MES_COMPLETIONS = {"equalshares": "none", "equalshares/add1": "add1"}


@dataclass(frozen=True)
class Options:
    """Constraints a round may add to the plain "most points within the budget".

    Each is one constraint in the utilitarian model; greedy and equal shares, which
    are fixed procedures, accept only the ones they can honour (see each rule).
    """

    #: Fund a proposal with less than its cost, down to its ``minimum``.
    partial: bool = False
    #: (A, B): A may be funded only if B is.
    requires: tuple[tuple[str, str], ...] = ()
    #: (A, B): not both.
    excludes: tuple[tuple[str, str], ...] = ()
    #: Category -> the most money its proposals may get together.
    category_caps: Mapping[str, float] = field(default_factory=dict)
    #: Federation rounds: each co-op's voters get at least the points that their
    #: co-op's share of the budget would have bought them on its own.
    coop_floors: bool = False
    #: The most of the budget the proposals of any one co-op may get (0..1).
    max_coop_share: float | None = None

    @property
    def plain(self) -> bool:
        """No option constrains the count: the plain "most points within the budget"."""
        return self == Options()


@dataclass(frozen=True)
class Problem:
    """Scored projects and everything else a rule needs.

    ``projects`` is indexed by project id, in the election's order, with columns
    ``cost``, ``minimum`` (NaN: all or nothing), ``points``, ``first``,
    ``supporters``, ``category``, ``coop`` (whose proposal; "" if none) and
    ``tie`` (0 = wins a tie). ``votes`` is the long vote table with each row's
    points under the rule, times its voter's weight; ``voters`` the election's
    voters (with ``coop`` and ``class`` where known) and their ``weight`` (1.0
    unless the round weighs ballots).
    """

    projects: pd.DataFrame
    votes: pd.DataFrame
    voters: pd.DataFrame
    budget: float
    points_rule: str
    lot: tuple[str, ...]
    options: Options = field(default_factory=Options)
    #: What a project is worth to a voter under equal shares: their ``points``, or
    #: ``cost`` (points times cost: for approval ballots, the cost of each project
    #: approved, as equalshares.net counts them).
    mes_utility: str = "points"
    #: How equal shares spends what it leaves: "add1+greedy" (the usual), "add1"
    #: (Pabulib's ``equalshares/add1``) or "none" (``equalshares``).
    mes_completion: str = "add1+greedy"


def lot_order(projects: list[str], seed: str) -> tuple[str, ...]:
    """The projects shuffled by a generator seeded with SHA-256 of ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    order = sorted(projects)
    random.Random(int.from_bytes(digest, "big")).shuffle(order)
    return tuple(order)


def problem(
    contest: Election,
    *,
    points: str | None = None,
    budget: float | None = None,
    options: Options | None = None,
    lot_seed: str | None = None,
    weighting: str | None = None,
) -> Problem:
    """The problem an election poses, under its own settings unless told otherwise.

    The election's own weighting is its ``weighting`` setting, which our rounds'
    published files carry when it is not "member" (one member, one vote): so a
    published round read back is counted as it was.
    """
    rule = points or points_rule(contest)
    chosen = weighting or contest.meta.get("weighting", "member")
    weights = voter_weights(contest.voters, chosen)
    points_given = vote_points(contest.votes, rule)
    if chosen != "member":  # one member, one vote: every weight is 1, nothing to look up
        # Every vote's voter is among the voters: an election is built that way.
        voter_of = positions(contest.votes["voter"], contest.voters.index)
        points_given = points_given * weights.to_numpy()[voter_of]
    votes = contest.votes.assign(points=points_given)
    projects = contest.projects
    totals = project_totals(votes, projects.index, ranked=contest.vote_type == "ordinal")
    table = pd.DataFrame(
        {
            "cost": projects["cost"],
            "minimum": _column(projects, "minimum", float("nan")).astype("float64"),
            "points": totals["points"],
            "first": totals["first"],
            "supporters": totals["supporters"],
            "category": _column(projects, "category", ""),
            "coop": _column(projects, "coop", ""),
        },
        index=projects.index,
    )
    lot = lot_order(list(projects.index), lot_seed or contest.meta.get("description", ""))
    place = {project: n for n, project in enumerate(lot)}
    order = np.lexsort(
        (table.index.map(place), -table["first"].to_numpy(), table["cost"].to_numpy())
    )
    table["tie"] = np.argsort(order)
    return Problem(
        projects=table,
        votes=votes,
        voters=contest.voters.assign(weight=weights),
        budget=float(contest.budget) if budget is None else budget,
        points_rule=rule,
        lot=lot,
        options=options or Options(),
        mes_utility="cost" if contest.vote_type in SETS else "points",
        mes_completion=MES_COMPLETIONS.get(contest.meta.get("rule", ""), "add1+greedy"),
    )


def _column(projects: pd.DataFrame, name: str, default: object) -> pd.Series:
    if name not in projects:
        return pd.Series(default, index=projects.index)
    column = projects[name]
    if isinstance(default, float):
        return pd.to_numeric(column.replace("", None), errors="coerce")
    return column.fillna("").astype(str)
