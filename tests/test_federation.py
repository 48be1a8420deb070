"""A federation of ledgers: every level checks, and consolidation adds them up right.

The small ledger's figures are worked by hand in the comments; the demo's are
checked for consistency: a co-op's own ledger and the region's ledger must tell
the same story about that co-op, however the ledgers were summarised.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.books import check
from ledger.books import load_books
from ledger.consolidation import ConsolidationError
from ledger.consolidation import FundSummary
from ledger.consolidation import consolidate
from ledger.consolidation import summarise_books
from ledger.consolidation import summarise_ledger
from ledger.consolidation import summary_figures
from ledger.consolidation_run import summarise_all
from ledger.demo import MAIN
from ledger.demo import coop_main
from ledger.demo.northern import NORTHERN
from ledger.periods import parse_period
from reports.cli import main
from tests.conftest import load_text

AS_OF = datetime.date(2026, 11, 30)
Y2025, Y2026 = parse_period("2025"), parse_period("2026")

SMALL = """\
option "operating_currency" "EUR"
plugin "ledger.plugin" "{'as_of': '2026-12-31'}"
2025-01-01 custom "region" "North"
2025-01-01 custom "levy" "North"
2025-01-01 custom "coop" "Riverside"
  region: "North"
2025-01-01 custom "coop" "Oakfield"
  region: "North"
2025-01-01 custom "collective" "Bakery"
  coop: "Riverside"
2025-01-01 custom "collective" "Brewery"
  coop: "Oakfield"
2025-01-01 custom "lease" "RIV-1"
  coop: "Riverside"
  collective: "Bakery"
  workplace: "Mill"
  rent: 1000.00 EUR
2025-01-01 custom "lease" "OAK-1"
  coop: "Oakfield"
  collective: "Brewery"
  workplace: "Oak"
  rent: 500.00 EUR
2025-01-01 open Assets:North:Riverside:Fund:Committed:P1
2025-01-01 open Assets:North:Riverside:Loans:P1
2025-01-01 * "Opening"
  Assets:North:Riverside:Fund:Unallocated  10000.00 EUR
  Assets:North:Riverside:Fund:Reserve  5000.00 EUR
  Equity:North:Riverside:Opening
2025-12-01 * "Bakery" "rent 2025"
  Assets:North:Riverside:Fund:Unallocated  12000.00 EUR
  Assets:North:Riverside:Receivable:Rent:Bakery
2025-10-01 * "Brewery" "part of the rent"
  Assets:North:Oakfield:Fund:Unallocated  3000.00 EUR
  Assets:North:Oakfield:Receivable:Rent:Brewery
2026-02-01 * "North" "LEVY Riverside 2025"
  Assets:North:Riverside:Fund:Unallocated  -360.00 EUR
  Liabilities:North:Riverside:Levy
2026-02-01 * "Riverside" "LEVY Riverside 2025"
  Assets:North:Fund:Unallocated  360.00 EUR
  Assets:North:Receivable:Levy:Riverside
2026-03-01 * "Round R1: commit to P1"
  Assets:North:Riverside:Fund:Unallocated  -10000.00 EUR
  Assets:North:Riverside:Fund:Committed:P1
2026-04-01 * "P1" "Disbursement (loan)"
  Assets:North:Riverside:Fund:Committed:P1  -6000.00 EUR
  Assets:North:Riverside:Loans:P1
2026-06-01 * "P1" "Loan repayment"
  Assets:North:Riverside:Fund:Unallocated  500.00 EUR
  Assets:North:Riverside:Loans:P1
2026-12-01 * "Bakery" "rent 2026"
  Assets:North:Riverside:Fund:Unallocated  12000.00 EUR
  Assets:North:Riverside:Receivable:Rent:Bakery
