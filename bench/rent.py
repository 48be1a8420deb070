"""Rent reconciliation at scale: a 10,000-line statement import, and the rent roll.

    .venv/bin/python -m bench.rent [--runs N]

1. **Import**: a camt.053 statement of 10,000 lines for one co-op of the 10k
   federation (January 2026, after its books end): 60 % quote a lease, 20 % come
   from a collective's known IBAN, 10 % carry only its name, 10 % nobody can place.
   Each run imports it into a fresh copy of the ledger, timing the load, the
   reading, the booking plan and the checked, atomic write.
2. **Rent roll**: on the 100k federation (1,078 leases over ten years), the time to
   compute the roll after the ledger is loaded. Target: at most 1 s.

Each run is a fresh interpreter; the medians are printed as markdown tables.
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import sys
from decimal import Decimal
from typing import Any

from bench.common import MeasureError
from bench.common import machine
from bench.common import markdown_table
from bench.common import measure
from bench.common import median
from bench.common import save
from bench.common import seconds
from bench.federation import OUT
from bench.federation import ensure_ledger
from bench.federation import scale_named
from ledger.books import Books
from ledger.books import load_books
from ledger.demo import MAIN
from ledger.demo.statements import Statement
from ledger.demo.statements import StatementLine
from ledger.demo.statements import camt053_text
from ledger.numbers import units

LINES = 10_000
ROLL_TARGET_SECONDS = 1.0
_MONTH = datetime.date(2026, 1, 1)


def statement_for(books: Books, lines: int, seed: str = "bench-import") -> Statement:
    """A month's statement of the first co-op's fund with ``lines`` lines."""
    rng = random.Random(seed)
    coop = next(iter(books.federation.coops.values()))
    fund = coop.accounts.fund
    opening = sum(
        (
            units(p)
            for entry in books.entries
            if entry.date < _MONTH and hasattr(entry, "postings")
            for p in entry.postings
            if p.account.startswith(fund)
        ),
        Decimal(0),
    )
    own = [lease for lease in books.leases if lease.coop == coop.id]
    collectives = books.federation.collectives
    body = []
    for number in range(lines):
        lease = rng.choice(own)
        collective = collectives[lease.collective]
        kind = rng.random()
        day = _MONTH + datetime.timedelta(days=rng.randint(0, 30))
        amount = Decimal(rng.randint(10_000, 300_000)) / 100
        name, iban, text = collective.name, str(collective.extra.get("iban", "")), "rent"
        if kind < 0.6:
            text = f"Rent {day:%Y-%m} {lease.id}"
        elif kind < 0.8:
            name = "Payer"
        elif kind < 0.9:
            iban = ""
        else:
            name, iban, text = "Somebody else", "", "unknown transfer"
        ref = f"BENCH{number:06d}"
        body.append(StatementLine(day, amount, name, iban, text, ref))
    body.sort(key=lambda line: line.date)
    return Statement(
        coop.id,
        coop.name,
        str(coop.extra["iban"]),
        coop.currency,
        _MONTH,
        _MONTH.replace(day=31),
        opening,
        tuple(body),
        "camt053",
    )


def import_runs(runs: int) -> list[dict[str, Any]]:
    """Import the big statement into a fresh copy of the 10k ledger, ``runs`` times."""
    source = ensure_ledger(scale_named("10k")).directory
    statement = statement_for(load_books(source / MAIN), LINES)
    results = []
    for run in range(runs):
        copy = OUT / "import-10k"
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(source, copy)
        path = copy / "statements" / "bench.camt053.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(camt053_text(statement), encoding="utf-8")
        result = measure("import", path)
        total = sum(value for key, value in result.items() if key.endswith("_seconds"))
        print(
            f"[import] run {run + 1}/{runs}: {result['lines']:,} lines, "
            f"{result['booked']:,} booked in {total:.2f} s",
            flush=True,
        )
        results.append(result)
    return results


def roll_runs(runs: int) -> list[dict[str, Any]]:
    """Load the 100k ledger and compute its rent roll, ``runs`` times."""
    main = ensure_ledger(scale_named("100k")).directory / MAIN
    results = []
    for run in range(runs):
        result = measure("roll", main)
        print(
            f"[roll] run {run + 1}/{runs}: load {result['load_seconds']:.2f} s, "
            f"roll {result['roll_seconds']:.2f} s ({result['leases']:,} leases)",
            flush=True,
        )
        results.append(result)
    return results


def tables(imports: list[dict[str, Any]], rolls: list[dict[str, Any]]) -> str:
    """The two result tables and the verdict on the rent roll's target."""
    steps = ["load_seconds", "read_seconds", "plan_seconds", "write_and_check_seconds"]
    medians = {step: median([run[step] for run in imports]) for step in steps}
    total = median([sum(run[step] for step in steps) for run in imports])
    lines = imports[0]["lines"]
    import_table = markdown_table(
        [
            "Lines",
            "Runs",
            "Load ledger s",
            "Read statement s",
            "Plan s",
            "Write + check s",
            "Total s",
            "Lines/s (read + plan)",
        ],
        [
            [
                lines,
                len(imports),
                *(seconds(medians[s]) for s in steps),
                seconds(total),
                round(lines / (medians["read_seconds"] + medians["plan_seconds"])),
            ]
        ],
    )
    load = median([run["load_seconds"] for run in rolls])
    roll = median([run["roll_seconds"] for run in rolls])
    roll_table = markdown_table(
        ["Leases", "Entries", "Runs", "Load s", "Rent roll s", "Roll / load"],
        [
            [
                rolls[0]["leases"],
                rolls[0]["entries"],
                len(rolls),
                seconds(load),
                seconds(roll),
                f"{roll / load * 100:.1f} %",
            ]
        ],
    )
    met = "met" if roll <= ROLL_TARGET_SECONDS else "NOT met"
    verdict = (
        f"- rent roll adds {roll:.2f} s (target <= {ROLL_TARGET_SECONDS:.0f} s): {met}"
    )
    return "\n\n".join([import_table, roll_table, verdict]) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run both measurements and print the tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.rent", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args(argv)
    info = machine()
    try:
        imports = import_runs(args.runs)
        rolls = roll_runs(args.runs)
    except MeasureError as error:
        sys.exit(f"error: {error}")
    path = save("results-rent.json", {"machine": info, "import": imports, "roll": rolls})
    print(f"\nraw results: {path}\n")
    print(tables(imports, rolls))


if __name__ == "__main__":
    main()
