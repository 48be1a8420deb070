"""The federation's chart of accounts, defined once.

Every account name the project reads or writes is built here, so the shape of the
books is visible in one place and documented in the README. Account names carry
the region, the co-op and the collective, so Fava's account tree reads as the
federation::

    Assets:North:Fund                          the regional fund's bank account
    Assets:North:Riverside:Fund                Riverside co-op's fund bank account
    Assets:North:Riverside:Fund:Unallocated      envelope: available to allocate
    Assets:North:Riverside:Fund:Reserve          envelope: indivisible reserve
    Assets:North:Riverside:Fund:Deposits         envelope: tenants' deposits held
    Assets:North:Riverside:Fund:Committed:P7     envelope: committed to proposal P7
    Assets:North:Riverside:Receivable:Rent:Bakery  rent charged, not yet paid
    Assets:North:Riverside:Loans:P7            loans disbursed to proposal P7
    Liabilities:North:Riverside:PrepaidRent:Bakery rent paid in advance (credit)
    Liabilities:North:Riverside:Deposits:Bakery    deposit owed back to the tenant
    Liabilities:North:Riverside:Suspense       bank lines not placed yet
    Income:North:Riverside:Rent:Bakery         rent earned from the Bakery
    Expenses:North:Riverside:Grants:P7         grants paid to proposal P7
    Equity:North:Riverside:Opening             opening balance of the fund
    Expenses:North:Riverside:Levy              the levy Riverside owes its region
    Liabilities:North:Riverside:Levy           levy booked and not yet paid upward
    Assets:North:Receivable:Levy:Riverside     the region's side: levy owed to it
    Income:North:Levy:Riverside                the region's levy income from Riverside
    Expenses:North:Levy                        the levy the region owes its nation
    Assets:Union:Receivable:Levy:North         the nation's side: levy owed to it

The envelopes are sub-accounts of the bank account, so they always sum to the bank
balance: a statement's closing balance is asserted on ``...:Fund`` itself and
Beancount adds up the envelopes. Money moves between envelopes (a commitment moves
it from Unallocated to Committed) without leaving the bank.

Each collective has its own receivable and income accounts and each co-op its own
envelopes, so no account collects the postings of the whole federation (Fava's
account pages serialise every posting of an account).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Names used as account components below an entity; no region, co-op or
#: collective may be called one of these, or its accounts would collide with ours.
RESERVED = frozenset(
    {
        "Fund",
        "Unallocated",
        "Reserve",
        "Deposits",
        "Committed",
        "Receivable",
        "Rent",
        "Loans",
        "PrepaidRent",
        "Grants",
        "Opening",
        "Suspense",
        "Equity",
        "Levy",
    }
)


@dataclass(frozen=True)
class EntityAccounts:
    """The accounts of one fund-holding entity: a local co-op or a region.

    ``path`` is the entity's place in the federation: ``"North"`` for a region,
    ``"North:Riverside"`` for a co-op of that region.
    """

    path: str

    @property
    def fund(self) -> str:
        """The fund's bank account; the envelopes below it sum to its balance."""
        return f"Assets:{self.path}:Fund"

    @property
    def unallocated(self) -> str:
        """Money in the bank that no decision has earmarked: available to allocate."""
        return f"{self.fund}:Unallocated"

    @property
    def reserve(self) -> str:
        """The indivisible reserve, which no allocation round may ever spend."""
        return f"{self.fund}:Reserve"

    @property
    def deposits_held(self) -> str:
        """Tenants' deposits sitting in the bank; they belong to the tenants."""
        return f"{self.fund}:Deposits"

    @property
    def committed_root(self) -> str:
        """Parent of the per-proposal commitment envelopes."""
        return f"{self.fund}:Committed"

    def committed(self, proposal: str) -> str:
        """Money committed to a proposal by a round and not yet disbursed."""
        return f"{self.committed_root}:{proposal}"

    @property
    def loans_root(self) -> str:
        """Parent of the per-proposal loans."""
        return f"Assets:{self.path}:Loans"

    def loan(self, proposal: str) -> str:
        """A loan disbursed to a proposal: still the fund's asset, to be repaid."""
        return f"{self.loans_root}:{proposal}"

    @property
    def grants_root(self) -> str:
        """Parent of the per-proposal grants."""
        return f"Expenses:{self.path}:Grants"

    def grant(self, proposal: str) -> str:
        """A grant disbursed to a proposal: spent for good."""
        return f"{self.grants_root}:{proposal}"

    @property
    def equity_root(self) -> str:
        """Parent of the per-proposal equity stakes."""
        return f"Assets:{self.path}:Equity"

    def equity_stake(self, proposal: str) -> str:
        """A stake the fund took in a proposal's venture, to be sold back in time."""
        return f"{self.equity_root}:{proposal}"

    @property
    def income_root(self) -> str:
        """Everything the entity earns."""
        return f"Income:{self.path}"

    @property
    def expenses_root(self) -> str:
        """Everything the entity spends (grants included)."""
        return f"Expenses:{self.path}"

    def disbursed(self, proposal: str, instrument: str) -> str:
        """Where money paid out to a proposal goes, by its instrument."""
        accounts = {"grant": self.grant, "loan": self.loan, "equity": self.equity_stake}
        return accounts[instrument](proposal)

    @property
    def suspense(self) -> str:
        """Bank lines nobody could place yet: held here until a treasurer does."""
        return f"Liabilities:{self.path}:Suspense"

    @property
    def opening_equity(self) -> str:
        """Where the fund's balance at the start of the books comes from."""
        return f"Equity:{self.path}:Opening"

    @property
    def rent_receivable_root(self) -> str:
        """Parent of the per-collective rent receivables."""
        return f"Assets:{self.path}:Receivable:Rent"

    def rent_receivable(self, collective: str) -> str:
        """Rent charged to a collective and not yet paid."""
        return f"{self.rent_receivable_root}:{collective}"

    @property
    def prepaid_rent_root(self) -> str:
        """Parent of the per-collective prepaid-rent credits."""
        return f"Liabilities:{self.path}:PrepaidRent"

    def prepaid_rent(self, collective: str) -> str:
        """Rent a collective paid before it was charged: its credit with the co-op."""
        return f"{self.prepaid_rent_root}:{collective}"

    def rent_income(self, collective: str) -> str:
        """Rent earned from a collective."""
        return f"Income:{self.path}:Rent:{collective}"

    def deposit(self, collective: str) -> str:
        """A deposit a collective paid, owed back to it at the end of its lease."""
        return f"Liabilities:{self.path}:Deposits:{collective}"

    @property
    def levy_expense(self) -> str:
        """The levy this co-op owes its region, as the co-op's expense."""
        return f"Expenses:{self.path}:Levy"

    @property
    def levy_payable(self) -> str:
        """Levy booked and not yet paid to the region."""
        return f"Liabilities:{self.path}:Levy"

    @property
    def levy_receivable_root(self) -> str:
        """A region's parent of the per-co-op levy receivables."""
        return f"Assets:{self.path}:Receivable:Levy"

    def levy_receivable(self, coop: str) -> str:
        """Levy a co-op owes this region and has not paid yet."""
        return f"{self.levy_receivable_root}:{coop}"

    @property
    def levy_income_root(self) -> str:
        """Parent of the levy income from each member of the level below."""
        return f"{self.income_root}:Levy"

    def levy_income(self, coop: str) -> str:
        """A region's levy income from one of its co-ops."""
        return f"{self.levy_income_root}:{coop}"

    def fund_accounts(self) -> list[str]:
        """The accounts every entity has from the day it is declared."""
        return [
            self.fund,
            self.unallocated,
            self.reserve,
            self.deposits_held,
            self.suspense,
            self.opening_equity,
        ]

    def tenant_accounts(self, collective: str) -> list[str]:
        """The accounts a co-op keeps for each collective it rents to."""
        return [
            self.rent_receivable(collective),
            self.prepaid_rent(collective),
            self.rent_income(collective),
            self.deposit(collective),
        ]


class AccountRoles:
    """What an account is, and to whom: the first ``(prefix, owner, role)`` it falls
    under (the prefix itself or an account below it), remembered per account.

    List the more specific prefixes first (an envelope before the bank account
    that holds it, a co-op before its region). A role of None marks accounts to
    leave out: they answer None, as accounts under no prefix do.
    """

    def __init__(self, prefixes: Iterable[tuple[str, str, str | None]]) -> None:
        self._prefixes = list(prefixes)
        self._cache: dict[str, tuple[str, str] | None] = {}

    def __call__(self, account: str) -> tuple[str, str] | None:
        if account not in self._cache:
            self._cache[account] = self._find(account)
        return self._cache[account]

    def _find(self, account: str) -> tuple[str, str] | None:
        for prefix, owner, role in self._prefixes:
            if account == prefix or account.startswith(prefix + ":"):
                return None if role is None else (owner, role)
        return None
