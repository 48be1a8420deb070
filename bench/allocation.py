"""Counting, end to end, against the reference library on the same inputs.

    .venv/bin/python -m bench.allocation --pabulib FILE.pb [FILE.pb ...]
    .venv/bin/python -m bench.allocation --synthetic 1000000x2000 1000000x20000

Real instances: for each file and rule, our whole path (read the ``.pb`` file,
score, build, solve) as the median of ``--runs`` runs, and pabutools' parse and
the same rule once, in its own process, cut off after ``--reference-timeout``
seconds. Pabulib's large files are not in this repository: download them from
https://pabulib.org (or the ``pabulib/pabulib_files`` repository).

Synthetic rounds: N ballots ranking 1 to 5 of P proposals (popularity falling
like 1/rank), stored once in our SQLite ballot store and written once as a
``.pb`` file under ``bench/out/allocation/``; then the optimum end to end from
each (the store path reads the current ballots of the electorate as
``round_problem`` does: in slices of member keys, voters unnamed).
``--stages 1000000x2000`` times a count from the store stage by stage.

Before and after: ``--against COMMIT`` times each rule on each ``--pabulib`` file
with this checkout and with COMMIT's (checked out apart as a git worktree), one
after the other in fresh processes, ``--runs`` rounds, the order swapped every
round, so that a slow spell of a shared machine falls on both; the table gives
both medians and the median of the rounds' ratios.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from allocation.ballots import counted_ballots
from allocation.ballots import record
from allocation.count import count
from allocation.election import Election
from allocation.election import election
from allocation.pabulib import format_pb
from allocation.pabulib import read_pb
from allocation.problem import problem
from allocation.round_export import vote_tables
from allocation.store import open_store
from allocation.store import transaction
from bench.common import ROOT
from bench.common import markdown_table
from bench.common import seconds
from bench.federation import OUT
from ledger.proposals import Round

RULES = ("greedy", "utilitarian", "mes")
COOPS = frozenset(f"C{n}" for n in range(1, 7))
ROUND = Round(
    id="BENCH",
    scope="Region",
    opens=datetime.date(2026, 11, 1),
    closes=datetime.date(2026, 11, 30),
    cutoff=datetime.date(2026, 10, 1),
    max_ranks=5,
    points="borda",
    budget=None,
    rule="utilitarian",
    quorum="0",
    conflict="allow",
    source={},
)


def timed(work: Callable[[], object], runs: int) -> float:
    """The median seconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def ours_from_file(path: Path, rule: str) -> None:
    """Read, score, build and solve, as ``coopfund pb allocate`` does."""
    count(problem(read_pb(path)), rule)


