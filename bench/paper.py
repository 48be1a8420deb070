"""Importing 100,000 paper ballots into the demo's regional round.

    .venv/bin/python -m bench.paper [--ballots N] [--runs N]

The demo federation gets a register of N extra members (spread over its six
co-ops, all of record before the cut-off), then a paper-ballot file of N rows for
round R2026-NORTH (up to five ranks each, cast on 2026-11-20). Each run imports it
into a fresh database and times reading, checking and storing (all in one
transaction), as ``coopfund round import-ballots`` does.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
import statistics
import time
from pathlib import Path

from allocation.ballots import Poll
from allocation.paper import import_paper
from allocation.register import load_members
from allocation.register import read_register
from allocation.register import save_members
from allocation.store import open_store
from bench.common import markdown_table
from bench.common import seconds
from bench.federation import OUT
from ledger.books import load_books
from ledger.demo import MAIN
from ledger.demo import write_demo

ROUND = "R2026-NORTH"
CAST_ON = datetime.datetime(2026, 11, 20, 18, 0)


def prepare(folder: Path, ballots: int) -> tuple[Path, Path]:
    """The demo with a register of ``ballots`` members and their paper ballots."""
    demo = folder / "demo"
    if not (demo / MAIN).exists():
        write_demo(demo)
    books = load_books(demo / MAIN)
    coops = sorted(books.federation.coops)
    proposals = [p.id for p in books.agenda.ballot(ROUND)]
    rng = random.Random("bench-paper")
    register = folder / "register.csv"
    paper = folder / "paper.csv"
    with register.open("w", newline="") as members, paper.open("w", newline="") as rows:
        who, what = csv.writer(members), csv.writer(rows)
        who.writerow(["member_id", "coop", "class", "collective", "joined", "left"])
        what.writerow(
            ["member_id", "rank_1", "rank_2", "rank_3", "rank_4", "rank_5", "date"]
        )
        for number in range(ballots):
            member = f"B{number:07d}"
            who.writerow(
                [member, coops[number % len(coops)], "consumer", "", "2020-01-01", ""]
            )
            ranking = rng.sample(proposals, rng.randint(1, 5))
            what.writerow([member, *ranking, *[""] * (5 - len(ranking)), CAST_ON.date()])
    return demo, paper


def run(demo: Path, register: Path, paper: Path) -> float:
    """One import into a fresh database; the seconds it took."""
    database = demo.parent / "bench.sqlite"
    for leftover in demo.parent.glob("bench.sqlite*"):
        leftover.unlink()
    books = load_books(demo / MAIN)
    connection = open_store(database)
    save_members(connection, read_register(register, books.federation))
    poll = Poll.of(books, ROUND, load_members(connection))
    began = time.perf_counter()
    stored = import_paper(connection, paper, poll, CAST_ON)
    took = time.perf_counter() - began
    connection.close()
    if len(stored) != sum(1 for _ in paper.open()) - 1:
        raise SystemExit("not every ballot was stored")
    return took


def main(argv: list[str] | None = None) -> None:
    """Prepare once, import ``--runs`` times, print the median."""
    parser = argparse.ArgumentParser(prog="python -m bench.paper", description=__doc__)
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    folder = OUT / "paper"
    folder.mkdir(parents=True, exist_ok=True)
    demo, paper = prepare(folder, args.ballots)
    times = []
    for number in range(args.runs):
        times.append(run(demo, folder / "register.csv", paper))
        print(f"[paper] run {number + 1}/{args.runs}: {times[-1]:.2f} s", flush=True)
    took = statistics.median(times)
    print(
        markdown_table(
            ["Ballots", "Runs", "Median s", "Ballots/s"],
            [[args.ballots, args.runs, seconds(took), round(args.ballots / took)]],
        )
    )


if __name__ == "__main__":
    main()
