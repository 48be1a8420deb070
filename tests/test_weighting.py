"""Weighting rules of a federation-wide round, checked on cases worked by hand.

Two small regions, each with co-op A (four ballots) and co-op B (one ballot); a4 is
the only worker, everyone else a consumer. N = 5 ballots, so:

* ``member``: every ballot weighs 1;
* ``coop``: K = 2 co-ops, so an A ballot weighs 5 / (2 * 4) = 5/8, B's 5/2;
* ``class``: a4, the one worker, weighs 5 / (2 * 1) = 5/2; each of the four
  consumers 5/8.

Every weight is a binary fraction, so every weighted total below is exact.
"""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from allocation.ballots import Poll
from allocation.count import count
from allocation.election import Election
from allocation.pabulib import format_pb
from allocation.pabulib import parse_pb
from allocation.problem import Options
from allocation.problem import problem
from allocation.register import load_members
from allocation.register import read_register
from allocation.register import save_members
from allocation.round_count import count_round
from allocation.round_export import round_election
from allocation.round_export import round_problem
from allocation.store import open_store
from allocation.utilitarian import coop_floors
from allocation.weights import voter_weights
from ledger.books import Books
from ledger.books import books_from
from ledger.books import load_books
from tests.conftest import load_text
from tests.test_rounds import HEADER

#: voter -> (ballot, co-op, class).
Ballots = dict[str, tuple[str, str, str]]

# Case 1, ranked ballots by Borda (a ballot ranking k gives k, k-1, ... 1), costs
# P 100, Q 120, R 90 and a budget of 130, which buys one proposal:
#
#   voter  co-op class     ballot  Borda    member  coop  class (weights)
#   a1     A     consumer  P > Q   P2 Q1    1       5/8   5/8
#   a2     A     consumer  P > R   P2 R1    1       5/8   5/8
#   a3     A     consumer  P       P1       1       5/8   5/8
#   a4     A     worker    R > Q   R2 Q1    1       5/8   5/2
#   b1     B     consumer  Q > R   Q2 R1    1       5/2   5/8
#
# member: P = 2+2+1 = 5; Q = 1+1+2 = 4; R = 1+2+1 = 4.                  P wins.
# coop:   P = 5 * 5/8 = 3.125; Q = (1+1) * 5/8 + 2 * 5/2 = 6.25;
#         R = (1+2) * 5/8 + 1 * 5/2 = 4.375.                             Q wins.
# class:  P = 5 * 5/8 = 3.125; Q = (1+2) * 5/8 + 1 * 5/2 = 4.375;
#         R = (1+1) * 5/8 + 2 * 5/2 = 6.25.                              R wins.
RANKED: Ballots = {
    "a1": ("P,Q", "A", "consumer"),
    "a2": ("P,R", "A", "consumer"),
    "a3": ("P", "A", "consumer"),
    "a4": ("R,Q", "A", "worker"),
    "b1": ("Q,R", "B", "consumer"),
}
RANKED_COSTS = {"P": 100, "Q": 120, "R": 90}
RANKED_POINTS = {
    "member": {"P": 5.0, "Q": 4.0, "R": 4.0},
    "coop": {"P": 3.125, "Q": 6.25, "R": 4.375},
    "class": {"P": 3.125, "Q": 4.375, "R": 6.25},
}
RANKED_WINNER = {"member": "P", "coop": "Q", "class": "R"}

# Case 2, approval ballots, every proposal costing 100 and a budget of 100: a1-a3
# approve P, a4 approves R, b1 approves Q.
#
# Greedy and the optimum fund the most weighted points: member P (3 against 1
# and 1); coop Q (b1's 5/2 against P's 3 * 5/8 = 1.875 and R's 5/8); class R (a4's
# 5/2 against P's 1.875 and Q's 5/8).
#
# Equal shares gives each voter budget * w / 5; nobody can buy anything with 100,
# so Add1 raises the budget by 5 at a time. member: P's three supporters hold
# 3/5 of it, enough at 170 (102), before Q's or R's one fifth (at 500). coop: b1
# holds 2.5/5 = half of it, 100 at 200, before P's 3 * 5/8 / 5 (at 266.67) and
# R's 1/8 (at 800): Q. class: a4, the worker, holds half: R at 200.
APPROVALS: Ballots = {
    "a1": ("P", "A", "consumer"),
    "a2": ("P", "A", "consumer"),
    "a3": ("P", "A", "consumer"),
    "a4": ("R", "A", "worker"),
    "b1": ("Q", "B", "consumer"),
}
APPROVAL_WINNER = {"member": ("P", 3.0), "coop": ("Q", 2.5), "class": ("R", 2.5)}


