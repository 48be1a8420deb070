"""Each option of the utilitarian model changes the outcome it should, and only with it.

Every case is small enough to solve by hand (the expected selection is in the
comments), and each test first checks the outcome without the option, so a model
that silently dropped the constraint would fail.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from allocation.count import count
from allocation.pabulib import parse_pb
from allocation.problem import Options
from allocation.problem import Problem
from allocation.problem import problem
from allocation.utilitarian import SolverError


def _problem(
    projects: str, votes: str, budget: int, options: Options | None = None
) -> Problem:
    """Approval ballots: each line of ``votes`` is ``voter;projects;coop``."""
    text = (
        f"META\nkey;value\ndescription;options\nvote_type;approval\nbudget;{budget}\n"
        f"PROJECTS\nproject_id;cost;minimum;category;coop\n{projects}"
        f"VOTES\nvoter_id;vote;coop\n{votes}"
    )
    return problem(parse_pb(text), options=options)


def _votes(**support: int) -> str:
    """``A=3`` gives three voters approving A (coop X), one line each."""
    lines, n = [], 0
    for projects, voters in support.items():
        for _ in range(voters):
            n += 1
            lines.append(f"v{n};{projects.replace('_', ',')};X")
    return "\n".join(lines) + "\n"


def _funded(chosen: Problem, solver: str = "cbc") -> dict[str, float]:
    outcome = count(chosen, "utilitarian", solver)
    return {p: a for p, a in outcome.funded.items() if a > 0}


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_partial_funding_between_minimum_and_cost(solver: str) -> None:
    projects = "A;80;40;;\nB;50;;;\nC;30;;;\n"
    votes = _votes(A=10, B=9, C=3)
    # All or nothing: {B, C} (12 points) beats {A} (10). Partly: B in full and
    # A with the 50 left, 50/80 of its 10 points: 9 + 6.25 = 15.25.
    assert _funded(_problem(projects, votes, 100), solver) == {"B": 50, "C": 30}
    partial = _problem(projects, votes, 100, Options(partial=True))
    assert _funded(partial, solver) == {"A": 50, "B": 50}
    assert count(partial, "utilitarian", solver).objective == pytest.approx(15.25)


def test_a_proposal_needing_another_is_funded_only_with_it() -> None:
    projects = "A;50;;;\nB;40;;;\nC;50;;;\n"
    votes = _votes(A=10, B=1, C=8)
    # Unconstrained: A + C (18). If A needs B, A + C is out; the best left is
    # A + B (11), ahead of B + C (9) and C alone (8).
    assert set(_funded(_problem(projects, votes, 100))) == {"A", "C"}
    needs = _problem(projects, votes, 100, Options(requires=(("A", "B"),)))
    assert set(_funded(needs)) == {"A", "B"}


def test_two_proposals_that_exclude_each_other_are_never_both_funded() -> None:
    projects = "A;50;;;\nB;50;;;\nC;60;;;\n"
    votes = _votes(A=10, B=9, C=12)
    assert set(_funded(_problem(projects, votes, 100))) == {"A", "B"}
    either = _problem(projects, votes, 100, Options(excludes=(("A", "B"),)))
    assert set(_funded(either)) == {"C"}


def test_a_category_cap_limits_the_money_of_its_proposals() -> None:
    projects = "A;50;;energy;\nB;50;;energy;\nC;40;;housing;\n"
    votes = _votes(A=10, B=9, C=5)
    assert set(_funded(_problem(projects, votes, 100))) == {"A", "B"}
    capped = _problem(projects, votes, 100, Options(category_caps={"energy": 60}))
    assert set(_funded(capped)) == {"A", "C"}


def test_a_maximum_share_per_coop() -> None:
    projects = "A;50;;;X\nB;50;;;X\nC;40;;;Y\n"
    votes = _votes(A=10, B=9, C=5)
    assert set(_funded(_problem(projects, votes, 100))) == {"A", "B"}
    shared = _problem(projects, votes, 100, Options(max_coop_share=0.6))
    assert set(_funded(shared)) == {"A", "C"}


def test_coop_floors_give_a_minority_coop_what_its_share_would_buy() -> None:
    projects = "A;60;;;\nB;65;;;\nC;40;;;\n"
    # Six voters of X approve A and B; four of Y approve C. Budget 130. Plain
    # optimum: A + B (12 points), nothing for Y. Y's 40 % (52) would buy C alone,
    # so Y's floor is 4 points; X's 60 % (78) buys A or B, a floor of 6. With the
    # floors: C and one of A, B; A, the cheaper, by the tie-break.
    votes = "".join(f"x{n};A,B;X\n" for n in range(6)) + "".join(
        f"y{n};C;Y\n" for n in range(4)
    )
    assert set(_funded(_problem(projects, votes, 130))) == {"A", "B"}
    floors = _problem(projects, votes, 130, Options(coop_floors=True))
    assert set(_funded(floors)) == {"A", "C"}
    assert count(floors, "utilitarian").tied == (frozenset({"B", "C"}),)


def test_a_programme_the_solver_cannot_solve_says_what_it_reported() -> None:
    with pytest.raises(SolverError, match="reported Infeasible"):
        count(replace(_problem("A;50;;;\n", _votes(A=1), 0), budget=-1.0), "utilitarian")


def test_ties_are_reported_and_broken_by_the_declared_order() -> None:
    # A and B: same points, same cost, budget for one. Equal first preferences,
    # so the lot decides; the other optimum is reported as tied.
    projects = "A;50;;;\nB;50;;;\n"
    chosen = _problem(projects, _votes(A=3, B=3), 60)
    outcome = count(chosen, "utilitarian")
    lot_winner = chosen.lot[0]
    assert outcome.selected == [lot_winner]
    assert outcome.tied == (frozenset({"A", "B"} - {lot_winner}),)
    # A cheaper project of equal points wins the tie before the lot is drawn.
    cheaper = _problem("A;50;;;\nB;40;;;\n", _votes(A=3, B=3), 60)
    assert count(cheaper, "utilitarian").selected == ["B"]
