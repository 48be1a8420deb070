"""From bank statements to ledger entries: match, split, deduplicate, check balances.

For each statement:

1. find the fund whose bank account it is (the IBAN on the co-op's declaration);
2. refuse it if its lines do not add up to its balances, if its currency is not
   the fund's, or if its opening balance is not what the ledger holds for that day
   (the difference is reported; nothing is booked over it);
3. leave out every line whose bank reference the ledger already has, so importing
   the same or an overlapping statement again adds nothing (two collectives paying
   the same rent on the same day are still two lines, with two references);
4. book each new line: a placed payment settles the collective's arrears first and
   the rest becomes prepaid credit (the rule of :class:`~ledger.tenancy.TenantPosition`,
   which the rent plugin applies too); a levy payment between a co-op and its
   region settles the levy on the statement's side (:mod:`ledger.levy_matching`);
   a line nobody can place goes to the fund's suspense account, flagged ``!``, for
   a treasurer to look at;
5. assert the closing balance on the day after the statement ends, as Beancount's
   balance directives apply at the start of their day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.core import flags
from beancount.core.amount import Amount

from ledger.bank.model import BankLine
from ledger.bank.model import BankStatement
from ledger.bank.model import StatementError
from ledger.books import Books
from ledger.federation import Entity
from ledger.levy_matching import LevyMatcher
from ledger.levy_matching import LevyPayment
from ledger.levy_matching import oldest_open_levy
from ledger.matching import Match
from ledger.matching import Matcher
from ledger.numbers import ZERO
from ledger.numbers import units
from ledger.payers import normal_iban
from ledger.payers import read_payers
from ledger.timeline import TenantTimeline

#: The metadata key holding the bank's reference of a booked line.
BANK_REF = "bank-ref"
#: The metadata key recording which rule placed a payment.
MATCH_RULE = "match"
IMPORT_SOURCE = "<coopfund:import>"


@dataclass(frozen=True)
class Booked:
    """A new bank line and the transaction that books it."""

    line: BankLine
    match: Match | LevyPayment | None
    transaction: data.Transaction


@dataclass
class StatementImport:
    """What importing one statement adds to one fund."""

    statement: BankStatement
    entity: Entity
    booked: list[Booked] = field(default_factory=list)
    duplicates: list[BankLine] = field(default_factory=list)
    balance: data.Balance | None = None

    @property
    def entries(self) -> list[data.Directive]:
        """The new transactions, then the balance check."""
        new: list[data.Directive] = [booked.transaction for booked in self.booked]
        return new + ([self.balance] if self.balance else [])


class ImportRefused(Exception):
    """Statements that cannot be booked; every problem, each at its place."""

    def __init__(self, problems: list[StatementError]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def plan_import(books: Books, statements: Sequence[BankStatement]) -> list[StatementImport]:
    """What importing ``statements`` would add; raises :class:`ImportRefused`.

    Nothing is written: the caller shows the plan (``--dry-run``) or writes it.
    All statements are checked before any is booked, so an import is all or none.
    """
    funds = funds_by_iban(books)
    problems: list[StatementError] = []
    ordered = sorted(statements, key=lambda s: (normal_iban(s.account), s.start))
    imports: list[StatementImport] = []
    for statement in ordered:
        try:
            entity = _fund_of(statement, funds)
            _check_currency(statement, entity)
            statement.check_arithmetic()
        except StatementError as error:
            problems.append(error)
            continue
        imports.append(StatementImport(statement, entity))
    if problems:
        raise ImportRefused(problems)
    _Booker(books).book(imports)
    return imports


def funds_by_iban(books: Books) -> dict[str, Entity]:
    """Each fund by the IBAN of its bank account (spaces removed, in capitals)."""
    funds: dict[str, Entity] = {}
    for entity in books.federation.entities():
        iban = entity.extra.get("iban")
        if isinstance(iban, str):
            funds[normal_iban(iban)] = entity
    return funds


def _fund_of(statement: BankStatement, funds: dict[str, Entity]) -> Entity:
    entity = funds.get(normal_iban(statement.account))
    if entity is None:
        raise StatementError(
            statement.where,
            f'account "{statement.account}" is not the bank account of any fund in the '
            f'ledger; add `iban: "{statement.account}"` to the declaration of the co-op '
            "(or region) that holds it",
        )
    return entity


def _check_currency(statement: BankStatement, entity: Entity) -> None:
    for currency, where in [
        (statement.currency, statement.where),
        *((line.currency, line.where) for line in statement.lines),
    ]:
        if currency != entity.currency:
            raise StatementError(
                where,
                f"currency {currency} is not the currency of the {entity.name} fund "
                f"({entity.currency}); is this the right account's statement?",
            )


class _Booker:
    """Books the statements' new lines against the ledger, in date order per fund."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self.leases = books.leases
        self.payers, _ = read_payers(books.declarations, books.federation)
        self.refs = self._known_refs()
        self.balances = self._balance_checks()
        self.timeline = TenantTimeline(books)
        #: Money this import adds to each fund account so far: (date, amount).
        self.planned: dict[str, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        #: Levy this import pays so far, per levy account it settles.
        self.levy_paid: dict[str, Decimal] = defaultdict(Decimal)

    def _known_refs(self) -> dict[str, set[str]]:
        """Per fund bank account, the bank references already booked."""
        refs: dict[str, set[str]] = defaultdict(set)
        funds = [entity.accounts.fund for entity in self.books.federation.entities()]
        for entry in self.books.entries:
            if isinstance(entry, data.Transaction) and BANK_REF in entry.meta:
                for posting in entry.postings:
                    fund = next((f for f in funds if posting.account.startswith(f)), None)
                    if fund:
                        refs[fund].add(str(entry.meta[BANK_REF]))
        return refs

    def _balance_checks(self) -> dict[tuple[str, datetime.date], Decimal]:
        return {
            (entry.account, entry.date): entry.amount.number or ZERO
            for entry in self.books.entries
            if isinstance(entry, data.Balance)
        }

    def book(self, imports: list[StatementImport]) -> None:
        problems: list[StatementError] = []
        for item in imports:
            try:
                self._check_opening(item)
                self._book_lines(item)
                item.balance = self._closing_check(item)
            except StatementError as error:
                problems.append(error)
        if problems:
            raise ImportRefused(problems)

    def _fund_balance_before(self, fund: str, day: datetime.date) -> Decimal:
        total = ZERO
        for entry in self.books.entries:
            if entry.date >= day:
                break
            if isinstance(entry, data.Transaction):
                total += sum(
                    (units(p) for p in entry.postings if p.account.startswith(fund)), ZERO
                )
        return total + sum((n for d, n in self.planned[fund] if d < day), ZERO)

    def _check_opening(self, item: StatementImport) -> None:
        statement = item.statement
        if statement.opening is None:
            return
        held = self._fund_balance_before(item.entity.accounts.fund, statement.start)
        if held != statement.opening:
            raise StatementError(
                statement.where,
                f"opening balance {statement.opening} on {statement.start} does not match "
                f"the ledger's {held} for {item.entity.accounts.fund} (difference "
                f"{statement.opening - held}); import the statements before it first, or "
                "find the entry that differs from the bank",
            )

    def _book_lines(self, item: StatementImport) -> None:
        fund = item.entity.accounts.fund
        seen = self.refs[fund]
        matcher = Matcher(item.entity.id, self.leases, self.payers)
        levy_matcher = LevyMatcher(item.entity, self.books.federation)
        for line in sorted(item.statement.lines, key=lambda line: line.date):
            if line.bank_ref in seen:
                item.duplicates.append(line)
                continue
            seen.add(line.bank_ref)
            self.planned[fund].append((line.date, line.amount))

            def oldest_unpaid(
                collective: str, day: datetime.date = line.date
            ) -> str | None:
                return self.timeline.oldest_unpaid_lease((item.entity.id, collective), day)

            match = matcher.match(line, oldest_unpaid)
            if match is None and (levy := levy_matcher.match(line)):
                transaction = self._levy_transaction(item.entity, line, levy)
                item.booked.append(Booked(line, levy, transaction))
                continue
            item.booked.append(
                Booked(line, match, self._transaction(item.entity, line, match))
            )

    def _transaction(
        self, entity: Entity, line: BankLine, match: Match | None
    ) -> data.Transaction:
        chart = entity.accounts
        currency = entity.currency
        meta = data.new_metadata(IMPORT_SOURCE, 0, {BANK_REF: line.bank_ref})
        postings = [_posting(chart.unallocated, line.amount, currency)]
        if match is None:
            postings.append(_posting(chart.suspense, -line.amount, currency))
            return data.Transaction(
                meta,
                line.date,
                flags.FLAG_WARNING,
                line.counterparty or None,
                line.remittance,
                data.EMPTY_SET,
                data.EMPTY_SET,
                postings,
            )
        meta[MATCH_RULE] = match.rule
        settles, credit = self.timeline.pay(
            (entity.id, match.collective), line.date, line.amount
        )
        if settles:
            postings.append(
                _posting(chart.rent_receivable(match.collective), -settles, currency)
            )
        if credit:
            postings.append(
                _posting(chart.prepaid_rent(match.collective), -credit, currency)
            )
        payee = self.books.federation.collectives[match.collective].name
        return data.Transaction(
            meta,
            line.date,
            flags.FLAG_OKAY,
            payee,
            line.remittance,
            data.EMPTY_SET,
            frozenset({f"lease-{match.lease}"}),
            postings,
        )

    def _levy_transaction(
        self, entity: Entity, line: BankLine, levy: LevyPayment
    ) -> data.Transaction:
        """The line paid into (or out of) the fund settles the levy's account."""
        meta = data.new_metadata(
            IMPORT_SOURCE, 0, {BANK_REF: line.bank_ref, MATCH_RULE: levy.rule}
        )
        link = oldest_open_levy(
            self.books.entries, levy.settles, self.levy_paid[levy.settles]
        )
        self.levy_paid[levy.settles] += abs(line.amount)
        return data.Transaction(
            meta,
            line.date,
            flags.FLAG_OKAY,
            levy.other_side(entity),
            line.remittance,
            data.EMPTY_SET,
            frozenset({link}) if link else data.EMPTY_SET,
            [
                _posting(entity.accounts.unallocated, line.amount, entity.currency),
                _posting(levy.settles, -line.amount, entity.currency),
            ],
        )

    def _shown(self, statement: BankStatement) -> str:
        return _relative(statement.where.file, str(self.books.options.get("filename", "")))

    def _closing_check(self, item: StatementImport) -> data.Balance | None:
        statement = item.statement
        if statement.closing is None:
            return None
        account = item.entity.accounts.fund
        day = statement.end + datetime.timedelta(days=1)
        held = self.balances.get((account, day))
        if held is not None:
            if held != statement.closing:
                raise StatementError(
                    statement.where,
                    f"closing balance {statement.closing} disagrees with the ledger's "
                    f"balance check of {held} on {day} (difference "
                    f"{statement.closing - held}); find which of the two is wrong",
                )
            return None
        self.balances[account, day] = statement.closing
        amount = Amount(statement.closing, item.entity.currency)
        meta = data.new_metadata(IMPORT_SOURCE, 0, {"statement": self._shown(statement)})
        return data.Balance(meta, day, account, amount, None, None)


def _relative(path: str, ledger: str) -> str:
    """``path`` relative to the ledger's folder, if inside it: the same on every machine."""
    file, folder = Path(path).resolve(), Path(ledger).resolve().parent
    return str(file.relative_to(folder)) if file.is_relative_to(folder) else file.name


def _posting(account: str, number: Decimal, currency: str) -> data.Posting:
    return data.Posting(account, Amount(number, currency), None, None, None, None)
