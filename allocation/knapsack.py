"""Deciding most projects of a plain round before the solver sees them.

A round without options (no partial funding, dependency, exclusion, cap, floor or
co-op share) asks the plain 0/1 knapsack: the most points within the budget. At
20,000 proposals the solver spends seconds on a model that it then shrinks to a
few dozen columns itself; shrinking it first, by the same argument, spares the
writing, the reading and the search, and every look for a tied optimum.

The argument (Dantzig's bound and reduced-cost fixing; Balas and Zemel's "core").
The linear relaxation is solved by sorting: take projects by points per unit of
cost until the budget runs out, the last one in part; its ratio ``λ`` prices the
money. For any selection ``x`` within the budget, with ``d_j = p_j - λ·c_j``,

    points(x) = Σ d_j·x_j + λ·Σ c_j·x_j  <=  Σ d_j·x_j + λ·B
             <=  z_LP - Σ |d_j| over the projects where x differs from the
                 relaxation's side (in when d_j > 0, out when d_j < 0),

where ``z_LP = λ·B + Σ max(d_j, 0)``, the relaxation's score (the bound holds for
any ``λ >= 0``, so rounding in finding the critical project cannot break it).

Greedy by ratio gives a selection scoring ``z_inc``; every optimum scores at least
that. So a project with ``|d_j| > z_LP - z_inc`` (plus a margin wider than the
tolerance within which two optima count as tied) is on its relaxation side in
every optimum and every tie: it is fixed there, and only the rest, the core, is
left to the solver, with the budget less what the fixed-in projects cost. The
optimum and its ties are exactly those of the full model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Relative margin on the bound: twice the tie tolerance of :mod:`allocation.utilitarian`
#: (1e-6 of the optimum), so a selection that could count as tied is never cut off.
MARGIN = 2e-6


@dataclass(frozen=True)
class Core:
    """Which projects every optimum funds, and which remain to be decided."""

    #: Funded in every optimum (and every tie).
    fixed_in: np.ndarray
    #: Still to be decided by the solver; the others are funded in none.
    free: np.ndarray
    #: The budget left for the free projects.
    budget: float


def knapsack_core(costs: np.ndarray, points: np.ndarray, budget: float) -> Core:
    """The core of "most ``points`` within ``budget``" (costs >= 0).

    Projects without points are never funded (as in the model) and projects
    costing more than the budget never can be.
    """
    costs = np.asarray(costs, dtype=float)
    points = np.asarray(points, dtype=float)
    candidate = (points > 0) & (costs <= budget)
    index = np.flatnonzero(candidate)
    ratio = np.divide(
        points[index],
        costs[index],
        out=np.full(len(index), np.inf),
        where=costs[index] > 0,
    )
    order = index[np.argsort(-ratio, kind="stable")]
    spent = np.cumsum(costs[order])
    fits = int(np.searchsorted(spent, budget, side="right"))  # whole projects first
    # The first project that no longer fits whole prices the money; if everything
    # with points fits, money has no price.
    price = 0.0 if fits == len(order) else points[order[fits]] / costs[order[fits]]
    reduced = np.zeros(len(costs))
    reduced[index] = points[index] - price * costs[index]
    # The bound holds for any price >= 0; this one makes it the relaxation's value.
    relaxed = price * budget + float(reduced.clip(min=0).sum())
    gap = relaxed - _greedy_points(costs[order], points[order], budget)
    settled = candidate & (np.abs(reduced) > gap + MARGIN * max(1.0, abs(relaxed)))
    fixed_in = settled & (reduced > 0)
    return Core(fixed_in, candidate & ~settled, budget - float(costs[fixed_in].sum()))


def _greedy_points(costs: np.ndarray, points: np.ndarray, budget: float) -> float:
    """Greedy in the given order: each project that still fits is taken."""
    total, left = 0.0, budget
    for cost, value in zip(costs.tolist(), points.tolist(), strict=True):
        if cost <= left:
            left -= cost
            total += value
    return total