def reference(path: Path, rule: str, timeout: float) -> str:
    """pabutools' seconds for parse and rule, or "> timeout"."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.reference", rule, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return f"> {timeout:,.0f}"
    return seconds(json.loads(done.stdout.splitlines()[-1])["seconds"])


def real(files: list[Path], rules: list[str], runs: int, timeout: float) -> str:
    """The table for real Pabulib files."""
    rows = []
    for path in files:
        contest = read_pb(path)
        for rule in rules:
            ours = timed(lambda: ours_from_file(path, rule), runs)  # noqa: B023
            if timeout <= 0:  # (ours alone, for a sweep over many files)
                theirs, ratio = "not run", ""
            else:
                theirs = reference(path, rule, timeout)
                ratio = (
                    f"{float(theirs.replace(',', '')) / ours:,.0f}x"
                    if not theirs.startswith(">")
                    else f"> {timeout / ours:,.0f}x"
                )
            rows.append(
                [path.stem, len(contest.voters), len(contest.projects), rule,
                 seconds(ours), theirs, ratio]
            )  # fmt: skip
            print(f"[allocation] {path.stem} {rule}: {rows[-1][4:]}", flush=True)
    return markdown_table(
        ["File", "Voters", "Projects", "Rule", "Ours s", "pabutools s", "Ratio"], rows
    )


#: One count from a ``.pb`` file, as ``ours_from_file`` does, in whatever checkout
#: is the working directory (``-c`` puts it first on the path); it prints seconds.
_ONE_COUNT = """
import json, sys, time
from pathlib import Path
from allocation.count import count
from allocation.pabulib import read_pb
from allocation.problem import problem
began = time.perf_counter()
count(problem(read_pb(Path(sys.argv[2]))), sys.argv[1])
print(json.dumps(time.perf_counter() - began))
"""


def counted_in(root: Path, path: Path, rule: str) -> float:
    """Seconds to count ``path`` by ``rule`` with the code in ``root``."""
    done = subprocess.run(
        [sys.executable, "-c", _ONE_COUNT, rule, str(path.resolve())],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.splitlines()[-1])


def against(commit: str, files: list[Path], rules: list[str], rounds: int) -> str:
    """The table of this checkout against ``commit``, round by round alternately."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        before = Path(scratch) / "before"
        git = ["git", "-C", str(ROOT)]
        subprocess.run(
            [*git, "worktree", "add", "--detach", str(before), commit], check=True
        )
        try:
            for path, rule in itertools.product(files, rules):
                times: dict[Path, list[float]] = {before: [], ROOT: []}
                for round_ in range(rounds):
                    for root in (before, ROOT) if round_ % 2 == 0 else (ROOT, before):
                        times[root].append(counted_in(root, path, rule))
                ratio = statistics.median(
                    now / then for then, now in zip(times[before], times[ROOT], strict=True)
                )
                then, now = (statistics.median(times[root]) for root in (before, ROOT))
                rows.append([path.stem, rule, seconds(then), seconds(now), f"{ratio:.3f}"])
                print(f"[allocation] {path.stem} {rule}: {rows[-1][2:]}", flush=True)
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(before)], check=True)
    return markdown_table(["File", "Rule", f"{commit} s", "This checkout s", "Ratio"], rows)


