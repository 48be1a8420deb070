"""Greedy by points: what most cities use, for comparison with the optimum.

Projects are taken in order of points (ties by the declared tie order); each one
that still fits in what is left of the budget is funded in full, and one that
does not fit is skipped, not stopped at. Projects nobody supports are never
funded. Options are not honoured here: greedy is a fixed procedure, and a round
with options should use the utilitarian rule.

This is pabutools' ``greedy_utilitarian_welfare`` with the satisfaction "points
times cost", whose density is the points; ties go to the declared order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocation.outcome import Outcome
from allocation.outcome import objective_of
from allocation.problem import Problem


def greedy(problem: Problem) -> Outcome:
    """Fund projects by points while they fit."""
    projects = problem.projects
    funded = pd.Series(0.0, index=projects.index)
    left = problem.budget
    points = np.asarray(projects["points"], dtype=float)
    costs = np.asarray(projects["cost"], dtype=float)
    for position in np.lexsort((np.asarray(projects["tie"]), -points)):
        cost = float(costs[position])
        if points[position] > 0 and cost <= left:
            funded.iat[position] = cost
            left -= cost
    return Outcome("greedy", funded, objective_of(projects, funded), "greedy")
