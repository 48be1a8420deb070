"""The charges each kind of lease produces, pinned by date, amount and period.

Each test's docstring is the lease part of a ledger; ``charges_of`` puts the same
small federation above it (region North, co-op Riverside, collectives Bakery and
Cafe, declared 2023-12-01) and loads it through the plugin.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data

from ledger.numbers import units
from ledger.rent import CHARGE_SOURCE
from ledger.rent import CREDIT_SOURCE
from tests.conftest import Loaded
from tests.conftest import load_text

FEDERATION = """\
option "operating_currency" "EUR"
plugin "ledger.plugin" "{{'as_of': '{as_of}'}}"
2023-12-01 custom "region" "North"
2023-12-01 custom "coop" "Riverside"
  region: "North"
2023-12-01 custom "collective" "Bakery"
  coop: "Riverside"
  name: "Bread & Roses"
2023-12-01 custom "collective" "Cafe"
  coop: "Riverside"
"""

Row = tuple[str, str, str, str]


@pytest.fixture
def charges_of(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Load the test's docstring below FEDERATION; return its charges as rows."""

    def load(as_of: str) -> tuple[list[Row], Loaded]:
        text = FEDERATION.format(as_of=as_of) + request.function.__doc__.replace(
            "\n    ", "\n"
        )
        loaded = load_text(tmp_path / "ledger.beancount", text)
        assert not loaded.errors, loaded.messages()
        return charge_rows(loaded.entries), loaded

    return load


def charge_rows(entries: list[data.Directive]) -> list[Row]:
    """(due date, amount, first day, last day) of every generated charge."""
    return [
        (
            str(e.date),
            str(units(e.postings[0])),
            str(e.meta["period-start"]),
            str(e.meta["period-end"]),
        )
        for e in entries
        if isinstance(e, data.Transaction) and e.meta["filename"] == CHARGE_SOURCE
    ]


def test_regular_monthly_lease_charges_each_month_on_its_due_day(charges_of):
    """
    2024-01-01 custom "lease" "RIV-1"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 1000.00 EUR
      due-day: 3
    """
    rows, loaded = charges_of("2024-04-02")
    assert rows == [
        ("2024-01-03", "1000.00", "2024-01-01", "2024-01-31"),
        ("2024-02-03", "1000.00", "2024-02-01", "2024-02-29"),
        ("2024-03-03", "1000.00", "2024-03-01", "2024-03-31"),
    ]
    charge = next(e for e in loaded.entries if getattr(e, "meta", {}).get("period-start"))
    assert charge.links == {"lease-RIV-1"}
    assert charge.payee == "Bread & Roses"
    assert [p.account for p in charge.postings] == [
        "Assets:North:Riverside:Receivable:Rent:Bakery",
        "Income:North:Riverside:Rent:Bakery",
    ]


def test_partial_first_period_is_charged_pro_rata_from_the_start(charges_of):
    """
    2024-01-15 custom "lease" "RIV-1"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 1000.00 EUR
    """
    rows, _ = charges_of("2024-02-01")
    # 17 of January's 31 days: 1000 * 17 / 31 = 548.387... -> 548.39, due on the start.
    assert rows == [
        ("2024-01-15", "548.39", "2024-01-15", "2024-01-31"),
        ("2024-02-01", "1000.00", "2024-02-01", "2024-02-29"),
    ]


def test_rent_free_lease_produces_no_charge_at_all(charges_of):
    """
    2024-01-01 custom "lease" "RIV-FREE"
      coop: "Riverside"
      collective: "Cafe"
      workplace: "Acorn House"
      rent: 0.00 EUR
    """
    rows, loaded = charges_of("2024-12-31")
    assert rows == []
    receivable = "Assets:North:Riverside:Receivable:Rent:Cafe"
    assert not [
        e
        for e in loaded.entries
        if isinstance(e, data.Transaction)
        and any(p.account == receivable for p in e.postings)
    ]


def test_rent_holiday_charges_nothing_for_its_months_then_pro_rata(charges_of):
    """
    2024-03-10 custom "lease" "OAK-MALT"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "Maltings Hall"
      rent: 3800.00 EUR
      holiday-months: 6
    """
    rows, _ = charges_of("2024-10-01")
    # Rent commences 2024-09-10: 21 of September's 30 days = 2660.00.
    assert rows == [
        ("2024-09-10", "2660.00", "2024-09-10", "2024-09-30"),
        ("2024-10-01", "3800.00", "2024-10-01", "2024-10-31"),
    ]


