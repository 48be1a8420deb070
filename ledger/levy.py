"""Levies: the part of each co-op's fund that flows up to its region's fund.

A region declares its levy once; a later declaration replaces it from its date::

    2024-01-01 custom "levy" "North"   ; the region that receives it
      rate: "3%"                 ; default 3%, as Italy's co-ops pay their mutual funds
      base: "rent"               ; "rent": rent received in the year (the default);
                                 ; "surplus": the year's income less its expenses
      due-days: 60               ; due this many days after the year closes
      de-minimis: 10.33 EUR      ; a levy below this is not due at all

For every co-op of the region and every calendar year that has closed by the
plugin's as-of date, the levy is ``rate x base``, pro rata by the days of the year
the co-op was a member (its ``joined`` and ``left`` dates, see
:mod:`ledger.federation`), rounded half up to the cent. It is booked on the last
day of the year, twice, once in each fund's books, linked ``^levy-<coop>-<year>``::

    2025-12-31 * "Northern Federation" "Levy 2025: 3% of rent received 12000.00 EUR"
      levy: "North"
      due: 2026-03-01
      Expenses:North:Riverside:Levy        360.00 EUR
      Liabilities:North:Riverside:Levy    -360.00 EUR

    2025-12-31 * "Riverside Consumer Co-operative" "Levy 2025: 3% of rent ..."
      Assets:North:Receivable:Levy:Riverside   360.00 EUR
      Income:North:Levy:Riverside             -360.00 EUR

Two transactions, not one with four postings, because each side lives in its own
ledger: a co-op's own ledger (plugin option ``entity``) gets only its side, the
region's ledger, which includes its co-ops' books, gets both. The payment is
likewise booked once per side, from each fund's own bank statement (see
:mod:`ledger.levy_matching`), so the consolidated books count it once on each side.

Rent received is money into the co-op's fund by a transaction that settles rent
(see :mod:`ledger.fund`); the surplus is the co-op's income less its expenses in
the year, leaving out grants (investments of the fund, not running costs) and the
levy itself. A negative surplus owes nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core import flags
from beancount.core.amount import Amount

from ledger import directives
from ledger.accounts import EntityAccounts
from ledger.errors import FieldError
from ledger.errors import LevyError
from ledger.federation import Entity
from ledger.federation import Federation
from ledger.numbers import ZERO
from ledger.numbers import to_cents
from ledger.numbers import units
from ledger.rent import is_charge

#: The ``filename`` of generated levy transactions.
LEVY_SOURCE = "<coopfund:levy>"
BASES = ("rent", "surplus")
DEFAULT_RATE = "3%"
DEFAULT_DUE_DAYS = 60


@dataclass(frozen=True)
class LevyRule:
    """A region's levy on its co-ops, in force from ``starts``."""

    region: str
    starts: datetime.date
    rate: Decimal
    base: str
    due_days: int
    de_minimis: Decimal
    source: data.Meta

    @property
    def rate_text(self) -> str:
        """The rate as declared, such as ``3%``."""
        return f"{(self.rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Levy:
    """What one co-op owes its region for one year."""

    coop: Entity
    region: Entity
    rule: LevyRule
    start: datetime.date
    end: datetime.date
    base_amount: Decimal
    member_days: int
    amount: Decimal

    @property
    def due(self) -> datetime.date:
        """The last day to pay: ``due-days`` after the year closes."""
        return self.end + datetime.timedelta(days=self.rule.due_days)

    @property
    def link(self) -> str:
        """The link both sides of the levy (and its payments) carry."""
        return levy_link(self.coop.id, self.end.year)

    @property
    def year_days(self) -> int:
        """Days in the levy's year."""
        return (self.end - self.start).days + 1


def levy_link(coop: str, year: int) -> str:
    """``levy-<coop>-<year>``: the link of one co-op's levy for one year."""
    return f"levy-{coop}-{year}"


