"""Levies from co-ops to their region: rate, base, de-minimis, pro rata, payments.

Each ledger is the test's docstring; the numbers asserted are worked by hand in
the comments.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from click.testing import CliRunner

from ledger.bank.model import BankLine
from ledger.bank.model import BankStatement
from ledger.bank.model import Where
from ledger.books import books_from
from ledger.fund import available_on
from ledger.fund import fund_report
from ledger.levy import LEVY_SOURCE
from ledger.levy_matching import LevyPayment
from ledger.levy_roll import levy_roll
from ledger.numbers import units
from ledger.reconcile import plan_import
from reports.cli import main
from tests.conftest import Loaded
from tests.conftest import load_text

FEDERATION = """\
option "operating_currency" "EUR"
plugin "ledger.plugin" "{'as_of': '2026-03-31'}"
2024-01-01 custom "region" "North"
  name: "Northern Federation"
  iban: "DE89370400440532013000"
2024-01-01 custom "coop" "Riverside"
  name: "Riverside Co-op"
  region: "North"
  iban: "DE02100500000054540402"
2024-01-01 custom "coop" "Oakfield"
  name: "Oakfield Co-op"
  region: "North"
  iban: "DE44444444444444444444"
  joined: 2025-07-01
2024-01-01 custom "coop" "Tiny"
  region: "North"
2024-01-01 custom "collective" "Bakery"
  coop: "Riverside"
2024-01-01 custom "collective" "Brewery"
  coop: "Oakfield"
2024-01-01 custom "collective" "Kiosk"
  coop: "Tiny"
2024-01-01 custom "lease" "RIV-1"
  coop: "Riverside"
  collective: "Bakery"
  workplace: "12 Mill Street"
  rent: 1000.00 EUR
2024-01-01 custom "lease" "OAK-1"
  coop: "Oakfield"
  collective: "Brewery"
  workplace: "1 Oak Lane"
  rent: 2000.00 EUR
2024-01-01 custom "lease" "TINY-1"
  coop: "Tiny"
  collective: "Kiosk"
  workplace: "Kiosk"
  rent: 50.00 EUR
2025-01-01 custom "levy" "North"
  de-minimis: 10.33 EUR
; 2024 has no levy: the rule starts in 2025.
2024-06-10 * "Bakery" "rent"
  Assets:North:Riverside:Fund:Unallocated  5000.00 EUR
  Assets:North:Riverside:Receivable:Rent:Bakery
; 2025: Riverside receives 12,000.00 of rent (one payment over its arrears, one
; making prepaid credit); a deposit is not rent.
2025-03-10 * "Bakery" "rent"
  Assets:North:Riverside:Fund:Unallocated  9000.00 EUR
  Assets:North:Riverside:Receivable:Rent:Bakery
2025-11-10 * "Bakery" "rent ahead"
  Assets:North:Riverside:Fund:Unallocated  3000.00 EUR
  Liabilities:North:Riverside:PrepaidRent:Bakery
2025-05-01 * "Bakery" "deposit"
  Assets:North:Riverside:Fund:Deposits  4000.00 EUR
  Liabilities:North:Riverside:Deposits:Bakery
; Oakfield receives 20,000.00 but was a member for 184 of 2025's 365 days.
2025-09-01 * "Brewery" "rent"
  Assets:North:Oakfield:Fund:Unallocated  20000.00 EUR
  Assets:North:Oakfield:Receivable:Rent:Brewery
; Tiny receives 300.00: 9.00 of levy is below the de-minimis.
2025-09-01 * "Kiosk" "rent"
  Assets:North:Tiny:Fund:Unallocated  300.00 EUR
  Assets:North:Tiny:Receivable:Rent:Kiosk
