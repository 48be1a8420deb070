"""The rent roll and a collective's statement on the demo, by command and in Fava."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from ledger.books import Books
from ledger.demo import MAIN
from ledger.rent_roll import rent_roll
from ledger.tenant_statement import tenant_statement
from reports.cli import main
from reports.fava_server import fava_app

END_OF_BOOKS = datetime.date(2026, 10, 31)


def test_roll_rows_add_up_and_age_the_brewery_s_arrears(demo_books: Books) -> None:
    roll = rent_roll(demo_books, END_OF_BOOKS)
    rows = {row.lease: row for row in roll.rows}
    assert len(rows) == 14, "every lease, rent-free ones included"
    for row in roll.rows:
        assert row.paid + row.balance == row.charged
        assert sum(row.buckets.values()) == row.balance
    brewery = rows["OAK-MALT"]
    # Stopped paying from July 2026: July and August are more than 90 days old on
    # 31 October, September 60 days, October 30.
    assert brewery.buckets == {
        "0-30": Decimal("3800.00"),
        "31-60": Decimal("3800.00"),
        "61-90": Decimal("0.00"),
        "90+": Decimal("7600.00"),
    }
    assert rows["HAR-QUAY"].charged == 0
    assert {month.isoformat()[:7] for month in roll.unpaid_by_month} >= {
        "2026-07",
        "2026-10",
    }


def test_roll_command_prints_totals_and_json_for_one_coop(demo_dir: Path) -> None:
    ledger = str(demo_dir / MAIN)
    table = CliRunner().invoke(main, ["rent", "roll", ledger, "--as-of", "2026-10-31"])
    assert table.exit_code == 0, table.output
    assert "Rent roll as of 2026-10-31" in table.output
    federation = next(
        line for line in table.output.splitlines() if line.startswith("Federation")
    )
    assert "37,575.60" in federation
    parsed = json.loads(
        CliRunner()
        .invoke(
            main,
            [
                "rent",
                "roll",
                ledger,
                "--coop",
                "Oakfield",
                "--format",
                "json",
                "--as-of",
                "2026-10-31",
            ],
        )
        .output
    )
    levels = [(row["level"], row["collective"]) for row in parsed["rows"]]
    assert levels[-2:] == [("co-op", "Total"), ("federation", "Total")]
    assert {row["coop"] for row in parsed["rows"][:-1]} == {"Oakfield"}
    bad = CliRunner().invoke(main, ["rent", "roll", ledger, "--coop", "Nowhere"])
    assert bad.exit_code == 2 and 'no co-op "Nowhere"' in bad.output


def test_statement_runs_a_balance_that_ends_at_what_is_owed(
    demo_books: Books, demo_dir: Path
) -> None:
    lines = tenant_statement(demo_books, "Brewery", END_OF_BOOKS)
    assert lines[-1].balance == Decimal("15200.00")
    assert all(line.charge or line.payment for line in lines)
    result = CliRunner().invoke(
        main,
        ["rent", "statement", str(demo_dir / MAIN), "Brewery", "--as-of", "2026-10-31"],
    )
    assert result.exit_code == 0
    assert "Statement of Oakfield Brewers' Collective" in result.output
    assert result.output.rstrip().endswith("15,200.00")
    unknown = CliRunner().invoke(
        main, ["rent", "statement", str(demo_dir / MAIN), "Nobody"]
    )
    assert unknown.exit_code == 2 and 'no collective "Nobody"' in unknown.output


def test_rent_roll_page_in_fava(demo_dir: Path) -> None:
    client = fava_app(demo_dir / MAIN).test_client()
    page = client.get("/northern-federation/extension/RentRoll/?time=2026-10")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rent roll as of 2026-10-31" in html
    assert (
        'href="/northern-federation/extension/RentRoll/?time=2026-10&amp;collective=Brewery"'
        in html
    )
    assert '"type": "bar"' in html or '"type":"bar"' in html
    statement = client.get(
        "/northern-federation/extension/RentRoll/?time=2026-10&collective=Brewery"
    )
    text = statement.get_data(as_text=True)
    assert "Statement of Oakfield Brewers&#39; Collective" in text
    assert "15,200.00" in text
