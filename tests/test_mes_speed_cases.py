"""Equal shares on elections that make Add1 run many times, against the rule
counted plainly.

:mod:`allocation.mes` counts the Add1 budgets a block at a time, bounds the prices
of each run by those of a run with a larger budget, and prices a project from who
was short of money with a smaller one. Here every Add1 budget is counted on its
own and every project priced afresh before each purchase, as the rule is
written, so a shortcut that changed an outcome would show. The elections are
drawn at random, with a budget that many voters would need to top up many times:
approval ballots (one utility per project, compared as one number) and ranked
ones (Borda points), each voter weighing one or weighed by co-op, and a project
that is an exact copy of another, so that ties are decided by the tie order.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np
import pytest

from allocation.mes import equal_shares
from allocation.pabulib import parse_pb
from allocation.problem import Problem
from allocation.problem import problem

_TIE = 1e-9


def _drawn(seed: int, vote_type: str) -> str:
    """A Pabulib file: 8 to 15 projects (the last a copy of the first), 60 to 160
    voters in co-ops A and B choosing 1 to 5 of them, a budget of a third of all
    costs."""
    rng = np.random.default_rng(seed)
    drawn = int(rng.integers(7, 15))
    costs = [*(int(c) * 10 for c in rng.integers(20, 200, size=drawn)), 0]
    costs[-1] = costs[0]
    popularity = rng.random(drawn) + 0.2
    ballots = []
    for voter in range(int(rng.integers(60, 161))):
        picks = rng.choice(
            drawn,
            size=int(rng.integers(1, 6)),
            replace=False,
            p=popularity / popularity.sum(),
        ).tolist()
        if 0 in picks:  # the copy is chosen with the original, just after it
            picks.insert(picks.index(0) + 1, drawn)
        names = ",".join(f"p{p}" for p in picks)
        ballots.append(f"v{voter};{names};{'AB'[int(rng.random() < 0.3)]}\n")
    projects = "".join(f"p{p};{cost}\n" for p, cost in enumerate(costs))
    return (
        f"META\nkey;value\ndescription;drawn {seed}\nvote_type;{vote_type}\n"
        f"budget;{sum(costs) // 3}\nPROJECTS\nproject_id;cost\n{projects}"
        f"VOTES\nvoter_id;vote;coop\n{''.join(ballots)}"
    )


def _supporters(counted: Problem) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each project's supporters (voter positions) and the utility each gives it."""
    projects = counted.projects
    costs = projects["cost"].to_numpy(dtype=float)
    voter_at = {voter: n for n, voter in enumerate(counted.voters.index)}
    found: list[tuple[list[int], list[float]]] = [([], []) for _ in costs]
    votes = counted.votes
    for voter, project, points in zip(
        votes["voter"], votes["project"], votes["points"], strict=True
    ):
        p = projects.index.get_loc(project)
        utility = points * costs[p] if counted.mes_utility == "cost" else points
        if utility > 0:
            found[p][0].append(voter_at[voter])
            found[p][1].append(utility)
    return [(np.array(who, dtype=int), np.array(values)) for who, values in found]


def _price(cost: float, budget: np.ndarray, utility: np.ndarray) -> float:
    """Equal shares' price per unit of utility (inf: they cannot afford it)."""
    if budget.sum() < cost * (1 - _TIE):
        return float("inf")
    rho = cost / utility.sum()
    short = budget < rho * utility * (1 - _TIE)
    while short.any():
        rho = (cost - budget[short].sum()) / utility[~short].sum()
        more = budget < rho * utility * (1 - _TIE)
        if (more == short).all() or more.all():
            break
        short = more
    return float(rho)


def _run(
    counted: Problem, supporters: list[tuple[np.ndarray, np.ndarray]], budget: float
) -> np.ndarray:
    """One run of equal shares, every project priced afresh before each purchase."""
    costs = counted.projects["cost"].to_numpy(dtype=float)
    ties = counted.projects["tie"].to_numpy()
    weights = counted.voters["weight"].to_numpy(dtype=float)
    left = budget * weights / weights.sum()
    chosen = np.zeros(len(costs), dtype=bool)
    while True:
        best: tuple[float, int] | None = None
        for p in np.argsort(ties):
            who, utility = supporters[p]
            if chosen[p] or not len(who):
                continue
            rho = _price(costs[p], left[who], utility)
            if rho < float("inf") and (best is None or rho < best[0] * (1 - _TIE)):
                best = (rho, int(p))
        if best is None:
            return chosen
        rho, p = best
        who, utility = supporters[p]
        left[who] -= np.minimum(left[who], rho * utility)
        chosen[p] = True


