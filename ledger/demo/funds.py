"""The money of a generated federation: what goes through each fund's bank account.

Rent payments (split between arrears and credit by :class:`TenantPosition`, the
rule the rent plugin applies too), deposits, the opening balances, the yearly
transfer to the reserve, and earlier rounds' commitments, disbursements and loan
repayments. Movements up to the spec's end date are booked; the month after is
returned as bank statements instead.
"""

from __future__ import annotations

import datetime
import random
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from decimal import Decimal

from beancount.core import amount as amount_lib
from beancount.core import data
from beancount.core import flags
from beancount.parser.grammar import ValueType

from ledger.accounts import EntityAccounts
from ledger.demo.declarations import entry_meta
from ledger.demo.payments import Due
from ledger.demo.payments import Transfer
from ledger.demo.payments import transfers
from ledger.demo.spec import CollectiveSpec
from ledger.demo.spec import FederationSpec
from ledger.demo.spec import ProposalSpec
from ledger.demo.statements import Statement
from ledger.demo.statements import StatementLine
from ledger.federation import Federation
from ledger.levy import Levy
from ledger.numbers import to_cents
from ledger.numbers import units
from ledger.periods import FREQUENCIES
from ledger.periods import add_months
from ledger.periods import period_containing
from ledger.tenancy import TenantPosition


@dataclass
class Movement:
    """Money through an entity's bank account, as the books and the bank see it."""

    date: datetime.date
    payee: str
    narration: str
    postings: list[tuple[str, Decimal]]
    counterparty_iban: str
    links: frozenset[str] = frozenset()
    meta: dict[str, object] = field(default_factory=dict)
    bank_ref: str = ""

    def amount(self, fund: str) -> Decimal:
        """What the movement adds to the bank account ``fund`` (negative: money out)."""
        return sum((n for a, n in self.postings if a.startswith(fund)), Decimal(0))


