"""The shape of a generated federation: who, which leases, how each collective pays.

A :class:`FederationSpec` is plain data. :mod:`ledger.demo.northern` fills one in by
hand for the demo; the benchmarks fill one in at scale. :mod:`ledger.demo.generate`
turns either into ledger files.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal


@dataclass(frozen=True)
class PayerHabits:
    """How a collective pays rent; drives the simulated payments only.

    Each payment comes ``delay`` days after the due date (a random whole number in
    the range), sometimes ``15-45`` days later still (``late_chance``), sometimes in
    two parts (``partial_chance``), sometimes more than due (``overpay_chance``).
    From ``arrears_from`` on, the collective pays only ``arrears_share`` of each
    charge: that is how arrears build up.
    """

    delay: tuple[int, int] = (0, 3)
    late_chance: float = 0.0
    partial_chance: float = 0.0
    overpay_chance: float = 0.0
    arrears_from: datetime.date | None = None
    arrears_share: float = 0.0


@dataclass(frozen=True)
class CoopSpec:
    """A local consumer co-op and its fund."""

    id: str
    name: str
    members: int
    iban: str
    #: The bank's export format for the last month's statement: "csv" or "camt053".
    statement_format: str
    opening_unallocated: Decimal
    opening_reserve: Decimal


@dataclass(frozen=True)
class CollectiveSpec:
    """A worker collective and how it pays."""

    id: str
    name: str
    coop: str
    workers: int
    iban: str
    habits: PayerHabits = PayerHabits()
    #: Remittance text on its transfers; ``{lease}`` and ``{period}`` are filled in.
    remittance: str = "Rent {period} {lease}"
    #: The account its transfers come from, if not its own ``iban``.
    pays_from: str = ""

    @property
    def paying_iban(self) -> str:
        """The IBAN the bank shows on this collective's transfers."""
        return self.pays_from or self.iban


@dataclass(frozen=True)
class LeaseSpec:
    """A lease, written out as a ``custom "lease"`` directive and its later events."""

    id: str
    collective: str
    workplace: str
    start: datetime.date
    rent: Decimal
    frequency: str = "monthly"
    due_day: int = 1
    end: datetime.date | None = None
    holiday_months: int = 0
    #: Extra lease metadata for indexation, e.g. {"indexation": "fixed", ...}.
    indexation: dict[str, object] = field(default_factory=dict)
    deposit: Decimal = Decimal(0)
    rent_changes: tuple[tuple[datetime.date, Decimal], ...] = ()
    terminated: datetime.date | None = None
    termination_reason: str = ""


@dataclass(frozen=True)
class ProposalSpec:
    """A proposal funded by an earlier round: committed, then disbursed."""

    id: str
    entity: str
    title: str
    amount: Decimal
    #: "grant" (spent) or "loan" (repaid month by month).
    instrument: str
    decided: datetime.date
    round: str
    disbursements: tuple[tuple[datetime.date, Decimal], ...] = ()
    monthly_repayment: Decimal = Decimal(0)


@dataclass(frozen=True)
class RoundSpec:
    """A round of voting, written as a ``custom "round"`` directive."""

    id: str
    scope: str
    opens: datetime.date
    closes: datetime.date
    cutoff: datetime.date
    max_ranks: int
    points: str
    #: None: what the fund has available when the round closes.
    budget: Decimal | None
    rule: str
    quorum: str
    conflict: str


@dataclass(frozen=True)
class CandidateSpec:
    """A proposal on a round's ballot, written as a ``custom "proposal"`` directive."""

    id: str
    round: str
    scope: str
    title: str
    cost: Decimal
    instrument: str
    category: str
    description: str
    collective: str = ""
    minimum: Decimal | None = None
    #: Declared the region's to decide, whatever it costs.
    regional: bool = False


@dataclass(frozen=True)
class FederationSpec:
    """Everything needed to write a federation's ledger and statements."""

    title: str
    region: str
    region_name: str
    region_iban: str
    region_opening: Decimal
    region_reserve: Decimal
    currency: str
    coops: tuple[CoopSpec, ...]
    collectives: tuple[CollectiveSpec, ...]
    leases: tuple[LeaseSpec, ...]
    proposals: tuple[ProposalSpec, ...]
    #: Extra accounts collectives pay from, declared as ``custom "payer"``:
    #: (from, collective, IBAN).
    payers: tuple[tuple[datetime.date, str, str], ...]
    #: Rounds of voting and the proposals on their ballots.
    rounds: tuple[RoundSpec, ...]
    candidates: tuple[CandidateSpec, ...]
    index: str
    index_values: tuple[tuple[datetime.date, Decimal], ...]
    #: First day of the books.
    start: datetime.date
    #: Last day booked; the month after it is left in statement files.
    end: datetime.date
    #: Share of each year's rent received moved to the indivisible reserve in January.
    reserve_share: Decimal
    seed: str
    #: The dearest proposal a co-op's own round may decide (None: no limit).
    local_limit: Decimal | None = None
    #: The region's levy on its co-ops' rent received (None: no levy).
    levy_rate: str | None = None
    levy_de_minimis: Decimal = Decimal("10.33")
    #: Levies (by link, ``levy-<coop>-<year>``) the demo leaves unpaid.
    unpaid_levies: frozenset[str] = frozenset()
    #: Whether to write the last month's bank statements (the benchmarks do not).
    statements: bool = True
    #: Whether to write the member register (the benchmarks do not).
    members: bool = True


def iban(bank_code: int, account: int, country: str = "DE") -> str:
    """A German-style IBAN with a valid ISO 13616 check number."""
    bban = f"{bank_code:08d}{account:010d}"
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"
