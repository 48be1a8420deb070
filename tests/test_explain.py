"""Explanations, checked against a case worked by hand.

Budget 100. A costs 60 (5 approvals), B 50 (4), C 40 (3). The optimum is A + C (8
points). B is left out: forcing it in, the best is B + C (7), so it lacks 1 point;
it would have been funded at a cost of 40, when A + B (9) fits. Greedy takes A,
then skips B (40 left), then takes C: B's turn came with 40 left, the same answer.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings

from allocation.count import count
from allocation.explain import explain_members
from allocation.explain import explain_proposals
from allocation.explain import fairness
from allocation.outcome import Outcome
from allocation.pabulib import parse_pb
from allocation.problem import Options
from allocation.problem import Problem
from allocation.problem import problem
from reports.cli.progress import every_tenth
from tests.test_knapsack import SEVEN_OPTIMA
from tests.test_knapsack import _problem
from tests.test_knapsack import instances

VOTES = {
    "v1": "A,B",
    "v2": "A,B",
    "v3": "A,B",
    "v4": "A,C",
    "v5": "A",
    "v6": "B,C",
    "v7": "C",
    "v8": "",
}
COOPS = {
    "v1": "X",
    "v2": "X",
    "v3": "X",
    "v4": "X",
    "v5": "X",
    "v6": "Y",
    "v7": "Y",
    "v8": "Y",
}


@pytest.fixture
def case() -> Problem:
    votes = "".join(f"{v};{p};{COOPS[v]}\n" for v, p in VOTES.items())
    text = (
        "META\nkey;value\ndescription;explain\nvote_type;approval\nbudget;100\n"
        "PROJECTS\nproject_id;cost;coop\nA;60;X\nB;50;Y\nC;40;Y\n"
        f"VOTES\nvoter_id;vote;coop\n{votes}"
    )
    return problem(parse_pb(text))


@pytest.mark.parametrize("rule", ["utilitarian", "greedy"])
def test_what_the_left_out_proposal_lacked(case: Problem, rule: str) -> None:
    outcome = count(case, rule)
    assert outcome.selected == ["A", "C"]
    table = explain_proposals(case, outcome, lambda p: count(p, rule))
    assert table.index.tolist() == ["A", "B", "C"], "best points first"
    assert table["rank"].tolist() == [1, 2, 3]
    assert table.loc["B", "points_lost_if_forced"] == 1
    assert table.loc["B", "funded_at_cost"] == 40
    assert table.loc["B", "points_per_1000"] == 80
    assert table.loc["A", "funded"] == 60 and table.loc["B", "funded"] == 0
    assert math.isnan(table.loc["A", "funded_at_cost"])


def test_progress_is_told_of_each_left_out_proposal_explained(case: Problem) -> None:
    heard: list[tuple[int, int]] = []
    outcome = count(case, "greedy")
    explain_proposals(
        case, outcome, lambda p: count(p, "greedy"), lambda *done: heard.append(done)
    )
    assert heard == [(1, 1)]


def test_the_command_line_reports_each_tenth_of_long_work(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = every_tenth("explained:")
    for done in range(1, 31):
        report(done, 30)
    assert capsys.readouterr().err.splitlines() == [
        f"explained: {done} of 30" for done in range(3, 31, 3)
    ]
    short = every_tenth("explained:")
    for done in range(1, 6):
        short(done, 5)
    assert capsys.readouterr().err == "", "a short job needs no report"


def test_each_member_sees_how_many_of_their_choices_were_funded(case: Problem) -> None:
    members = explain_members(case, count(case, "utilitarian"))
    assert members.loc["v1"].tolist() == [2, 1, True]
    assert members.loc["v6"].tolist() == [2, 1, False]
    assert members.loc["v8"].tolist() == [0, 0, False], "an empty ballot is still a member"


def test_fairness_of_the_round(case: Problem) -> None:
    result = fairness(case, count(case, "utilitarian"))
    # Everyone but v8 (empty ballot) has a funded choice: 7 of 8.
    assert result.served == pytest.approx(7 / 8)
    assert result.coops.loc["X"].tolist() == pytest.approx([0.6, 5 / 8])
    assert result.coops.loc["Y"].tolist() == pytest.approx([0.4, 3 / 8])


@settings(max_examples=20, deadline=None)
@given(instances(least_cost=1))
@example(SEVEN_OPTIMA)
def test_a_plain_round_settles_funded_at_cost_as_recounting_does(
    instance: tuple[list[int], list[int], int],
) -> None:
    """The shortcut for plain rounds (two solves) against the same question asked of
    the whole model by recounting at each trial cost, on small rounds where ties are
    common (the tie-break then decides, and both must agree on it)."""
    plain = _problem(*instance)
    whole = replace(plain, options=Options(category_caps={"none": 1.0}))
    ours = explain_proposals(plain, count(plain, "utilitarian"), _utilitarian)
    theirs = explain_proposals(whole, count(whole, "utilitarian"), _utilitarian)
    assert ours["funded_at_cost"].equals(theirs["funded_at_cost"])
    assert ours["points_lost_if_forced"].equals(theirs["points_lost_if_forced"])


def _utilitarian(problem: Problem) -> Outcome:
    return count(problem, "utilitarian")