"""


def _d(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    loaded = load_text(tmp_path / "main.beancount", SMALL)
    assert loaded.messages() == []
    return loaded.path


def _by_fund(funds: tuple[FundSummary, ...]) -> dict[str, dict[str, Decimal]]:
    return {fund.entity: summary_figures(fund) for fund in funds}


def test_a_year_of_each_fund_worked_by_hand(small: Path) -> None:
    books = load_books(small)
    year = _by_fund(summarise_books(books, Y2026, datetime.date(2026, 12, 31)))
    # Riverside's bank: 15,000 opening + 12,000 (2025) - 360 levy + 500 repaid
    # + 12,000 (2026) - 6,000 disbursed = 33,140. Its 2026 levy (3% of 12,000)
    # is booked on 31 December and not paid yet.
    assert year["Riverside"] == {
        "rent_received": _d("12000.00"),
        "levy": _d("-360.00"),
        "loan_repayments": _d("500.00"),
        "committed": _d("10000.00"),
        "disbursed": _d("6000.00"),
        "arrears": _d("0.00"),
        "levy_unpaid": _d("-360.00"),
        "reserve": _d("5000.00"),
        "outstanding": _d("4000.00"),
        "bank": _d("33140.00"),
    }
    # Oakfield paid 3,000 of 12 x 500 charged: 9,000 in arrears; its 2025 levy
    # (3% of 3,000 = 90) is unpaid, and it received no rent in 2026 to levy.
    assert year["Oakfield"]["arrears"] == _d("9000.00")
    assert year["Oakfield"]["levy_unpaid"] == _d("-90.00")
    # The region got Riverside's 360 and is owed 360 (2026) + 90 (Oakfield 2025).
    assert year["North"]["levy"] == _d("360.00")
    assert year["North"]["levy_unpaid"] == _d("450.00")
    assert year["North"]["bank"] == _d("360.00")


def test_the_level_total_nets_the_levy_between_its_funds(small: Path) -> None:
    end = datetime.date(2026, 12, 31)
    statement = consolidate([summarise_ledger(str(small), Y2026, end)], Y2026, end)
    (level,) = statement.levels
    assert level.own is not None
    assert level.own.entity == "North"
    assert [fund.entity for fund in level.coops] == ["Oakfield", "Riverside"]
    assert level.total["levy"] == _d("0.00")  # 360 up from Riverside, 360 into North
    assert level.total["levy_unpaid"] == _d("0.00")  # 450 owed to North, by 360 + 90
    assert level.total["bank"] == _d("36500.00")  # 33,140 + 3,000 + 360
    assert level.total["rent_received"] == _d("12000.00")


def test_every_level_of_the_demo_checks(demo_dir: Path) -> None:
    mains = [demo_dir / MAIN, *(demo_dir / coop_main(c.id) for c in NORTHERN.coops)]
    assert all(path.is_file() for path in mains)
    for path in mains:
        assert check(path) == [], path


def test_a_coops_own_ledger_tells_what_the_regions_tells(demo_dir: Path) -> None:
    region = summarise_ledger(str(demo_dir / MAIN), Y2026, AS_OF)
    own = [
        summarise_ledger(str(demo_dir / coop_main(c.id)), Y2026, AS_OF)
        for c in NORTHERN.coops
    ]
    from_region = _by_fund(region.funds)
    assert [fund.entity for summary in own for fund in summary.funds] == [
        c.id for c in NORTHERN.coops
    ]
    for summary in own:
        (fund,) = summary.funds
        assert summary_figures(fund) == from_region[fund.entity], fund.entity
    # The demo's Eastgate has not paid its 2025 levy: both sides show it.
    assert from_region["Eastgate"]["levy_unpaid"] < 0
    assert from_region["North"]["levy_unpaid"] == -from_region["Eastgate"]["levy_unpaid"]


def test_parallel_and_dask_give_what_serial_gives(demo_dir: Path) -> None:
    paths = [str(demo_dir / coop_main(c.id)) for c in NORTHERN.coops]
    serial = summarise_all(paths, Y2026, AS_OF, workers=1)
    parallel = summarise_all(paths, Y2026, AS_OF, workers=2)
    assert parallel == serial
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, processes=False, dashboard_address=None
    ) as cluster:
        on_dask = summarise_all(paths, Y2026, AS_OF, scheduler=cluster.scheduler_address)
    assert on_dask == serial


def test_a_fund_given_twice_is_refused(demo_dir: Path) -> None:
    summaries = [
        summarise_ledger(str(demo_dir / MAIN), Y2026, AS_OF),
        summarise_ledger(str(demo_dir / coop_main("Riverside")), Y2026, AS_OF),
    ]
    with pytest.raises(ConsolidationError, match='"Riverside" is in both'):
        consolidate(summaries, Y2026, AS_OF)


def test_report_federation_prints_each_level_in_every_format(demo_dir: Path) -> None:
    runner = CliRunner()
    ledger = str(demo_dir / MAIN)
    args = ["report", "federation", ledger, "--as-of", str(AS_OF), "--workers", "1"]
    table = runner.invoke(main, args)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0] == "Consolidated statement 2026, as of 2026-11-30; 1 ledger(s)"
    assert [line.split()[0] for line in lines[4:]] == [
        "North",
        *sorted(c.id for c in NORTHERN.coops),
        "North",
    ]
    result = json.loads(runner.invoke(main, [*args, "--format", "json"]).output)
    rows = result["rows"]
    total = rows[-1]
    assert total["level"] == "total"
    for figure in ("bank", "rent_received", "reserve", "levy"):
        assert Decimal(total[figure]) == sum(Decimal(r[figure]) for r in rows[:-1])
    page = runner.invoke(main, [*args, "--format", "html"]).output
    assert page.startswith("<!DOCTYPE html>")
    assert "<table" in page
    assert "North total" in page
    both = runner.invoke(
        main, [*args, str(demo_dir / coop_main("Riverside")), "--format", "csv"]
    )
    assert both.exit_code == 1
    assert "give either the region's ledger" in both.output


LEVELS = """\
option "operating_currency" "EUR"
plugin "ledger.plugin"
2026-01-01 custom "region" "North"
  local-limit: 50000.00 EUR
