"""Booking statements: matching by reference, IBAN and name, splitting, suspense, checks.

The statements here are built directly in the model every reader produces, so these
tests are about booking alone; the readers have their own tests.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data

from ledger.bank.model import BankLine
from ledger.bank.model import BankStatement
from ledger.bank.model import Where
from ledger.books import books_from
from ledger.numbers import units
from ledger.reconcile import ImportRefused
from ledger.reconcile import plan_import
from tests.conftest import Loaded
from tests.conftest import load_text

LEDGER = """\
option "operating_currency" "EUR"
plugin "ledger.plugin" "{'as_of': '2024-03-31'}"
2024-01-01 custom "region" "North"
2024-01-01 custom "coop" "Riverside"
  region: "North"
  iban: "DE02 1005 0000 0054 5404 02"
2024-01-01 custom "collective" "Bakery"
  coop: "Riverside"
  name: "Bread & Roses"
  iban: "DE11111111111111111111"
2024-01-01 custom "collective" "Cafe"
  coop: "Riverside"
  name: "Commons Cafe"
2024-02-01 custom "payer" "Cafe"
  iban: "DE22222222222222222222"
2024-01-01 custom "collective" "Dairy"
  coop: "Riverside"
  name: "Dairy Workers"
2024-01-01 custom "lease" "RIV-1"
  coop: "Riverside"
  collective: "Bakery"
  workplace: "12 Mill Street"
  rent: 1000.00 EUR
2024-01-01 custom "lease" "RIV-2"
  coop: "Riverside"
  collective: "Cafe"
  workplace: "Corner"
  rent: 500.00 EUR
2024-01-01 custom "lease" "RIV-3"
  coop: "Riverside"
  collective: "Dairy"
  workplace: "Dairy Shed"
  rent: 700.00 EUR
2024-01-01 * "Opening balance"
  Assets:North:Riverside:Fund:Unallocated  10000.00 EUR
  Equity:North:Riverside:Opening
2024-01-05 * "Bread & Roses" "Rent January RIV-1"
  bank-ref: "B-0105-1"
  Assets:North:Riverside:Fund:Unallocated  1000.00 EUR
  Assets:North:Riverside:Receivable:Rent:Bakery
2024-01-05 * "Commons Cafe" "Rent"
  bank-ref: "B-0105-2"
  Assets:North:Riverside:Fund:Unallocated  1000.00 EUR
  Assets:North:Riverside:Receivable:Rent:Cafe  -500.00 EUR
  Liabilities:North:Riverside:PrepaidRent:Cafe  -500.00 EUR
2024-01-05 * "Dairy Workers" "Rent"
  bank-ref: "B-0105-3"
  Assets:North:Riverside:Fund:Unallocated  700.00 EUR
  Assets:North:Riverside:Receivable:Rent:Dairy
