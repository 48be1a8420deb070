"""The demo federation is a real, checked, deterministic ledger with what the issue asks."""

from __future__ import annotations

import csv
import datetime
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from ledger.books import Books
from ledger.demo import MAIN
from ledger.demo import demo_files
from ledger.demo.statements import CAMT_NAMESPACE
from ledger.numbers import units
from ledger.rent import is_charge

END_OF_BOOKS = datetime.date(2026, 10, 31)


def transactions(books: Books) -> list[data.Transaction]:
    return [e for e in books.entries if isinstance(e, data.Transaction)]


def charges_by_lease(books: Books) -> dict[str, list[data.Transaction]]:
    result: dict[str, list[data.Transaction]] = defaultdict(list)
    for entry in transactions(books):
        if is_charge(entry):
            result[entry.meta["lease"]].append(entry)
    return result


def payments(books: Books) -> list[data.Transaction]:
    """Rent payments: bank movements that settle a rent receivable or prepay rent."""
    return [
        e
        for e in transactions(books)
        if "bank-ref" in e.meta
        and any(
            ":Receivable:Rent:" in p.account or ":PrepaidRent:" in p.account
            for p in e.postings
        )
    ]


def test_bean_check_accepts_the_demo(demo_dir: Path) -> None:
    bean_check = Path(sys.executable).with_name("bean-check")
    result = subprocess.run(
        [str(bean_check), str(demo_dir / MAIN)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_demo_is_deterministic() -> None:
    assert demo_files() == demo_files()


def test_one_region_six_coops_of_350_to_4200_members(
    demo_books: Books, demo_dir: Path
) -> None:
    federation = demo_books.federation
    assert list(federation.regions) == ["North"]
    assert len(federation.coops) == 6
    with (demo_dir / "members.csv").open(newline="") as handle:
        members = list(csv.DictReader(handle))
    current = Counter(m["coop"] for m in members if not m["left"])
    assert set(current) == set(federation.coops)
    assert min(current.values()) == 350 and max(current.values()) == 4200
    assert any(m["left"] for m in members), "the register also keeps former members"


def test_at_least_ten_collectives_of_4_to_45_workers(
    demo_books: Books, demo_dir: Path
) -> None:
    with (demo_dir / "members.csv").open(newline="") as handle:
        workers = Counter(
            m["collective"] for m in csv.DictReader(handle) if m["class"] == "worker"
        )
    assert set(workers) == set(demo_books.federation.collectives)
    assert len(workers) >= 10
    assert min(workers.values()) == 4 and max(workers.values()) == 45


def test_three_years_of_books(demo_books: Books) -> None:
    booked = [e for e in transactions(demo_books) if "bank-ref" in e.meta]
    assert min(e.date for e in booked) == datetime.date(2023, 11, 1)
    assert max(e.date for e in booked) <= END_OF_BOOKS
    assert max(e.date for e in booked) >= datetime.date(2026, 10, 1)


def test_two_rent_free_leases_are_never_charged(demo_books: Books) -> None:
    leases = [
        e for e in demo_books.entries if isinstance(e, data.Custom) and e.type == "lease"
    ]
    free = {e.values[0].value for e in leases if e.meta["rent"].number == 0}
    assert len(free) == 2
    assert not free & set(charges_by_lease(demo_books))


def test_six_month_holiday_defers_the_first_charge(demo_books: Books) -> None:
    holiday = next(
        e
        for e in demo_books.entries
        if isinstance(e, data.Custom)
        and e.type == "lease"
        and e.meta.get("holiday-months") == 6
    )
    first = charges_by_lease(demo_books)[holiday.values[0].value][0]
    assert holiday.date == datetime.date(2024, 3, 1)
    assert first.date == datetime.date(2024, 9, 1)


def test_cpi_indexed_lease_is_capped_at_five_percent(demo_books: Books) -> None:
    indexed = next(
        e
        for e in demo_books.entries
        if isinstance(e, data.Custom) and e.type == "lease" and e.meta.get("index-cap") == 5
    )
    rents = {
        c.date: units(c.postings[0])
        for c in charges_by_lease(demo_books)[indexed.values[0].value]
    }
    cpi = {
        e.date: e.values[1].value
        for e in demo_books.entries
        if isinstance(e, data.Custom) and e.type == "index"
    }
    before, after = rents[datetime.date(2025, 10, 1)], rents[datetime.date(2025, 11, 1)]
    index_change = cpi[datetime.date(2025, 11, 1)] / cpi[datetime.date(2024, 11, 1)] - 1
    assert index_change > Decimal("0.05"), "the demo's CPI must rise faster than the cap"
    assert after == (before * Decimal("1.05")).quantize(Decimal("0.01"))


def test_payments_come_on_time_late_partial_and_over(demo_books: Books) -> None:
    charges = charges_by_lease(demo_books)
    kinds: Counter[str] = Counter()
    for payment in payments(demo_books):
        (link,) = payment.links
        lease_charges = charges[link.removeprefix("lease-")]
        latest = max(
            (c for c in lease_charges if c.date <= payment.date), key=lambda c: c.date
        )
        days = (payment.date - latest.date).days
        paid = units(payment.postings[0])
        if any(":PrepaidRent:" in p.account for p in payment.postings):
            kinds["over"] += 1
        if paid < units(latest.postings[0]):
            kinds["partial"] += 1
        kinds["on time" if days <= 3 else "late" if days >= 15 else "a few days late"] += 1
    assert kinds["on time"] > kinds["late"] > 0
    assert kinds["partial"] > 0 and kinds["over"] > 0


def test_some_collectives_are_more_than_two_months_in_arrears(demo_books: Books) -> None:
    owed: dict[str, Decimal] = defaultdict(Decimal)
    monthly: dict[str, Decimal] = {}
    for entry in transactions(demo_books):
        if entry.date > END_OF_BOOKS:
            continue
        for posting in entry.postings:
            if ":Receivable:Rent:" in posting.account:
                owed[posting.account] += units(posting)
        if is_charge(entry):
            monthly[entry.postings[0].account] = units(entry.postings[0])
    behind = [account for account, amount in owed.items() if amount >= 2 * monthly[account]]
    assert 2 <= len(behind) <= 4, behind


def _ledger_balance(books: Books, account: str, day: datetime.date) -> Decimal:
    return next(
        e.amount.number
        for e in books.entries
        if isinstance(e, data.Balance) and e.account == account and e.date == day
    )


def test_last_months_statements_continue_from_the_books(
    demo_books: Books, demo_dir: Path
) -> None:
    folder = demo_dir / "statements" / "2026-11"
    files = sorted(p.name for p in folder.iterdir())
    assert any(name.endswith(".csv") for name in files)
    assert any(name.endswith(".camt053.xml") for name in files)
    booked_refs = {
        e.meta["bank-ref"] for e in transactions(demo_books) if "bank-ref" in e.meta
    }
    first_day = datetime.date(2026, 11, 1)
    for coop in demo_books.federation.coops.values():
        fund = coop.accounts.fund
        opening, closing, lines = _read_statement(folder, coop.id.lower())
        assert opening == _ledger_balance(demo_books, fund, first_day)
        assert closing == opening + sum((amount for amount, _ in lines), Decimal(0))
        assert not {ref for _, ref in lines} & booked_refs, (
            "statement lines are not booked yet"
        )
    rent_lines = [
        ref
        for p in folder.iterdir()
        for _, ref in _read_statement(folder, p.name.split(".")[0])[2]
    ]
    assert len(rent_lines) > 2 * len(demo_books.federation.coops)


def _read_statement(
    folder: Path, name: str
) -> tuple[Decimal, Decimal, list[tuple[Decimal, str]]]:
    csv_path = folder / f"{name}.csv"
    if csv_path.exists():
        text = csv_path.read_text(encoding="utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(text.removeprefix("\ufeff").splitlines(), delimiter=";"))
        header = rows.index(next(r for r in rows if r and r[0] == "Booking date"))
        meta = {r[0]: r[1] for r in rows[:header] if r}
        lines = [(_euro(r[6]), r[5]) for r in rows[header + 1 :]]
        dates = [
            datetime.datetime.strptime(r[0], "%d.%m.%Y").date() for r in rows[header + 1 :]
        ]
        assert dates == sorted(dates, reverse=True), "newest first, as the bank exports it"
        return _euro(meta["Opening balance"]), _euro(meta["Closing balance"]), lines
    ns = {"c": CAMT_NAMESPACE}
    statement = (
        ET.parse(folder / f"{name}.camt053.xml")
        .getroot()
        .find("c:BkToCstmrStmt/c:Stmt", ns)
    )
    assert statement is not None
    balances = {
        b.findtext("c:Tp/c:CdOrPrtry/c:Cd", namespaces=ns): Decimal(
            b.findtext("c:Amt", namespaces=ns) or ""
        )
        for b in statement.findall("c:Bal", ns)
    }
    lines = [
        (
            Decimal(n.findtext("c:Amt", namespaces=ns) or "")
            * (1 if n.findtext("c:CdtDbtInd", namespaces=ns) == "CRDT" else -1),
            n.findtext("c:AcctSvcrRef", namespaces=ns) or "",
        )
        for n in statement.findall("c:Ntry", ns)
    ]
    return balances["OPBD"], balances["CLBD"], lines


def _euro(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))