def test_index_review_follows_cpi_within_cap_and_floor(charges_of):
    """
    2023-12-01 custom "index" "CPI" 100
    2024-12-01 custom "index" "CPI" 103
    2025-12-01 custom "index" "CPI" 112.27
    2026-12-01 custom "index" "CPI" 110
    2024-01-01 custom "lease" "RIV-CPI"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 2000.00 EUR
      indexation: "index"
      index: "CPI"
      index-cap: 5
      index-floor: 0
    """
    rows, _ = charges_of("2027-01-01")
    by_month = {row[2][:7]: row[1] for row in rows}
    assert by_month["2024-12"] == "2000.00"
    assert by_month["2025-01"] == "2060.00"  # CPI +3.00 %
    assert by_month["2026-01"] == "2163.00"  # CPI +9.00 %, capped at +5 %
    assert by_month["2027-01"] == "2163.00"  # CPI -2.02 %, floored at 0 %


def test_fixed_indexation_compounds_on_each_anniversary(charges_of):
    """
    2024-01-01 custom "lease" "MIL-ARCH"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "Station Arch 2"
      rent: 1000.00 EUR
      indexation: "fixed"
      indexation-rate: 2
    """
    rows, _ = charges_of("2026-01-01")
    by_month = {row[2][:7]: row[1] for row in rows}
    assert (by_month["2024-12"], by_month["2025-01"], by_month["2026-01"]) == (
        "1000.00",
        "1020.00",
        "1040.40",
    )


def test_rent_change_applies_from_the_first_period_starting_on_or_after_it(charges_of):
    """
    2024-01-01 custom "lease" "EAS-HALL"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "Market Hall"
      rent: 1000.00 EUR
    2024-03-01 custom "rent-change" "EAS-HALL"
      rent: 1200.00 EUR
    2024-05-15 custom "rent-change" "EAS-HALL"
      rent: 1300.00 EUR
    """
    rows, _ = charges_of("2024-06-01")
    assert [row[1] for row in rows] == [
        "1000.00",
        "1000.00",
        "1200.00",
        "1200.00",
        "1200.00",
        "1300.00",
    ]


def test_equal_rents_written_differently_keep_their_digits(charges_of):
    """
    2024-01-01 custom "lease" "EAS-HALL"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "Market Hall"
      rent: 1000 EUR
    2024-03-01 custom "rent-change" "EAS-HALL"
      rent: 1000.00 EUR
    """
    # Charges of the same amount share their postings; 1000 and 1000.00 are equal
    # numbers but must stay apart, as Beancount infers tolerances from the digits.
    rows, _ = charges_of("2024-04-01")
    assert [row[1] for row in rows] == ["1000", "1000", "1000.00", "1000.00"]


def test_termination_mid_period_charges_the_days_let_and_nothing_after(charges_of):
    """
    2024-01-01 custom "lease" "OAK-ARCADE"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "Market Arcade 7"
      rent: 1000.00 EUR
    2024-03-10 custom "lease-termination" "OAK-ARCADE"
      reason: "Moved out"
    """
    rows, _ = charges_of("2024-12-31")
    # 10 of March's 31 days: 322.58.
    assert rows[-1] == ("2024-03-01", "322.58", "2024-03-01", "2024-03-10")
    assert len(rows) == 3


def test_planned_end_is_the_last_day_charged(charges_of):
    """
    2024-01-01 custom "lease" "RIV-1"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 1000.00 EUR
      end: 2024-02-20
    """
    rows, _ = charges_of("2024-12-31")
    # 20 of February 2024's 29 days: 689.66.
    assert rows == [
        ("2024-01-01", "1000.00", "2024-01-01", "2024-01-31"),
        ("2024-02-01", "689.66", "2024-02-01", "2024-02-20"),
    ]


def test_quarterly_lease_bills_calendar_quarters_pro_rata_first(charges_of):
    """
    2024-02-01 custom "lease" "MIL-MILL"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "Old Mill"
      rent: 3000.00 EUR
      frequency: "quarterly"
      due-day: 5
    """
    rows, _ = charges_of("2024-07-05")
    # Q1 2024 has 91 days; 1 Feb to 31 Mar is 60 of them: 1978.02.
    assert rows == [
        ("2024-02-01", "1978.02", "2024-02-01", "2024-03-31"),
        ("2024-04-05", "3000.00", "2024-04-01", "2024-06-30"),
        ("2024-07-05", "3000.00", "2024-07-01", "2024-09-30"),
    ]


