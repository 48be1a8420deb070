"""Ballots per second through the real ballot site, many members at once.

    .venv/bin/python -m bench.ballots [--ballots 5000] [--clients 50] [--runs 3]

A small federation with one open round and a register of N members, each with a
ballot code; ``coopfund vote serve`` on a free loopback port (cheroot, as many
threads as clients); then ``--clients`` threads, each with its own cookies, cast
the N ballots the way a browser does: fetch the code page (session and CSRF
token), send the code, send the ranking, confirm. Reported: ballots per second,
and the p50/p95 latency of a whole ballot (four requests) and of one request.
The concurrency test (tests/test_ballot_concurrency.py) runs the same code.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from allocation.codes import issue
from allocation.register import Member
from allocation.register import save_members
from allocation.store import open_store
from allocation.store import store_path
from bench.common import markdown_table
from bench.common import seconds
from bench.federation import OUT

ROUND = "R-BENCH"
PROPOSALS = [f"P{n}" for n in range(1, 9)]
OPEN_ON = "2026-11-20"
LEDGER = f"""\
option "operating_currency" "EUR"
plugin "ledger.plugin"
2026-01-01 custom "region" "North"
2026-01-01 custom "coop" "Riverside"
  region: "North"
2026-11-01 custom "round" "{ROUND}"
  scope: "Riverside"
  closes: 2026-11-30
  cutoff: 2026-10-15
  max-ranks: 3
""" + "".join(
    f'2026-11-01 custom "proposal" "{p}"\n  title: "Proposal {p}"\n  cost: 1000.00 EUR\n'
    f'  scope: "Riverside"\n  round: "{ROUND}"\n'
    for p in PROPOSALS
)
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Vote:
    """One member's ballot as sent, and how long each of its requests took."""

    member: str
    ranking: tuple[str, ...]
    requests: tuple[float, ...]


def prepare(folder: Path, ballots: int) -> tuple[Path, list[tuple[str, str]]]:
    """A ledger with one open round, N members and their codes: (ledger, codes)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("coopfund.sqlite*"):
        old.unlink()
    ledger = folder / "main.beancount"
    ledger.write_text(LEDGER, encoding="utf-8")
    joined = datetime.date(2020, 1, 1)
    members = [
        Member(f"M{n:06d}", "Riverside", "consumer", None, joined, None)
        for n in range(ballots)
    ]
    connection = open_store(store_path(ledger))
    save_members(connection, members)
    issued = issue(connection, ROUND, members, datetime.date(2026, 11, 1))
    connection.close()
    return ledger, [(member.id, code) for member, code in issued]


@contextmanager
def serving(ledger: Path, port: int, threads: int) -> Iterator[str]:
    """``coopfund vote serve`` of ``ledger`` on ``port``, as of the round's opening."""
    coopfund = Path(sys.executable).with_name("coopfund")
    process = subprocess.Popen(
        [str(coopfund), "vote", "serve", str(ledger), "--port", str(port),
         "--threads", str(threads), "--as-of", OPEN_ON],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    raise RuntimeError(
                        f"the ballot site did not start:\n{output}"
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


class _Browser:
    """One member's connection, with the session cookie a browser would keep."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        self.took: list[float] = []

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> str:
        began = time.perf_counter()
        body = urllib.parse.urlencode(form, doseq=True) if form else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        self.took.append(time.perf_counter() - began)
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}\n{text[:500]}")
        return text


def cast(port: int, member: str, code: str, ranking: tuple[str, ...]) -> Vote:
    """Cast one ballot as a browser would: code page, code, ranking, confirm."""
    browser = _Browser(port)
    page = browser.request("GET", f"/round/{ROUND}")
    found = _TOKEN.search(page)
    if found is None:
        raise RuntimeError(f"no CSRF token on the code page:\n{page[:500]}")
    token = found.group(1)
    browser.request("POST", f"/round/{ROUND}", {"code": code, "csrf_token": token})
    browser.request(
        "POST", f"/round/{ROUND}/ballot", {"rank": list(ranking), "csrf_token": token}
    )
    browser.request("POST", f"/round/{ROUND}/confirm", {"csrf_token": token})
    browser.connection.close()
    return Vote(member, ranking, tuple(browser.took))


def rankings(codes: list[tuple[str, str]]) -> list[tuple[str, str, tuple[str, ...]]]:
    """A ranking of 1 to 3 proposals for each member, the same every run."""
    rng = random.Random("bench-ballots")
    return [(m, c, tuple(rng.sample(PROPOSALS, rng.randint(1, 3)))) for m, c in codes]


def storm(
    port: int, jobs: list[tuple[str, str, tuple[str, ...]]], clients: int
) -> list[Vote]:
    """Every job cast by ``clients`` threads at once."""
    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(lambda job: cast(port, *job), jobs))


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> None:
    """Prepare, run ``--runs`` storms against fresh databases, print a table."""
    parser = argparse.ArgumentParser(prog="python -m bench.ballots", description=__doc__)
    parser.add_argument("--ballots", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args(argv)
    rows = []
    for number in range(args.runs):
        ledger, codes = prepare(OUT / "ballots", args.ballots)
        with serving(ledger, args.port, args.clients):
            began = time.perf_counter()
            votes = storm(args.port, rankings(codes), args.clients)
            took = time.perf_counter() - began
        whole = [sum(v.requests) for v in votes]
        each = [t for v in votes for t in v.requests]
        rows.append((took, whole, each))
        print(f"[ballots] run {number + 1}: {len(votes) / took:,.0f} ballots/s", flush=True)
    took, whole, each = sorted(rows, key=lambda r: r[0])[len(rows) // 2]
    print(
        markdown_table(
            [
                "Ballots",
                "Clients",
                "Runs",
                "Median s",
                "Ballots/s",
                "Ballot p50 ms",
                "Ballot p95 ms",
                "Request p50 ms",
                "Request p95 ms",
            ],
            [
                [
                    args.ballots,
                    args.clients,
                    args.runs,
                    seconds(took),
                    round(args.ballots / took),
                    round(1000 * percentile(whole, 0.5)),
                    round(1000 * percentile(whole, 0.95)),
                    round(1000 * statistics.median(each)),
                    round(1000 * percentile(each, 0.95)),
                ]
            ],
        )
    )


if __name__ == "__main__":
    main()
