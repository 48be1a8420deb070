"""Reading any statement file: format by content, golden readings, the demo's files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.parser import parser

from ledger.bank.csvfile import CsvLayout
from ledger.bank.layouts import read_layouts
from ledger.bank.model import StatementError
from ledger.bank.read import read_statements
from ledger.bank.read import statement_format
from ledger.demo import demo_files
from ledger.demo.generate import generate
from ledger.demo.northern import NORTHERN
from tests.bank_golden import DATA
from tests.bank_golden import check_golden

#: Written for the project: every quirk, and balances that add up.
OWN = [
    "coop-bank.csv",
    "credit-debit.csv",
    "ofx1-sgml.ofx",
    "ofx2-xml.ofx",
    "camt053-two-statements.xml",
    "mt940-two-statements.sta",
]
#: Published samples (see SOURCES.md); their balances need not add up.
PUBLIC = [
    "public/beangulp-csvbank-statement.csv",
    "public/ofxparse-multiple_accounts.ofx",
    "public/ofxparse-bank_medium.ofx",
    "public/genkgo-camt053.v2.five.decimals.xml",
    "public/mt940-jejik-triodos.sta",
    "public/mt940-jejik-abnamro.sta",
]


@pytest.fixture(scope="module")
def layouts() -> list[CsvLayout]:
    """The layouts declared in the fixtures' ledger, read as the importer reads them."""
    entries, errors, _ = loader.load_file(str(DATA / "layouts.beancount"))
    assert not errors
    found, problems = read_layouts(entries)
    assert not problems
    return found


@pytest.mark.parametrize("name", OWN + PUBLIC)
def test_golden_reading(name: str, layouts: list[CsvLayout]) -> None:
    check_golden(DATA / name, read_statements(DATA / name, layouts))


@pytest.mark.parametrize("name", OWN)
def test_own_fixtures_add_up(name: str, layouts: list[CsvLayout]) -> None:
    for statement in read_statements(DATA / name, layouts):
        statement.check_arithmetic()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("coop-bank.csv", "csv"),
        ("credit-debit.csv", "csv"),
        ("ofx1-sgml.ofx", "ofx"),
        ("ofx2-xml.ofx", "ofx"),
        ("camt053-two-statements.xml", "camt053"),
        ("mt940-two-statements.sta", "mt940"),
        ("public/mt940-jejik-abnamro.sta", "mt940"),
        ("public/ofxparse-bank_medium.ofx", "ofx"),
    ],
)
def test_format_is_recognised_by_content(name: str, kind: str) -> None:
    assert statement_format((DATA / name).read_bytes()) == kind


def test_a_file_under_a_misleading_name_is_still_read(
    tmp_path: Path, layouts: list[CsvLayout]
) -> None:
    renamed = tmp_path / "statement.csv"
    renamed.write_bytes((DATA / "camt053-two-statements.xml").read_bytes())
    assert len(read_statements(renamed, layouts)) == 2


def test_csv_matching_no_layout_says_what_to_do(
    tmp_path: Path, layouts: list[CsvLayout]
) -> None:
    path = tmp_path / "other-bank.csv"
    path.write_text("Datum;Betrag;Verwendungszweck\n01.11.2026;12,00;Miete\n", "utf-8")
    with pytest.raises(StatementError) as raised:
        read_statements(path, layouts)
    message = str(raised.value)
    assert message.startswith(f"{path}: no bank-csv layout in the ledger has the headings")
    assert 'custom "bank-csv"' in message
    assert '"coop-bank" needs "Booking date"' in message
    assert "'Datum;Betrag;Verwendungszweck'" in message


def test_csv_without_any_layout(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Date,Amount\n2026-11-01,1.00\n", "utf-8")
    with pytest.raises(StatementError, match="the ledger declares none"):
        read_statements(path, [])


def test_other_camt_messages_are_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "intraday.xml"
    text = (DATA / "camt053-two-statements.xml").read_text("utf-8")
    path.write_text(text.replace("camt.053.001.08", "camt.052.001.08"), "utf-8")
    with pytest.raises(StatementError, match=r"camt\.052 message, not a camt\.053"):
        read_statements(path, [])


def test_a_missing_file_is_a_statement_error(tmp_path: Path) -> None:
    with pytest.raises(StatementError, match="cannot read the file"):
        read_statements(tmp_path / "nowhere.csv", [])


def test_every_demo_statement_reads_and_adds_up(tmp_path: Path) -> None:
    """The demo's CSV (with its own bank-csv directive) and camt.053 files."""
    files = demo_files()
    entries, errors, _ = parser.parse_string(files["federation.beancount"])
    assert not errors
    layouts, problems = read_layouts(entries)
    assert not problems
    assert [layout.name for layout in layouts] == ["coop-bank"]
    written = {s.iban: s for s in generate(NORTHERN).statements}
    names = [name for name in files if name.startswith("statements/")]
    assert {name.rsplit(".", 1)[-1] for name in names} == {"csv", "xml"}
    for name in names:
        path = tmp_path / Path(name).name
        path.write_text(files[name], encoding="utf-8")
        (statement,) = read_statements(path, layouts)
        statement.check_arithmetic()
        demo = written[statement.account]
        assert statement.opening is not None
        assert statement.closing is not None
        moved = sum((line.amount for line in statement.lines), Decimal(0))
        assert statement.opening + moved == statement.closing == demo.closing
        assert (statement.start, statement.end) == (demo.start, demo.end)
        assert len(statement.lines) == len(demo.lines)
        assert [
            (x.date, x.amount, x.bank_ref, x.counterparty, x.remittance)
            for x in statement.lines
        ] == [
            (x.date, x.amount, x.bank_ref, x.counterparty, x.remittance) for x in demo.lines
        ]
