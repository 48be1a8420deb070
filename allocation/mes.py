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

Ties (equal ``rho``, within a relative 1e-9) go to the declared tie order.

Add1 runs equal shares up to a few hundred times on a large city's ballots, so
the runs lean on each other. Prices only rise as voters spend, so a price
computed earlier in a run bounds the price now from below: projects wait in a
heap by such bounds, and only the one on top is priced afresh. Two runs that made
the same purchases in the same order (that are at the same *node*) differ only
in that the one with the larger budget has left every voter at least as much
money, so its prices are at most the other's, and whoever is short of money in
it is short in the other too. Hence:

* the Add1 budgets are counted a dozen at a time, from the largest down: a price
  the run just above found at the same node bounds the price from below, which
  often settles a comparison without pricing anything, and a project its
  supporters could not afford there they cannot afford here;
* a price at a node where a smaller budget was priced before looks only at the
  supporters who were short there (the others pay their full share): usually a
  small part of them, and often exactly the ones short now;
* a price starts from the best bound from below at hand, rather than from the
  even split, and usually takes one pass over those who may be short.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from allocation.election import positions
from allocation.outcome import Outcome
from allocation.outcome import objective_of
from allocation.problem import Problem

_TIE = 1e-9
#: How many Add1 budgets are counted together, from the largest down: the more,
#: the fewer runs without bounds from a larger one, but the more counted past the
#: budget where Add1 stops. The first blocks are smaller, for the many elections
#: where it stops after a few.
_FIRST_BLOCKS = (2, 4, 8)
_BLOCK = 12
#: The longest dot product numpy's OpenBLAS computes on one thread (measured: at
#: 10,001 it takes two cores' time).
_ONE_THREAD_DOT = 10_000
#: A node (the purchases so far, in order) and a project, as one number:
#: ``node * projects + project``.
_Key = int
_INF = float("inf")
#: The top of an empty heap: any price beats it.
_NOBODY = (_INF, -1, -1)


#: Told, as Add1 goes on, how many times it has raised the budget and what the
#: last outcome that fits spends: on a city's ballots counted in a small currency
#: unit it may raise it tens of thousands of times.
Progress = Callable[[int, float], None]


def equal_shares(problem: Problem, progress: Progress | None = None) -> Outcome:
    """Equal shares with the Add1 completion, then greedy."""
    projects = problem.projects
    table = _Table(problem)
    voters = max(len(problem.voters), 1)
    costs = np.asarray(projects["cost"], dtype=float)
    (chosen,) = table.runs([problem.budget])
    budget = problem.budget
    completion = problem.mes_completion
    done = completion == "none" or _exhaustive(costs, chosen, problem.budget)
    sizes = itertools.chain(_FIRST_BLOCKS, itertools.repeat(_BLOCK))
    raised = 0
    while not done:
        budgets = []
        for _ in range(next(sizes)):
            budget += voters
            budgets.append(budget)
        for larger in table.runs(budgets):
            if costs[larger].sum() > problem.budget + 1e-6:
                done = True
                break
            chosen = larger
            raised += 1
            if _exhaustive(costs, chosen, problem.budget):
                done = True
                break
        if progress is not None:
            progress(raised, float(costs[chosen].sum()))
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
    """Where a run of equal shares stands: bought, spent per voter, the heap, and
    the node it is at."""

    chosen: np.ndarray
    spent: np.ndarray
    heap: list[tuple[float, int, int]]
    node: int


class _Short(NamedTuple):
    """The supporters of a project short of money when it was priced at a node:
    their indices, their utilities, and the sum of those utilities."""

    voters: np.ndarray
    utilities: np.ndarray
    total: float


