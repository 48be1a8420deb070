"""Consolidated statements of a federation, from one ledger or thousands.

A national federation has thousands of co-op ledgers, so consolidation never loads
them together: each ledger is loaded and summarised on its own into a few numbers
per fund (:class:`FundSummary`, small and picklable), and the summaries are added
up per level. Summarising is the expensive part and each ledger's is independent,
so :mod:`ledger.consolidation_run` spreads it over processes or a Dask cluster.

For each fund (a region's or a co-op's) and one calendar period (a year, a
quarter or a month: :func:`ledger.periods.parse_period`), up to the as-of date:

* **inflows**: rent received; levy (into a region from its co-ops, out of a co-op
  to its region: signed, so a level's total nets the transfers inside it to what
  is still in transit); loan repayments;
* **commitments** made by rounds, and **disbursements** paid out (grants, loans,
  equity);
* at the end: rent **arrears**, levy **unpaid** (owed to a region, or by a co-op),
  the **reserve**, the **committed** money not yet disbursed, the **bank** balance.

A ledger contributes the funds it keeps (:attr:`ledger.books.Books.kept_entities`):
a co-op's own ledger its co-op, the region's ledger every fund it includes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from ledger.accounts import AccountRoles
from ledger.books import Books
from ledger.books import format_error
from ledger.books import load_books
from ledger.federation import Entity
from ledger.fund import fund_report
from ledger.numbers import ZERO
from ledger.numbers import units
from ledger.periods import Period

#: The summed figures of a :class:`FundSummary`, in the order reports show them.
FIGURES = (
    "rent_received",
    "levy",
    "loan_repayments",
    "committed",
    "disbursed",
    "arrears",
    "levy_unpaid",
    "reserve",
    "outstanding",
    "bank",
)


@dataclass(frozen=True)
class FundSummary:
    """One fund's period, as one ledger's books tell it."""

    entity: str
    name: str
    #: The region a co-op belongs to; None for a region (or the nation).
    region: str | None
    #: "nation", "region" or "co-op".
    level: str
    currency: str
    #: The ledger it was read from.
    ledger: str
    rent_received: Decimal
    levy: Decimal
    loan_repayments: Decimal
    committed: Decimal
    disbursed: Decimal
    arrears: Decimal
    levy_unpaid: Decimal
    reserve: Decimal
    outstanding: Decimal
    bank: Decimal


@dataclass(frozen=True)
class LedgerSummary:
    """What summarising one ledger gave: its funds' figures, and its errors."""

    ledger: str
    funds: tuple[FundSummary, ...]
    errors: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    """A region and its co-ops: the region's own fund, each co-op, and the total."""

    region: str
    name: str
    currency: str
    own: FundSummary | None
    coops: tuple[FundSummary, ...]
    total: dict[str, Decimal]


@dataclass(frozen=True)
class Consolidated:
    """The federation's statement for one period, level by level."""

    period: Period
    as_of: datetime.date
    levels: tuple[Level, ...]
    #: Errors in the ledgers read, as ``file:line: message``.
    errors: tuple[str, ...]
    ledgers: int

    @property
    def total(self) -> dict[str, Decimal]:
        """Every region's total added up: the national federation's.

        Only meaningful in one currency; each level's total is in its own.
        """
        return {
            figure: sum((level.total[figure] for level in self.levels), ZERO)
            for figure in FIGURES
        }


class ConsolidationError(ValueError):
    """Summaries that cannot be combined; the message says which ledgers and why."""


def period_end(period: Period, as_of: datetime.date) -> datetime.date:
    """The last day a period's statement covers: the period's, or the as-of date."""
    return min(as_of, period.end)


def summarise_ledger(path: str, period: Period, as_of: datetime.date) -> LedgerSummary:
    """Load the ledger at ``path`` and summarise the funds it keeps.

    A module-level function of plain arguments, so a process pool or a Dask worker
    can run it.
    """
    books = load_books(Path(path))
    funds = summarise_books(books, period, as_of, ledger=path)
    return LedgerSummary(path, funds, tuple(format_error(e) for e in books.errors))


