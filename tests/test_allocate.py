"""``coopfund allocate`` and ``coopfund disburse`` on the demo, as the README runs them.

The session's ``counted_demo`` is the demo after the README's loop (register and
ballots imported, both rounds counted on counting day). Tests that change a ledger
work on their own copy of it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner

from allocation.pabulib import format_pb
from allocation.pabulib import read_pb
from ledger.books import check
from ledger.books import load_books
from ledger.commitments import round_file
from reports.cli import main
from tests.conftest import COUNTING_DAY
from tests.conftest import run_coopfund

ROUNDS = ("R2026-CEN", "R2026-NORTH")


def balances(ledger: Path) -> dict[str, Decimal]:
    """Each account's balance (in the one currency of the demo)."""
    totals: dict[str, Decimal] = {}
    for entry in load_books(ledger).entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                totals[posting.account] = (
                    totals.get(posting.account, Decimal(0)) + posting.units.number
                )
    return totals


@pytest.fixture
def copy(counted_demo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "federation"
    shutil.copytree(counted_demo.parent, target)
    return target / counted_demo.name


def test_counted_rounds_book_their_commitments_and_check(counted_demo: Path) -> None:
    assert check(counted_demo) == []
    books = load_books(counted_demo)
    totals = balances(counted_demo)
    for voting in ROUNDS:
        counted = json.loads(
            run_coopfund(
                "allocate", str(counted_demo), voting, "--as-of", COUNTING_DAY,
                "--dry-run", "--format", "json",
            ).split("\nDry run")[0]
        )  # fmt: skip
        funded = {row["proposal"]: Decimal(row["funded"]) for row in counted["rows"]}
        assert sum(funded.values()) == Decimal(counted["spent"]) > 0
        assert Decimal(counted["spent"]) <= Decimal(counted["budget"])
        for proposal, amount in funded.items():
            scope = books.agenda.proposals[proposal].scope
            entity = books.federation.coops.get(scope) or books.federation.regions[scope]
            account = entity.accounts.committed(proposal)
            assert totals.get(account, Decimal(0)) == amount, account
        text = round_file(books.agenda.rounds[voting]).read_text(encoding="utf-8")
        assert f'custom "allocation" "{voting}"' in text
        assert text.count('custom "allocation-result"') == len(funded)


def test_the_recorded_hash_is_the_published_file(copy: Path) -> None:
    run_coopfund("round", "export-pb", str(copy), "R2026-CEN", "--as-of", COUNTING_DAY)
    published = (copy.parent / "rounds" / "R2026-CEN.pb").read_text(encoding="utf-8")
    recorded = next(
        entry.meta["ballots-sha256"]
        for entry in load_books(copy).declarations
        if entry.type == "allocation" and entry.values[0].value == "R2026-CEN"
    )
    assert hashlib.sha256(published.encode()).hexdigest() == recorded
    contest = read_pb(copy.parent / "rounds" / "R2026-CEN.pb")
    assert format_pb(contest) == published


def test_counting_again_changes_nothing(copy: Path) -> None:
    files = sorted(copy.parent.rglob("*.beancount"))
    before = {path: path.read_bytes() for path in files}
    for voting in ROUNDS:
        output = run_coopfund("allocate", str(copy), voting, "--as-of", COUNTING_DAY)
        assert "is already up to date" in output
    assert {path: path.read_bytes() for path in files} == before


def test_a_dry_run_writes_nothing_and_an_open_round_is_refused(
    demo_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "federation"
    shutil.copytree(demo_dir, target)
    ledger = str(target / "main.beancount")
    run_coopfund("members", "import", ledger, str(target / "members.csv"))
    run_coopfund(
        "round",
        "import-ballots",
        ledger,
        "R2026-CEN",
        str(target / "ballots" / "R2026-CEN.csv"),
    )
    run_coopfund("allocate", ledger, "R2026-CEN", "--as-of", COUNTING_DAY, "--dry-run")
    assert not list(target.rglob("rounds"))
    early = CliRunner().invoke(
        main, ["allocate", ledger, "R2026-CEN", "--as-of", "2026-12-13"]
    )
    assert early.exit_code == 1
    assert "closes on 2026-12-13" in early.output


def test_a_changed_fund_before_the_close_needs_proceed(copy: Path) -> None:
    books = load_books(copy)
    central = books.federation.coops["Central"].accounts
    with copy.open("a", encoding="utf-8") as ledger:
        ledger.write(
            f'\n2026-12-01 * "A late gift, booked after the count"\n'
            f"  {central.unallocated}  1000.00 EUR\n"
            f"  {central.opening_equity}  -1000.00 EUR\n"
        )
    runner = CliRunner()
    refused = runner.invoke(
        main, ["allocate", str(copy), "R2026-CEN", "--as-of", COUNTING_DAY]
    )
    assert refused.exit_code == 1
    assert "entries dated on or before 2026-12-13 changed since" in refused.output
    assert "--proceed" in refused.output
    again = runner.invoke(
        main, ["allocate", str(copy), "R2026-CEN", "--as-of", COUNTING_DAY, "--proceed"]
    )
    assert again.exit_code == 0, again.output
    assert check(copy) == []


def test_disbursements_move_money_out_of_a_commitment(copy: Path) -> None:
    runner = CliRunner()
    books = load_books(copy)
    proposal = books.agenda.proposals["P26-C4"]  # a grant the demo's ballots fund
    chart = books.federation.coops["Central"].accounts
    paid = runner.invoke(
        main, ["disburse", str(copy), "P26-C4", "5000", "--date", "2026-12-20"]
    )
    assert paid.exit_code == 0, paid.output
    assert (
        "Paid 5,000.00 to P26-C4: 5,000.00 of 12,500.00 committed paid out." in paid.output
    )
    totals = balances(copy)
    assert totals[chart.committed("P26-C4")] == Decimal("7500.00")
    assert totals[chart.disbursed("P26-C4", proposal.instrument)] == Decimal("5000.00")
    over = runner.invoke(
        main, ["disburse", str(copy), "P26-C4", "8000", "--date", "2026-12-21"]
    )
    assert over.exit_code == 0
    assert "WARNING: 500.00 more than was committed" in over.output
    unknown = runner.invoke(main, ["disburse", str(copy), "P99", "1"])
    assert unknown.exit_code == 1 and 'no proposal "P99" is declared' in unknown.output
    assert check(copy) == []


def test_options_that_a_rule_cannot_honour_are_pointed_out(copy: Path) -> None:
    north = copy.parent.joinpath("north.beancount")
    text = north.read_text(encoding="utf-8")
    marked = text.replace(
        'custom "round" "R2026-NORTH"\n',
        'custom "round" "R2026-NORTH"\n  partial: TRUE\n',
        1,
    )
    assert marked != text
    north.write_text(marked, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["allocate", str(copy), "R2026-NORTH", "--as-of", COUNTING_DAY, "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "only the utilitarian rule honours them, and mes was asked" in result.output
