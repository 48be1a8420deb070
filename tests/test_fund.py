"""Each fund's position, computed from a small ledger whose numbers are worked by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ledger.books import books_from
from ledger.fund import fund_report
from reports.fund_table import TOTAL_ID
from reports.fund_table import fund_frame
from tests.conftest import Loaded


def test_fund_position_and_rent_of_the_year(load_doc: Loaded) -> None:
    """
    option "operating_currency" "EUR"
    plugin "ledger.plugin" "{'as_of': '2025-03-31'}"
    2024-01-01 custom "region" "North"
    2024-01-01 custom "coop" "Riverside"
      region: "North"
    2024-01-01 custom "collective" "Bakery"
      coop: "Riverside"
    2024-01-01 custom "lease" "RIV-1"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 1000.00 EUR
      end: 2025-02-28

    2024-01-01 * "Opening balance"
      Assets:North:Riverside:Fund:Unallocated   5000.00 EUR
      Assets:North:Riverside:Fund:Reserve       2000.00 EUR
      Assets:North:Fund:Unallocated            90000.00 EUR
      Equity:North:Riverside:Opening           -7000.00 EUR
      Equity:North:Opening                    -90000.00 EUR

    2024-01-01 * "Deposit"
      Assets:North:Riverside:Fund:Deposits       500.00 EUR
      Liabilities:North:Riverside:Deposits:Bakery

    2024-12-20 * "Rent 2024, all of it"
      Assets:North:Riverside:Fund:Unallocated  12000.00 EUR
      Assets:North:Riverside:Receivable:Rent:Bakery

    2025-01-10 * "Rent January and a little extra"
      Assets:North:Riverside:Fund:Unallocated   1250.00 EUR
      Assets:North:Riverside:Receivable:Rent:Bakery  -1000.00 EUR
      Liabilities:North:Riverside:PrepaidRent:Bakery  -250.00 EUR

    2025-01-15 open Assets:North:Riverside:Fund:Committed:P1
    2025-01-15 open Expenses:North:Riverside:Grants:P1
    2025-01-15 * "Round 2025: commit"
      Assets:North:Riverside:Fund:Unallocated   -3000.00 EUR
      Assets:North:Riverside:Fund:Committed:P1   3000.00 EUR

    2025-02-01 * "Grant, first part"
      Assets:North:Riverside:Fund:Committed:P1  -1000.00 EUR
      Expenses:North:Riverside:Grants:P1
    """
    assert not load_doc.errors, load_doc.messages()
    books = books_from(load_doc.entries, load_doc.errors, load_doc.options)
    report = fund_report(books.entries, books.federation, datetime.date(2025, 3, 31))
    north, riverside = report.positions
    assert north.entity.id == "North" and north.bank == Decimal("90000.00")
    # Bank: 5000 + 2000 + 500 + 12000 + 1250 - 1000 (grant paid) = 19750.
    assert riverside.bank == Decimal("19750.00")
    assert riverside.reserve == Decimal("2000.00")
    assert riverside.committed == Decimal("2000.00")
    assert riverside.deposits == Decimal("500.00")
    # Unallocated: 5000 + 12000 + 1250 - 3000.
    assert riverside.available == Decimal("15250.00")
    assert riverside.unplaced == 0
    assert riverside.bank == (
        riverside.available + riverside.reserve + riverside.committed + riverside.deposits
    )
    # 2025: January and February charged (lease ends 28 Feb); the 250 credit pays
    # part of February, so 750 is still owed.
    assert riverside.rent_due == Decimal("2000.00")
    assert riverside.rent_received == Decimal("1250.00")
    assert riverside.arrears == Decimal("750.00")
    assert riverside.credit == Decimal("0.00")
    months = {m.month_end.month: m for m in report.months}
    assert months[1].received == {"Riverside": Decimal("1250.00")}
    assert months[2].due == {"Riverside": Decimal("1000.00")}
    assert list(months) == [1, 2, 3]

    frame = fund_frame(report)
    total = frame[frame["id"] == TOTAL_ID].iloc[0]
    assert total["bank"] == Decimal("109750.00")
    assert total["available"] == Decimal("105250.00")


def test_an_earlier_as_of_date_reports_that_day_and_that_year(load_doc: Loaded) -> None:
    """
    option "operating_currency" "EUR"
    plugin "ledger.plugin" "{'as_of': '2025-03-31'}"
    2024-01-01 custom "region" "North"
    2024-01-01 custom "coop" "Riverside"
      region: "North"
    2024-01-01 custom "collective" "Bakery"
      coop: "Riverside"
    2024-01-01 custom "lease" "RIV-1"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 1000.00 EUR
    2024-02-03 * "Rent"
      Assets:North:Riverside:Fund:Unallocated  1000.00 EUR
      Assets:North:Riverside:Receivable:Rent:Bakery
    """
    books = books_from(load_doc.entries, load_doc.errors, load_doc.options)
    report = fund_report(books.entries, books.federation, datetime.date(2024, 2, 29))
    riverside = report.positions[1]
    assert report.year == 2024
    assert (riverside.rent_due, riverside.rent_received) == (
        Decimal("2000.00"),
        Decimal("1000.00"),
    )
    assert riverside.arrears == Decimal("1000.00")
