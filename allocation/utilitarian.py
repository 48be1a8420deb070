"""The utilitarian optimum: the most points the budget can buy, proved by a solver.

An integer linear programme (PuLP): a 0/1 variable ``x`` per project (funded or
not) and, with partial funding, the money ``y`` it gets, ``minimum·x <= y <=
cost·x`` (otherwise ``y = cost·x``). Maximise the points funded (a partly funded
project counts pro rata), subject to the budget and the round's options, each one
constraint:

* "A needs B": ``x_A <= x_B``; "A or B, not both": ``x_A + x_B <= 1``;
* a cap per category: the money of its projects ``<= cap``;
* a maximum share per co-op: the money of its proposals ``<= share · budget``;
* co-op floors (federation rounds): the points that co-op k's voters give to the
  funded projects ``>=`` the most points their co-op's share of the budget would
  have bought them on its own (a knapsack solved for each co-op first). A co-op's
  share is its share of the voters' weight: of the heads under one member one
  vote, 1/K of the budget for each of K co-ops under one co-op one vote.

Projects nobody gave a point are never funded (``x = 0``): spending on them buys
nothing, and they would otherwise make every leftover an "optimal" tie.

The solver is the CBC that ships with PuLP, or HiGHS, both with the optimality
gap set to 0: by default HiGHS stops within 0.01 % of the optimum and still says
"Optimal", which is not proof enough for members' money. Expressions are built
from dicts (``LpAffineExpression``), not ``lpSum`` over products, which is many
times slower on thousands of projects. A round without options is a plain
knapsack, and most of its projects are decided before the solver sees them
(:mod:`allocation.knapsack`): at 20,000 proposals the model it gets has a few dozen
columns, which makes each solve, and each look for a tie, a matter of milliseconds.

When several selections reach the optimum, the declared tie-break picks one
(lower total cost, then more first preferences, then the lot) and the others
are reported. They are found by re-solving with each optimum found cut off (a
"no-good" constraint) until the best left scores less, up to MAX_TIES others (one
other above ENUMERATE_UP_TO projects, where each look costs a second or more).
When the look stops at that limit there may be more optima than were found, and
the winner may be among those not found: the solver is then asked for it
directly (:func:`_tie_winner`), in a programme of up to ENUMERATE_UP_TO projects
(as a plain round's core usually is); above that, among those found.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pulp

from allocation.knapsack import knapsack_core
from allocation.outcome import Outcome
from allocation.outcome import objective_of
from allocation.problem import Problem

SOLVERS = ("cbc", "highs")
#: How many other optimal selections to look for before saying "and maybe more".
MAX_TIES = 5
#: Above this many projects, look for one other optimum only: each look is a full
#: solve, and a city-sized ballot of thousands with integer points has many ties.
ENUMERATE_UP_TO = 100


class SolverError(RuntimeError):
    """The solver did not prove an optimum; the message says what it reported."""


def _solver(name: str, *, cuts: bool = True) -> pulp.LpSolver:
    """The solver ``name``, proving optimality exactly; without ``cuts``, CBC
    branches without generating cutting planes first (see :func:`utilitarian`).

    CBC's probing is off: on a knapsack of seven projects its preprocessing merged
    two alike ones (cost 8, 2 points) into one integer column, probing then cut the
    true optimum (13 points) off, and CBC called 12 optimal (``CBC_WRONG`` in
    ``tests/test_knapsack.py``). Without probing it is right there and on random
    knapsacks full of alike projects, and as fast on our programmes. (Without
    preprocessing it is right too, but it crashed on an infeasible programme.)
    """
    if name == "cbc":
        settings = {} if cuts else {"cuts": False}
        return pulp.PULP_CBC_CMD(
            msg=False, gapRel=0, gapAbs=0, options=["probing off"], **settings
        )
    if name == "highs":
        _swallow_highs_banner()
        return pulp.HiGHS(msg=False, gapRel=0, gapAbs=0)
    raise ValueError(f'solver "{name}" must be one of {", ".join(SOLVERS)}')


@functools.cache
def _swallow_highs_banner() -> None:
    """Create the process's first HiGHS with standard output pointed at nothing.

    HiGHS prints its banner from C++ when the first solver of a process is made,
    whatever the options say, which would corrupt ``--format json`` output.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with Path(os.devnull).open("w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _affine(pairs: Iterable[tuple[pulp.LpVariable, float]]) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression([(v, c) for v, c in pairs if c])


class _Model:
    """The programme for one problem, re-solved with extra constraints for ties."""

    def __init__(self, problem: Problem, solver: str, forced: str | None = None) -> None:
        self.problem = problem
        self.solver = solver
        self.forced = forced
        self.budget = problem.budget
        #: Funded in every optimum, decided before the solver in a plain round.
        self.fixed: frozenset[str] = frozenset()
        self.fixed_points = 0.0
        projects = self._core() if problem.options.plain else problem.projects
        self.ids = [str(p) for p in projects.index]
        self.model = pulp.LpProblem("allocation", pulp.LpMaximize)
        self.x = {
            p: self.model.add_variable(f"x_{n}", cat="Binary")
            for n, p in enumerate(self.ids)
        }
        self.cost = dict(zip(self.ids, projects["cost"].astype(float), strict=True))
        self.points = dict(zip(self.ids, projects["points"].astype(float), strict=True))
        self.y = self._partial_amounts() if problem.options.partial else {}
        if self.y:
            self.value = _affine(
                (self.y[p], self.points[p] / self.cost[p] if self.cost[p] else 0.0)
                for p in self.ids
            )
        else:
            self.value = _affine((self.x[p], self.points[p]) for p in self.ids)
        self.model += self.value
        self._constraints()

    def _core(self) -> pd.DataFrame:
        """The projects a plain round leaves to the solver (:mod:`allocation.knapsack`);
        a forced project is funded first, the others decided in what is left."""
        projects = self.problem.projects
        forced = projects.index == self.forced
        costs = projects["cost"].to_numpy(dtype=float)
        points = projects["points"].to_numpy(dtype=float)
        forced_cost = float(costs[forced].sum())
        core = knapsack_core(
            np.where(forced, np.inf, costs), points, self.budget - forced_cost
        )
        self.fixed = frozenset(map(str, projects.index[core.fixed_in]))
        self.fixed_points = float(points[core.fixed_in].sum())
        self.budget = core.budget + forced_cost
        return projects[core.free | forced]

    def total_points(self) -> float:
        """The points of the selection the solver last found, fixed projects included."""
        return float(pulp.value(self.value) or 0.0) + self.fixed_points

    def _partial_amounts(self) -> dict[str, pulp.LpVariable]:
        """The money variables, ``minimum·x <= y <= cost·x`` (minimum: the cost)."""
        minimum = np.asarray(self.problem.projects["minimum"], dtype=float)
        amounts: dict[str, pulp.LpVariable] = {}
        for n, p in enumerate(self.ids):
            least = self.cost[p] if np.isnan(minimum[n]) else minimum[n]
            y = self.model.add_variable(f"y_{n}", lowBound=0)
            self.model += y <= self.cost[p] * self.x[p]
            self.model += y >= float(least) * self.x[p]
            amounts[p] = y
        return amounts

    def money(self, ids: Iterable[str]) -> pulp.LpAffineExpression:
        """The money the projects ``ids`` get together."""
        if self.y:
            return _affine((self.y[p], 1.0) for p in ids)
        return _affine((self.x[p], self.cost[p]) for p in ids)

    def _constraints(self) -> None:
        problem, options = self.problem, self.problem.options
        projects = problem.projects
        self.model += self.money(self.ids) <= self.budget, "budget"
        for p in self.ids:
            if p == self.forced:
                self.x[p].lowBound = 1
            elif self.points[p] <= 0:
                self.x[p].upBound = 0
        for a, b in options.requires:
            self.model += self.x[a] <= self.x[b]
        for a, b in options.excludes:
            self.model += self.x[a] + self.x[b] <= 1
        for category, cap in options.category_caps.items():
            members = projects.index[projects["category"] == category]
            self.model += self.money(str(p) for p in members) <= cap
        if options.max_coop_share is not None:
            for coop, group in projects.groupby("coop"):
                if coop:
                    self.model += (
                        self.money(str(p) for p in group.index)
                        <= options.max_coop_share * problem.budget
                    )
        if options.coop_floors:
            for coop, (points, floor) in coop_floors(problem, self.solver).items():
                self.model += (
                    _affine((self.x[p], points.get(p, 0.0)) for p in self.ids) >= floor,
                    f"floor_{coop}",
                )

    def solve(self) -> None:
        status = self.model.solve(_solver(self.solver))
        if status != pulp.LpStatusOptimal:
            raise SolverError(
                f"the {self.solver} solver reported {pulp.LpStatus[status]}: "
                "check that the options can all hold at once (a floor or a dependency "
                "that the budget cannot meet)"
            )

    def selection(self) -> frozenset[str]:
        return self.fixed | {p for p in self.ids if (self.x[p].value() or 0) > 0.5}

    def funded(self) -> pd.Series:
        chosen = self.selection()
        amounts = [
            float(pulp.value(self.money([p])) or 0.0) if p in chosen else 0.0
            for p in self.ids
        ]
        return pd.Series(amounts, index=self.problem.projects.index).round(2)

    def exclude(self, chosen: frozenset[str]) -> None:
        """Forbid exactly the selection ``chosen`` (a "no-good" cut): at least one
        change, ``sum(1 - x, chosen) + sum(x, others) >= 1``, over the projects
        left to the solver (the fixed ones are the same in every optimum)."""
        flips = _affine((self.x[p], -1.0 if p in chosen else 1.0) for p in self.ids)
        self.model += flips >= 1 - len(chosen - self.fixed)


def utilitarian(problem: Problem, solver: str = "cbc") -> Outcome:
    """The funded set with the most points within the budget and the options."""
    model = _Model(problem, solver)
    model.solve()
    best = model.total_points()
    tolerance = tie_tolerance(best)
    optima = [model.selection()]
    others = MAX_TIES if len(problem.projects) <= ENUMERATE_UP_TO else 1
    # The look for a tie in a plain round's core (a few dozen projects and a
    # "no-good" row) is branched without cutting planes: generating them cost CBC
    # more than it saved there (0.18 against 0.04 s at 2,000 proposals).
    cuts = not problem.options.plain
    while len(optima) <= others:
        # The best selection other than those found: a tie if it scores the same.
        model.exclude(optima[-1])
        status = model.model.solve(_solver(solver, cuts=cuts))
        if status != pulp.LpStatusOptimal or model.total_points() < best - tolerance:
            break
        if model.total_points() > best + tolerance:
            raise SolverError(
                f"the {solver} solver called {best:g} points the most the budget can "
                f"buy, then found {model.total_points():g}: it cannot be trusted on "
                f"this round; count it with the other solver ({_other(solver)})"
            )
        optima.append(model.selection())
    if len(optima) > others and len(model.ids) <= ENUMERATE_UP_TO:
        chosen = _tie_winner(problem, best, solver)
    else:
        chosen = _tie_break(problem, optima)
    funded = _funding(problem, chosen, solver)
    tied = tuple(s for s in optima if s != chosen)
    return Outcome(
        "utilitarian", funded, objective_of(problem.projects, funded), solver, tied
    )


def _other(solver: str) -> str:
    return next(other for other in SOLVERS if other != solver)


def tie_tolerance(best: float) -> float:
    """How close to the optimum ``best`` a selection counts as tied with it: solvers
    and sums of weighted points round in the last digits."""
    return 1e-6 * max(1.0, abs(best))


def cheapest_reaching(
    problem: Problem, points: float, without: str, solver: str = "cbc"
) -> tuple[float, float]:
    """The least money that buys at least ``points`` (every project at its cost,
    ``without`` left out), and the points that money buys (infinite money: not even
    all of them reach ``points``).

    For a plain round (no options): what a left-out project's cost must leave of
    the budget for it to be funded (see :mod:`allocation.explain`).
    """
    projects = problem.projects
    worth = projects["points"].astype(float)
    useful = worth.index[(worth > 0) & (worth.index != without)]
    if points <= 0:
        return 0.0, 0.0
    if worth[useful].sum() < points:
        return float("inf"), float(worth[useful].sum())
    model = pulp.LpProblem("cheapest", pulp.LpMinimize)
    x = {p: model.add_variable(f"x_{n}", cat="Binary") for n, p in enumerate(useful)}
    cost = projects["cost"].astype(float)
    model += _affine((x[p], float(cost[p])) for p in useful)
    bought = _affine((x[p], float(worth[p])) for p in useful)
    model += bought >= points
    if model.solve(_solver(solver)) != pulp.LpStatusOptimal:
        raise SolverError(f"the {solver} solver reported {pulp.LpStatus[model.status]}")
    return float(pulp.value(model.objective) or 0.0), float(pulp.value(bought) or 0.0)


def best_points(problem: Problem, forced: str | None = None, solver: str = "cbc") -> float:
    """The most points the budget can buy, with ``forced`` funded if given
    (minus infinity when it cannot be: it alone breaks the budget or an option)."""
    model = _Model(problem, solver, forced)
    if model.model.solve(_solver(solver)) != pulp.LpStatusOptimal:
        return float("-inf")
    return model.total_points()


def _tie_break(problem: Problem, optima: list[frozenset[str]]) -> frozenset[str]:
    """Lower total cost, then more first preferences, then the earlier lot places."""
    projects = problem.projects

    def key(chosen: frozenset[str]) -> tuple[float, int, list[int]]:
        rows = projects.loc[sorted(chosen)]
        return (float(rows["cost"].sum()), -int(rows["first"].sum()), sorted(rows["tie"]))

    return min(optima, key=key)


def _tie_winner(problem: Problem, best: float, solver: str) -> frozenset[str]:
    """The optimum that the tie-break picks among all of them, found by the solver
    one criterion at a time: among the selections scoring ``best``, the least total
    cost; among those, the most first preferences; then the earliest lot places,
    by taking the projects in lot order, each one that some selection left can
    still hold (no solve needed when the last one found holds it already).

    Two optima cannot differ only by projects added to one of them (those would
    cost nothing and score nothing), so the earliest lot places first is the
    order of :func:`_tie_break`.
    """
    model = _Model(problem, solver)
    program = model.model
    program += model.value >= best - model.fixed_points - tie_tolerance(best)
    for column, sense in (("cost", pulp.LpMinimize), ("first", pulp.LpMaximize)):
        weights = problem.projects[column].astype(float)
        total = _affine((model.x[p], float(weights[p])) for p in model.ids)
        if not total:  # (no first preferences among them, say)
            continue
        program.sense = sense
        program.setObjective(total)
        model.solve()
        reached = float(pulp.value(total) or 0.0)
        # What is at least as good from now on (``sense``: 1 minimises, -1 maximises).
        program += sense * total <= sense * reached + tie_tolerance(reached)
    found = model.selection()
    tie = problem.projects["tie"]
    program.sense = pulp.LpMaximize
    for p in sorted(model.ids, key=lambda p: tie[p]):
        x = model.x[p]
        if p not in found and x.upBound != 0:
            # Can a selection left hold it too? (Asked so, the programme is never
            # infeasible, where CBC has been seen to crash.)
            program.setObjective(_affine([(x, 1.0)]))
            model.solve()
            found = model.selection()
        x.lowBound = x.upBound = int(p in found)
    return found


def _funding(problem: Problem, chosen: frozenset[str], solver: str) -> pd.Series:
    """The money each project of ``chosen`` gets: its cost, or with partial funding
    the amounts that give the most points (one more solve, with x fixed)."""
    projects = problem.projects
    if not problem.options.partial:
        return projects["cost"].where(projects.index.isin(chosen), 0.0)
    fixed = _Model(problem, solver)
    for p in fixed.ids:
        fixed.model += fixed.x[p] == (1 if p in chosen else 0)
    fixed.solve()
    return fixed.funded()


def coop_floors(problem: Problem, solver: str) -> dict[str, tuple[dict[str, float], float]]:
    """Per co-op: its voters' (weighted) points per project, and the most points its
    share of the voters' weight, as a share of the budget, would buy them alone (the
    floor the federation must meet)."""
    voters = problem.voters
    votes = problem.votes.join(voters["coop"], on="voter")
    shares = voters.groupby("coop")["weight"].sum() / voters["weight"].sum()
    floors: dict[str, tuple[dict[str, float], float]] = {}
    for coop, group in votes.groupby("coop"):
        points = group.groupby("project")["points"].sum()
        alone = Problem(
            projects=problem.projects.assign(
                points=points.reindex(problem.projects.index, fill_value=0.0)
            ),
            votes=group,
            voters=voters[voters["coop"] == coop],
            budget=problem.budget * float(shares[coop]),
            points_rule=problem.points_rule,
            lot=problem.lot,
        )
        model = _Model(alone, solver)
        model.solve()
        floor = model.total_points()
        floors[str(coop)] = (
            {str(p): float(v) for p, v in points.items()},
            floor * (1 - 1e-9),
        )
    return floors
