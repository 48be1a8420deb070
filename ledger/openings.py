"""Open the chart of accounts for everything the federation declares.

Declaring a region or co-op opens its fund and envelopes; declaring a collective
opens, in its co-op's books, its rent receivable, prepaid credit, rent income and
deposit accounts. They open on the declaration's date, in the entity's currency,
so treasurers never type an account name the charges would not match. An account
the ledger already opens itself is left alone.

A region with a levy opens, for each of its co-ops, the co-op's levy expense and
payable and the region's levy receivable and income (:mod:`ledger.levy`). A co-op's
own ledger (the plugin's ``entity``) opens only that co-op's accounts.

A declaration's extra metadata (``iban`` and the like) is carried onto the account
it describes: an entity's onto its fund's bank account, a collective's onto its
rent receivable.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from beancount.core import data

from ledger.federation import Entity
from ledger.federation import Federation
from ledger.levy import LevyRule
from ledger.levy import levy_accounts
from ledger.proposals import Proposal

#: The ``filename`` of the generated ``open`` directives.
OPEN_SOURCE = "<coopfund:chart>"


def open_entries(
    federation: Federation,
    already_open: set[str],
    proposals: Iterable[Proposal] = (),
    levies: dict[str, list[LevyRule]] | None = None,
    keeps: str | None = None,
) -> list[data.Open]:
    """The ``open`` directives the declarations imply and the ledger lacks.

    A proposal's commitment envelope and its disbursement account open on the day
    it is declared, so a round can commit money to it and a treasurer pay it out.
    """
    opens: list[data.Open] = []
    entities = {entity.id: entity for entity in _kept(federation, keeps)}
    for proposal in proposals:
        if proposal.scope not in entities:
            continue
        entity = entities[proposal.scope]
        chart = entity.accounts
        for account in (
            chart.committed(proposal.id),
            chart.disbursed(proposal.id, proposal.instrument),
        ):
            opens.append(_open(account, proposal.declared, entity.currency, {}))
    for entity in entities.values():
        chart = entity.accounts
        for account in chart.fund_accounts():
            extra = entity.extra if account == chart.fund else {}
            opens.append(_open(account, entity.declared, entity.currency, extra))
    for collective in federation.collectives.values():
        if collective.coop not in entities:
            continue
        coop = federation.coops[collective.coop]
        receivable = coop.accounts.rent_receivable(collective.id)
        for account in coop.accounts.tenant_accounts(collective.id):
            extra = collective.extra if account == receivable else {}
            opens.append(_open(account, collective.declared, coop.currency, extra))
    for account, entity, day in levy_accounts(levies or {}, federation, keeps):
        opens.append(_open(account, day, entity.currency, {}))
    return [entry for entry in opens if entry.account not in already_open]


def _kept(federation: Federation, keeps: str | None) -> list[Entity]:
    """The entities whose accounts this ledger holds: a co-op alone, or everyone."""
    if keeps in federation.coops:
        return [federation.coops[keeps]]
    return federation.entities()


def _open(
    account: str, day: datetime.date, currency: str, extra: dict[str, Any]
) -> data.Open:
    return data.Open(
        data.new_metadata(OPEN_SOURCE, 0, extra), day, account, [currency], None
    )