def _election(
    vote_type: str, costs: dict[str, int], budget: int, ballots: Ballots
) -> Election:
    """A Pabulib election of ``ballots``, each voter with its co-op and class."""
    projects = "".join(f"{p};{cost}\n" for p, cost in costs.items())
    votes = "".join(f"{v};{b};{c};{k}\n" for v, (b, c, k) in ballots.items())
    return parse_pb(
        f"META\nkey;value\ndescription;weighting\nvote_type;{vote_type}\n"
        f"budget;{budget}\nPROJECTS\nproject_id;cost\n{projects}"
        f"VOTES\nvoter_id;vote;coop;class\n{votes}"
    )


def _points(projects: pd.DataFrame) -> dict[str, float]:
    return {str(p): float(v) for p, v in projects["points"].items()}


@pytest.mark.parametrize("weighting", ["member", "coop", "class"])
@pytest.mark.parametrize("rule", ["greedy", "utilitarian"])
def test_ranked_ballots_fund_a_different_proposal_under_each_weighting(
    weighting: str, rule: str
) -> None:
    asked = problem(_election("ordinal", RANKED_COSTS, 130, RANKED), weighting=weighting)
    assert _points(asked.projects) == RANKED_POINTS[weighting]
    outcome = count(asked, rule)
    winner = RANKED_WINNER[weighting]
    assert outcome.selected == [winner]
    assert outcome.objective == RANKED_POINTS[weighting][winner]
    # Supporters and first preferences stay head counts of ballots.
    assert asked.projects["supporters"].tolist() == [3, 3, 3]
    assert asked.projects["first"].tolist() == [3, 1, 1]


@pytest.mark.parametrize("weighting", ["member", "coop", "class"])
@pytest.mark.parametrize("rule", ["greedy", "utilitarian", "mes"])
def test_approval_ballots_fund_a_different_proposal_under_each_weighting(
    weighting: str, rule: str
) -> None:
    asked = problem(
        _election("approval", {"P": 100, "Q": 100, "R": 100}, 100, APPROVALS),
        weighting=weighting,
    )
    outcome = count(asked, rule)
    winner, points = APPROVAL_WINNER[weighting]
    assert outcome.selected == [winner]
    assert outcome.objective == points


@pytest.mark.parametrize("rule", ["greedy", "utilitarian", "mes"])
def test_a_ballot_weighing_four_times_another_counts_as_four_ballots(rule: str) -> None:
    # Under "coop", b1 weighs 5/2 = 4 * 5/8: the count is that of the same ballots
    # with b1's cast four times, each point scaled by 5/8 (P 5, Q 10, R 7 there).
    # Equal shares buys R in its first run there and here, so Add1, whose steps
    # differ (5 against 8 voters), does not come into it.
    weighted = problem(_election("ordinal", RANKED_COSTS, 130, RANKED), weighting="coop")
    copies = {f"b{n}": RANKED["b1"] for n in range(1, 5)}
    repeated = problem(_election("ordinal", RANKED_COSTS, 130, {**RANKED, **copies}))
    assert _points(repeated.projects) == {"P": 5.0, "Q": 10.0, "R": 7.0}
    assert (weighted.projects["points"] == repeated.projects["points"] * 5 / 8).all()
    assert count(weighted, rule).selected == count(repeated, rule).selected
    assert count(weighted, "mes").selected == ["R"]