def read_levies(
    entries: Sequence[data.Directive], federation: Federation
) -> tuple[dict[str, list[LevyRule]], list[LevyError]]:
    """Each region's levy rules in date order, with an error for each unusable one."""
    rules: dict[str, list[LevyRule]] = defaultdict(list)
    errors: list[LevyError] = []
    for entry in directives.of_type(entries, "levy"):
        try:
            rule = _rule(entry, federation)
            if any(other.starts == rule.starts for other in rules[rule.region]):
                raise FieldError(
                    f'region "{rule.region}" already has a levy from {rule.starts}; '
                    "remove one of the two"
                )
            rules[rule.region].append(rule)
        except FieldError as error:
            errors.append(LevyError(entry.meta, str(error), entry))
    return {
        region: sorted(found, key=lambda r: r.starts) for region, found in rules.items()
    }, errors


def _rule(entry: data.Custom, federation: Federation) -> LevyRule:
    region = directives.identifier(entry)
    if region not in federation.regions:
        raise FieldError(
            f'levy names region "{region}", which is not declared; a levy is declared '
            'by the region that receives it: custom "levy" "<region id>"'
        )
    rate_text = directives.text(entry, "rate", DEFAULT_RATE)
    try:
        rate = Decimal(rate_text.removesuffix("%")) / 100
    except ArithmeticError:
        rate = Decimal(-1)
    if not rate_text.endswith("%") or not 0 < rate < 1:
        raise FieldError(f'levy rate "{rate_text}" must be a share such as "3%"')
    de_minimis = ZERO
    if "de-minimis" in entry.meta:
        de_minimis, _ = directives.amount(entry, "de-minimis")
        if de_minimis < 0:
            raise FieldError(f"levy de-minimis {de_minimis} must not be negative")
    return LevyRule(
        region=region,
        starts=entry.date,
        rate=rate,
        base=directives.choice(entry, "base", BASES, "rent"),
        due_days=directives.integer(entry, "due-days", DEFAULT_DUE_DAYS, 0, 3660),
        de_minimis=de_minimis,
        source=entry.meta,
    )


def levies(
    rules: dict[str, list[LevyRule]],
    federation: Federation,
    entries: Sequence[data.Directive],
    until: datetime.date,
    keeps: str | None = None,
) -> list[Levy]:
    """Every levy due for a year closed on or before ``until``.

    ``entries`` must hold the rent charges already (the surplus counts rent
    income). With ``keeps``, only that entity's levies: a co-op's own, or a
    region's co-ops'.
    """
    if not rules:
        return []  # no pass over the books for a federation without a levy
    bases = _Bases(federation, entries)
    found: list[Levy] = []
    for coop in federation.coops.values():
        region_rules = rules.get(coop.region or "", [])
        if not region_rules or keeps not in (None, coop.id, coop.region):
            continue
        region = federation.regions[coop.region or ""]
        for year in range(region_rules[0].starts.year, until.year + 1):
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            rule = next((r for r in reversed(region_rules) if r.starts <= end), None)
            days = coop.member_days(start, end)
            if end > until or rule is None or days == 0:
                continue
            base = bases.of(coop.id, year, rule.base)
            year_days = (end - start).days + 1
            amount = to_cents(max(base, ZERO) * rule.rate * days / year_days)
            if amount > 0 and amount >= rule.de_minimis:
                found.append(Levy(coop, region, rule, start, end, base, days, amount))
    return found


class _Bases:
    """Each co-op's rent received and surplus per year, from one pass over the books."""

    def __init__(self, federation: Federation, entries: Sequence[data.Directive]) -> None:
        self._rent: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        self._surplus: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        self._roles = _AccountRoles(federation)
        for entry in entries:
            if isinstance(entry, data.Transaction):
                self._add(entry)

    def of(self, coop: str, year: int, base: str) -> Decimal:
        table = self._rent if base == "rent" else self._surplus
        return table.get((coop, year), ZERO)

    def _add(self, entry: data.Transaction) -> None:
        roles = [(self._roles(p.account), units(p)) for p in entry.postings]
        year = entry.date.year
        settles_rent = not is_charge(entry) and any(
            role and role[1] == "rent" for role, _ in roles
        )
        for role, number in roles:
            if role is None:
                continue
            coop, kind = role
            if kind == "result":
                self._surplus[coop, year] -= number
            elif kind == "bank" and settles_rent:
                self._rent[coop, year] += number


