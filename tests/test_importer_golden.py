"""Golden files for the beangulp importer, the way beangulp tests its own examples.

For each of the demo's statements, ``tests/data/import/<file>.beancount`` holds
what :class:`~ledger.importer.CoopfundImporter` extracts from it against the demo
ledger: beangulp's ``;; Account:``, ``;; Date:`` and ``;; Name:`` header, then the
entries. After a deliberate change, regenerate with ``UPDATE_GOLDEN=1`` and read
the diff: the files must show what a treasurer would book by hand.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from beangulp.testing import compare_expected
from beangulp.testing import run_importer
from beangulp.testing import write_expected

from ledger.demo import MAIN
from ledger.importer import CoopfundImporter

EXPECTED = Path(__file__).parent / "data" / "import"
STATEMENTS = (
    "central.camt053.xml",
    "eastgate.csv",
    "harbour.csv",
    "millbrook.camt053.xml",
    "oakfield.camt053.xml",
    "riverside.csv",
)


@pytest.mark.parametrize("name", STATEMENTS)
def test_importer_extracts_what_the_golden_file_says(demo_dir: Path, name: str) -> None:
    importer = CoopfundImporter(demo_dir / MAIN)
    document = str(demo_dir / "statements" / "2026-11" / name)
    assert importer.identify(document)
    expected = EXPECTED / f"{name}.beancount"
    extracted = run_importer(importer, document)
    if os.environ.get("UPDATE_GOLDEN"):
        with io.StringIO() as buffer:
            write_expected(buffer, *extracted)
            expected.write_text(buffer.getvalue(), encoding="utf-8")
    assert not compare_expected(str(expected), *extracted)


def test_importer_ignores_files_that_are_not_a_fund_s_statement(demo_dir: Path) -> None:
    importer = CoopfundImporter(demo_dir / MAIN)
    assert not importer.identify(str(demo_dir / "members.csv"))
    assert not importer.identify(str(demo_dir / MAIN))
