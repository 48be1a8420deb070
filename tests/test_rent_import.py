"""Importing bank statements into a real ledger: atomic, checked, never twice."""

from __future__ import annotations

import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from fava.core import FavaLedger

from ledger.bank.model import StatementError
from ledger.books import check
from ledger.books import load_books
from ledger.demo import MAIN
from ledger.fund import fund_report
from ledger.reconcile import ImportRefused
from ledger.rent_import import import_statements
from ledger.rent_roll import rent_roll
from reports.cli import main

NOVEMBER = "statements/2026-11"


@pytest.fixture
def demo(demo_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo federation, safe to write to."""
    copy = tmp_path / "federation"
    shutil.copytree(demo_dir, copy)
    return copy


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def statements(folder: Path) -> list[Path]:
    return sorted((folder / NOVEMBER).iterdir())


def test_importing_the_demo_statements_twice_leaves_the_ledger_byte_identical(
    demo: Path,
) -> None:
    before = fingerprint(demo)
    first = import_statements(demo / MAIN, statements(demo))
    assert sum(len(item.booked) for item in first) == 22
    after_first = fingerprint(demo)
    assert after_first != before
    assert check(demo / MAIN) == []
    second = import_statements(demo / MAIN, statements(demo))
    assert all(not item.booked and item.duplicates for item in second)
    assert fingerprint(demo) == after_first


def test_imported_payments_show_on_the_rent_roll(demo: Path) -> None:
    import_statements(demo / MAIN, statements(demo))
    books = load_books(demo / MAIN)
    roll = rent_roll(books, books.last_date)
    rows = {row.lease: row for row in roll.rows}
    assert rows["RIV-MILL12"].balance == 0, "the Bakery paid November"
    assert rows["OAK-MALT"].balance > 0, "the Brewery still has not"
    unplaced = {(line.coop, line.remittance) for line in roll.unplaced}
    assert ("Riverside", "Donation to the fund") in unplaced
    assert len(roll.unplaced) == 14


def test_dry_run_prints_the_entries_and_writes_nothing(demo: Path) -> None:
    before = fingerprint(demo)
    result = CliRunner().invoke(
        main, ["rent", "import", str(demo / MAIN), *map(str, statements(demo)), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "Dry run: 28 entries would be added" in result.output
    assert (
        '2026-11-27 * "Bread & Roses Bakery Collective" "Rent 2026-11 RIV-MILL12"'
        in result.output
    )
    assert fingerprint(demo) == before


def test_a_bad_row_names_file_and_line_and_changes_nothing(demo: Path) -> None:
    broken = demo / NOVEMBER / "riverside.csv"
    text = broken.read_text(encoding="utf-8-sig").replace("27.11.2026;", "31.11.2026;", 1)
    broken.write_text("\ufeff" + text, encoding="utf-8")
    before = fingerprint(demo)
    with pytest.raises(StatementError) as error:
        import_statements(demo / MAIN, statements(demo))
    line = next(
        i for i, row in enumerate(text.splitlines(), 1) if row.startswith("31.11.2026")
    )
    assert str(error.value).startswith(f"{broken}:{line}:")
    assert "31.11.2026" in str(error.value)
    assert fingerprint(demo) == before
    result = CliRunner().invoke(main, ["rent", "import", str(demo / MAIN), str(broken)])
    assert result.exit_code == 1 and f"{broken}:{line}:" in result.output


def test_a_statement_of_an_unknown_account_is_refused(demo: Path, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger.csv"
    text = (demo / NOVEMBER / "riverside.csv").read_text(encoding="utf-8-sig")
    own_iban = text.splitlines()[0].split(";")[1]
    stranger.write_text(text.replace(own_iban, "DE89370400440532013000"), encoding="utf-8")
    before = fingerprint(demo)
    with pytest.raises(ImportRefused, match="is not the bank account of any fund"):
        import_statements(demo / MAIN, [stranger])
    assert fingerprint(demo) == before


def test_fava_s_import_page_uses_the_same_importer(demo: Path) -> None:
    fava = FavaLedger(str(demo / MAIN))
    found = {Path(f.name).name: f.importers for f in fava.ingest.import_data()}
    assert set(found) == {path.name for path in statements(demo)}
    (riverside,) = found["riverside.csv"]
    assert riverside.account == "Assets:North:Riverside:Fund"
    entries = fava.ingest.extract(
        str(demo / NOVEMBER / "riverside.csv"), riverside.importer_name
    )
    assert [getattr(e, "narration", None) for e in entries][:2] == [
        "Donation to the fund",
        "Rent 2026-11 RIV-MILL12",
    ]


def test_unplaced_money_is_held_back_from_what_is_available(demo: Path) -> None:
    import_statements(demo / MAIN, statements(demo))
    books = load_books(demo / MAIN)
    report = fund_report(books.entries, books.federation, books.last_date)
    riverside = next(p for p in report.positions if p.entity.id == "Riverside")
    assert riverside.unplaced == Decimal("140.50"), "a 150.00 donation less a 9.50 fee"
    parts = [
        riverside.available,
        riverside.unplaced,
        riverside.levy_due,
        riverside.reserve,
    ]
    assert riverside.bank == sum(parts, riverside.committed + riverside.deposits)


@pytest.mark.parametrize(
    ("name", "damage", "expected"),
    [
        ("central.camt053.xml", lambda text: text[: len(text) // 2], "not well-formed"),
        ("eastgate.csv", lambda text: "EUX".join(text.rsplit("EUR", 1)), '"EUX"'),
        ("eastgate.csv", lambda text: text.replace("-9,50", "-9,5O", 1), "-9,5O"),
    ],
)
def test_a_damaged_statement_is_refused_at_its_place(
    demo: Path, name, damage, expected
) -> None:  # type: ignore[no-untyped-def]
    path = demo / NOVEMBER / name
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = fingerprint(demo)
    with pytest.raises(StatementError) as error:
        import_statements(demo / MAIN, statements(demo))
    assert str(error.value).startswith(f"{path}:")
    assert expected in str(error.value)
    assert fingerprint(demo) == before