2024-03-01 balance Assets:North:Riverside:Fund  12700.00 EUR
"""

IBAN = "DE02100500000054540402"


def line(
    day: int, amount: str, ref: str, *, who: str = "", iban: str = "", text: str = ""
) -> BankLine:
    return BankLine(
        date=datetime.date(2024, 3, day),
        amount=Decimal(amount),
        currency="EUR",
        bank_ref=ref,
        counterparty=who,
        counterparty_iban=iban,
        remittance=text,
        where=Where("march.csv", 10 + day),
    )


def statement(
    *lines: BankLine, opening: str = "12700.00", account: str = IBAN
) -> BankStatement:
    moved = sum((item.amount for item in lines), Decimal(0))
    return BankStatement(
        account=account,
        currency="EUR",
        start=datetime.date(2024, 3, 1),
        end=datetime.date(2024, 3, 31),
        opening=Decimal(opening),
        closing=Decimal(opening) + moved,
        lines=lines,
        where=Where("march.csv"),
    )


MARCH = statement(
    line(
        3,
        "1000.00",
        "M1",
        who="Somebody",
        iban="DE99999999999999999999",
        text="rent riv-1 feb",
    ),
    line(4, "500.00", "M2", who="CC", iban="DE22 2222 2222 2222 2222 22", text="rent"),
    line(
        5,
        "1400.00",
        "M3",
        who="DAIRY-WORKERS",
        iban="DE33333333333333333333",
        text="two months",
    ),
    line(
        20,
        "1300.00",
        "M4",
        who="Bread & Roses",
        iban="DE11111111111111111111",
        text="RIV-1 March+",
    ),
    line(21, "50.00", "M5", who="M. Okafor", text="Donation"),
    line(30, "-5.00", "M6", who="The Bank", text="Account fee"),
    line(22, "700.00", "M7", who="Dairy Workers", text="April in advance"),
    line(22, "700.00", "M8", who="Dairy Workers", text="April in advance"),
)


@pytest.fixture
def books(tmp_path: Path):  # type: ignore[no-untyped-def]
    loaded: Loaded = load_text(tmp_path / "ledger.beancount", LEDGER)
    assert not loaded.errors, loaded.messages()
    return books_from(loaded.entries, loaded.errors, loaded.options)


def postings(entry: data.Transaction) -> dict[str, str]:
    return {p.account.split(":", 3)[-1]: str(units(p)) for p in entry.postings}


def test_lines_are_matched_split_and_suspended(books) -> None:  # type: ignore[no-untyped-def]
    (result,) = plan_import(books, [MARCH])
    assert result.entity.id == "Riverside"
    booked = {item.line.bank_ref: item for item in result.booked}
    rules = {ref: item.match.rule if item.match else None for ref, item in booked.items()}
    assert rules == {
        "M1": "reference",
        "M2": "iban",
        "M3": "name",
        "M4": "reference",
        "M5": None,
        "M6": None,
        "M7": "name",
        "M8": "name",
    }
    # Bakery owes February and March (2000): 1000 settles February...
    assert postings(booked["M1"].transaction) == {
        "Fund:Unallocated": "1000.00",
        "Receivable:Rent:Bakery": "-1000.00",
    }
    assert booked["M1"].transaction.links == {"lease-RIV-1"}
    assert booked["M1"].transaction.payee == "Bread & Roses"
    # ... and of 1300, 1000 settles March and 300 becomes credit.
    assert postings(booked["M4"].transaction) == {
        "Fund:Unallocated": "1300.00",
        "Receivable:Rent:Bakery": "-1000.00",
        "PrepaidRent:Bakery": "-300.00",
    }
    # The Cafe's 500 January credit paid February; March is owed: 500 settles it.
    assert postings(booked["M2"].transaction)["Receivable:Rent:Cafe"] == "-500.00"
    # Dairy owed February and March: 1400. Its two identical April payments are two.
    assert postings(booked["M3"].transaction)["Receivable:Rent:Dairy"] == "-1400.00"
    assert postings(booked["M7"].transaction)["PrepaidRent:Dairy"] == "-700.00"
    assert postings(booked["M8"].transaction)["PrepaidRent:Dairy"] == "-700.00"
    for ref in ("M5", "M6"):
        entry = booked[ref].transaction
        assert entry.flag == "!"
        assert "Suspense" in entry.postings[1].account
    assert result.balance is not None
    assert (result.balance.date, result.balance.amount.number) == (
        datetime.date(2024, 4, 1),
        Decimal("18345.00"),  # 12700 + the lines (5645)
    )


def test_lines_the_ledger_already_has_are_left_out(books) -> None:  # type: ignore[no-untyped-def]
    again = statement(
        line(5, "700.00", "B-0105-3", who="Dairy Workers"), opening="12700.00"
    )
    again = BankStatement(
        again.account,
        "EUR",
        datetime.date(2024, 1, 1),
        datetime.date(2024, 1, 31),
        None,
        None,
        again.lines,
        again.where,
    )
    (result,) = plan_import(books, [again])
    assert result.booked == [] and [d.bank_ref for d in result.duplicates] == ["B-0105-3"]


def test_an_opening_balance_that_differs_is_refused_with_the_difference(books) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused) as refused:
        plan_import(books, [statement(line(3, "10.00", "X1"), opening="12600.00")])
    message = str(refused.value)
    assert message.startswith("march.csv: opening balance 12600.00 on 2024-03-01")
    assert "ledger's 12700.00" in message and "difference -100.00" in message


def test_unknown_account_and_currency_are_refused(books) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused, match='add `iban: "DE00 0000"`'):
        plan_import(books, [statement(line(3, "10.00", "X1"), account="DE00 0000")])
    dollars = BankLine(**{**vars(line(3, "10.00", "X1")), "currency": "USD"})
    with pytest.raises(ImportRefused, match=r"march\.csv:13: currency USD is not"):
        plan_import(books, [statement(dollars)])


def test_a_statement_that_does_not_add_up_is_refused(books) -> None:  # type: ignore[no-untyped-def]
    broken = statement(line(3, "10.00", "X1"))
    broken = BankStatement(**{**vars(broken), "closing": Decimal("1.00")})
    with pytest.raises(ImportRefused, match="not the closing balance"):
        plan_import(books, [broken])


def test_statements_that_do_not_chain_are_refused_with_the_difference(books) -> None:  # type: ignore[no-untyped-def]
    march = statement(line(3, "100.00", "C1"))
    april = BankStatement(
        account=IBAN,
        currency="EUR",
        start=datetime.date(2024, 4, 1),
        end=datetime.date(2024, 4, 30),
        opening=Decimal("12700.00"),  # should be 12800.00, after March
        closing=Decimal("12700.00"),
        lines=(),
        where=Where("april.csv"),
    )
    with pytest.raises(ImportRefused) as refused:
        plan_import(books, [april, march])
    assert str(refused.value).startswith(
        "april.csv: opening balance 12700.00 on 2024-04-01"
    )
    assert "ledger's 12800.00" in str(refused.value)