class _Table:
    """Each project's supporters (voter indices) and their utilities, as arrays,
    and what the runs counted so far leave to the next ones."""

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
        # (as Python numbers, which compute faster one at a time)
        self.cost_of: list[float] = self.costs.tolist()
        self.utility_of: list[float] = self.utility_sums.tolist()
        # The utility all supporters of a project give it, if they all give the same
        # (approval ballots, unweighed): a price is then compared with one number.
        self.same = [
            float(u[0]) if len(u) and u.min() == u.max() else 0.0 for u in self.utilities_of
        ]
        self.tie = np.asarray(projects["tie"])
        self.weights = np.asarray(problem.voters["weight"], dtype=float)
        self.total_weight = float(self.weights.sum())
        self.nodes: dict[_Key, int] = {}
        self.projects = len(self.costs)
        #: Who was short at each node and project priced, with a smaller budget.
        self.short: dict[_Key, _Short] = {}
        self.start: _Start | None = None

    def runs(self, budgets: list[float]) -> list[np.ndarray]:
        """Which projects equal shares buys with each of ``budgets`` (increasing).

        They are counted from the largest down, each run bounding the prices of the
        next (:meth:`_run`). Who was short in them, and where the smallest stopped
        depending on its budget, are kept for the larger budgets counted next.
        """
        prices: dict[_Key, float] = {}
        found: dict[_Key, _Short] = {}
        outcomes = []
        start = self.start
        for budget in reversed(budgets):
            chosen, start = self._run(budget, prices, found)
            outcomes.append(chosen)
        self.start = start
        self.short.update(found)
        return outcomes[::-1]

    def _run(
        self, budget: float, prices: dict[_Key, float], found: dict[_Key, _Short]
    ) -> tuple[np.ndarray, _Start]:
        """Equal shares of ``budget``: which projects are bought, and where a run
        with a larger budget may start.

        Projects wait in a heap by a bound from below on their price, and only the
        one on top is priced afresh: when its price still beats the next bound, it
        is the cheapest; otherwise it goes back with its new price (or just behind
        the next, if it lost on the tie order alone). ``prices``
        holds what the runs with larger budgets found at each node, also bounds
        from below (infinite: its supporters could not afford it even there); this
        run adds its own prices, for the smaller budgets. ``found`` gathers who was
        short, for the larger budgets.

        Add1 runs again and again with a slightly larger budget, and the first
        purchases are often the same each time: as long as every price computed
        was the even split (nobody short of money) and every project checked was
        affordable, nothing depended on the budget, and a larger budget would
        have made the same purchases at the same prices. The state after the last
        such purchase is returned, and a run with a larger budget starts there.
        """
        share = budget * self.weights / self.total_weight
        state = self.start or _Start(
            np.zeros(len(self.costs), dtype=bool),
            np.zeros(len(self.weights)),
            sorted(
                (self.cost_of[p] / total, int(self.tie[p]), p)
                for p, total in enumerate(self.utility_of)
                if total > 0
            ),
            0,
        )
        chosen, heap, node = state.chosen.copy(), list(state.heap), state.node
        left = share - state.spent
        exact = True
        priced: dict[int, float] = {}  # the prices found at this node
        behind = False  # whether a project was put behind its rival at this node
        while heap:
            floor, tie, project = heapq.heappop(heap)
            rival = heap[0] if heap else _NOBODY
            key = node * self.projects + project
            rho = priced.get(project)
            if rho is None:
                larger = prices.get(key, floor)
                if larger > floor:
                    exact = False
                    if larger == _INF:
                        continue  # its supporters could not afford it with more money
                    if not _beats(larger, tie, rival[0], rival[1]):
                        heapq.heappush(heap, (larger, tie, project))
                        continue
                    floor = larger
                rho, even = self._price(key, project, left, floor, found)
                exact = exact and even
                prices[key] = priced[project] = rho
                if rho == _INF:
                    continue  # its supporters can no longer afford it, nor ever will
            if not _beats(rho, tie, rival[0], rival[1]):
                # Back it goes, behind the rival if the tie order alone kept it from
                # winning (its price within rounding of the rival's bound): else it
                # would be on top again, and lose again, for ever.
                behind |= rival[0] > rho
                heapq.heappush(heap, (max(rho, rival[0]), tie, project))
                continue
            voters = self.voters_of[project]
            paid = left[voters]
            paid -= rho * (self.same[project] or self.utilities_of[project])
            left[voters] = np.maximum(paid, 0.0, out=paid)
            chosen[project] = True
            node = self.nodes.setdefault(key, len(self.nodes) + 1)
            if behind:  # the heap holds bounds from below again
                heap = [(priced.get(p, bound), t, p) for bound, t, p in heap]
                heapq.heapify(heap)
                behind = False
            priced = {}
            if exact:
                state = _Start(chosen.copy(), share - left, list(heap), node)
        return chosen, state

    def _price(
        self,
        key: _Key,
        project: int,
        left: np.ndarray,
        floor: float,
        found: dict[_Key, _Short],
    ) -> tuple[float, bool]:
        """The lowest price per unit of utility at which the project's supporters,
        each paying at most what they have left, cover its cost (inf: they cannot),
        given ``floor``, a bound from below on it; and whether it is the even split,
        which does not depend on their budgets.

        If a smaller budget was priced at this node, only those short there can
        be short now. The price they would leave to the others if they all were
        is then a bound from below (within rounding), and the price itself if
        they all are short at it.
        """
        cost = self.cost_of[project]
        total = self.utility_of[project]
        unit = self.same[project]
        known = self.short.get(key)
        if known is None:
            voters, utility = self.voters_of[project], self.utilities_of[project]
            budget = left[voters]
            if np.add.reduce(budget) < cost * (1 - _TIE):
                return _INF, False
        else:
            found.setdefault(key, known)  # true of any larger budget too
            voters, utility, taken = known
            if not len(voters):
                return cost / total, True
            budget = left[voters]
            if taken < total:
                rho = (cost - float(np.add.reduce(budget))) / (total - taken)
                if unit:
                    all_short = np.maximum.reduce(budget) < rho * unit * (1 - _TIE)
                else:
                    all_short = bool((budget < rho * utility * (1 - _TIE)).all())
                if all_short:
                    return rho, False
                # (less a margin: one short by less than the tie margin pays in full)
                floor = max(floor, rho * (1 - 2 * _TIE))
        rho, short, count = _fill(
            cost,
            total,
            budget,
            unit or utility,
            floor=floor,
            everyone=len(self.voters_of[project]),
        )
        if found.get(key, known) is known:  # no larger budget priced it here
            if count < len(voters):
                # (all utilities alike: any ``count`` of them will do)
                voters, utility = voters[short], utility[:count] if unit else utility[short]
            taken = count * unit if unit else float(np.add.reduce(utility))
            found[key] = _Short(voters, utility, taken)
        return rho, not count


