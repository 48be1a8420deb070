"""``coopfund members`` and ``coopfund round`` on a copy of the demo federation."""

from __future__ import annotations

import csv
import datetime
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pabutools.election import parse_pabulib

from allocation.pabulib import read_pb
from ledger.books import load_books
from ledger.demo import MAIN
from ledger.fund import available_on
from reports.cli import main


@pytest.fixture
def federation(demo_dir: Path, tmp_path: Path) -> Path:
    """A copy of the demo with its member register loaded; its main ledger file."""
    copy = tmp_path / "federation"
    shutil.copytree(demo_dir, copy)
    ledger = copy / MAIN
    result = CliRunner().invoke(
        main, ["members", "import", str(ledger), str(copy / "members.csv")]
    )
    assert result.exit_code == 0, result.output
    return ledger


def test_a_round_from_codes_to_the_published_count(
    federation: Path, tmp_path: Path
) -> None:
    run = CliRunner().invoke
    codes = run(
        main,
        ["round", "codes", str(federation), "R2026-CEN", "--out", str(tmp_path),
         "--as-of", "2026-11-20"],
    )  # fmt: skip
    assert codes.exit_code == 0, codes.output
    listing = tmp_path / "R2026-CEN-codes.csv"
    assert listing.stat().st_mode & 0o777 == 0o600
    with listing.open(encoding="utf-8") as handle:
        issued = list(csv.DictReader(handle))
    assert {row["coop"] for row in issued} == {"Central"}
    assert f"{len(issued)} codes issued for R2026-CEN" in codes.output

    paper = tmp_path / "paper.csv"
    voters = [row["member_id"] for row in issued[:3]]
    paper.write_text(
        "member_id,rank_1,rank_2,rank_3,date\n"
        f"{voters[0]},P26-C1,P26-C3,,2026-11-20\n"
        f"{voters[1]},P26-C2,P26-C1,P26-C4,2026-11-21\n"
        f"{voters[2]},P26-C6,,,2026-11-22\n",
        encoding="utf-8",
    )
    stored = run(
        main, ["round", "import-ballots", str(federation), "R2026-CEN", str(paper)]
    )
    assert stored.exit_code == 0, stored.output
    turnout = json.loads(
        run(
            main, ["round", "turnout", str(federation), "R2026-CEN", "--format", "json"]
        ).output
    )
    assert turnout["rows"][-1]["voted"] == 3

    early = run(
        main,
        ["round", "export-pb", str(federation), "R2026-CEN", "--as-of", "2026-12-13"],
    )
    assert early.exit_code == 1
    assert "closes on 2026-12-13: export it from 2026-12-14 on" in early.output
    assert not (federation.parent / "rounds" / "R2026-CEN.pb").exists()

    export = run(
        main,
        ["round", "export-pb", str(federation), "R2026-CEN", "--as-of", "2026-12-14"],
    )
    assert export.exit_code == 0, export.output
    published = federation.parent / "rounds" / "R2026-CEN.pb"
    assert f"3 ballots on 6 proposals of R2026-CEN written to {published}" in export.output
    contest = read_pb(published)
    books = load_books(federation)
    at_close = available_on(
        books.entries, books.federation, "Central", datetime.date(2026, 12, 13)
    )
    assert at_close > 0
    assert contest.budget == at_close
    assert sorted(contest.ballots().values()) == [
        ("P26-C1", "P26-C3"),
        ("P26-C2", "P26-C1", "P26-C4"),
        ("P26-C6",),
    ]
    instance, profile = parse_pabulib(str(published))
    assert Decimal(str(float(instance.budget_limit))) == at_close
    assert sorted(tuple(p.name for p in ballot) for ballot in profile) == sorted(
        contest.ballots().values()
    )
