"""Consolidating a federation of many co-op ledgers: serial against parallel.

    .venv/bin/python -m bench.consolidation                 # 1,000 co-ops, 5 years
    .venv/bin/python -m bench.consolidation --coops 200 --runs 1 --workers 1 2

Writes (once; ``--regenerate`` to redo) a federation of ``--coops`` co-ops with
the demo's layout (``bench/out/consolidation-<N>c-<Y>y/``): each co-op's own
ledger ``coops/<id>/main.beancount``, holding its books over ``--years`` years
and the region's 3% levy. Then times ``ledger.consolidation_run.summarise_all``
over all the co-op ledgers, with each ``--workers`` count (1 is serial, in this
process), ``--runs`` times each, and checks that every run gives the same
consolidated statement. Medians go to stdout as a Markdown table, every run to
``bench/out/results-consolidation-*.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import shutil
import time
from pathlib import Path

from bench.common import median
from bench.federation import OUT
from bench.federation import count_directives
from bench.federation import federation_spec
from ledger.consolidation import consolidate
from ledger.consolidation_run import summarise_all
from ledger.demo import coop_main
from ledger.demo import demo_files
from ledger.periods import parse_period

#: The statement's period and day: the synthetic books end on 2025-12-31.
YEAR = parse_period("2025")
AS_OF = datetime.date(2025, 12, 31)


def ensure_federation(
    coops: int, years: int, *, regenerate: bool
) -> tuple[Path, list[str]]:
    """The directory of the generated federation, and its co-op ledgers' paths."""
    directory = OUT / f"consolidation-{coops}c-{years}y"
    spec = dataclasses.replace(federation_spec(coops, years), levy_rate="3%")
    mains = [str(directory / coop_main(coop.id)) for coop in spec.coops]
    if directory.exists() and not regenerate:
        return directory, mains
    print(f"generating {coops} co-op ledgers x {years} years into {directory} ...")
    began = time.perf_counter()
    files = demo_files(spec)
    if directory.exists():
        shutil.rmtree(directory)
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(files):,} files in {time.perf_counter() - began:.0f} s")
    return directory, mains


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coops", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 2])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    directory, mains = ensure_federation(args.coops, args.years, regenerate=args.regenerate)
    entries = sum(
        count_directives(Path(main).with_name("books.beancount").read_bytes())
        for main in mains
    )
    summarise_all(mains[:1], YEAR, AS_OF, workers=1)  # imports warmed before timing
    results: dict[int, list[float]] = {}
    statement = None
    for workers in args.workers:
        for run in range(args.runs):
            began = time.perf_counter()
            summaries = summarise_all(mains, YEAR, AS_OF, workers=workers)
            seconds = time.perf_counter() - began
            found = consolidate(summaries, YEAR, AS_OF)
            if any(summary.errors for summary in summaries):
                first = next(s for s in summaries if s.errors)
                raise SystemExit(f"{first.ledger} has errors: {first.errors[0]}")
            if statement is not None and found.levels != statement.levels:
                raise SystemExit("runs disagree on the consolidated statement")
            statement = found
            results.setdefault(workers, []).append(seconds)
            print(f"workers={workers} run {run + 1}: {seconds:.1f} s", flush=True)
    assert statement is not None
    serial = median(results[min(results)])
    print(
        f"\n{len(mains):,} co-op ledgers, {entries:,} entries written, "
        f"{args.years} years; statement {YEAR.label} as of {AS_OF}\n"
    )
    print("| workers | median s | ledgers/s | speed-up |")
    print("|---:|---:|---:|---:|")
    for workers, times in sorted(results.items()):
        middle = median(times)
        print(
            f"| {workers} | {middle:.1f} | {len(mains) / middle:.1f} | "
            f"{serial / middle:.2f}x |"
        )
    level = statement.levels[0]
    print(
        f"\nconsolidated: {len(level.coops):,} co-ops, "
        f"rent in {level.total['rent_received']:,}, bank {level.total['bank']:,}"
    )
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = OUT / f"results-consolidation-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "coops": len(mains),
                "years": args.years,
                "directory": str(directory),
                "runs": {str(k): v for k, v in results.items()},
                "cpu_count": os.cpu_count(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"every run: {out}")


if __name__ == "__main__":
    main()