def _fill(
    cost: float,
    total: float,
    budget: np.ndarray,
    utility: float | np.ndarray,
    *,
    floor: float,
    everyone: int,
) -> tuple[float, np.ndarray, int]:
    """The price that solves ``sum(min(budget, price * utility)) = cost``, those
    short of money at it, and how many they are.

    ``budget`` and ``utility`` (one number if all supporters give the same) may
    leave out supporters who cannot be short; ``total`` is the utility of them
    all, and ``everyone`` their number. Those who cannot pay their share give all
    they have, the others share the rest. That raises the price, which may leave
    more short: repeat until nobody new is (the short only grow, so this ends).
    It starts from the supporters short at ``floor``, a price no higher than the
    answer (less a margin for rounding elsewhere), or from the even split.
    """
    rho = cost / total
    start = max(rho, floor * (1 - 1e-12))
    short = budget < start * utility * (1 - _TIE)
    count = int(np.count_nonzero(short))
    if count == everyone:  # only rounding puts a start this high: start from the split
        short = budget < rho * utility * (1 - _TIE)
        count = int(np.count_nonzero(short))
    while count:
        if isinstance(utility, float):
            taken = count * utility
        else:
            taken = _masked_sum(utility, short)
        rho = (cost - _masked_sum(budget, short)) / (total - taken)
        more = budget < rho * utility * (1 - _TIE)
        now = int(np.count_nonzero(more))
        if now in (count, everyone):
            break
        short, count = more, now
    return rho, short, count


def _masked_sum(values: np.ndarray, mask: np.ndarray) -> float:
    """The sum of ``values`` where ``mask`` is true: a dot product, BLAS's quickest
    sum, up to the length past which OpenBLAS splits it across threads, whose
    waking costs more than the split saves (equal shares on Warszawa 2026 took
    14 % longer); a product and a sum beyond."""
    if len(values) <= _ONE_THREAD_DOT:
        return float(np.dot(values, mask))
    return float(np.add.reduce(values * mask))


def _beats(rho: float, tie: int, other_rho: float, other_tie: int) -> bool:
    """Whether price ``rho`` wins against ``other_rho``: lower beyond rounding, or
    equal within rounding and earlier in the tie order."""
    if rho < other_rho * (1 - _TIE):
        return True
    return rho <= other_rho * (1 + _TIE) and tie < other_tie