def test_yearly_lease_is_due_in_january_and_due_day_clamps_to_month_end(charges_of):
    """
    2024-01-01 custom "lease" "CEN-EX"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "Exchange"
      rent: 30000.00 EUR
      frequency: "yearly"
      due-day: 15
    2024-01-01 custom "lease" "CEN-31"
      coop: "Riverside"
      collective: "Cafe"
      workplace: "Corner"
      rent: 500.00 EUR
      due-day: 31
    """
    rows, _ = charges_of("2025-03-01")
    assert ("2024-01-15", "30000.00", "2024-01-01", "2024-12-31") in rows
    assert ("2025-01-15", "30000.00", "2025-01-01", "2025-12-31") in rows
    assert ("2024-02-29", "500.00", "2024-02-01", "2024-02-29") in rows
    assert ("2024-04-30", "500.00", "2024-04-01", "2024-04-30") in rows


def test_prepaid_credit_is_applied_to_the_next_charge(charges_of):
    """
    2024-01-01 custom "lease" "RIV-1"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 1000.00 EUR
    2024-01-05 * "Bread & Roses" "Rent January and a bit more"
      Assets:North:Riverside:Fund:Unallocated           1700.00 EUR
      Assets:North:Riverside:Receivable:Rent:Bakery    -1000.00 EUR
      Liabilities:North:Riverside:PrepaidRent:Bakery    -700.00 EUR
    """
    _, loaded = charges_of("2024-03-01")
    applied = [
        (str(e.date), str(units(e.postings[0])))
        for e in loaded.entries
        if isinstance(e, data.Transaction) and e.meta["filename"] == CREDIT_SOURCE
    ]
    assert applied == [("2024-02-01", "700.00")]
    balances: dict[str, Decimal] = {}
    for entry in loaded.entries:
        if isinstance(entry, data.Transaction) and entry.date <= datetime.date(2024, 3, 1):
            for posting in entry.postings:
                balances[posting.account] = balances.get(
                    posting.account, Decimal(0)
                ) + units(posting)
    assert balances["Liabilities:North:Riverside:PrepaidRent:Bakery"] == 0
    # February: 1000 - 700 credit = 300 owed; March: 1000 more.
    assert balances["Assets:North:Riverside:Receivable:Rent:Bakery"] == Decimal("1300.00")


def test_without_as_of_rent_is_charged_up_to_the_ledgers_last_entry(tmp_path: Path):
    text = FEDERATION.replace(
        "plugin \"ledger.plugin\" \"{{'as_of': '{as_of}'}}\"", 'plugin "ledger.plugin"'
    )
    text += """
2024-01-01 custom "lease" "RIV-1"
  coop: "Riverside"
  collective: "Bakery"
  workplace: "12 Mill Street"
  rent: 1000.00 EUR
2024-03-15 note Assets:North:Riverside:Fund "statement received"
"""
    loaded = load_text(tmp_path / "ledger.beancount", text)
    assert not loaded.errors, loaded.messages()
    assert [row[0] for row in charge_rows(loaded.entries)] == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
    ]


def test_generated_accounts_are_opened_with_the_declarations_metadata(tmp_path: Path):
    text = FEDERATION.format(as_of="2024-01-01").replace(
        '2023-12-01 custom "coop" "Riverside"\n',
        '2023-12-01 custom "coop" "Riverside"\n  iban: "DE02100500000054540402"\n',
    )
    text += '2023-12-01 open Income:North:Riverside:Rent:Cafe EUR\n  note: "mine"\n'
    loaded = load_text(tmp_path / "ledger.beancount", text)
    assert not loaded.errors, loaded.messages()
    opens = {e.account: e for e in loaded.entries if isinstance(e, data.Open)}
    assert opens["Assets:North:Riverside:Fund"].meta["iban"] == "DE02100500000054540402"
    assert opens["Income:North:Riverside:Rent:Cafe"].meta["note"] == "mine"  # not replaced
    assert {
        "Assets:North:Fund:Unallocated",
        "Assets:North:Riverside:Fund:Reserve",
        "Assets:North:Riverside:Fund:Deposits",
        "Assets:North:Riverside:Receivable:Rent:Bakery",
        "Liabilities:North:Riverside:PrepaidRent:Bakery",
        "Liabilities:North:Riverside:Deposits:Bakery",
        "Income:North:Riverside:Rent:Bakery",
        "Equity:North:Riverside:Opening",
    } <= set(opens)
    assert all(opens[a].currencies == ["EUR"] for a in opens)
