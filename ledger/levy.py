"""Levies: the part of each fund that flows up to the level above.

A region declares the levy its co-ops pay it, and a nation the levy its regions
pay it; a later declaration replaces the earlier from its date::

    2024-01-01 custom "levy" "North"   ; the region (or nation) that receives it
      rate: "3%"                 ; default 3%, as Italy's co-ops pay their mutual funds
      base: "rent"               ; "rent": rent received in the year (the default);
                                 ; "surplus": the year's income less its expenses;
                                 ; "levies": the levies it was owed for the year
                                 ; (what a region passes on to its nation)
      due-days: 60               ; due this many days after the year closes
      de-minimis: 10.33 EUR      ; a levy below this is not due at all

For every member of the receiving level (a region's co-ops, a nation's regions) and
every calendar year that has closed by the plugin's as-of date, the levy is
``rate x base``, pro rata by the days of the year the payer was a member (its
``joined`` and ``left`` dates, see :mod:`ledger.federation`), rounded half up to the
cent. It is booked on the last day of the year, twice, once in each fund's books,
linked ``^levy-<payer>-<year>``::

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

Rent received is money into the payer's fund by a transaction that settles rent
(see :mod:`ledger.fund`); the surplus is its income less its expenses in the year,
leaving out grants (investments of the fund, not running costs) and the levy it
pays itself; a negative surplus owes nothing. The levies a region was owed are
the levy income it booked for the year, paid or not; they are worked out first,
so a nation's levy on them follows in the same load.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core import flags
from beancount.core.amount import Amount

from ledger import directives
from ledger.accounts import AccountRoles
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
BASES = ("rent", "surplus", "levies")
DEFAULT_RATE = "3%"
DEFAULT_DUE_DAYS = 60


@dataclass(frozen=True)
class LevyRule:
    """A receiver's levy on its members, in force from ``starts``."""

    receiver: str
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
    """What one co-op owes its region (or one region its nation) for one year."""

    payer: Entity
    receiver: Entity
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
        return levy_link(self.payer.id, self.end.year)

    @property
    def year_days(self) -> int:
        """Days in the levy's year."""
        return (self.end - self.start).days + 1


def levy_link(payer: str, year: int) -> str:
    """``levy-<payer>-<year>``: the link of one payer's levy for one year."""
    return f"levy-{payer}-{year}"


def read_levies(
    entries: Sequence[data.Directive], federation: Federation
) -> tuple[dict[str, list[LevyRule]], list[LevyError]]:
    """Each receiver's levy rules in date order, with an error for each unusable one."""
    rules: dict[str, list[LevyRule]] = defaultdict(list)
    errors: list[LevyError] = []
    for entry in directives.of_type(entries, "levy"):
        try:
            rule = _rule(entry, federation)
            if any(other.starts == rule.starts for other in rules[rule.receiver]):
                raise FieldError(
                    f'"{rule.receiver}" already has a levy from {rule.starts}; '
                    "remove one of the two"
                )
            rules[rule.receiver].append(rule)
        except FieldError as error:
            errors.append(LevyError(entry.meta, str(error), entry))
    ordered = {
        receiver: sorted(found, key=lambda r: r.starts) for receiver, found in rules.items()
    }
    return ordered, errors


def _rule(entry: data.Custom, federation: Federation) -> LevyRule:
    receiver = directives.identifier(entry)
    if receiver not in federation.regions and receiver not in federation.nations:
        raise FieldError(
            f'levy names "{receiver}", which is not a declared region or nation; a '
            'levy is declared by the region (or nation) that receives it: custom "levy" '
            '"<region id>"'
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
        receiver=receiver,
        starts=entry.date,
        rate=rate,
        base=directives.choice(entry, "base", BASES, "rent"),
        due_days=directives.integer(entry, "due-days", DEFAULT_DUE_DAYS, 0, 3660),
        de_minimis=de_minimis,
        source=entry.meta,
    )


def _kept(keeps: str | None, payer: Entity, receiver: Entity) -> bool:
    """Whether a ledger keeping ``keeps``'s books holds this levy (a side of it)."""
    return keeps in (None, payer.id, receiver.id)


def levies(
    rules: dict[str, list[LevyRule]],
    federation: Federation,
    entries: Sequence[data.Directive],
    until: datetime.date,
    keeps: str | None = None,
) -> list[Levy]:
    """Every levy due for a year closed on or before ``until``.

    ``entries`` must hold the rent charges already (the surplus counts rent
    income). With ``keeps``, only the levies that entity pays or receives.
    Regions' levies come first: a nation's may be based on them.
    """
    if not rules:
        return []  # no pass over the books for a federation without a levy
    bases = _Bases(federation, entries)
    found: list[Levy] = []
    for receiver_id in sorted(rules, key=lambda ident: ident in federation.nations):
        receiver = federation.entity(receiver_id)
        assert receiver is not None  # read_levies keeps declared receivers only
        for payer in federation.members_of(receiver_id):
            for levy in _levies_of(payer, receiver, rules[receiver_id], bases, until):
                bases.owed(levy)
                if _kept(keeps, payer, receiver):
                    found.append(levy)
    return found


def _levies_of(
    payer: Entity,
    receiver: Entity,
    rules: list[LevyRule],
    bases: _Bases,
    until: datetime.date,
) -> Iterator[Levy]:
    for year in range(rules[0].starts.year, until.year + 1):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        rule = next((r for r in reversed(rules) if r.starts <= end), None)
        days = payer.member_days(start, end)
        if end > until or rule is None or days == 0:
            continue
        base = bases.of(payer.id, year, rule.base)
        year_days = (end - start).days + 1
        amount = to_cents(max(base, ZERO) * rule.rate * days / year_days)
        if amount > 0 and amount >= rule.de_minimis:
            yield Levy(payer, receiver, rule, start, end, base, days, amount)