class FundBuilder:
    """Collects each entity's bank movements and internal transfers."""

    def __init__(self, spec: FederationSpec, federation: Federation, as_of: datetime.date):
        self.spec = spec
        self.federation = federation
        self.as_of = as_of
        self.movements: dict[str, list[Movement]] = defaultdict(list)
        self.internal: dict[str, list[data.Directive]] = defaultdict(list)
        self.rent_received: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        self._charts = {e.id: e.accounts for e in federation.entities()}

    def chart(self, entity: str) -> EntityAccounts:
        """The accounts of a region or co-op, by id."""
        return self._charts[entity]

    def rent(self, charges: list[data.Transaction]) -> None:
        """Simulate every collective paying its charges, split as TenantPosition says."""
        leases = {lease.id: lease for lease in self.spec.leases}
        dues: dict[str, list[Due]] = defaultdict(list)
        for charge in charges:
            lease = leases[charge.meta["lease"]]
            period = period_containing(
                charge.meta["period-start"], FREQUENCIES[lease.frequency]
            )
            owed = units(charge.postings[0])
            dues[lease.collective].append(Due(lease.id, charge.date, period.label, owed))
        for collective in self.spec.collectives:
            rng = random.Random(f"{self.spec.seed}:{collective.id}")
            paid = transfers(dues[collective.id], collective.habits, rng)
            self._book_transfers(collective, dues[collective.id], paid)

    def _book_transfers(
        self, collective: CollectiveSpec, dues: list[Due], paid: list[Transfer]
    ) -> None:
        chart = self.chart(collective.coop)
        position = TenantPosition()
        events = sorted(
            [(due.due, 0, due) for due in dues] + [(t.date, 1, t) for t in paid],
            key=lambda event: (event[0], event[1]),
        )
        for day, _, event in events:
            if day > self.as_of:
                break
            if isinstance(event, Due):
                position.charge(event.amount)
                continue
            settles, credit = position.pay(event.amount)
            postings = [(chart.unallocated, event.amount)]
            if settles:
                postings.append((chart.rent_receivable(collective.id), -settles))
            if credit:
                postings.append((chart.prepaid_rent(collective.id), -credit))
            remittance = collective.remittance.format(
                lease=event.lease, period=event.period
            )
            self.movements[collective.coop].append(
                Movement(
                    day,
                    collective.name,
                    remittance,
                    postings,
                    collective.paying_iban,
                    frozenset({f"lease-{event.lease}"}),
                )
            )
            if day <= self.spec.end:
                self.rent_received[collective.coop, day.year] += event.amount

    def deposits(self) -> None:
        """Deposits paid at each lease's start, refunded two weeks after a termination."""
        collectives = {c.id: c for c in self.spec.collectives}
        for lease in self.spec.leases:
            if not lease.deposit:
                continue
            collective = collectives[lease.collective]
            chart = self.chart(collective.coop)
            held, owed = chart.deposits_held, chart.deposit(collective.id)
            link = frozenset({f"lease-{lease.id}"})
            self.movements[collective.coop].append(
                Movement(
                    lease.start,
                    collective.name,
                    f"Deposit {lease.workplace}",
                    [(held, lease.deposit), (owed, -lease.deposit)],
                    collective.iban,
                    link,
                )
            )
            if lease.terminated:
                refund_day = lease.terminated + datetime.timedelta(days=14)
                self.movements[collective.coop].append(
                    Movement(
                        refund_day,
                        collective.name,
                        f"Deposit refund {lease.workplace}",
                        [(held, -lease.deposit), (owed, lease.deposit)],
                        collective.iban,
                        link,
                    )
                )

    def openings(self) -> None:
        """Each fund's balance on the first day of the books."""
        opening = {
            c.id: (c.opening_unallocated, c.opening_reserve) for c in self.spec.coops
        }
        opening[self.spec.region] = (self.spec.region_opening, self.spec.region_reserve)
        for entity, (free, reserve) in opening.items():
            chart = self.chart(entity)
            self.internal[entity].append(
                _transaction(
                    self.spec.start,
                    None,
                    "Opening balance of the fund",
                    [
                        (chart.unallocated, free),
                        (chart.reserve, reserve),
                        (chart.opening_equity, -(free + reserve)),
                    ],
                    self.spec.currency,
                )
            )

    def reserve_transfers(self) -> None:
        """Each January, the spec's share of last year's rent goes to the reserve."""
        for (coop, year), received in sorted(self.rent_received.items()):
            moved = to_cents(received * self.spec.reserve_share)
            day = datetime.date(year + 1, 1, 15)
            if not moved or day > self.spec.end:
                continue
            chart = self.chart(coop)
            share = f"{self.spec.reserve_share * 100:.0f} %"
            self.internal[coop].append(
                _transaction(
                    day,
                    None,
                    f"{share} of rent received in {year} to the indivisible reserve",
                    [(chart.unallocated, -moved), (chart.reserve, moved)],
                    self.spec.currency,
                )
            )

    def proposal(self, proposal: ProposalSpec) -> None:
        """A round's commitment, its disbursements and, for a loan, its repayments."""
        chart = self.chart(proposal.entity)
        committed = chart.committed(proposal.id)
        spent = (
            chart.loan(proposal.id)
            if proposal.instrument == "loan"
            else chart.grant(proposal.id)
        )
        meta = {"round": proposal.round, "proposal": proposal.id}
        self.internal[proposal.entity] += [
            _open(proposal.decided, committed, self.spec.currency, meta),
            _open(proposal.decided, spent, self.spec.currency, meta),
            _transaction(
                proposal.decided,
                None,
                f"Round {proposal.round}: commit to {proposal.title}",
                [(chart.unallocated, -proposal.amount), (committed, proposal.amount)],
                self.spec.currency,
                meta=meta,
                links=frozenset({f"proposal-{proposal.id}"}),
            ),
        ]
        link = frozenset({f"proposal-{proposal.id}"})
        for day, paid in proposal.disbursements:
            self.movements[proposal.entity].append(
                Movement(
                    day,
                    proposal.title,
                    f"Disbursement ({proposal.instrument})",
                    [(committed, -paid), (spent, paid)],
                    "",
                    link,
                    dict(meta),
                )
            )
        if proposal.monthly_repayment and proposal.disbursements:
            self._repayments(proposal, chart, spent, link)

    def _repayments(
        self, proposal: ProposalSpec, chart: EntityAccounts, loan: str, link: frozenset[str]
    ) -> None:
        lent = sum((paid for _, paid in proposal.disbursements), Decimal(0))
        day = add_months(proposal.disbursements[0][0].replace(day=20), 2)
        while lent > 0 and day <= self.as_of:
            paid = min(proposal.monthly_repayment, lent)
            self.movements[proposal.entity].append(
                Movement(
                    day,
                    proposal.title,
                    f"Loan {proposal.id} repayment",
                    [(chart.unallocated, paid), (loan, -paid)],
                    "",
                    link,
                )
            )
            lent -= paid
            day = add_months(day, 1)

    def levy_payments(self, levies: list[Levy], unpaid: frozenset[str]) -> None:
        """Each levy paid three weeks before it is due, except ``unpaid``.

        The payment is a movement of both banks: out of the payer's fund, into the
        receiver's, each settling its own side of the levy.
        """
        for levy in levies:
            day = levy.due - datetime.timedelta(days=21)
            if levy.link in unpaid or day > self.spec.end:
                continue
            payer, receiver = levy.payer.accounts, levy.receiver.accounts
            remittance = f"LEVY {levy.payer.id} {levy.end.year}"
            link = frozenset({levy.link})
            self.movements[levy.payer.id].append(
                Movement(
                    day,
                    levy.receiver.name,
                    remittance,
                    [(payer.unallocated, -levy.amount), (payer.levy_payable, levy.amount)],
                    str(levy.receiver.extra.get("iban", "")),
                    link,
                )
            )
            self.movements[levy.receiver.id].append(
                Movement(
                    day,
                    levy.payer.name,
                    remittance,
                    [
                        (receiver.unallocated, levy.amount),
                        (receiver.levy_receivable(levy.payer.id), -levy.amount),
                    ],
                    str(levy.payer.extra.get("iban", "")),
                    link,
                )
            )

    # --- output ---------------------------------------------------------------

    def _numbered(self, entity: str) -> list[Movement]:
        """The entity's movements in date order, each with the bank's reference."""
        numbered = []
        per_day: dict[datetime.date, int] = defaultdict(int)
        for movement in sorted(self.movements[entity], key=lambda m: m.date):
            per_day[movement.date] += 1
            ref = f"{entity[:3].upper()}{movement.date:%Y%m%d}{per_day[movement.date]:03d}"
            numbered.append(replace(movement, bank_ref=ref))
        return numbered

    def fund_entries(self) -> dict[str, list[data.Directive]]:
        """Per entity: internal transfers, booked movements and monthly balance checks."""
        result = {}
        for entity in self.federation.entities():
            booked = [
                _movement_transaction(m, self.spec.currency)
                for m in self._numbered(entity.id)
                if m.date <= self.spec.end
            ]
            entries = sorted([*self.internal[entity.id], *booked], key=data.entry_sortkey)
            _check_envelopes(entity.id, entries)
            fund = entity.accounts.fund
            result[entity.id] = [
                *entries,
                *self._balances(fund, entries),
                self._insert_here(fund),
            ]
        return result

    def _insert_here(self, fund: str) -> data.Custom:
        """Fava's option that sends this fund's imported entries to the end of its file."""
        values = [ValueType("insert-entry", str), ValueType(f"^{re.escape(fund)}", str)]
        return data.Custom(entry_meta(), self.spec.start, "fava-option", values)

    def _balances(self, fund: str, entries: list[data.Directive]) -> list[data.Directive]:
        """A balance check on the first of each month, as a statement would give it."""
        checks: list[data.Directive] = []
        day = add_months(self.spec.start, 1)
        total, position = Decimal(0), 0
        while day <= self.spec.end + datetime.timedelta(days=1):
            while position < len(entries) and entries[position].date < day:
                total += _bank_change(entries[position], fund)
                position += 1
            amount = amount_lib.Amount(total, self.spec.currency)
            checks.append(data.Balance(entry_meta(), day, fund, amount, None, None))
            day = add_months(day, 1)
        return checks

    def statements(self, funds: dict[str, list[data.Directive]]) -> list[Statement]:
        """The last month's statement of each co-op's fund account.

        It opens at the balance the books reach on their last day, and lists the
        movements of the following month, which the books do not hold yet.
        """
        if not self.spec.statements:
            return []
        start = self.spec.end + datetime.timedelta(days=1)
        result = []
        for coop_spec in self.spec.coops:
            entity = self.federation.coops[coop_spec.id]
            fund = entity.accounts.fund
            opening = sum((_bank_change(e, fund) for e in funds[coop_spec.id]), Decimal(0))
            lines = [
                StatementLine(
                    m.date,
                    m.amount(fund),
                    m.payee,
                    m.counterparty_iban,
                    m.narration,
                    m.bank_ref,
                )
                for m in self._numbered(coop_spec.id)
                if start <= m.date <= self.as_of
            ]
            lines += _unbooked_lines(coop_spec.id, start, self.as_of)
            lines.sort(key=lambda line: (line.date, line.bank_ref))
            result.append(
                Statement(
                    coop_spec.id,
                    entity.name,
                    coop_spec.iban,
                    self.spec.currency,
                    start,
                    self.as_of,
                    opening,
                    tuple(lines),
                    coop_spec.statement_format,
                )
            )
        return result


