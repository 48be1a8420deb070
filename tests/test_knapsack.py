"""The knapsack core: projects fixed before the solver are fixed in every optimum."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from allocation.count import count
from allocation.knapsack import knapsack_core
from allocation.problem import Options
from allocation.problem import Problem
from allocation.utilitarian import SOLVERS
from allocation.utilitarian import SolverError
from allocation.utilitarian import _Model
from allocation.utilitarian import best_points


def instances(least_cost: int = 0) -> st.SearchStrategy[tuple[list[int], list[int], int]]:
    """Costs, points and a budget for up to ten projects, small integers, so that
    tied optima are common."""
    return st.integers(1, 10).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(least_cost, 12), min_size=n, max_size=n),
            st.lists(st.integers(0, 8), min_size=n, max_size=n),
            st.integers(0, 40),
        )
    )


def optima(costs: list[int], points: list[int], budget: int) -> list[frozenset[int]]:
    """Every selection within the budget that scores the most, by brute force."""
    fits = [
        frozenset(chosen)
        for size in range(len(costs) + 1)
        for chosen in itertools.combinations(range(len(costs)), size)
        if sum(costs[j] for j in chosen) <= budget and all(points[j] > 0 for j in chosen)
    ]
    best = max(sum(points[j] for j in chosen) for chosen in fits)
    return [chosen for chosen in fits if sum(points[j] for j in chosen) == best]


@given(instances())
def test_every_optimum_keeps_the_fixed_projects_and_stays_in_the_core(
    instance: tuple[list[int], list[int], int],
) -> None:
    costs, points, budget = instance
    core = knapsack_core(np.array(costs), np.array(points), budget)
    fixed_in = frozenset(np.flatnonzero(core.fixed_in).tolist())
    allowed = fixed_in | frozenset(np.flatnonzero(core.free).tolist())
    for chosen in optima(costs, points, budget):
        assert fixed_in <= chosen <= allowed
    assert core.budget == budget - sum(costs[j] for j in fixed_in)


def _problem(costs: list[int], points: list[int], budget: int) -> Problem:
    ids = [f"P{n}" for n in range(len(costs))]
    projects = pd.DataFrame(
        {
            "cost": np.array(costs, dtype=float),
            "minimum": np.nan,
            "points": np.array(points, dtype=float),
            "first": 0,
            "supporters": 1,
            "category": "",
            "coop": "",
            "tie": np.arange(len(ids)),
        },
        index=ids,
    )
    return Problem(
        projects=projects,
        votes=pd.DataFrame(columns=["voter", "project", "position", "points"]),
        voters=pd.DataFrame({"weight": []}),
        budget=float(budget),
        points_rule="approval",
        lot=tuple(ids),
    )


#: Seven optima, more than the look for ties finds: the core and the whole
#: programme found different ones, and each broke the tie among its own.
SEVEN_OPTIMA = ([3, 1, 2, 1, 1, 3, 1, 1, 4, 1], [3, 0, 1, 1, 1, 3, 0, 1, 4, 0], 4)
#: A knapsack whose optimum (P1, P2 and P7: 13 points) CBC as PuLP runs it (with
#: preprocessing and probing) cut off: it called P0, P2 and P9 (12 points) optimal.
CBC_WRONG = ([5, 2, 7, 1, 1, 8, 1, 11, 8, 8], [3, 2, 6, 0, 0, 2, 0, 5, 2, 3], 21)
#: Many optima, whose tie-break asked CBC, without its preprocessing, whether P5
#: fits beside P0 to P4: that programme is infeasible, and CBC crashed on it.
CBC_CRASHED = ([1, 1, 1, 1, 2, 10, 1, 1], [1, 1, 1, 1, 2, 3, 0, 0], 14)


@settings(max_examples=25, deadline=None)
# Costs from 1: an outcome lists a proposal as funded by the money it gets.
@given(instances(least_cost=1))
@example(SEVEN_OPTIMA)
@example(CBC_WRONG)
@example(CBC_CRASHED)
def test_the_core_changes_no_optimum_no_tie_and_no_forced_best(
    instance: tuple[list[int], list[int], int],
) -> None:
    plain = _problem(*instance)
    # A cap that nothing reaches: the same programme, solved whole.
    whole = replace(plain, options=Options(category_caps={"none": 1.0}))
    assert not whole.options.plain
    ours, theirs = count(plain, "utilitarian"), count(whole, "utilitarian")
    assert ours.objective == theirs.objective
    every = {frozenset(f"P{j}" for j in chosen) for chosen in optima(*instance)}
    assert {frozenset(ours.selected), *ours.tied} <= every
    assert bool(ours.tied) == (len(every) > 1)
    # The declared tie-break among every optimum, however many: lower cost, then
    # (no first preferences here) the earliest lot places.
    costs = instance[0]
    winner = min(
        optima(*instance),
        key=lambda chosen: (sum(costs[j] for j in chosen), sorted(chosen)),
    )
    assert ours.selected == theirs.selected == [f"P{j}" for j in sorted(winner)]
    for forced in plain.projects.index:
        assert best_points(plain, forced) == best_points(whole, forced)


@pytest.mark.parametrize("solver", SOLVERS)
def test_both_solvers_prove_the_optimum_cbc_once_got_wrong(solver: str) -> None:
    outcome = count(_problem(*CBC_WRONG), "utilitarian", solver)
    assert outcome.selected == ["P1", "P2", "P7"]
    assert outcome.objective == 13
    assert outcome.tied == ()


def test_a_solver_caught_finding_more_than_its_optimum_stops_the_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the solver calls a selection optimal and then, looking for a tie, finds a
    better one, no result is given: which one is optimal is then anybody's guess."""
    solve = _Model.solve

    def first_short_of_the_optimum(model: _Model) -> None:
        # Blind to P7 (in the one optimum) for this solve only: 12 points, not 13.
        model.x["P7"].upBound = 0
        solve(model)
        model.x["P7"].upBound = 1

    monkeypatch.setattr(_Model, "solve", first_short_of_the_optimum)
    with pytest.raises(SolverError, match=r"called 12 points .* found 13: .* \(highs\)$"):
        count(_problem(*CBC_WRONG), "utilitarian")


def test_two_thousand_proposals_leave_a_few_dozen_to_the_solver() -> None:
    rng = np.random.default_rng(1)
    costs = rng.integers(5_000, 500_000, size=2_000)
    points = rng.integers(0, 30_000, size=2_000)
    budget = int(costs.sum() // 10)
    core = knapsack_core(costs, points, budget)
    assert core.free.sum() < 100
    assert core.fixed_in.sum() > 300
    outcome = count(_problem(costs.tolist(), points.tolist(), budget), "utilitarian")
    assert set(np.flatnonzero(core.fixed_in)) <= {int(p[1:]) for p in outcome.selected}
    assert outcome.cost <= budget