def summarise_books(
    books: Books, period: Period, as_of: datetime.date, *, ledger: str = ""
) -> tuple[FundSummary, ...]:
    """Each kept fund's figures for ``period`` up to ``as_of``.

    Rent received is the fund report's, month by month (a period never spans two
    years); the other flows come from one pass of :class:`_Flows`.
    """
    end = period_end(period, as_of)
    report = fund_report(books.entries, books.federation, end, books.kept_entities)
    rent = {
        position.entity.id: sum(
            (
                month.received.get(position.entity.id, ZERO)
                for month in report.months
                if month.month_end >= period.start
            ),
            ZERO,
        )
        for position in report.positions
    }
    flows = _Flows(books.kept_entities, books.entries, period.start, end)
    summaries = []
    for position in report.positions:
        entity = position.entity
        summaries.append(
            FundSummary(
                entity=entity.id,
                name=entity.name,
                region=entity.region,
                level=entity.level,
                currency=entity.currency,
                ledger=ledger,
                rent_received=rent[entity.id],
                levy=flows.of(entity.id, "levy"),
                loan_repayments=flows.of(entity.id, "repaid"),
                committed=flows.of(entity.id, "committed"),
                disbursed=flows.of(entity.id, "disbursed"),
                arrears=position.arrears,
                levy_unpaid=flows.of(entity.id, "levy_unpaid"),
                reserve=position.reserve,
                outstanding=position.committed,
                bank=position.bank,
            )
        )
    return tuple(summaries)


class _Flows:
    """Levy, repayments, commitments and disbursements of each fund, in one pass.

    Bank movements count only where they meet a levy or loan account, so a levy
    counts when it is paid, not when it is booked; unpaid levy is the balance of
    the levy receivable (a region) or payable (a co-op) at the end. Money put into
    a Committed envelope is a commitment; money into a grant, loan or stake is a
    disbursement.
    """

    def __init__(
        self,
        entities: Sequence[Entity],
        entries: Iterable[data.Directive],
        start: datetime.date,
        end: datetime.date,
    ) -> None:
        self._totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        prefixes: list[tuple[str, str, str | None]] = []
        for entity in entities:
            chart = entity.accounts
            prefixes += [
                (chart.committed_root, entity.id, "committed"),
                (chart.fund, entity.id, "bank"),
                (chart.levy_receivable_root, entity.id, "levy_account"),
                (chart.levy_payable, entity.id, "levy_account"),
                (chart.loans_root, entity.id, "loan"),
                (chart.equity_root, entity.id, "stake"),
                (chart.grants_root, entity.id, "grant"),
            ]
        self._role = AccountRoles(prefixes)
        for entry in entries:
            if entry.date > end:
                break
            if isinstance(entry, data.Transaction):
                self._add(entry, in_period=entry.date >= start)

    def of(self, entity: str, figure: str) -> Decimal:
        return self._totals.get((entity, figure), ZERO)

    def _add(self, entry: data.Transaction, *, in_period: bool) -> None:
        roles = [(self._role(p.account), units(p)) for p in entry.postings]
        kinds = {role[1] for role, _ in roles if role}
        for role, number in roles:
            if role is None:
                continue
            entity, kind = role
            if kind == "levy_account":
                self._totals[entity, "levy_unpaid"] += number
            if not in_period:
                continue
            if kind == "bank" and "levy_account" in kinds:
                self._totals[entity, "levy"] += number
            elif kind == "bank" and "loan" in kinds and number > 0:
                self._totals[entity, "repaid"] += number
            elif kind in ("loan", "stake", "grant") and number > 0:
                self._totals[entity, "disbursed"] += number
            elif kind == "committed" and number > 0:
                self._totals[entity, "committed"] += number


def consolidate(
    summaries: Sequence[LedgerSummary], period: Period, as_of: datetime.date
) -> Consolidated:
    """Add up the funds' summaries per region; refuse a fund summarised twice."""
    seen: dict[str, str] = {}
    by_region: dict[str, list[FundSummary]] = defaultdict(list)
    regions: dict[str, FundSummary] = {}
    for summary in summaries:
        for fund in summary.funds:
            if fund.entity in seen:
                raise ConsolidationError(
                    f'the fund "{fund.entity}" is in both {seen[fund.entity]} and '
                    f"{summary.ledger}; give either the region's ledger (which includes "
                    "its co-ops' books) or the co-ops' own ledgers, not both"
                )
            seen[fund.entity] = summary.ledger
            if fund.region is None:
                regions[fund.entity] = fund
            else:
                by_region[fund.region].append(fund)
    levels = []
    for region in sorted({*regions, *by_region}):
        own = regions.get(region)
        coops = tuple(sorted(by_region[region], key=lambda f: f.entity))
        members = [*([own] if own else []), *coops]
        levels.append(
            Level(
                region=region,
                name=own.name if own else region,
                currency=members[0].currency,
                own=own,
                coops=coops,
                total={
                    figure: sum((getattr(f, figure) for f in members), ZERO)
                    for figure in FIGURES
                },
            )
        )
    errors = tuple(error for summary in summaries for error in summary.errors)
    return Consolidated(period, as_of, tuple(levels), errors, len(summaries))


def summary_figures(fund: FundSummary) -> dict[str, Decimal]:
    """A fund's summed figures by name, as :data:`FIGURES` lists them."""
    return {figure: getattr(fund, figure) for figure in FIGURES}