"""


def _load(tmp_path: Path, text: str = FEDERATION, name: str = "main.beancount") -> Loaded:
    loaded = load_text(tmp_path / name, text)
    assert loaded.messages() == []
    return loaded


def _levies(entries: list[data.Directive]) -> list[data.Transaction]:
    return [
        e
        for e in entries
        if isinstance(e, data.Transaction) and e.meta["filename"] == LEVY_SOURCE
    ]


def _postings(entries: list[data.Directive]) -> dict[str, Decimal]:
    return {p.account: units(p) for e in _levies(entries) for p in e.postings}


def test_rate_on_rent_received(tmp_path: Path) -> None:
    # Riverside: 3% of 9,000 + 3,000 = 12,000.00 received in 2025 = 360.00.
    loaded = _load(tmp_path)
    riverside = [e for e in _levies(loaded.entries) if e.meta["payer"] == "Riverside"]
    assert [e.date for e in riverside] == [datetime.date(2025, 12, 31)] * 2
    assert {p.account: units(p) for e in riverside for p in e.postings} == {
        "Expenses:North:Riverside:Levy": Decimal("360.00"),
        "Liabilities:North:Riverside:Levy": Decimal("-360.00"),
        "Assets:North:Receivable:Levy:Riverside": Decimal("360.00"),
        "Income:North:Levy:Riverside": Decimal("-360.00"),
    }
    coop_side = riverside[0]
    assert coop_side.links == {"levy-Riverside-2025"}
    assert coop_side.meta["due"] == datetime.date(2026, 3, 1)
    assert coop_side.meta["base-amount"].number == Decimal("12000.00")
    assert coop_side.meta["rate"] == "3%"
    assert coop_side.narration == "Levy 2025: 3% of rent received 12000.00 EUR"


def test_pro_rata_for_a_coop_joining_mid_year(tmp_path: Path) -> None:
    # Oakfield joined on 1 July: 184 days of 365; 20,000 x 3% x 184/365 = 302.4657.
    loaded = _load(tmp_path)
    postings = _postings(loaded.entries)
    assert postings["Liabilities:North:Oakfield:Levy"] == Decimal("-302.47")
    oakfield = next(e for e in _levies(loaded.entries) if e.meta["payer"] == "Oakfield")
    assert oakfield.meta["member-days"] == 184
    assert "184/365 days a member" in oakfield.narration


def test_pro_rata_for_a_coop_leaving_mid_year(tmp_path: Path) -> None:
    # Riverside left on 31 March 2025: 90 days; 12,000 x 3% x 90/365 = 88.767.
    text = FEDERATION.replace(
        '  iban: "DE02100500000054540402"\n',
        '  iban: "DE02100500000054540402"\n  left: 2025-03-31\n',
    )
    postings = _postings(_load(tmp_path, text).entries)
    assert postings["Liabilities:North:Riverside:Levy"] == Decimal("-88.77")


def test_de_minimis(tmp_path: Path) -> None:
    # Tiny: 3% of 300.00 = 9.00, below 10.33: not due, and no zero entry either.
    loaded = _load(tmp_path)
    assert not any(e.meta["payer"] == "Tiny" for e in _levies(loaded.entries))
    # Exactly at the threshold it is due: 344.33 x 3% = 10.3299 -> 10.33.
    text = FEDERATION.replace(
        "Assets:North:Tiny:Fund:Unallocated  300.00 EUR",
        "Assets:North:Tiny:Fund:Unallocated  344.33 EUR",
    )
    postings = _postings(_load(tmp_path, text).entries)
    assert postings["Liabilities:North:Tiny:Levy"] == Decimal("-10.33")


def test_levy_due_is_held_back_from_what_a_round_may_spend(tmp_path: Path) -> None:
    # Riverside's Unallocated holds 9,000 + 3,000 + 5,000 of rent (the deposit has
    # its own envelope); the 360.00 it owes the region is not available.
    loaded = _load(tmp_path)
    books = books_from(loaded.entries, loaded.errors, loaded.options)
    report = fund_report(books.entries, books.federation, datetime.date(2026, 3, 31))
    riverside = next(p for p in report.positions if p.entity.id == "Riverside")
    assert riverside.levy_due == Decimal("360.00")
    assert riverside.available == Decimal("16640.00")
    assert available_on(
        books.entries, books.federation, "Riverside", datetime.date(2026, 3, 31)
    ) == Decimal("16640.00")


def test_no_levy_before_the_rule_or_for_an_open_year(tmp_path: Path) -> None:
    # 2024 precedes the rule; 2026 has not closed by the as-of date (31 March).
    loaded = _load(tmp_path)
    assert {e.date.year for e in _levies(loaded.entries)} == {2025}


def test_a_later_rule_takes_over_with_its_own_rate_and_base(tmp_path: Path) -> None:
    # From 2026: 10% of the surplus. Riverside's 2026 surplus is its rent income
    # (12 x 1,000.00 charged) less a 500.00 fee; grants are investments, not costs:
    # 10% of 11,500.00 = 1,150.00.
    text = FEDERATION.replace("'as_of': '2026-03-31'", "'as_of': '2027-01-31'") + (
        '2026-01-01 custom "levy" "North"\n'
        '  rate: "10%"\n'
        '  base: "surplus"\n'
        "  due-days: 30\n"
        "2026-01-01 open Expenses:North:Riverside:Fees\n"
        "2026-01-01 open Expenses:North:Riverside:Grants:P1\n"
        '2026-02-01 * "Bank" "fees"\n'
        "  Expenses:North:Riverside:Fees  500.00 EUR\n"
        "  Assets:North:Riverside:Fund:Unallocated\n"
        '2026-02-01 * "Grant"\n'
        "  Expenses:North:Riverside:Grants:P1  7000.00 EUR\n"
        "  Assets:North:Riverside:Fund:Unallocated\n"
    )
    loaded = _load(tmp_path, text)
    levy = next(
        e
        for e in _levies(loaded.entries)
        if e.meta["payer"] == "Riverside" and e.date.year == 2026
    )
    assert units(levy.postings[0]) == Decimal("1150.00")
    assert levy.meta["due"] == datetime.date(2027, 1, 30)
    assert levy.narration == "Levy 2026: 10% of surplus 11500.00 EUR"


RIVERSIDE_ALONE = """\
option "operating_currency" "EUR"
plugin "ledger.plugin" "{'as_of': '2026-03-31', 'entity': 'Riverside'}"
2024-01-01 custom "region" "North"
  iban: "DE89370400440532013000"