2026-01-01 custom "coop" "Riverside"
  region: "North"
2026-11-01 custom "round" "R-RIV"
  scope: "Riverside"
  closes: 2026-11-30
  cutoff: 2026-10-15
2026-11-01 custom "round" "R-NORTH"
  scope: "North"
  closes: 2026-11-30
  cutoff: 2026-10-15
2026-11-01 custom "proposal" "P1"
  title: "At the limit: the co-op decides"
  cost: 50000.00 EUR
  scope: "Riverside"
  round: "R-RIV"
2026-11-01 custom "proposal" "P2"
  title: "Dearer: the region decides"
  cost: 50000.01 EUR
  scope: "Riverside"
  round: "R-RIV"
2026-11-01 custom "proposal" "P3"
  title: "Declared regional"
  cost: 100.00 EUR
  scope: "Riverside"
  round: "R-RIV"
  regional: TRUE
2026-11-01 custom "proposal" "P4"
  title: "Dear, on the region's round"
  cost: 90000.00 EUR
  scope: "North"
  round: "R-NORTH"
  regional: TRUE
"""


def test_which_round_decides_what(tmp_path: Path) -> None:
    loaded = load_text(tmp_path / "main.beancount", LEVELS)
    where = tmp_path / "main.beancount"
    lines = LEVELS.splitlines()
    p2 = lines.index('2026-11-01 custom "proposal" "P2"') + 1
    p3 = lines.index('2026-11-01 custom "proposal" "P3"') + 1
    assert sorted(loaded.messages()) == [
        f'{where}:{p2}: proposal "P2" costs 50000.01 EUR, more than the 50000.00 EUR '
        'a co-op\'s own round may decide in region "North": put it on a round of '
        'region "North" (scope: "North")',
        f'{where}:{p3}: proposal "P3" is declared regional: put it on a round of '
        'region "North" (scope: "North")',
    ]
    books = load_books(where)
    assert sorted(books.agenda.proposals) == ["P1", "P4"]
    assert books.agenda.proposals["P4"].regional


def test_several_regions_add_up_to_the_federation(tmp_path: Path) -> None:
    # Two regions of one co-op each, both ledgers the co-ops' own: each level's
    # total is its co-op's, and the federation's is both.
    ledgers = []
    for region, coop, money in (
        ("North", "Riverside", "700.00"),
        ("South", "Harbour", "300.00"),
    ):
        text = (
            'option "operating_currency" "EUR"\n'
            f"plugin \"ledger.plugin\" \"{{'entity': '{coop}'}}\"\n"
            f'2025-01-01 custom "region" "{region}"\n'
            f'2025-01-01 custom "coop" "{coop}"\n  region: "{region}"\n'
            f'2025-02-01 * "Opening"\n'
            f"  Assets:{region}:{coop}:Fund:Unallocated  {money} EUR\n"
            f"  Equity:{region}:{coop}:Opening\n"
        )
        ledgers.append(str(load_text(tmp_path / f"{coop}.beancount", text).path))
    statement = consolidate(summarise_all(ledgers, Y2025, AS_OF, workers=1), Y2025, AS_OF)
    assert [level.region for level in statement.levels] == ["North", "South"]
    assert [level.own for level in statement.levels] == [None, None]
    assert statement.total["bank"] == _d("1000.00")
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["report", "federation", *ledgers, "--as-of", "2025-12-31", "--format", "json"],
    )
    rows = json.loads(result.output)["rows"]
    assert [row["id"] for row in rows] == [
        "Riverside",
        "North total",
        "Harbour",
        "South total",
        "Federation total",
    ]
    assert rows[-1]["bank"] == "1000.00"


def test_a_quarter_or_a_month_is_a_period_too(small: Path) -> None:
    end = datetime.date(2026, 12, 31)

    def figures(text: str) -> dict[str, Decimal]:
        summary = summarise_ledger(str(small), parse_period(text), end)
        return next(summary_figures(f) for f in summary.funds if f.entity == "Riverside")

    # Q1 2026: the levy paid (1 February) and the commitment (1 March); the bank
    # on 31 March: 15,000 + 12,000 - 360 = 26,640.
    q1 = figures("2026-Q1")
    assert (q1["rent_received"], q1["levy"], q1["committed"], q1["disbursed"]) == (
        _d("0.00"),
        _d("-360.00"),
        _d("10000.00"),
        _d("0.00"),
    )
    assert (q1["bank"], q1["levy_unpaid"]) == (_d("26640.00"), _d("0.00"))
    # Q2: 6,000 disbursed, 500 repaid; the bank 26,640 - 6,000 + 500 = 21,140.
    q2 = figures("2026-Q2")
    assert (q2["disbursed"], q2["loan_repayments"], q2["bank"]) == (
        _d("6000.00"),
        _d("500.00"),
        _d("21140.00"),
    )
    assert figures("2025-12")["rent_received"] == _d("12000.00")
    assert figures("2025-11")["rent_received"] == _d("0.00")


def test_periods_are_written_as_people_write_them() -> None:
    assert parse_period("2026-Q3")[:2] == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
    )
    assert parse_period("2024-02")[:2] == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 29),
    )
    assert parse_period("2026").label == "2026"
    for wrong in ("2026-Q5", "2026-13", "26", "2026-H1"):
        with pytest.raises(ValueError, match="must be a year"):
            parse_period(wrong)
    result = CliRunner().invoke(main, ["report", "federation", __file__, "--period", "Q3"])
    assert result.exit_code == 2
    assert 'period "Q3" must be a year (2026), a quarter (2026-Q3)' in result.output