def synthetic_election(ballots: int, proposals: int) -> Election:
    """``ballots`` rankings of 1 to 5 of ``proposals``; popularity like 1/rank."""
    rng = np.random.default_rng(7)
    ids = np.array([f"P{n:05d}" for n in range(proposals)], dtype=object)
    popularity = 1 / np.arange(1, proposals + 1)
    first = rng.choice(proposals, size=ballots, p=popularity / popularity.sum())
    lengths = rng.integers(1, 6, size=ballots)
    steps = rng.integers(1, max(2, proposals // 6), size=(ballots, 4)).cumsum(axis=1)
    picks = (first[:, None] + np.c_[np.zeros(ballots, dtype=int), steps]) % proposals
    keep = np.arange(5)[None, :] < lengths[:, None]
    voters = np.array([f"M{n:07d}" for n in range(ballots)], dtype=object)
    votes = pd.DataFrame(
        {
            "voter": np.repeat(voters, lengths),
            "project": ids[picks[keep]],
            "position": np.tile(np.arange(1, 6), (ballots, 1))[keep],
            "points": np.nan,
        }
    )
    costs = rng.integers(5_000, 500_000, size=proposals).astype(float)
    meta = {
        "description": f"synthetic {ballots}x{proposals}",
        "vote_type": "ordinal",
        "budget": str(int(costs.sum() // 10)),
        "scoring_fn": "borda",
    }
    return election(
        meta,
        pd.DataFrame({"cost": costs}, index=ids),
        pd.DataFrame({"coop": [f"C{1 + n % 6}" for n in range(ballots)]}, index=voters),
        votes,
    )


def store(contest: Election, path: Path) -> None:
    """Members and current ballots of ``contest`` in a fresh ballot store, the
    ballots stored as the ballot site stores them (:func:`record`)."""
    connection = open_store(path)
    coops = contest.voters["coop"]
    with transaction(connection):
        connection.executemany(
            "INSERT INTO members (member_id, coop, class, collective, joined) "
            "VALUES (?, ?, 'consumer', NULL, '2020-01-01')",
            ((voter, coops[voter]) for voter in contest.voters.index),
        )
    now = datetime.datetime(2026, 11, 20, 12)
    record(connection, ROUND.id, list(contest.ballots().items()), "web", now)
    connection.close()


#: The stages of a count from the store, as :func:`ours_from_store` times them.
STAGES = ("read", "vote tables", "election", "scores", "count")


def ours_from_store(path: Path, contest: Election, rule: str) -> list[float]:
    """Read the current ballots of the electorate, score, build and solve, as
    ``round_problem`` reads them for a count (voters unnamed, no receipts); the
    seconds of each of :data:`STAGES`."""
    marks = [time.perf_counter()]
    connection = open_store(path)
    counted = counted_ballots(connection, ROUND, COOPS, ids=False, receipts=False)
    connection.close()
    marks.append(time.perf_counter())
    voters, votes = vote_tables(counted, ROUND.id, names="unnamed")
    marks.append(time.perf_counter())
    asked = election(contest.meta, contest.projects, voters, votes)
    marks.append(time.perf_counter())
    scored = problem(asked)
    marks.append(time.perf_counter())
    count(scored, rule)
    marks.append(time.perf_counter())
    return [later - earlier for earlier, later in itertools.pairwise(marks)]


def stages(size: str, runs: int) -> str:
    """The median seconds of each stage of a greedy count of ``size`` from the store
    (after one call to warm up)."""
    ballots, proposals = (int(part) for part in size.split("x"))
    contest = synthetic_election(ballots, proposals)
    database = OUT / "allocation" / f"{size}.sqlite"
    if not database.exists():
        raise SystemExit(f"{database} is missing: run --synthetic {size} first")
    ours_from_store(database, contest, "greedy")
    times = [ours_from_store(database, contest, "greedy") for _ in range(runs)]
    medians = [statistics.median(stage) for stage in zip(*times, strict=True)]
    totals = statistics.median(sum(run) for run in times)
    return markdown_table(
        ["Ballots", "Proposals", *(f"{name} s" for name in STAGES), "Total s"],
        [[ballots, proposals, *map(seconds, medians), seconds(totals)]],
    )


def synthetic(sizes: list[str], runs: int) -> str:
    """The table for synthetic rounds, from our store and from a ``.pb`` file."""
    folder = OUT / "allocation"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sizes:
        ballots, proposals = (int(part) for part in size.split("x"))
        contest = synthetic_election(ballots, proposals)
        database, pb_file = folder / f"{size}.sqlite", folder / f"{size}.pb"
        if not database.exists():
            print(f"[allocation] writing {database} ...", flush=True)
            store(contest, database)
        if not pb_file.exists():
            pb_file.write_text(format_pb(contest), encoding="utf-8")
        for rule in ("greedy", "utilitarian"):
            from_store = timed(lambda: ours_from_store(database, contest, rule), runs)  # noqa: B023
            from_file = timed(lambda: ours_from_file(pb_file, rule), runs)  # noqa: B023
            rows.append([ballots, proposals, rule, seconds(from_store), seconds(from_file)])
            print(f"[allocation] {size} {rule}: {rows[-1][3:]}", flush=True)
    return markdown_table(
        ["Ballots", "Proposals", "Rule", "From our store s", "From .pb s"], rows
    )


def main(argv: list[str] | None = None) -> None:
    """Measure what was asked and print markdown tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.allocation", description=__doc__)
    parser.add_argument("--pabulib", nargs="*", type=Path, default=[])
    parser.add_argument("--synthetic", nargs="*", default=[])
    parser.add_argument("--rules", nargs="*", choices=RULES, default=list(RULES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--reference-timeout", type=float, default=600.0, help="0: do not run pabutools"
    )
    parser.add_argument(
        "--stages", nargs="*", default=[], help="sizes to time stage by stage (store)"
    )
    parser.add_argument(
        "--against", metavar="COMMIT", help="time the --pabulib files against COMMIT's code"
    )
    args = parser.parse_args(argv)
    if args.against and not args.pabulib:
        parser.error("--against times .pb files: give them with --pabulib FILE.pb ...")
    if args.pabulib and args.against:
        print(against(args.against, args.pabulib, args.rules, args.runs))
    elif args.pabulib:
        print(real(args.pabulib, args.rules, args.runs, args.reference_timeout))
    if args.synthetic:
        print(synthetic(args.synthetic, args.runs))
    for size in args.stages:
        print(stages(size, args.runs))


if __name__ == "__main__":
    main()