class _Bases:
    """Each fund's rent received, surplus and levies owed to it, per year.

    Rent and surplus come from one pass over the books; levies owed are added as
    the levies of the level below are worked out (:meth:`owed`).
    """

    def __init__(self, federation: Federation, entries: Sequence[data.Directive]) -> None:
        self._tables: dict[str, dict[tuple[str, int], Decimal]] = {
            base: defaultdict(Decimal) for base in BASES
        }
        self._roles = _account_roles(federation)
        for entry in entries:
            if isinstance(entry, data.Transaction):
                self._add(entry)

    def of(self, entity: str, year: int, base: str) -> Decimal:
        return self._tables[base].get((entity, year), ZERO)

    def owed(self, levy: Levy) -> None:
        """``levy`` is owed to its receiver: part of its "levies", and of its surplus."""
        key = (levy.receiver.id, levy.end.year)
        self._tables["levies"][key] += levy.amount
        self._tables["surplus"][key] += levy.amount

    def _add(self, entry: data.Transaction) -> None:
        roles = [(self._roles(p.account), units(p)) for p in entry.postings]
        year = entry.date.year
        settles_rent = not is_charge(entry) and any(
            role and role[1] == "rent" for role, _ in roles
        )
        for role, number in roles:
            if role is None:
                continue
            entity, kind = role
            if kind == "result":
                self._tables["surplus"][entity, year] -= number
            elif kind == "bank" and settles_rent:
                self._tables["rent"][entity, year] += number


def _account_roles(federation: Federation) -> AccountRoles:
    """Which fund an account belongs to and what it counts for.

    "bank": the fund (and envelopes); "rent": rent receivables and prepaid credits;
    "result": income and expenses, less grants and levies (which the plugin books
    itself, at every load, and :meth:`_Bases.owed` counts). Co-ops come first: a
    region's account names are prefixes of its co-ops'.
    """
    prefixes: list[tuple[str, str, str | None]] = []
    by_depth = [*federation.coops.values(), *federation.regions.values()]
    for entity in [*by_depth, *federation.nations.values()]:
        chart = entity.accounts
        prefixes += [
            (chart.fund, entity.id, "bank"),
            (chart.rent_receivable_root, entity.id, "rent"),
            (chart.prepaid_rent_root, entity.id, "rent"),
            (chart.levy_expense, entity.id, None),
            (chart.levy_income_root, entity.id, None),
            (chart.grants_root, entity.id, None),
            (chart.income_root, entity.id, "result"),
            (chart.expenses_root, entity.id, "result"),
        ]
    return AccountRoles(prefixes)


def levy_entries(found: Sequence[Levy], keeps: str | None = None) -> list[data.Transaction]:
    """Both sides of each levy, or only the one ``keeps`` keeps."""
    entries: list[data.Transaction] = []
    for levy in found:
        if keeps != levy.receiver.id:
            entries.append(_payer_side(levy))
        if keeps != levy.payer.id:
            entries.append(_receiver_side(levy))
    return entries


_BASE_WORDS = {"rent": "rent received", "surplus": "surplus", "levies": "levies owed to it"}


def _narration(levy: Levy) -> str:
    what = _BASE_WORDS[levy.rule.base]
    text = f"Levy {levy.end.year}: {levy.rule.rate_text} of {what} {levy.base_amount}"
    if levy.member_days < levy.year_days:
        text += f", {levy.member_days}/{levy.year_days} days a member"
    return f"{text} {levy.payer.currency}"


def _meta(levy: Levy) -> data.Meta:
    return data.new_metadata(
        LEVY_SOURCE,
        0,
        {
            "levy": levy.receiver.id,
            "payer": levy.payer.id,
            "period-start": levy.start,
            "period-end": levy.end,
            "due": levy.due,
            "base": levy.rule.base,
            "base-amount": Amount(levy.base_amount, levy.payer.currency),
            "rate": levy.rule.rate_text,
            "member-days": levy.member_days,
        },
    )


def _payer_side(levy: Levy) -> data.Transaction:
    chart = levy.payer.accounts
    return _transaction(levy, levy.receiver.name, chart.levy_expense, chart.levy_payable)


def _receiver_side(levy: Levy) -> data.Transaction:
    chart = levy.receiver.accounts
    return _transaction(
        levy,
        levy.payer.name,
        chart.levy_receivable(levy.payer.id),
        chart.levy_income(levy.payer.id),
    )


def _transaction(levy: Levy, payee: str, debit: str, credit: str) -> data.Transaction:
    currency = levy.payer.currency
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
    for receiver_id in rules:
        receiver = federation.entity(receiver_id)
        assert receiver is not None  # read_levies keeps declared receivers only
        for payer in federation.members_of(receiver_id):
            if not _kept(keeps, payer, receiver):
                continue
            day = max(payer.declared, receiver.declared)
            chart = payer.accounts
            if keeps != receiver.id:
                opened += [
                    (chart.levy_expense, payer, day),
                    (chart.levy_payable, payer, day),
                ]
            if keeps != payer.id:
                opened += [
                    (receiver.accounts.levy_receivable(payer.id), receiver, day),
                    (receiver.accounts.levy_income(payer.id), receiver, day),
                ]
    return opened