class _Add1(NamedTuple):
    """What Add1 did, counted plainly: the last outcome that fits, how many times
    the budget was raised to reach it, and how many budgets were tried."""

    chosen: np.ndarray
    raised: int
    tried: int


def _add1(counted: Problem) -> _Add1:
    """Equal shares with Add1, every Add1 budget counted on its own."""
    costs = counted.projects["cost"].to_numpy(dtype=float)
    supporters = _supporters(counted)

    def exhaustive(chosen: np.ndarray) -> bool:
        left = counted.budget - costs[chosen].sum()
        return not np.any(~chosen & (costs <= left + 1e-9))

    chosen, budget, tried = _run(counted, supporters, counted.budget), counted.budget, 0
    while not exhaustive(chosen):
        budget += len(counted.voters)
        tried += 1
        larger = _run(counted, supporters, budget)
        if costs[larger].sum() > counted.budget + 1e-6:
            return _Add1(chosen, tried - 1, tried)
        chosen = larger
    return _Add1(chosen, tried, tried)


def _plain(counted: Problem) -> tuple[set[str], int]:
    """Equal shares with Add1, then greedy, every Add1 budget counted on its own;
    and how many budgets Add1 tried."""
    projects = counted.projects
    costs = projects["cost"].to_numpy(dtype=float)
    chosen, _, tried = _add1(counted)
    chosen = chosen.copy()
    left = counted.budget - costs[chosen].sum()
    points = projects["points"].to_numpy(dtype=float)
    for p in np.lexsort((projects["tie"].to_numpy(), -points)):
        if not chosen[p] and points[p] > 0 and costs[p] <= left:
            chosen[p] = True
            left -= costs[p]
    return set(projects.index[chosen]), tried


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("weighting", ["member", "coop"])
@pytest.mark.parametrize("vote_type", ["approval", "ordinal"])
def test_equal_shares_selects_what_the_rule_counted_plainly_selects(
    seed: int, weighting: str, vote_type: str
) -> None:
    counted = problem(parse_pb(_drawn(seed, vote_type)), weighting=weighting)
    selected, tried = _plain(counted)
    assert tried > 14  # Add1 went through several blocks of budgets
    assert set(equal_shares(counted).selected) == selected


#: One voter, two projects whose prices differ by a rounding's worth (5e-10 of
#: each other): p's a hair lower, q first in the tie order (it costs less). The
#: voter can pay for one of them only.
_NEAR_TIE = """META
key;value
description;a near tie
vote_type;cumulative
budget;2500000000
PROJECTS
project_id;cost
p;1999999999
q;1000000000
VOTES
voter_id;vote;points
a;p,q;2,1
"""


def test_a_price_within_rounding_of_another_goes_to_the_tie_order() -> None:
    """Prices within rounding of each other are equal, so the tie order decides:
    q is bought. (Before, p, cheaper by rounding but later in the tie order, was
    put back on top of the heap after losing, and lost again, for ever: hence the
    count in a thread with a deadline.)"""
    counted = problem(parse_pb(_NEAR_TIE))
    outcomes = []
    count = threading.Thread(
        target=lambda: outcomes.append(equal_shares(counted)), daemon=True
    )
    count.start()
    count.join(timeout=60)
    assert outcomes, "equal shares did not end"
    assert set(outcomes[0].selected) == {"q"} == _plain(counted)[0]


@pytest.mark.parametrize("seed", range(2))
def test_add1_reports_how_far_it_has_gone(seed: int) -> None:
    """Add1 tells, block after block, how many times it has raised the budget and
    what the last outcome that fits spends: at the end, what counting every
    budget plainly finds."""
    counted = problem(parse_pb(_drawn(seed, "approval")))
    heard: list[tuple[int, float]] = []
    equal_shares(counted, lambda raised, spent: heard.append((raised, spent)))
    plainly = _add1(counted)
    costs = counted.projects["cost"].to_numpy(dtype=float)
    assert len(heard) > 3
    assert [raised for raised, _ in heard] == sorted(raised for raised, _ in heard)
    assert all(spent <= counted.budget for _, spent in heard)
    assert heard[-1] == (plainly.raised, costs[plainly.chosen].sum())