2025-01-01 custom "levy" "North"
2024-01-01 custom "coop" "Riverside"
  region: "North"
2024-01-01 custom "collective" "Bakery"
  coop: "Riverside"
2024-01-01 custom "lease" "RIV-1"
  coop: "Riverside"
  collective: "Bakery"
  workplace: "12 Mill Street"
  rent: 1000.00 EUR
2025-03-10 * "Bakery" "rent"
  Assets:North:Riverside:Fund:Unallocated  12000.00 EUR
  Assets:North:Riverside:Receivable:Rent:Bakery
"""


def test_a_coops_own_ledger_books_only_its_side(tmp_path: Path) -> None:
    # Riverside's treasurer keeps Riverside's books alone: the region is declared
    # (Riverside belongs to it) but none of the region's accounts are opened.
    loaded = _load(tmp_path, RIVERSIDE_ALONE)
    assert _postings(loaded.entries) == {
        "Expenses:North:Riverside:Levy": Decimal("360.00"),
        "Liabilities:North:Riverside:Levy": Decimal("-360.00"),
    }
    opened = {e.account for e in loaded.entries if isinstance(e, data.Open)}
    assert opened
    assert all(account.split(":")[2] == "Riverside" for account in opened)


def test_bad_levy_rules_are_errors_at_their_line(tmp_path: Path) -> None:
    text = FEDERATION + (
        '2025-02-01 custom "levy" "South"\n'
        '2025-03-01 custom "levy" "North"\n'
        '  rate: "three"\n'
        '2025-04-01 custom "levy" "North"\n'
        '  base: "profit"\n'
        '2025-01-01 custom "levy" "North"\n'
    )
    loaded = load_text(tmp_path / "main.beancount", text)
    where = str(tmp_path / "main.beancount")
    first = len(FEDERATION.splitlines()) + 1
    assert sorted(loaded.messages()) == [
        f'{where}:{first}: levy names "South", which is not a declared region or '
        "nation; a levy is declared by the region (or nation) that receives it: "
        'custom "levy" "<region id>"',
        f'{where}:{first + 1}: levy rate "three" must be a share such as "3%"',
        f'{where}:{first + 3}: field "base" must be one of "rent", "surplus", '
        '"levies", got "profit"',
        f'{where}:{first + 5}: "North" already has a levy from 2025-01-01; '
        "remove one of the two",
    ]


def _line(day: datetime.date, amount: str, ref: str, **kwargs: str) -> BankLine:
    return BankLine(
        date=day,
        amount=Decimal(amount),
        currency="EUR",
        bank_ref=ref,
        counterparty=kwargs.get("who", ""),
        counterparty_iban=kwargs.get("iban", ""),
        remittance=kwargs.get("text", ""),
        where=Where("levy.csv", 5),
    )


def _statement(account: str, opening: str, *lines: BankLine) -> BankStatement:
    moved = sum((item.amount for item in lines), Decimal(0))
    return BankStatement(
        account=account,
        currency="EUR",
        start=datetime.date(2026, 2, 1),
        end=datetime.date(2026, 2, 28),
        opening=Decimal(opening),
        closing=Decimal(opening) + moved,
        lines=lines,
        where=Where("levy.csv"),
    )


def test_levy_payments_reconcile_on_both_sides(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    books = books_from(loaded.entries, loaded.errors, loaded.options)
    region_statement = _statement(
        "DE89370400440532013000",
        "0.00",
        # Riverside pays from its fund's account (IBAN rule) ...
        _line(datetime.date(2026, 2, 20), "360.00", "R1", iban="DE02100500000054540402"),
        # ... Oakfield from elsewhere, but says so (reference rule) ...
        _line(datetime.date(2026, 2, 21), "302.47", "R2", text="LEVY oakfield 2025"),
        # ... and a stranger's money is not a levy.
        _line(datetime.date(2026, 2, 22), "50.00", "R3", who="Someone", text="gift"),
    )
    riverside_statement = _statement(
        "DE02100500000054540402",
        "21000.00",  # 5,000 + 9,000 + 3,000 of rent, 4,000 of deposit
        _line(datetime.date(2026, 2, 19), "-360.00", "C1", iban="DE89370400440532013000"),
    )
    plan = plan_import(books, [region_statement, riverside_statement])
    booked = {b.line.bank_ref: b for item in plan for b in item.booked}
    assert isinstance(booked["R1"].match, LevyPayment)
    assert booked["R1"].match.rule == "iban"
    assert isinstance(booked["R2"].match, LevyPayment)
    assert booked["R2"].match.rule == "reference"
    assert booked["R3"].match is None
    assert {
        ref: {p.account: units(p) for p in booked[ref].transaction.postings}
        for ref in ("R1", "R2", "C1")
    } == {
        "R1": {
            "Assets:North:Fund:Unallocated": Decimal("360.00"),
            "Assets:North:Receivable:Levy:Riverside": Decimal("-360.00"),
        },
        "R2": {
            "Assets:North:Fund:Unallocated": Decimal("302.47"),
            "Assets:North:Receivable:Levy:Oakfield": Decimal("-302.47"),
        },
        "C1": {
            "Assets:North:Riverside:Fund:Unallocated": Decimal("-360.00"),
            "Liabilities:North:Riverside:Levy": Decimal("360.00"),
        },
    }
    assert booked["R1"].transaction.links == {"levy-Riverside-2025"}
    assert booked["C1"].transaction.links == {"levy-Riverside-2025"}
    assert booked["C1"].transaction.payee == "Northern Federation"

    # Booked, the levies are settled on both sides: nothing owed either way.
    entries = sorted(
        [*loaded.entries, *(e for item in plan for e in item.entries)],
        key=data.entry_sortkey,
    )
    owed = {
        account: sum(
            (
                units(p)
                for e in entries
                if isinstance(e, data.Transaction)
                for p in e.postings
                if p.account == account
            ),
            Decimal(0),
        )
        for account in (
            "Assets:North:Receivable:Levy:Riverside",
            "Assets:North:Receivable:Levy:Oakfield",
            "Liabilities:North:Riverside:Levy",
        )
    }
    assert set(owed.values()) == {Decimal("0.00")}


def test_the_levy_roll_says_who_paid_who_received_and_how_late(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    books = books_from(loaded.entries, loaded.errors, loaded.options)
    riverside_pays = _statement(
        "DE02100500000054540402",
        "21000.00",
        _line(datetime.date(2026, 2, 19), "-360.00", "C1", iban="DE89370400440532013000"),
    )
    (plan,) = plan_import(books, [riverside_pays])
    entries = sorted([*loaded.entries, *plan.entries], key=data.entry_sortkey)
    as_of = datetime.date(2026, 3, 31)
    roll = {
        line.payer: (
            line.amount,
            line.paid,
            line.received,
            line.owed,
            line.days_late(as_of),
        )
        for line in levy_roll(entries, books.federation, as_of)
    }
    # Riverside sent its 360.00, which the region has not booked yet (in transit:
    # still owed, by the region's books); Oakfield sent nothing, due 1 March.
    assert roll == {
        "Riverside": (
            Decimal("360.00"),
            Decimal("360.00"),
            Decimal("0.00"),
            Decimal("360.00"),
            30,
        ),
        "Oakfield": (
            Decimal("302.47"),
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("302.47"),
            30,
        ),
    }
    result = CliRunner().invoke(
        main,
        ["report", "levies", str(loaded.path), "--as-of", "2026-03-31", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    # The ledger file itself holds no payment yet: both levies owed in full.
    assert [line for line in result.output.splitlines() if line][1:] == [
        "North,Oakfield,2025,EUR,302.47,0.00,0.00,302.47,2026-03-01,30",
        "North,Riverside,2025,EUR,360.00,0.00,0.00,360.00,2026-03-01,30",
    ]


def test_only_the_regions_levy_is_taken_for_one(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    books = books_from(loaded.entries, loaded.errors, loaded.options)
    statement = _statement(
        "DE02100500000054540402",
        "21000.00",
        # Named with the region, from another account of the region's: a levy ...
        _line(datetime.date(2026, 2, 19), "-360.00", "C1", text="Levy North 2025"),
        # ... while the council's levy is somebody else's money.
        _line(datetime.date(2026, 2, 20), "-80.00", "C2", text="Council levy Q1"),
    )
    (plan,) = plan_import(books, [statement])
    booked = {b.line.bank_ref: b for b in plan.booked}
    assert isinstance(booked["C1"].match, LevyPayment)
    assert booked["C1"].match.rule == "reference"
    assert booked["C2"].match is None


NATION = """\
option "operating_currency" "EUR"
plugin "ledger.plugin" "{'as_of': '2026-03-31'}"
2025-01-01 custom "nation" "Union"
  name: "Union of Consumer Co-operatives"
  iban: "DE55555555555555555555"
