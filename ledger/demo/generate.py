"""Write a federation's books from a :class:`~ledger.demo.spec.FederationSpec`.

The declarations (federation, leases, index values) are written first and loaded
through the real rent plugin; the charges it produces are what the collectives are
then simulated paying. So the demo's payments, arrears and credits follow from the
same rent schedule that every treasurer's ledger uses, not from a second copy of it.

Each co-op's levy to the region is worked out by :mod:`ledger.levy` from the rent
its fund received, and paid before it is due (but for the spec's ``unpaid_levies``).

Money that goes through a fund's bank account (rent, deposits, disbursements, loan
repayments, levies) is booked up to the spec's end date; the month after is left out of the
books and written as that month's bank statements instead.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from beancount import loader
from beancount.core import data

from ledger.books import books_from
from ledger.books import format_error
from ledger.demo.declarations import bank_entries
from ledger.demo.declarations import federation_entries
from ledger.demo.declarations import header_text
from ledger.demo.declarations import lease_entries
from ledger.demo.declarations import render
from ledger.demo.declarations import round_entries
from ledger.demo.funds import FundBuilder
from ledger.demo.spec import FederationSpec
from ledger.demo.statements import Statement
from ledger.federation import Federation
from ledger.levy import levies
from ledger.levy import read_levies
from ledger.rent import is_charge


@dataclass
class Books:
    """What the generator produces, before it is written to files."""

    declarations: dict[str, list[data.Directive]]
    funds: dict[str, list[data.Directive]]
    statements: list[Statement]
    as_of: datetime.date


def statement_end(spec: FederationSpec) -> datetime.date:
    """The last day of the month after the books end: the plugin's as-of date."""
    start = spec.end + datetime.timedelta(days=1)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def generate(spec: FederationSpec) -> Books:
    """Build every entry and statement of the spec's federation."""
    as_of = statement_end(spec)
    declarations = {
        "federation": [*federation_entries(spec), *bank_entries(spec)],
        "leases": lease_entries(spec),
        "rounds": round_entries(spec),
    }
    federation, charges = _charges(spec, declarations, as_of)
    builder = FundBuilder(spec, federation, as_of)
    builder.rent(charges)
    builder.deposits()
    builder.openings()
    builder.reserve_transfers()
    for proposal in sorted(spec.proposals, key=lambda p: p.decided):
        builder.proposal(proposal)
    before_levies = [e for entries in builder.fund_entries().values() for e in entries]
    rules, _ = read_levies(declarations["federation"], federation)
    due = levies(rules, federation, sorted(before_levies, key=data.entry_sortkey), as_of)
    builder.levy_payments(due, spec.unpaid_levies)
    funds = builder.fund_entries()
    return Books(declarations, funds, builder.statements(funds), as_of)


def _charges(
    spec: FederationSpec,
    declarations: dict[str, list[data.Directive]],
    as_of: datetime.date,
) -> tuple[Federation, list[data.Transaction]]:
    """Run the real plugin over the declarations and keep the charges it makes."""
    text = header_text(spec, as_of) + "\n".join(render(e) for e in declarations.values())
    entries, errors, options = loader.load_string(text)
    if errors:
        raise RuntimeError("\n".join(format_error(e) for e in errors))
    books = books_from(entries, errors, options)
    return books.federation, [
        e for e in entries if isinstance(e, data.Transaction) and is_charge(e)
    ]