def test_equal_shares_gives_each_voter_a_share_in_proportion_to_its_weight() -> None:
    # Case 2 with Q costing 50 and a budget of 200, without Add1: one run each.
    election = _election("approval", {"P": 100, "Q": 50, "R": 100}, 200, APPROVALS)
    by_heads = replace(problem(election), mes_completion="none")
    by_coop = replace(problem(election, weighting="coop"), mes_completion="none")
    # By heads every share is 40: P's three supporters (120) buy P, b1's 40 < 50.
    assert count(by_heads, "mes").selected == ["P"]
    # By co-op: A ballots hold 200 * (5/8) / 5 = 25 each, P's three 75 < 100; b1
    # holds 100 and buys Q; a4's 25 cannot buy R.
    assert count(by_coop, "mes").selected == ["Q"]


def test_coop_floors_share_the_budget_by_weight_not_by_heads() -> None:
    # Approval, costs 60 each, budget 120. A's four voters approve A (x1-x3 also
    # B); B's one voter approves C. By heads co-op B holds 1/5 of the budget (24),
    # which buys nothing: its floor is 0. Under "coop" it holds half (60), which
    # buys C: its floor is C's 5/2 points; A's half buys A, 4 * 5/8 = 2.5.
    ballots: Ballots = {
        "x1": ("A,B", "A", "consumer"),
        "x2": ("A,B", "A", "consumer"),
        "x3": ("A,B", "A", "consumer"),
        "x4": ("A", "A", "consumer"),
        "y1": ("C", "B", "consumer"),
    }
    election = _election("approval", {"A": 60, "B": 60, "C": 60}, 120, ballots)
    floors = Options(coop_floors=True)
    by_heads = problem(election, options=floors)
    assert {c: f for c, (_, f) in coop_floors(by_heads, "cbc").items()} == {
        "A": pytest.approx(4.0),
        "B": 0.0,
    }
    by_coop = problem(election, options=floors, weighting="coop")
    found = coop_floors(by_coop, "cbc")
    assert found["A"] == ({"A": 2.5, "B": 1.875}, pytest.approx(2.5))
    assert found["B"] == ({"C": 2.5}, pytest.approx(2.5))
    # The optimum under "coop", A + C (5, against 4.375 for A + B or B + C), meets
    # both floors; by heads it is A + B (7 points).
    assert count(by_coop, "utilitarian").selected == ["A", "C"]
    assert count(by_heads, "utilitarian").selected == ["A", "B"]


VOTERS = pd.DataFrame(
    {
        "coop": ["A", "A", "A", "A", "B", "C", "C"],
        "class": ["worker", "consumer", "consumer", "consumer", "worker", "consumer", ""],
    },
    index=[f"v{n}" for n in range(1, 8)],
)


@pytest.mark.parametrize("weighting", ["member", "coop"])
def test_the_weights_add_up_to_the_number_of_ballots(weighting: str) -> None:
    weights = voter_weights(VOTERS, weighting)
    assert weights.index.equals(VOTERS.index)
    assert weights.sum() == pytest.approx(7)
    if weighting == "coop":
        # K = 3 co-ops: A's four ballots weigh 7/12 each, B's one 7/3, C's two 7/6:
        # each co-op 7/3 together.
        assert weights.groupby(VOTERS["coop"]).sum().tolist() == pytest.approx([7 / 3] * 3)
        assert weights["v1"] == pytest.approx(7 / 12)
        assert weights["v5"] == pytest.approx(7 / 3)


def test_class_parity_gives_each_class_half_the_weight() -> None:
    voters = VOTERS.iloc[:6]  # v7's class is unknown; see below
    weights = voter_weights(voters, "class")
    # Two workers (v1, v5) and four consumers among six ballots: a worker weighs
    # 6 / (2 * 2) = 1.5, a consumer 6 / (2 * 4) = 0.75; 3 and 3 together.
    assert weights.tolist() == [1.5, 0.75, 0.75, 0.75, 1.5, 0.75]
    assert weights.sum() == 6


def test_a_single_coop_or_a_single_class_weighs_every_ballot_one() -> None:
    one_coop = pd.DataFrame({"coop": ["A"] * 3}, index=["v1", "v2", "v3"])
    assert voter_weights(one_coop, "coop").tolist() == [1.0, 1.0, 1.0]
    consumers = pd.DataFrame({"class": ["consumer"] * 3}, index=["v1", "v2", "v3"])
    assert voter_weights(consumers, "class").tolist() == [1.0, 1.0, 1.0]
    assert voter_weights(one_coop.iloc[:0], "coop").empty


