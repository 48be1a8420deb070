"""Open the chart of accounts for everything the federation declares.

Declaring a region or co-op opens its fund and envelopes; declaring a collective
opens, in its co-op's books, its rent receivable, prepaid credit, rent income and
deposit accounts. They open on the declaration's date, in the entity's currency,
so treasurers never type an account name the charges would not match. An account
the ledger already opens itself is left alone.

A declaration's extra metadata (``iban`` and the like) is carried onto the account
it describes: an entity's onto its fund's bank account, a collective's onto its
rent receivable.
"""

from __future__ import annotations

import datetime
from typing import Any

from beancount.core import data

from ledger.federation import Federation

#: The ``filename`` of the generated ``open`` directives.
OPEN_SOURCE = "<coopfund:chart>"


def open_entries(federation: Federation, already_open: set[str]) -> list[data.Open]:
    """The ``open`` directives the declarations imply and the ledger lacks."""
    opens: list[data.Open] = []
    for entity in federation.entities():
        chart = entity.accounts
        for account in chart.fund_accounts():
            extra = entity.extra if account == chart.fund else {}
            opens.append(_open(account, entity.declared, entity.currency, extra))
    for collective in federation.collectives.values():
        coop = federation.coops[collective.coop]
        receivable = coop.accounts.rent_receivable(collective.id)
        for account in coop.accounts.tenant_accounts(collective.id):
            extra = collective.extra if account == receivable else {}
            opens.append(_open(account, collective.declared, coop.currency, extra))
    return [entry for entry in opens if entry.account not in already_open]


def _open(
    account: str, day: datetime.date, currency: str, extra: dict[str, Any]
) -> data.Open:
    return data.Open(
        data.new_metadata(OPEN_SOURCE, 0, extra), day, account, [currency], None
    )
