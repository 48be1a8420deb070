"""Our rules against pabutools on a random sample of real Pabulib files.

    .venv/bin/python -m bench.crosscheck DIR [--sample 60] [--seed 1] [--max-voters 3000]

DIR holds ``.pb`` files (for instance a checkout of ``pabulib/pabulib_files``'s
``pb_files``). For each sampled file with at most ``--max-voters`` voters (the
reference library is slow on large ones): greedy must select what pabutools'
greedy selects, the optimum must reach pabutools' maximum welfare, and equal
shares must select what pabutools' equal shares selects (with the file's own
completion). Files pabutools cannot read are skipped and named.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from allocation.count import count
from allocation.pabulib import read_pb
from bench.reference import Oracle


def differences(oracle: Oracle) -> list[str]:
    """The rules on which we and the reference library disagree on one file."""
    found = []
    if set(count(oracle.problem, "greedy").selected) != oracle.greedy():
        found.append("greedy")
    if abs(count(oracle.problem, "utilitarian").objective - oracle.max_welfare()) > 1e-6:
        found.append("utilitarian")
    if set(count(oracle.problem, "mes").selected) != oracle.equal_shares():
        found.append("mes")
    return found


def main(argv: list[str] | None = None) -> None:
    """Check a sample of files; print each difference and a summary line."""
    parser = argparse.ArgumentParser(prog="python -m bench.crosscheck", description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-voters", type=int, default=3000)
    args = parser.parse_args(argv)
    files = sorted(args.directory.glob("*.pb"))
    random.Random(args.seed).shuffle(files)
    checked = disagreed = 0
    sample = files[: args.sample]
    for number, path in enumerate(sample, 1):
        try:
            # (our reader first: pabutools takes seconds to read a large file it would skip)
            if len(read_pb(path).voters) > args.max_voters:
                continue
            oracle = Oracle(path)
        except Exception as error:  # either reader fails on some files; skip them
            print(f"skipped {path.name}: {type(error).__name__}: {error}")
            continue
        began = time.perf_counter()
        checked += 1
        found = differences(oracle)
        if found:
            disagreed += 1
            print(f"DIFFERENT {path.name}: {', '.join(found)}", flush=True)
        # (pabutools' equal shares can take minutes on one file: say how far it has got)
        seconds = time.perf_counter() - began
        print(f"[{number}/{len(sample)}] {path.name}: {seconds:.1f} s", file=sys.stderr)
    print(f"checked {checked} files, {disagreed} with a difference")


if __name__ == "__main__":
    main()