def test_a_missing_class_or_an_unknown_rule_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"needs each voter's class: 1 voter\(s\) .* v7"):
        voter_weights(VOTERS, "class")
    with pytest.raises(ValueError, match="needs each voter's class, and the voters have"):
        voter_weights(VOTERS[["coop"]], "class")
    with pytest.raises(ValueError, match='class "volunteer" must be "consumer" or'):
        voter_weights(VOTERS.assign(**{"class": "volunteer"}), "class")
    with pytest.raises(
        ValueError, match='weighting "heads" must be one of "member", "coop", "class"'
    ):
        voter_weights(VOTERS, "heads")


def test_without_a_weighting_every_ballot_weighs_one_as_before() -> None:
    election = _election("ordinal", RANKED_COSTS, 130, RANKED)
    asked = problem(election)
    assert asked.voters["weight"].tolist() == [1.0] * 5
    assert _points(asked.projects) == RANKED_POINTS["member"]
    assert problem(election, weighting="member").votes.equals(asked.votes)


ROUNDS = {
    "a co-op's round weighing by co-op": (
        'custom "round" "R2"\n  scope: "Riverside"\n  closes: 2026-12-01\n'
        '  cutoff: 2026-10-01\n  weighting: "coop"\n',
        'round "R2" is the vote of co-op "Riverside" alone, and weighting "coop" is '
        'for the federation-wide round of a region: remove "weighting"',
    ),
    "a co-op's round weighing by class": (
        'custom "round" "R2"\n  scope: "Riverside"\n  closes: 2026-12-01\n'
        '  cutoff: 2026-10-01\n  weighting: "class"\n',
        'weighting "class" is for the federation-wide round of a region',
    ),
    "an unknown weighting": (
        'custom "round" "R2"\n  scope: "North"\n  closes: 2026-12-01\n'
        '  cutoff: 2026-10-01\n  weighting: "heads"\n',
        'field "weighting" must be one of "member", "coop", "class", got "heads"',
    ),
}


@pytest.mark.parametrize("case", ROUNDS)
def test_a_bad_weighting_is_an_error_at_the_rounds_line(case: str, tmp_path: Path) -> None:
    text, message = ROUNDS[case]
    loaded = load_text(tmp_path / "ledger.beancount", HEADER + "2026-11-02 " + text)
    line = HEADER.count("\n") + 1
    assert [(e.source["lineno"], message in e.message) for e in loaded.errors] == [
        (line, True)
    ], loaded.messages()


def test_a_regions_round_declares_its_weighting(tmp_path: Path) -> None:
    text = HEADER + (
        '2026-11-02 custom "round" "R2"\n  scope: "North"\n  closes: 2026-12-01\n'
        '  cutoff: 2026-10-01\n  weighting: "class"\n'
    )
    loaded = load_text(tmp_path / "ledger.beancount", text)
    assert not loaded.errors, loaded.messages()
    rounds = books_from(loaded.entries, loaded.errors, loaded.options).agenda.rounds
    assert (rounds["R1"].weighting, rounds["R2"].weighting) == ("member", "class")


# Case 1 as a round of region North: co-op Riverside is A, Hillside is B.
LEDGER = """\
option "operating_currency" "EUR"
plugin "ledger.plugin"
2026-01-01 custom "region" "North"
2026-01-01 custom "coop" "Riverside"
  region: "North"
2026-01-01 custom "coop" "Hillside"
  region: "North"
2026-01-01 custom "collective" "Bakery"
  coop: "Riverside"
2026-11-01 custom "round" "R1"
  scope: "North"
  closes: 2026-11-30
  cutoff: 2026-10-15
  max-ranks: 2
  budget: 130.00 EUR
  rule: "utilitarian"
  weighting: "member"
"""
REGISTER = """\
member_id,coop,class,collective,joined,left
a1,Riverside,consumer,,2020-01-01,
a2,Riverside,consumer,,2020-01-01,
a3,Riverside,consumer,,2020-01-01,
a4,Riverside,worker,Bakery,2020-01-01,
b1,Hillside,consumer,,2020-01-01,
"""
COUNTING_DAY = datetime.date(2026, 12, 1)