class _AccountRoles:
    """Which co-op an account belongs to and what it counts for, with a cache.

    "bank": the co-op's fund (and envelopes); "rent": its rent receivables and
    prepaid credits; "result": its income and expenses, less grants and the levy.
    """

    def __init__(self, federation: Federation) -> None:
        self._prefixes: list[tuple[str, str, str | None]] = []
        for coop in federation.coops.values():
            chart = coop.accounts
            self._prefixes += [
                (chart.fund, coop.id, "bank"),
                (chart.rent_receivable_root, coop.id, "rent"),
                (chart.prepaid_rent_root, coop.id, "rent"),
                (chart.levy_expense, coop.id, None),
                (f"Expenses:{coop.path}:Grants", coop.id, None),
                (f"Income:{coop.path}", coop.id, "result"),
                (f"Expenses:{coop.path}", coop.id, "result"),
            ]
        self._cache: dict[str, tuple[str, str] | None] = {}

    def __call__(self, account: str) -> tuple[str, str] | None:
        if account not in self._cache:
            self._cache[account] = next(
                (
                    (coop, kind) if kind else None
                    for prefix, coop, kind in self._prefixes
                    if account == prefix or account.startswith(prefix + ":")
                ),
                None,
            )
        return self._cache[account]


def levy_entries(found: Sequence[Levy], keeps: str | None = None) -> list[data.Transaction]:
    """Both sides of each levy, or only the co-op's when ``keeps`` is that co-op."""
    entries: list[data.Transaction] = []
    for levy in found:
        entries.append(_coop_side(levy))
        if keeps != levy.coop.id:
            entries.append(_region_side(levy))
    return entries


def _narration(levy: Levy) -> str:
    what = "rent received" if levy.rule.base == "rent" else "surplus"
    text = f"Levy {levy.end.year}: {levy.rule.rate_text} of {what} {levy.base_amount}"
    if levy.member_days < levy.year_days:
        text += f", {levy.member_days}/{levy.year_days} days a member"
    return f"{text} {levy.coop.currency}"


def _meta(levy: Levy) -> data.Meta:
    return data.new_metadata(
        LEVY_SOURCE,
        0,
        {
            "levy": levy.region.id,
            "coop": levy.coop.id,
            "period-start": levy.start,
            "period-end": levy.end,
            "due": levy.due,
            "base": levy.rule.base,
            "base-amount": Amount(levy.base_amount, levy.coop.currency),
            "rate": levy.rule.rate_text,
            "member-days": levy.member_days,
        },
    )


def _coop_side(levy: Levy) -> data.Transaction:
    chart = levy.coop.accounts
    return _transaction(levy, levy.region.name, chart.levy_expense, chart.levy_payable)


def _region_side(levy: Levy) -> data.Transaction:
    chart = levy.region.accounts
    return _transaction(
        levy,
        levy.coop.name,
        chart.levy_receivable(levy.coop.id),
        chart.levy_income(levy.coop.id),
    )


def _transaction(levy: Levy, payee: str, debit: str, credit: str) -> data.Transaction:
    currency = levy.coop.currency
    return data.Transaction(
        _meta(levy),
        levy.end,
        flags.FLAG_OKAY,
        payee,
        _narration(levy),
        data.EMPTY_SET,
        frozenset({levy.link}),
        [
            data.Posting(debit, Amount(levy.amount, currency), None, None, None, None),
            data.Posting(credit, Amount(-levy.amount, currency), None, None, None, None),
        ],
    )


def levy_accounts(
    rules: dict[str, list[LevyRule]], federation: Federation, keeps: str | None = None
) -> list[tuple[str, Entity, datetime.date]]:
    """The levy accounts to open: (account, whose, from when), per side kept."""
    opened: list[tuple[str, Entity, datetime.date]] = []
    for coop in federation.coops.values():
        if coop.region not in rules or keeps not in (None, coop.id, coop.region):
            continue
        region = federation.regions[coop.region]
        day = max(coop.declared, region.declared)
        chart: EntityAccounts = coop.accounts
        opened += [(chart.levy_expense, coop, day), (chart.levy_payable, coop, day)]
        if keeps != coop.id:
            opened += [
                (region.accounts.levy_receivable(coop.id), region, day),
                (region.accounts.levy_income(coop.id), region, day),
            ]
    return opened
