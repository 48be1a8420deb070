"""One measurement in a fresh interpreter; ``bench.load`` and ``bench.fava`` run it.

Run as ``python -m bench.measure load FILE`` or ``python -m bench.measure fava
FILE``. It prints one line, ``BENCH-RESULT <json>``, last. Timings are taken
around the measured call only, so interpreter start-up and imports are not in
them; the peak memory is the process's peak resident set (``ru_maxrss``), which
includes the interpreter and the imported modules.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

#: The prefix of the result line on standard output.
RESULT = "BENCH-RESULT "

_PHASE = re.compile(r"Operation: '(?P<name>[^']+)'\s+Time:\s+(?P<ms>[0-9.]+) ms")


def peak_mib() -> float:
    """This process's peak resident memory so far, in MiB (``VmHWM``).

    Not ``ru_maxrss``: Linux carries that over from the parent through fork and
    exec, so a child of a large parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Start the peak from the current size (Linux: ``5`` in ``clear_refs``)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def measure_load(path: str) -> dict[str, Any]:
    """Time ``beancount.loader.load_file`` on ``path``, with a per-phase breakdown."""
    if os.environ.get("BEANCOUNT_DISABLE_LOAD_CACHE") is None:
        raise SystemExit("set BEANCOUNT_DISABLE_LOAD_CACHE=1: the pickle cache must be off")
    from beancount import loader  # noqa: PLC0415  (imports are not timed)
    from beancount.core import data  # noqa: PLC0415

    before = peak_mib()
    phases: dict[str, float] = {}

    def log_timing(line: str) -> None:
        found = _PHASE.search(line)
        if found:
            name = found["name"]
            phases[name] = phases.get(name, 0.0) + float(found["ms"]) / 1000

    began = time.perf_counter()
    entries, errors, _ = loader.load_file(path, log_timings=log_timing)
    seconds = time.perf_counter() - began
    postings = sum(len(e.postings) for e in entries if isinstance(e, data.Transaction))
    return {
        "seconds": seconds,
        "peak_mib": peak_mib(),
        "baseline_mib": before,
        "entries": len(entries),
        "postings": postings,
        "types": dict(Counter(type(entry).__name__ for entry in entries)),
        "errors": len(errors),
        "first_errors": [str(getattr(e, "message", e))[:300] for e in errors[:5]],
        "phases": phases,
    }


def measure_fava(path: str) -> dict[str, Any]:
    """Fava's first request (which loads the ledger), then the Fund page twice."""
    from beancount.core import data  # noqa: PLC0415
    from fava.application import create_app  # noqa: PLC0415
    from fava.util import slugify  # noqa: PLC0415

    title = re.search(r'^option "title" "([^"]*)"', Path(path).read_text(), re.MULTILINE)
    if title is None:
        raise SystemExit(f"{path} has no title option")
    slug = slugify(title[1])
    result: dict[str, Any] = {"slug": slug, "baseline_mib": peak_mib()}

    began = time.perf_counter()
    app = create_app([Path(path).resolve()], load=False)
    client = app.test_client()
    result["create_app_seconds"] = time.perf_counter() - began

    def get(key: str, url: str) -> bytes:
        began = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - began
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        body = response.get_data()
        result[key] = {"url": url, "seconds": seconds, "bytes": len(body)}
        return body

    # The page a browser opens first; the ledger is loaded inside this request.
    get("first_request", f"/{slug}/income_statement/")
    result["peak_mib_after_load"] = peak_mib()
    # The data the income statement page then fetches.
    get("income_statement_api", f"/{slug}/api/income_statement")
    page = get("fund_cold", f"/{slug}/extension/Fund/")
    get("fund_cached", f"/{slug}/extension/Fund/")
    if b"coopfund-fund-table" not in page:
        raise SystemExit("the Fund page does not show the fund table")

    ledger = app.config["LEDGERS"][slug]
    result["entries"] = len(ledger.all_entries)
    result["errors"] = len(ledger.errors)
    result["first_errors"] = [
        str(getattr(e, "message", e))[:300] for e in ledger.errors[:5]
    ]
    postings = Counter(
        posting.account
        for entry in ledger.all_entries
        if isinstance(entry, data.Transaction)
        for posting in entry.postings
    )
    busiest, count = postings.most_common(1)[0]
    result["busiest_account"] = {"account": busiest, "postings": count}
    result["postings"] = sum(postings.values())
    # Fava's account page: every posting of the account, serialised to JSON.
    get("account_report", f"/{slug}/api/account_report?a={busiest}")
    result["peak_mib"] = peak_mib()
    return result


def measure_roll(path: str) -> dict[str, Any]:
    """Load the ledger (with the plugin), then compute the rent roll on it."""
    from ledger.books import load_books  # noqa: PLC0415
    from ledger.rent_roll import rent_roll  # noqa: PLC0415
    from reports.rent_tables import roll_frame  # noqa: PLC0415

    began = time.perf_counter()
    books = load_books(Path(path))
    loaded = time.perf_counter()
    roll = rent_roll(books, books.last_date)
    frame = roll_frame(roll)
    done = time.perf_counter()
    return {
        "load_seconds": loaded - began,
        "roll_seconds": done - loaded,
        "leases": len(roll.rows),
        "rows": len(frame),
        "entries": len(books.entries),
        "errors": len(books.errors),
        "first_errors": [str(getattr(e, "message", e))[:300] for e in books.errors[:5]],
        "peak_mib": peak_mib(),
    }


def measure_import(path: str) -> dict[str, Any]:
    """Import ``path``'s statement into the ledger beside it, timing each step.

    ``path`` is a statement in a ledger directory's ``statements/`` folder; the
    ledger is ``main.beancount`` two levels up. The import writes to that ledger.
    """
    from ledger.books import check  # noqa: PLC0415
    from ledger.books import load_books  # noqa: PLC0415
    from ledger.files import replace_checked  # noqa: PLC0415
    from ledger.insertion import Placement  # noqa: PLC0415
    from ledger.insertion import insert  # noqa: PLC0415
    from ledger.reconcile import plan_import  # noqa: PLC0415
    from ledger.rent_import import read_for  # noqa: PLC0415

    statement = Path(path)
    main = statement.parent.parent / "main.beancount"
    marks = [time.perf_counter()]
    books = load_books(main)
    marks.append(time.perf_counter())
    statements = read_for(books, [statement])
    marks.append(time.perf_counter())
    plan = plan_import(books, statements)
    marks.append(time.perf_counter())
    entries = [entry for item in plan for entry in item.entries]
    included = [Path(name) for name in books.options["include"]]
    replace_checked(
        main, included, insert(Placement.of(books.entries, main), entries), check
    )
    marks.append(time.perf_counter())
    steps = ("load_seconds", "read_seconds", "plan_seconds", "write_and_check_seconds")
    return {
        **{step: marks[i + 1] - marks[i] for i, step in enumerate(steps)},
        "lines": sum(len(s.lines) for s in statements),
        "booked": sum(len(item.booked) for item in plan),
        "errors": len(books.errors),
        "first_errors": [],
        "peak_mib": peak_mib(),
    }


def main(argv: list[str]) -> None:
    """``load FILE``, ``fava FILE``, ``roll FILE`` or ``import STATEMENT``."""
    commands = {
        "load": measure_load,
        "fava": measure_fava,
        "roll": measure_roll,
        "import": measure_import,
    }
    if len(argv) != 2 or argv[0] not in commands:
        raise SystemExit("usage: python -m bench.measure load|fava|roll|import FILE")
    reset_peak()
    result = commands[argv[0]](argv[1])
    print(RESULT + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