@pytest.fixture
def region(tmp_path: Path) -> tuple[Books, sqlite3.Connection]:
    """Case 1's round, its register and its ballots, cast on 5 November."""
    proposals = "".join(
        f'2026-11-01 custom "proposal" "{p}"\n  title: "{p}"\n  cost: {cost}.00 EUR\n'
        f'  scope: "North"\n  round: "R1"\n'
        for p, cost in RANKED_COSTS.items()
    )
    ledger = tmp_path / "main.beancount"
    ledger.write_text(LEDGER + proposals, encoding="utf-8")
    books = load_books(ledger)
    assert not books.errors
    register = tmp_path / "members.csv"
    register.write_text(REGISTER, encoding="utf-8")
    connection = open_store(tmp_path / "coopfund.sqlite")
    save_members(connection, read_register(register, books.federation))
    poll = Poll.of(books, "R1", load_members(connection))
    for member, (ballot, _, _) in RANKED.items():
        poll.cast(connection, member, ballot.split(","), datetime.datetime(2026, 11, 5))
    return books, connection


@pytest.mark.parametrize("weighting", ["member", "coop", "class"])
def test_a_round_is_counted_and_published_by_its_weighting(
    region: tuple[Books, sqlite3.Connection], weighting: str
) -> None:
    books, connection = region
    poll = Poll.of(books, "R1", load_members(connection))
    poll = replace(poll, round=replace(poll.round, weighting=weighting))
    asked = round_problem(books, poll, connection, COUNTING_DAY)
    assert _points(asked.projects) == RANKED_POINTS[weighting]
    counted = count_round(books, poll, connection, COUNTING_DAY)
    winner = RANKED_WINNER[weighting]
    assert counted.outcome.selected == [winner]
    assert float(counted.allocation.objective) == RANKED_POINTS[weighting][winner]
    # The published file holds the ballots as cast and says how they weigh, and
    # read back it is counted the same.
    published = round_election(books, poll, connection, COUNTING_DAY)
    assert published.projects["score"].tolist() == ["5", "4", "4"], "unweighted"
    if weighting == "member":
        assert "weighting" not in published.meta
        assert published.voters.columns.tolist() == ["coop", "voting_method"]
    else:
        assert published.meta["weighting"] == weighting
        assert "#2: weighting is how the round weighed" in published.meta["comment"]
        assert ("class" in published.voters) == (weighting == "class")
    recount = problem(parse_pb(format_pb(published)))
    assert _points(recount.projects) == RANKED_POINTS[weighting]


@pytest.mark.parametrize("weighting", ["member", "coop", "class"])
def test_unnamed_voters_count_as_named_ones(
    region: tuple[Books, sqlite3.Connection], weighting: str
) -> None:
    """A count leaves voters unnamed (0, 1, 2, ...); with co-op floors, weights and
    every rule, the result is the one with voters named by their member ids."""
    books, connection = region
    poll = Poll.of(books, "R1", load_members(connection))
    poll = replace(poll, round=replace(poll.round, weighting=weighting))
    unnamed = round_problem(books, poll, connection, COUNTING_DAY)
    assert unnamed.voters.index.tolist() == [0, 1, 2, 3, 4]
    named = problem(
        round_election(books, poll, connection, COUNTING_DAY, voters="members"),
        points=unnamed.points_rule,
        budget=unnamed.budget,
        options=unnamed.options,
        lot_seed=poll.round.id,
        weighting=weighting,
    )
    assert sorted(named.voters.index) == ["a1", "a2", "a3", "a4", "b1"]
    floors = Options(coop_floors=True)
    for rule in ("greedy", "utilitarian", "mes"):
        assert count(unnamed, rule).selected == count(named, rule).selected
    with_floors = [replace(p, options=floors) for p in (unnamed, named)]
    assert count(with_floors[0], "utilitarian").selected == (
        count(with_floors[1], "utilitarian").selected
    )
    assert coop_floors(with_floors[0], "cbc") == coop_floors(with_floors[1], "cbc")
