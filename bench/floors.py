"""What two of the allocation targets would take: skeletons of the work a pandas
or numpy count must do, timed on the files that miss the targets.

    .venv/bin/python -m bench.floors --mes Hungary_Budapest_2024.pb
    .venv/bin/python -m bench.floors --scores FILE.pb [FILE.pb ...]

``--mes``: equal shares with Add1 runs once per Add1 budget. For the purchases
equal shares makes at budgets sampled evenly across the Add1 range, this times two
skeletons of a run, each multiplied by the number of runs Add1 makes:

* a count that keeps each voter's money (as ours and pabutools' do) must take each
  purchase's money from its supporters: the *updates* alone (gather, subtract,
  clip, scatter), with pricing free;
* a count that kept the money lazily, touching only the few supporters who may be
  short, still has to pick and price each purchase: the *bare loop*, per purchase
  a heap pop, a price from 64 supporters (gather, compare, dot) and a push, and
  nothing else (no runner-up priced, no bookkeeping).

``--scores``: 20x faster than pabutools' parse and greedy on a small file leaves
a twentieth of its time for our whole path. This times the scoring step alone
(ballots to points with pandas, which the issue asks for), on the file's votes
as read, against pabutools' parse and greedy, each the median of many calls in
this process.
"""

from __future__ import annotations

import argparse
import dataclasses
import heapq
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from pabutools.election import parse_pabulib

from allocation.election import positions
from allocation.mes import equal_shares
from allocation.pabulib import read_pb
from allocation.problem import Problem
from allocation.problem import problem
from allocation.scores import project_totals
from allocation.scores import vote_points
from bench.allocation import ours_from_file
from bench.common import markdown_table
from bench.reference import Oracle

#: How many Add1 budgets' purchases are sampled, evenly from first to last.
SAMPLES = 12


def median_seconds(work: Callable[[], object], calls: int, rounds: int = 7) -> float:
    """The median over ``rounds`` of the mean seconds of ``calls`` calls."""
    work()
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(calls):
            work()
        times.append((time.perf_counter() - began) / calls)
    return statistics.median(times)


def add1_runs(pb: Problem) -> tuple[int, float]:
    """How many times Add1 raises the budget, and equal shares' seconds."""
    raised = [0]

    def progress(runs: int, _spent: float) -> None:
        raised[0] = runs

    began = time.perf_counter()
    equal_shares(pb, progress)
    return raised[0], time.perf_counter() - began


def supporters_of(pb: Problem) -> list[np.ndarray]:
    """Each project's supporters, as voter positions."""
    project = positions(pb.votes["project"], pb.projects.index)
    voter = positions(pb.votes["voter"], pb.voters.index)
    return [voter[project == p] for p in range(len(pb.projects))]


def update_seconds(pb: Problem, supporters: list[np.ndarray]) -> float:
    """Seconds per run to take the purchases' money from their supporters."""
    share = np.full(len(pb.voters), pb.budget / len(pb.voters))

    def run() -> None:
        left = share.copy()
        for who in supporters:
            paid = left[who]
            paid -= 1.0
            left[who] = np.maximum(paid, 0.0, out=paid)

    return median_seconds(run, 200)


def bare_loop_seconds(purchases: int, projects: int) -> float:
    """Seconds per run of the bare loop: per purchase a pop, a price and a push."""
    rng = np.random.default_rng(0)
    left = rng.random(10_000)
    who = rng.choice(len(left), 64, replace=False)
    start = sorted((float(rho), p, p) for p, rho in enumerate(rng.random(projects)))

    def run() -> None:
        heap = list(start)
        for _ in range(purchases):
            rho, tie, project = heapq.heappop(heap)
            money = left[who]
            rho += float(np.dot(money, money < rho))
            heapq.heappush(heap, (rho, tie, project))

    return median_seconds(run, 2000)


def mes_floor(path: Path) -> str:
    """Both skeletons of a run of equal shares with Add1 on one file."""
    pb = problem(read_pb(path))
    runs, ours = add1_runs(pb)
    supporters = supporters_of(pb)
    rows, per_run, loop = [], [], []
    step = len(pb.voters)
    for raised in np.linspace(0, runs, SAMPLES, dtype=int):
        budget = pb.budget + raised * step
        at = dataclasses.replace(pb, budget=budget, mes_completion="none")
        bought = np.flatnonzero(equal_shares(at).funded.to_numpy() > 0)
        paying = [supporters[p] for p in bought]
        seconds = update_seconds(pb, paying)
        updated = sum(len(who) for who in paying)
        bare = bare_loop_seconds(len(bought), len(pb.projects))
        micro = [f"{seconds * 1e6:,.0f}", f"{bare * 1e6:,.1f}"]
        rows.append([f"{raised:,}", str(len(bought)), f"{updated:,}", *micro])
        per_run.append(seconds)
        loop.append(bare)
    table = markdown_table(
        ["Add1 raises so far", "Purchases", "Money updated", "Updates µs", "Bare loop µs"],
        rows,
    )
    runs_made = runs + 2  # the first, each raise that fit, and the one that did not
    median, bare = statistics.median(per_run), statistics.median(loop)
    return (
        f"{path.stem}: {len(pb.voters):,} voters, {len(pb.projects)} projects; "
        f"Add1 raises the budget {runs:,} times; equal shares {ours:.2f} s\n\n{table}\n\n"
        f"Median per run, x {runs_made:,} runs: updates {median * 1e6:,.0f} µs "
        f"= {median * runs_made:.2f} s; bare loop {bare * 1e6:,.1f} µs "
        f"= {bare * runs_made:.2f} s."
    )


def scores_floor(paths: list[Path]) -> str:
    """pabutools' parse and greedy against our scoring step alone, per file."""
    rows = []
    for path in paths:
        contest = read_pb(path)
        oracle = Oracle(path)
        pb = oracle.problem

        def reference(path: Path = path, oracle: Oracle = oracle) -> None:
            oracle.instance, oracle.profile = parse_pabulib(str(path))
            oracle.greedy()

        def scoring(
            votes: pd.DataFrame = contest.votes,
            projects: pd.Index = contest.projects.index,
            rule: str = pb.points_rule,
            ranked: bool = contest.vote_type == "ordinal",
        ) -> None:
            given = votes.assign(points=vote_points(votes, rule))
            project_totals(given, projects, ranked=ranked)

        def whole(path: Path = path) -> None:
            ours_from_file(path, "greedy")

        theirs = median_seconds(reference, 20)
        rows.append(
            [
                path.stem,
                f"{len(contest.voters):,}",
                f"{theirs * 1e3:.2f}",
                f"{theirs / 20 * 1e3:.3f}",
                f"{median_seconds(scoring, 100) * 1e3:.2f}",
                f"{median_seconds(whole, 20) * 1e3:.2f}",
            ]
        )
    return markdown_table(
        [
            "File",
            "Voters",
            "pabutools parse + greedy ms",
            "20x leaves ms",
            "Our pandas scoring alone ms",
            "Our whole path ms",
        ],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floors", description=__doc__)
    parser.add_argument("--mes", type=Path, nargs="*", default=[], metavar="FILE.pb")
    parser.add_argument("--scores", type=Path, nargs="*", default=[], metavar="FILE.pb")
    args = parser.parse_args(argv)
    if not args.mes and not args.scores:
        parser.error(
            "give --mes FILE.pb or --scores FILE.pb (Pabulib files, https://pabulib.org)"
        )
    for path in args.mes:
        print(mes_floor(path), end="\n\n")
    if args.scores:
        print(scores_floor(args.scores))


if __name__ == "__main__":
    main()
