"""Every malformed declaration is a Beancount error at its file and line, never a crash.

Each case is placed after a small valid federation; its first line is the
directive the error must point at. A valid lease sits in the same ledger and must
keep producing its charges: one bad lease does not take the others down.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount.core import data

from ledger.rent import CHARGE_SOURCE
from tests.conftest import load_text

HEADER = """\
option "operating_currency" "EUR"
plugin "ledger.plugin" "{'as_of': '2024-12-31'}"
2023-12-01 custom "region" "North"
2023-12-01 custom "coop" "Riverside"
  region: "North"
2023-12-01 custom "coop" "Hillside"
  region: "North"
2023-12-01 custom "collective" "Bakery"
  coop: "Riverside"
2023-12-01 custom "collective" "Dairy"
  coop: "Hillside"
2023-12-01 custom "index" "CPI" 100
2024-01-01 custom "lease" "GOOD"
  coop: "Riverside"
  collective: "Bakery"
  workplace: "1 Good Street"
  rent: 100.00 EUR
"""


def lease(lease_id: str = "BAD", **fields: str) -> str:
    """A lease directive starting 2024-02-01 with valid fields unless overridden."""
    values = {
        "coop": '"Riverside"',
        "collective": '"Bakery"',
        "workplace": '"2 Bad Street"',
        "rent": "500.00 EUR",
        **fields,
    }
    lines = [f'2024-02-01 custom "lease" "{lease_id}"']
    lines += [
        f"  {key.replace('_', '-')}: {value}" for key, value in values.items() if value
    ]
    return "\n".join(lines) + "\n"


CASES = {
    "unknown co-op": (lease(coop='"Nowhere"'), 'co-op "Nowhere" is not declared'),
    "unknown collective": (
        lease(collective='"Ghosts"'),
        'collective "Ghosts" is not declared',
    ),
    "collective of another co-op": (
        lease(collective='"Dairy"'),
        'collective "Dairy" belongs to co-op "Hillside", not "Riverside"',
    ),
    "negative rent": (lease(rent="-500.00 EUR"), "rent -500.00 EUR is negative"),
    "rent in another currency": (
        lease(rent="500.00 USD"),
        "rent is in USD but the co-op keeps its fund in EUR",
    ),
    "end before start": (
        lease(end="2024-01-15"),
        "end 2024-01-15 is before its start 2024-02-01",
    ),
    "bad frequency": (
        lease(frequency='"weekly"'),
        'field "frequency" must be one of "monthly", "quarterly", "yearly", got "weekly"',
    ),
    "bad due day": (
        lease(due_day="32"),
        'field "due-day" must be a whole number from 1 to 31',
    ),
    "missing rent": (lease(rent=""), 'missing field "rent"'),
    "rent is not an amount": (lease(rent='"a lot"'), 'field "rent" must be an amount'),
    "unknown index": (
        lease(indexation='"index"', index='"RPI"'),
        'index "RPI" has no values',
    ),
    "cap below floor": (
        lease(indexation='"index"', index='"CPI"', index_cap="1", index_floor="2"),
        "index-cap 1 is below index-floor 2",
    ),
    "bad indexation": (
        lease(indexation='"sometimes"'),
        'field "indexation" must be one of',
    ),
    "duplicate lease id": (
        lease("GOOD", workplace='"3 Other Street"'),
        'lease "GOOD" is already declared',
    ),
    "two leases on one workplace": (
        lease(workplace='"1 Good Street"'),
        'workplace "1 Good Street" of co-op "Riverside" is already let under lease "GOOD"',
    ),
    "id unusable in a link": (lease("BAD ID"), 'lease id "BAD ID" may use only'),
    "lease before its collective exists": (
        lease().replace("2024-02-01", "2023-11-01"),
        'starts 2023-11-01, before collective "Bakery" is declared (2023-12-01)',
    ),
    "rent change of an unknown lease": (
        '2024-03-01 custom "rent-change" "NOPE"\n  rent: 10.00 EUR\n',
        'rent-change refers to lease "NOPE", which is not declared',
    ),
    "rent change before the lease starts": (
        '2023-12-15 custom "rent-change" "GOOD"\n  rent: 10.00 EUR\n',
        'rent-change on 2023-12-15 is before lease "GOOD" starts',
    ),
    "rent change after termination": (
        '2024-06-01 custom "rent-change" "GOOD"\n  rent: 10.00 EUR\n'
        '2024-05-31 custom "lease-termination" "GOOD"\n',
        'rent-change on 2024-06-01 is after lease "GOOD" ends',
    ),
    "second termination": (
        '2024-07-01 custom "lease-termination" "GOOD"\n'
        '2024-05-31 custom "lease-termination" "GOOD"\n',
        'lease "GOOD" was already terminated on 2024-05-31',
    ),
    "co-op of an unknown region": (
        '2023-12-01 custom "coop" "Lakeside"\n  region: "South"\n',
        'co-op "Lakeside" names region "South", which is not declared',
    ),
    "id that is a chart word": (
        '2023-12-01 custom "collective" "Reserve"\n  coop: "Riverside"\n',
        'collective id "Reserve" is a word the chart of accounts uses',
    ),
    "id that cannot be in an account name": (
        '2023-12-01 custom "collective" "bakers"\n  coop: "Riverside"\n',
        'collective "bakers" must start with a capital letter',
    ),
    "duplicate id": (
        '2023-12-01 custom "collective" "Riverside"\n  coop: "Riverside"\n',
        'collective id "Riverside" is already declared',
    ),
    "index value that is not a number": (
        '2024-01-01 custom "index" "CPI" "high"\n',
        'custom "index" "CPI" needs a positive value',
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_malformed_declaration_is_an_error_at_its_line(case: str, tmp_path: Path) -> None:
    text, message = CASES[case]
    loaded = load_text(tmp_path / "ledger.beancount", HEADER + text)
    line = HEADER.count("\n") + 1
    assert [(e.source["filename"], e.source["lineno"]) for e in loaded.errors] == [
        (str(loaded.path), line)
    ], loaded.messages()
    assert message in loaded.errors[0].message
    good_charges = [
        e
        for e in loaded.entries
        if isinstance(e, data.Transaction)
        and e.meta["filename"] == CHARGE_SOURCE
        and e.meta["lease"] == "GOOD"
    ]
    assert good_charges, "the valid lease must still be charged"


def test_a_review_without_index_values_is_reported_at_the_lease(tmp_path: Path) -> None:
    text = HEADER.replace('2023-12-01 custom "index" "CPI" 100\n', "")
    text += '2024-06-01 custom "index" "CPI" 104\n' + lease(
        indexation='"index"', index='"CPI"'
    ).replace("2024-02-01", "2024-01-01")
    loaded = load_text(
        tmp_path / "ledger.beancount", text.replace("2024-12-31", "2025-02-01")
    )
    assert len(loaded.errors) == 1, loaded.messages()
    error = loaded.errors[0]
    assert (
        error.source["lineno"]
        == text.split("\n").index('2024-01-01 custom "lease" "BAD"') + 1
    )
    assert 'no "CPI" value on or before 2024-01-01' in error.message
    assert "the rent stays unchanged" in error.message


def test_bad_plugin_configuration_is_an_error_not_a_crash(tmp_path: Path) -> None:
    text = HEADER.replace("{'as_of': '2024-12-31'}", "{'as_of': 'someday'}")
    loaded = load_text(tmp_path / "ledger.beancount", text)
    assert len(loaded.errors) == 1
    assert "ledger.plugin configuration" in loaded.errors[0].message
    assert "{'as_of': 'YYYY-MM-DD'}" in loaded.errors[0].message
    assert loaded.errors[0].source["filename"] == str(loaded.path)
