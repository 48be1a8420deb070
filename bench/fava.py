"""Fava's first request and the coopfund Fund page, on the 100k federation.

    .venv/bin/python -m bench.fava [--size 100k] [--runs 3]

Each run is a fresh interpreter (``BEANCOUNT_DISABLE_LOAD_CACHE=1``) that creates
Fava's app without loading (``create_app([file], load=False)``) and then, through
Flask's test client:

1. opens the income statement page: Fava loads the ledger inside this request;
2. fetches the income statement's data (``/api/income_statement``), as the page does;
3. opens the Fund page ``/<slug>/extension/Fund/`` (cold: the report is computed);
4. opens it again (the report is cached by the extension);
5. fetches Fava's account report for the account with the most postings, the JSON
   a browser downloads for that account's page.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench.common import MeasureError
from bench.common import code_changed
from bench.common import machine
from bench.common import markdown_table
from bench.common import measure
from bench.common import median
from bench.common import save
from bench.common import warm_cache
from bench.federation import ensure_ledger
from bench.federation import scale_named
from ledger.demo import MAIN

REQUESTS = {
    "first_request": "First request: income statement page (loads the ledger)",
    "income_statement_api": "Income statement data (/api/income_statement)",
    "fund_cold": "Fund page, first request (cold)",
    "fund_cached": "Fund page, second request (cached)",
    "account_report": "Account report of the busiest account",
}


def tables(size: str, runs: list[dict[str, Any]]) -> str:
    """Median time and size per request, and what the runs loaded."""
    rows = [
        [
            label,
            f"{median([run[key]['seconds'] for run in runs]):.3f}",
            round(median([run[key]["bytes"] for run in runs]) / 1e6, 2),
        ]
        for key, label in REQUESTS.items()
    ]
    first = runs[0]
    busiest = first["busiest_account"]
    notes = [
        f"- {size}: {first['entries']:,} entries and {first['postings']:,} postings "
        f"after Fava's load, 0 errors; {len(runs)} runs.",
        f"- Busiest account: `{busiest['account']}` with {busiest['postings']:,} postings.",
        f"- Peak memory: {median([run['peak_mib'] for run in runs]):.0f} MiB "
        f"(after the first request: "
        f"{median([run['peak_mib_after_load'] for run in runs]):.0f} MiB).",
    ]
    table = markdown_table(["Request", "Median s", "Response MB"], rows)
    return table + "\n\n" + "\n".join(notes) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run Fava ``--runs`` times on one size and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.fava", description=__doc__)
    parser.add_argument("--size", default="100k")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        scale = scale_named(args.size)
    except ValueError as error:
        parser.error(str(error))
    info = machine()
    print(
        f"machine: {info['cpus']} CPUs, {info['cpu']}; Python {info['python']}, "
        f"beancount {info['beancount']}, fava {info['fava']}; code {info['code']}",
        flush=True,
    )
    manifest = ensure_ledger(scale)
    warm_cache(manifest)
    runs = []
    try:
        for run in range(args.runs):
            result = measure("fava", manifest.directory / MAIN)
            runs.append(result)
            timings = ", ".join(f"{key} {result[key]['seconds']:.2f} s" for key in REQUESTS)
            print(f"[{scale.name}] run {run + 1}/{args.runs}: {timings}", flush=True)
    except MeasureError as error:
        sys.exit(f"error: {error}")
    code_changed(info)
    path = save(f"results-fava-{scale.name}.json", {"machine": info, "runs": runs})
    print(f"\nraw results: {path}\n")
    print(tables(scale.name, runs))


if __name__ == "__main__":
    main()
