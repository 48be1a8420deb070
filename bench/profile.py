"""Where the load with the rent plugin spends its time: cProfile on one load.

    .venv/bin/python -m bench.profile [--size 100k] [--top 25] [--bare]

Loads the size's ``main.beancount`` (``--bare``: ``bare.beancount``) once under
cProfile, with Beancount's pickle cache off, and prints the functions with the most
own time: all of them, then only the project's (``ledger/``), then what the
plugin's entry point calls. The profile is saved as ``bench/out/profile-<size>.prof``
for ``python -m pstats`` or snakeviz. cProfile slows down code that makes many
small calls more than the rest; compare the total with ``bench.load``'s medians.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from pathlib import Path

from beancount import loader

from bench.common import markdown_table
from bench.federation import BARE
from bench.federation import OUT
from bench.federation import ensure_ledger
from bench.federation import scale_named
from ledger.demo import MAIN

_LEDGER = f"{os.sep}ledger{os.sep}"

#: pstats keys a function by (filename, line, name); its entry is (primitive calls,
#: calls, own time, cumulative time, callers).
StatsKey = tuple[str, int, str]


def _where(key: StatsKey) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    parts = Path(filename).parts
    for anchor in ("ledger", "beancount", "fava"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            return f"{'/'.join(parts[index:])}:{line} {function}"
    return f"{Path(filename).name}:{line} {function}"


def top(stats: pstats.Stats, count: int, only_ledger: bool, by: int) -> str:
    """A table of the ``count`` functions with the most own (by=2) or total (3) time."""
    table = stats.stats  # type: ignore[attr-defined]
    keys = [key for key in table if not only_ledger or _LEDGER in key[0]]
    keys.sort(key=lambda key: table[key][by], reverse=True)
    rows = [
        [
            _where(key),
            table[key][1],
            round(table[key][2], 3),
            round(table[key][3], 3),
        ]
        for key in keys[:count]
    ]
    return markdown_table(["Function", "Calls", "Own s", "Cumulative s"], rows)


def main(argv: list[str] | None = None) -> None:
    """Profile one load and print the tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--size", default="100k")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--bare", action="store_true", help="profile the bare load")
    args = parser.parse_args(argv)
    # ledger.demo imports the loader, which then has already read the variable.
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    loader.initialize(use_cache=False)

    manifest = ensure_ledger(scale_named(args.size))
    path = manifest.directory / (BARE if args.bare else MAIN)
    profile = cProfile.Profile()
    began = time.perf_counter()
    profile.enable()
    _, errors, _ = loader.load_file(str(path))
    profile.disable()
    seconds = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{path} loads with {len(errors)} errors")
    saved = OUT / f"profile-{args.size}{'-bare' if args.bare else ''}.prof"
    profile.dump_stats(saved)
    stats = pstats.Stats(profile)
    print(f"{path}: {seconds:.1f} s under cProfile; profile saved to {saved}\n")
    print(f"## Top {args.top} functions by own time\n")
    print(top(stats, args.top, only_ledger=False, by=2))
    print(f"\n## Top {args.top} ledger/ functions by own time\n")
    print(top(stats, args.top, only_ledger=True, by=2))
    print(f"\n## Top {args.top} ledger/ functions by cumulative time\n")
    print(top(stats, args.top, only_ledger=True, by=3))


if __name__ == "__main__":
    main()
