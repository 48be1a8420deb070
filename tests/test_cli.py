"""The ``coopfund`` command, run as a user would (through click's runner)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from ledger.books import Books
from ledger.demo import MAIN
from ledger.fund import fund_report
from reports.cli import main


def test_demo_writes_a_checked_federation_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    runner = CliRunner()
    first = runner.invoke(main, ["demo", str(target)])
    assert first.exit_code == 0, first.output
    assert (target / MAIN).exists()
    assert f"coopfund serve {target / MAIN}" in first.output
    again = runner.invoke(main, ["demo", str(target)])
    assert again.exit_code == 1
    assert "already exists and is not empty" in again.output
    replaced = runner.invoke(main, ["demo", str(target), "--replace"])
    assert replaced.exit_code == 0, replaced.output


def test_demo_replace_never_touches_a_directory_that_is_not_a_demo(tmp_path: Path) -> None:
    mine = tmp_path / "books"
    mine.mkdir()
    (mine / "main.beancount").write_text('option "title" "My own books"\n')
    result = CliRunner().invoke(main, ["demo", str(mine), "--replace"])
    assert result.exit_code == 1
    assert "does not hold a coopfund demo" in result.output
    assert (mine / "main.beancount").read_text() == 'option "title" "My own books"\n'


def test_fund_table_csv_and_json_agree_with_the_report(
    demo_dir: Path, demo_books: Books
) -> None:
    report = fund_report(demo_books.entries, demo_books.federation, demo_books.last_date)
    riverside = next(p for p in report.positions if p.entity.id == "Riverside")
    runner = CliRunner()
    ledger = str(demo_dir / MAIN)

    table = runner.invoke(main, ["fund", ledger])
    assert table.exit_code == 0, table.output
    row = next(line for line in table.output.splitlines() if line.startswith("Riverside"))
    assert f"{riverside.bank:,.2f}" in row and f"{riverside.arrears:,.2f}" in row
    assert "TOTAL" in table.output

    rows = list(
        csv.DictReader(
            io.StringIO(runner.invoke(main, ["fund", ledger, "--format", "csv"]).output)
        )
    )
    assert (
        Decimal(next(r for r in rows if r["id"] == "Riverside")["available"])
        == riverside.available
    )

    parsed = json.loads(runner.invoke(main, ["fund", ledger, "--format", "json"]).output)
    assert parsed["as_of"] == str(demo_books.last_date)
    by_id = {r["id"]: r for r in parsed["rows"]}
    assert Decimal(by_id["Riverside"]["rent_due"]) == riverside.rent_due
    assert set(by_id) == {"North", *demo_books.federation.coops, "TOTAL"}


def test_fund_as_of_an_earlier_date(demo_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["fund", str(demo_dir / MAIN), "--as-of", "2024-12-31", "--format", "json"]
    )
    parsed = json.loads(result.output)
    assert (parsed["as_of"], parsed["year"]) == ("2024-12-31", 2024)


def test_fund_warns_about_ledger_errors_but_still_reports(tmp_path: Path) -> None:
    ledger = tmp_path / "books.beancount"
    ledger.write_text(
        'plugin "ledger.plugin"\n2024-01-01 custom "region" "North"\n'
        '2024-01-01 custom "coop" "lowercase"\n  region: "North"\n'
    )
    result = CliRunner().invoke(main, ["fund", str(ledger)])
    assert result.exit_code == 0
    assert f"{ledger} has 1 error(s)" in result.output
    assert f"{ledger}:3:" in result.output
    assert "North" in result.output


def test_serve_explains_how_to_add_the_extension(tmp_path: Path) -> None:
    ledger = tmp_path / "books.beancount"
    ledger.write_text('option "title" "Plain"\n')
    result = CliRunner().invoke(main, ["serve", str(ledger)])
    assert result.exit_code == 1
    assert 'custom "fava-extension" "reports.fava_ext"' in result.output


def test_unknown_ledger_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["fund", str(tmp_path / "missing.beancount")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