2025-01-01 custom "levy" "Union"
  rate: "10%"
  base: "levies"
2025-01-01 custom "region" "North"
  name: "Northern Federation"
  nation: "Union"
  iban: "DE89370400440532013000"
2025-01-01 custom "levy" "North"
2025-01-01 custom "coop" "Riverside"
  region: "North"
2025-01-01 custom "collective" "Bakery"
  coop: "Riverside"
2025-01-01 custom "lease" "RIV-1"
  coop: "Riverside"
  collective: "Bakery"
  workplace: "12 Mill Street"
  rent: 1000.00 EUR
2025-12-01 * "Bakery" "rent"
  Assets:North:Riverside:Fund:Unallocated  12000.00 EUR
  Assets:North:Riverside:Receivable:Rent:Bakery
"""


def test_a_region_pays_its_nation_a_levy_on_the_levies_it_is_owed(tmp_path: Path) -> None:
    # Riverside owes North 3% of 12,000 = 360.00; North owes the Union 10% of the
    # 360.00 of levies it is owed for 2025 = 36.00, both booked on 31 December.
    loaded = _load(tmp_path, NATION)
    assert _postings(loaded.entries) == {
        "Expenses:North:Riverside:Levy": Decimal("360.00"),
        "Liabilities:North:Riverside:Levy": Decimal("-360.00"),
        "Assets:North:Receivable:Levy:Riverside": Decimal("360.00"),
        "Income:North:Levy:Riverside": Decimal("-360.00"),
        "Expenses:North:Levy": Decimal("36.00"),
        "Liabilities:North:Levy": Decimal("-36.00"),
        "Assets:Union:Receivable:Levy:North": Decimal("36.00"),
        "Income:Union:Levy:North": Decimal("-36.00"),
    }
    north = next(e for e in _levies(loaded.entries) if e.meta["payer"] == "North")
    assert north.narration == "Levy 2025: 10% of levies owed to it 360.00 EUR"
    assert north.links == {"levy-North-2025"}

    # The region pays from its statement, the nation books the money from its own.
    books = books_from(loaded.entries, loaded.errors, loaded.options)
    region_pays = _statement(
        "DE89370400440532013000",
        "0.00",
        _line(datetime.date(2026, 2, 1), "36.00", "R0", text="LEVY Riverside 2025"),
        _line(datetime.date(2026, 2, 10), "-36.00", "R1", iban="DE55555555555555555555"),
    )
    nation_gets = _statement(
        "DE55555555555555555555",
        "0.00",
        _line(datetime.date(2026, 2, 11), "36.00", "U1", iban="DE89370400440532013000"),
    )
    plan = plan_import(books, [region_pays, nation_gets])
    booked = {b.line.bank_ref: b for item in plan for b in item.booked}
    assert {ref: booked[ref].transaction.links for ref in ("R1", "U1")} == {
        "R1": {"levy-North-2025"},
        "U1": {"levy-North-2025"},
    }
    assert [p.account for p in booked["R1"].transaction.postings] == [
        "Assets:North:Fund:Unallocated",
        "Liabilities:North:Levy",
    ]
    assert [p.account for p in booked["U1"].transaction.postings] == [
        "Assets:Union:Fund:Unallocated",
        "Assets:Union:Receivable:Levy:North",
    ]
    assert booked["U1"].transaction.payee == "Northern Federation"
    entries = sorted(
        [*loaded.entries, *(e for item in plan for e in item.entries)],
        key=data.entry_sortkey,
    )
    roll = {
        line.payer: (line.receiver, line.paid, line.received, line.owed)
        for line in levy_roll(entries, books.federation, datetime.date(2026, 3, 31))
    }
    assert roll["North"] == ("Union", Decimal("36.00"), Decimal("36.00"), Decimal("0.00"))
    assert books.federation.nations["Union"].level == "nation"
