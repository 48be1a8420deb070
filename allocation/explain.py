"""Why the result is what it is: per proposal, per member, and for the round as a whole.

Per proposal: its points, first preferences, cost, points per 1,000 of cost, the
money it got, and for one left out, what it lacked:

* **points lost if forced in**: the best total of points with it funded, less the
  optimum; what funding it would have cost the members in other proposals;
* **funded at cost**: the highest cost at which the same rule, on the same
  ballots, would have funded it. Greedy answers this exactly (the money left
  when its turn came); the optimum and equal shares are asked again at trial
  costs, halving the interval each time, to a thousandth of the cost's order of
  magnitude (to 10 on a cost of 45,000), which takes a dozen recounts at most.
  The optimum of a round without options needs one or two solves instead, and
  recounts only where the tie-break decides (:func:`_settled_by_the_optimum`).

Per member: how many of their ranked proposals were funded. For the round:
the share of voters with at least one funded choice, and each co-op's share of
the money against its share of the voters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace

import numpy as np
import pandas as pd

from allocation.election import positions
from allocation.outcome import Outcome
from allocation.problem import Problem
from allocation.utilitarian import best_points
from allocation.utilitarian import cheapest_reaching
from allocation.utilitarian import tie_tolerance


@dataclass(frozen=True)
class Fairness:
    """How widely the result serves the voters."""

    #: Voters with at least one funded proposal on their ballot, from 0 to 1.
    served: float
    #: Per co-op: its share of the money (by the proposals' co-op) and of voters.
    coops: pd.DataFrame


def explain_proposals(
    problem: Problem,
    outcome: Outcome,
    recount: Callable[[Problem], Outcome],
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One row per proposal, best points first; ``recount`` is the rule that was used.

    Each proposal left out costs a solve and a dozen recounts, which adds up to
    minutes on a round of hundreds: ``progress`` is told after each one how many of
    them are explained, of how many.
    """
    projects = problem.projects
    table = pd.DataFrame(
        {
            "points": projects["points"],
            "first": projects["first"],
            "supporters": projects["supporters"],
            "cost": projects["cost"],
            "points_per_1000": 1000
            * projects["points"]
            / projects["cost"].where(projects["cost"] > 0),
            "funded": outcome.funded,
        }
    )
    best = best_points(problem)
    lost, threshold = [], []
    left_out, explained = int((outcome.funded <= 0).sum()), 0
    for project in projects.index:
        if outcome.funded[project] > 0:
            lost.append(float("nan"))
            threshold.append(float("nan"))
            continue
        lost.append(best - best_points(problem, forced=str(project)))
        threshold.append(_funded_at_cost(problem, outcome, str(project), recount))
        explained += 1
        if progress is not None:
            progress(explained, left_out)
    table["points_lost_if_forced"] = lost
    table["funded_at_cost"] = threshold
    ranked = table.sort_values(["points", "first"], ascending=False, kind="stable")
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    return ranked


def _funded_at_cost(
    problem: Problem, outcome: Outcome, project: str, recount: Callable[[Problem], Outcome]
) -> float:
    """The highest whole cost at which ``project`` would have been funded (0: never)."""
    projects = problem.projects
    points = projects["points"].astype(float)
    if points[project] <= 0:
        return 0.0
    if outcome.rule == "greedy":
        return _left_at_turn(problem, outcome, project)

    def funded_at(cost: float) -> bool:
        trial = projects.copy()
        trial.loc[project, "cost"] = cost
        return project in recount(replace(problem, projects=trial)).selected

    cost = float(projects["cost"].astype(float)[project])
    step = max(1.0, float(10 ** np.floor(np.log10(max(cost, 1.0)) - 3)))
    # Multiples of ``step``: those up to ``funded`` are funded, those above
    # ``unknown`` are not; the ones between are asked of the rule.
    funded, unknown = 0, int(cost // step)
    if outcome.rule == "utilitarian" and problem.options.plain:
        funded, unknown = _settled_by_the_optimum(problem, outcome, project, step, unknown)
    while funded < unknown:
        middle = (funded + unknown + 1) // 2
        if funded_at(middle * step):
            funded = middle
        else:
            unknown = middle - 1
    return funded * step


def _settled_by_the_optimum(
    problem: Problem, outcome: Outcome, project: str, step: float, highest: int
) -> tuple[int, int]:
    """In a plain round, which multiples of ``step`` (up to ``highest``) as the
    project's cost are settled without counting again: (funded up to, not above).

    Left out, the project is in no optimum, so the best without it is the optimum
    itself, ``best``. At cost ``c`` the best with it is its points plus the most the
    rest can buy with ``budget - c``: at least ``best - points`` exactly when the
    cheapest way to buy that much leaves ``c`` of the budget. Clearly more than
    ``best``, it is in every optimum (funded); clearly less, in none; within the
    solver's tie margin either way, the tie-break decides, and the rule is asked.
    One or two solves instead of a dozen recounts, each of which solves twice or more.
    """
    best = float(outcome.objective)
    need = best - float(problem.projects["points"].astype(float)[project])
    margin = 2 * tie_tolerance(best)

    def multiples_left(money: float) -> int:
        spare = problem.budget - money
        return int(np.clip(np.floor(spare / step), 0, highest)) if spare >= 0 else 0

    def cheapest(points: float) -> tuple[float, float]:
        return cheapest_reaching(problem, points, project, outcome.solver)

    money, bought = cheapest(need - margin)
    # The cheapest way to at least tie often clearly beats ``best`` already.
    beating = money if bought >= need + margin else cheapest(need + margin)[0]
    return multiples_left(beating), multiples_left(money)


def _left_at_turn(problem: Problem, outcome: Outcome, project: str) -> float:
    """Greedy: the money left when ``project``'s turn came."""
    projects = problem.projects
    order = projects.sort_values(["points", "tie"], ascending=[False, True]).index
    before = order[: order.get_loc(project)]
    return float(problem.budget - outcome.funded[before].sum())


def explain_members(problem: Problem, outcome: Outcome) -> pd.DataFrame:
    """Per voter: proposals ranked, how many were funded, and whether the first was."""
    votes = problem.votes
    got = outcome.funded.gt(0)
    funded = pd.Series(
        got.to_numpy()[positions(votes["project"], got.index)], index=votes.index
    )
    table = pd.DataFrame(
        {
            "ranked": votes.groupby("voter").size(),
            "funded": funded.groupby(votes["voter"]).sum(),
            "first_funded": funded[votes["position"].eq(1)]
            .groupby(votes["voter"][votes["position"].eq(1)])
            .any(),
        }
    )
    table = table.reindex(problem.voters.index)
    return table.fillna({"ranked": 0, "funded": 0, "first_funded": False}).astype(
        {"ranked": "int64", "funded": "int64", "first_funded": "bool"}
    )


def fairness(problem: Problem, outcome: Outcome) -> Fairness:
    """The share of voters served, and each co-op's share of money and of voters."""
    members = explain_members(problem, outcome)
    served = float(members["funded"].gt(0).mean()) if len(members) else 0.0
    voters = problem.voters.get("coop")
    money = outcome.funded.groupby(problem.projects["coop"]).sum()
    money = money[money.index != ""]
    coops = pd.DataFrame(
        {
            "money_share": money / outcome.cost if outcome.cost else money * 0,
            "voter_share": voters.value_counts(normalize=True)
            if voters is not None
            else pd.Series(dtype=float),
        }
    ).fillna(0.0)
    return Fairness(served, coops)