def _unbooked_lines(
    coop: str, start: datetime.date, end: datetime.date
) -> list[StatementLine]:
    """What every real statement has besides rent: a fee and a transfer nobody expects."""
    prefix = coop[:3].upper()
    return [
        StatementLine(
            end,
            Decimal("-9.50"),
            "Co-operative Bank",
            "",
            "Account fee",
            f"{prefix}{end:%Y%m%d}901",
        ),
        StatementLine(
            start + datetime.timedelta(days=17),
            Decimal("150.00"),
            "M. Okafor",
            "DE89370400440532013000",
            "Donation to the fund",
            f"{prefix}{start + datetime.timedelta(days=17):%Y%m%d}902",
        ),
    ]


def _bank_change(entry: data.Directive, fund: str) -> Decimal:
    if not isinstance(entry, data.Transaction):
        return Decimal(0)
    return sum((units(p) for p in entry.postings if p.account.startswith(fund)), Decimal(0))


def _check_envelopes(entity: str, entries: list[data.Directive]) -> None:
    """A generated fund must never overdraw an envelope: that would be a spec error."""
    balances: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            if ":Fund" in posting.account:
                balances[posting.account] += units(posting)
                if balances[posting.account] < 0:
                    raise RuntimeError(
                        f"{entity}: {posting.account} goes negative on {entry.date}"
                    )


def _open(
    day: datetime.date, account: str, currency: str, meta: Mapping[str, object]
) -> data.Open:
    return data.Open(entry_meta(meta), day, account, [currency], None)


def _transaction(
    day: datetime.date,
    payee: str | None,
    narration: str,
    postings: list[tuple[str, Decimal]],
    currency: str,
    *,
    meta: Mapping[str, object] | None = None,
    links: frozenset[str] = frozenset(),
) -> data.Transaction:
    return data.Transaction(
        entry_meta(meta),
        day,
        flags.FLAG_OKAY,
        payee,
        narration,
        data.EMPTY_SET,
        links,
        [
            data.Posting(
                account, amount_lib.Amount(number, currency), None, None, None, None
            )
            for account, number in postings
        ],
    )


def _movement_transaction(movement: Movement, currency: str) -> data.Transaction:
    meta = {"bank-ref": movement.bank_ref, **movement.meta}
    return _transaction(
        movement.date,
        movement.payee,
        movement.narration,
        movement.postings,
        currency,
        meta=meta,
        links=movement.links,
    )
