"""The Method of Equal Shares, with its usual completion (Add1, then greedy).

Each voter gets an equal share of the budget; in a round that weighs its ballots
(:mod:`allocation.weights`), a share in proportion to its weight, ``budget * w /
sum(w)``. A project is bought by its supporters, each paying in proportion to how
much they value it, capped by what they have left; among the projects their
supporters can still afford, the one with the lowest price per unit of value
(``rho``) is bought first. The result is proportional: a group of a tenth of the
voters (of their weight) decides about a tenth of the money.

Value (utility) is the voter's points for the project, or, for approval and
choose-1 ballots, the project's cost for each voter approving it ("cost
utilities", as equalshares.net counts approval elections). Points come weighted
(:mod:`allocation.problem`), so a voter of weight w is w identical voters merged
into one: w times their share of the budget and w times their value, hence w
times their payment at any price; only the ratios of weights matter.

Equal shares often leaves money unspent, so the usual completion follows:

1. **Add1**: run again with each voter's share raised by its weight, 1 unless the
   ballots are weighed (the budget by the number of voters, which the weights add
   up to), and again, while the outcome still fits the real budget;
   keep the last outcome that fits, and stop early once an outcome leaves no
   unfunded project that fits what is left (it is exhaustive).
2. **Greedy**: fund the remaining projects by points while they fit.

Ties (equal ``rho``, within a relative 1e-9) go to the declared tie order. The
computation is vectorised: each purchase sorts the supporters of every candidate
project by budget per value at once, instead of looping over voters.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocation.election import positions
from allocation.outcome import Outcome
from allocation.outcome import objective_of
from allocation.problem import Problem

_TIE = 1e-9


def equal_shares(problem: Problem) -> Outcome:
    """Equal shares with the Add1 completion, then greedy."""
    projects = problem.projects
    table = _Table(problem)
    voters = max(len(problem.voters), 1)
    costs = np.asarray(projects["cost"], dtype=float)
    chosen, start = table.run(problem.budget)
    budget = problem.budget
    completion = problem.mes_completion
    while completion != "none" and not _exhaustive(costs, chosen, problem.budget):
        budget += voters
        larger, start = table.run(budget, start)
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


@dataclass(frozen=True)
class _Start:
    """Where a run of equal shares stands: bought, spent per voter, the heap."""

    chosen: np.ndarray
    spent: np.ndarray
    heap: list[tuple[float, int, int]]


class _Table:
    """Each project's supporters (voter indices) and their utilities, as arrays."""

    def __init__(self, problem: Problem) -> None:
        votes = problem.votes
        projects = problem.projects
        project = positions(votes["project"], projects.index)
        voter = positions(votes["voter"], pd.Index(problem.voters.index))
        utility = np.asarray(votes["points"], dtype=float)
        self.costs = np.asarray(projects["cost"], dtype=float)
        if problem.mes_utility == "cost":
            utility = utility * self.costs[project]
        keep = utility > 0
        order = np.argsort(project[keep], kind="stable")
        project, voter, utility = (
            project[keep][order],
            voter[keep][order],
            utility[keep][order],
        )
        bounds = np.searchsorted(project, np.arange(len(self.costs) + 1))
        self.voters_of = [voter[a:b] for a, b in itertools.pairwise(bounds)]
        self.utilities_of = [utility[a:b] for a, b in itertools.pairwise(bounds)]
        self.utility_sums = np.array([u.sum() for u in self.utilities_of], dtype=float)
        self.tie = np.asarray(projects["tie"])
        self.weights = np.asarray(problem.voters["weight"], dtype=float)
        self.total_weight = float(self.weights.sum())

    def run(self, budget: float, start: _Start | None = None) -> tuple[np.ndarray, _Start]:
        """Equal shares of ``budget``: which projects are bought, and where a run
        with a larger budget may start.

        Prices only rise as voters spend, so the last price computed for a project
        is a lower bound on its price now: projects wait in a heap by that bound,
        and only the one on top is re-priced. When its fresh price still beats the
        next bound, it is the cheapest; otherwise it goes back with its new price.

        Add1 runs again and again with a slightly larger budget, and the first
        purchases are often the same each time: as long as every price computed
        was the even split (nobody short of money) and every project checked was
        affordable, nothing depended on the budget, and a larger budget would
        have made the same purchases at the same prices. The state after the last
        such purchase is returned, and a run with a larger budget starts there.
        """
        share = budget * self.weights / self.total_weight
        state = start or _Start(
            np.zeros(len(self.costs), dtype=bool),
            np.zeros(len(self.weights)),
            sorted(
                (self.costs[p] / total, int(self.tie[p]), p)
                for p, total in enumerate(self.utility_sums)
                if total > 0
            ),
        )
        chosen, heap = state.chosen.copy(), list(state.heap)
        left = share - state.spent
        exact = True
        while heap:
            _, tie, project = heapq.heappop(heap)
            rho, even = self._price(project, left)
            exact = exact and even
            if not np.isfinite(rho):
                continue  # its supporters can no longer afford it, nor ever will
            if heap and not _beats(rho, tie, heap[0][0], heap[0][1]):
                heapq.heappush(heap, (rho, tie, project))
                continue
            voters = self.voters_of[project]
            left[voters] -= np.minimum(left[voters], rho * self.utilities_of[project])
            chosen[project] = True
            if exact:
                state = _Start(chosen.copy(), share - left, list(heap))
        return chosen, state

    def _price(self, project: int, left: np.ndarray) -> tuple[float, bool]:
        """The lowest price per unit of utility at which the project's supporters,
        each paying at most what they have left, cover its cost (inf: they cannot);
        and whether it is the even split, which does not depend on their budgets.

        The price solves ``sum(min(budget, price * utility)) = cost``; it is found
        by a few passes over the supporters rather than by sorting them.
        """
        cost = self.costs[project]
        budget = left[self.voters_of[project]]
        if budget.sum() < cost * (1 - _TIE):
            return float("inf"), False
        utility = self.utilities_of[project]
        rho = cost / self.utility_sums[project]
        short = budget < rho * utility * (1 - _TIE)
        if not short.any():
            return float(rho), True  # nobody runs short: the usual case
        # Those who cannot pay their share give all they have; the others share
        # the rest. That raises the price, which may leave more short: repeat
        # until nobody new is (the short only grow, so this ends).
        while True:
            rho = (cost - budget[short].sum()) / utility[~short].sum()
            more = budget < rho * utility * (1 - _TIE)
            if (more == short).all() or more.all():
                return float(rho), False
            short = more


def _beats(rho: float, tie: int, other_rho: float, other_tie: int) -> bool:
    """Whether price ``rho`` wins against ``other_rho``: lower beyond rounding, or
    equal within rounding and earlier in the tie order."""
    if rho < other_rho * (1 - _TIE):
        return True
    return rho <= other_rho * (1 + _TIE) and tie < other_tie
