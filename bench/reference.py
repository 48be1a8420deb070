"""The reference library, pabutools, run on the same inputs as our rules.

It is a test oracle and a benchmark baseline only: coopfund never imports it at
run time (it is GPL-3.0, which does not combine with Beancount's GPL-2.0-only).
pabutools is given our points through a satisfaction function and our tie order
through a tie-breaking rule, so that any difference is a difference of rule.

    .venv/bin/python -m bench.reference RULE FILE.pb

times pabutools' parse and RULE (greedy, utilitarian or mes) on FILE and prints
one JSON line: the seconds and the selected projects.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pabutools.election import AdditiveSatisfaction
from pabutools.election import parse_pabulib
from pabutools.fractions import frac
from pabutools.rules import completion_by_rule_combination
from pabutools.rules import exhaustion_by_budget_increase
from pabutools.rules import greedy_utilitarian_welfare
from pabutools.rules import max_additive_utilitarian_welfare
from pabutools.rules import method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

from allocation.pabulib import read_pb
from allocation.problem import Problem
from allocation.problem import problem

PointsOf = Callable[[Any, Any], Any]


def points_of(contest_type: str, rule: str) -> PointsOf:
    """A voter's points for a project, as pabutools sees the ballot."""
    if contest_type == "ordinal":
        assert rule == "borda"

        def borda(ballot: Any, project: Any) -> Any:
            ranking = list(ballot)
            return frac(len(ranking) - ranking.index(project) if project in ranking else 0)

        return borda
    if contest_type in ("cumulative", "scoring"):
        return lambda ballot, project: frac(ballot.get(project, 0))
    return lambda ballot, project: frac(int(project in ballot))


def satisfaction(points_of: PointsOf, times_cost: bool) -> type[AdditiveSatisfaction]:
    class Points(AdditiveSatisfaction):  # type: ignore[misc]
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            def func(_i: Any, _p: Any, b: Any, project: Any, _pre: Any) -> Any:
                points = points_of(b, project)
                return points * project.cost if times_cost else points

            super().__init__(instance, profile, ballot, func)

    return Points


class Oracle:
    """One file, as pabutools reads it, with our points and our tie order."""

    def __init__(self, path: Path) -> None:
        contest = read_pb(path)
        self.problem: Problem = problem(contest)
        self.instance, self.profile = parse_pabulib(str(path))
        voter_points = points_of(contest.vote_type, self.problem.points_rule)
        self.points = satisfaction(voter_points, times_cost=False)
        self.by_cost = satisfaction(voter_points, times_cost=True)
        tie = self.problem.projects["tie"]
        self.tie = TieBreakingRule(lambda _i, _p, project: int(tie[project.name]))
        supported = self.problem.projects["points"] > 0
        self.supported = set(self.problem.projects.index[supported])

    def greedy(self) -> set[str]:
        chosen = greedy_utilitarian_welfare(
            self.instance, self.profile, sat_class=self.by_cost, tie_breaking=self.tie
        )
        # pabutools spends leftovers on projects nobody supports; we never do.
        return {p.name for p in chosen} & self.supported

    def max_welfare(self) -> float:
        chosen = max_additive_utilitarian_welfare(
            self.instance, self.profile, sat_class=self.points
        )
        points = self.problem.projects["points"]
        return float(sum(points[p.name] for p in chosen))

    def equal_shares(self) -> set[str]:
        utility = self.by_cost if self.problem.mes_utility == "cost" else self.points
        mes = {"sat_class": utility, "tie_breaking": self.tie}
        step = self.profile.num_ballots()
        completion = self.problem.mes_completion
        if completion == "none":
            chosen = method_of_equal_shares(self.instance, self.profile, **mes)
        elif completion == "add1":
            chosen = exhaustion_by_budget_increase(
                self.instance, self.profile, method_of_equal_shares, mes, budget_step=step
            )
        else:
            chosen = completion_by_rule_combination(
                self.instance,
                self.profile,
                [exhaustion_by_budget_increase, greedy_utilitarian_welfare],
                [
                    {
                        "rule": method_of_equal_shares,
                        "rule_params": mes,
                        "budget_step": step,
                    },
                    {"sat_class": self.by_cost, "tie_breaking": self.tie},
                ],
            )
        return {p.name for p in chosen} & self.supported


def main() -> None:
    """Time pabutools' parse and one rule on one file; print JSON."""
    rule, path = sys.argv[1], Path(sys.argv[2])
    oracle = Oracle(path)
    began = time.perf_counter()
    oracle.instance, oracle.profile = parse_pabulib(str(path))
    chosen = {"greedy": oracle.greedy, "mes": oracle.equal_shares}.get(rule)
    if chosen is not None:
        selected = sorted(chosen())
        print(json.dumps({"seconds": time.perf_counter() - began, "selected": selected}))
    else:
        welfare = oracle.max_welfare()
        print(json.dumps({"seconds": time.perf_counter() - began, "welfare": welfare}))


if __name__ == "__main__":
    main()
