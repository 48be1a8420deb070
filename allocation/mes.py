"""The Method of Equal Shares, with its usual completion (Add1, then greedy).

Each voter gets an equal share of the budget. A project is bought by its
supporters, each paying in proportion to how much they value it, capped by what
they have left; among the projects their supporters can still afford, the one
with the lowest price per unit of value (``rho``) is bought first. The result is
proportional: a group of a tenth of the voters decides about a tenth of the money.

Value (utility) is the voter's points for the project, or, for approval and
choose-1 ballots, the project's cost for each voter approving it ("cost
utilities", as equalshares.net counts approval elections).

Equal shares often leaves money unspent, so the usual completion follows:

1. **Add1**: run again with each voter's share raised by 1 (the budget by the
   number of voters), and again, while the outcome still fits the real budget;
   keep the last outcome that fits, and stop early once an outcome leaves no
   unfunded project that fits what is left (it is exhaustive).
2. **Greedy**: fund the remaining projects by points while they fit.

Ties (equal ``rho``, within a relative 1e-9) go to the declared tie order. The
computation is vectorised: each purchase sorts the supporters of every candidate
project by budget per value at once, instead of looping over voters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocation.outcome import Outcome
from allocation.outcome import objective_of
from allocation.problem import Problem

_TIE = 1e-9


def equal_shares(problem: Problem) -> Outcome:
    """Equal shares with the Add1 completion, then greedy."""
    projects = problem.projects
    table = _Table.of(problem)
    voters = max(len(problem.voters), 1)
    costs = np.asarray(projects["cost"], dtype=float)
    chosen = table.run(problem.budget)
    budget = problem.budget
    completion = problem.mes_completion
    while completion != "none" and not _exhaustive(costs, chosen, problem.budget):
        budget += voters
        larger = table.run(budget)
        if costs[larger].sum() > problem.budget + 1e-6:
            break
        chosen = larger
    if completion == "add1+greedy":
        chosen = _complete(problem, costs, chosen)
    funded = pd.Series(np.where(chosen, costs, 0.0), index=projects.index)
    return Outcome("mes", funded, objective_of(projects, funded), f"mes/{completion}")


def _exhaustive(costs: np.ndarray, chosen: np.ndarray, budget: float) -> bool:
    left = budget - costs[chosen].sum()
    return not bool(np.any(~chosen & (costs <= left + 1e-9)))


def _complete(problem: Problem, costs: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Greedy by points over what equal shares left unfunded."""
    points = np.asarray(problem.projects["points"], dtype=float)
    tie = np.asarray(problem.projects["tie"])
    left = problem.budget - costs[chosen].sum()
    chosen = chosen.copy()
    for position in np.lexsort((tie, -points)):
        if not chosen[position] and points[position] > 0 and costs[position] <= left:
            chosen[position] = True
            left -= costs[position]
    return chosen


class _Table:
    """The (voter, project, utility) rows of positive utility, as arrays."""

    def __init__(
        self, voter: np.ndarray, project: np.ndarray, utility: np.ndarray, problem: Problem
    ) -> None:
        self.voter = voter
        self.project = project
        self.utility = utility
        self.costs = np.asarray(problem.projects["cost"], dtype=float)
        self.tie = np.asarray(problem.projects["tie"])
        self.voters = max(len(problem.voters), 1)

    @staticmethod
    def of(problem: Problem) -> _Table:
        votes = problem.votes
        projects = problem.projects
        project = projects.index.get_indexer(pd.Index(votes["project"]))
        voter = pd.Index(problem.voters.index).get_indexer(pd.Index(votes["voter"]))
        utility = np.asarray(votes["points"], dtype=float)
        if problem.mes_utility == "cost":
            utility = utility * np.asarray(projects["cost"], dtype=float)[project]
        keep = utility > 0
        return _Table(voter[keep], project[keep], utility[keep], problem)

    def run(self, budget: float) -> np.ndarray:
        """Equal shares of ``budget``: which projects are bought."""
        left = np.full(self.voters, budget / self.voters)
        chosen = np.zeros(len(self.costs), dtype=bool)
        while True:
            rho = self._prices(left, chosen)
            if not np.isfinite(rho).any():
                return chosen
            best = np.nanmin(rho)
            tied = np.flatnonzero(rho <= best * (1 + _TIE))
            winner = int(tied[np.argmin(self.tie[tied])])
            rows = self.project == winner
            paying = self.voter[rows]
            left[paying] -= np.minimum(left[paying], rho[winner] * self.utility[rows])
            chosen[winner] = True

    def _prices(self, left: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """Per project, the lowest price per unit of utility its supporters can pay
        (inf where they cannot afford it, or it is already bought)."""
        rho = np.full(len(self.costs), np.inf)
        open_rows = ~chosen[self.project]
        if not open_rows.any():
            return rho
        project = self.project[open_rows]
        utility = self.utility[open_rows]
        budget = left[self.voter[open_rows]]
        ratio = budget / utility
        order = np.lexsort((ratio, project))
        project, utility, budget, ratio = (
            project[order],
            utility[order],
            budget[order],
            ratio[order],
        )
        starts = np.flatnonzero(np.r_[True, project[1:] != project[:-1]])
        sizes = np.diff(np.r_[starts, len(project)])
        group_start = np.repeat(starts, sizes)
        paid_before = np.cumsum(budget) - budget
        paid_before -= paid_before[group_start]
        utility_total = np.add.reduceat(utility, starts)
        utility_before = np.cumsum(utility) - utility
        utility_before -= utility_before[group_start]
        utility_after = np.repeat(utility_total, sizes) - utility_before
        cost = self.costs[project]
        rho_k = (cost - paid_before) / utility_after
        valid = rho_k <= ratio * (1 + _TIE)
        index = np.where(valid, np.arange(len(project)), len(project))
        first_valid = np.minimum.reduceat(index, starts)
        found = first_valid < len(project)
        groups = project[starts]
        rho[groups[found]] = rho_k[first_valid[found]]
        return rho
