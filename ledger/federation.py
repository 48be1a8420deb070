"""Who is in the federation: its nation, regions, local co-ops and worker collectives.

They are declared in the ledger, each once, before anything refers to them::

    2023-11-01 custom "nation" "Union"   ; optional: the national level's fund
      name: "Union of Consumer Co-operatives"

    2023-11-01 custom "region" "North"
      nation: "Union"              ; optional: the nation it belongs to
      name: "Northern Federation of Consumer Co-operatives"
      currency: "EUR"
      local-limit: 50000.00 EUR    ; optional: dearer proposals go to the region's round

    2023-11-01 custom "coop" "Riverside"
      name: "Riverside Consumer Co-operative"
      region: "North"
      iban: "DE02100500000054540402"
      joined: 2025-07-01           ; optional: when it joined the federation
      left: 2026-03-31             ; optional: its last day as a member

    2023-11-01 custom "collective" "Bakery"
      name: "Bread & Roses Bakery Collective"
      coop: "Riverside"

The id (second token) becomes part of account names, so it must start with a
capital letter. A co-op's currency defaults to its region's, a region's to its
nation's or the ledger's first operating currency. ``joined`` and ``left`` bound a
co-op's (or a region's) membership of the level above (its levy is pro rata by days
of membership); one declared without them was a member throughout. Any other
metadata (such as ``iban``) is kept and carried onto the entity's main account.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger import directives
from ledger.accounts import RESERVED
from ledger.accounts import EntityAccounts
from ledger.errors import FederationError
from ledger.errors import FieldError

#: Metadata keys that the declarations themselves consume.
_DECLARATION_KEYS = frozenset(
    {
        "filename",
        "lineno",
        "name",
        "region",
        "coop",
        "currency",
        "joined",
        "left",
        "local-limit",
        "nation",
    }
)


@dataclass(frozen=True)
class Entity:
    """A fund-holding member of the federation: the nation, a region or a co-op."""

    id: str
    name: str
    currency: str
    declared: datetime.date
    #: ``None`` for a region; the region's id for a co-op.
    region: str | None
    #: Metadata to carry onto the entity's fund account (``iban`` and the like).
    extra: dict[str, Any]
    source: data.Meta
    #: A co-op's first day as a member of its region; None: from before the books.
    joined: datetime.date | None = None
    #: A co-op's last day as a member; None: still a member.
    left: datetime.date | None = None
    #: A region's: the dearest proposal its co-ops' own rounds may decide; dearer
    #: ones are the region's to decide. None: no limit.
    local_limit: Decimal | None = None
    #: A region's nation, if it belongs to one; "" for the nation itself.
    nation: str | None = None

    @property
    def level(self) -> str:
        """``nation``, ``region`` or ``co-op``."""
        if self.region is not None:
            return "co-op"
        return "nation" if self.nation == "" else "region"

    @property
    def above(self) -> str | None:
        """The id of the level it belongs to: a co-op's region, a region's nation."""
        return self.region if self.region is not None else (self.nation or None)

    def member_days(self, start: datetime.date, end: datetime.date) -> int:
        """How many days of ``start``..``end`` (inclusive) the co-op was a member."""
        first = max(start, self.joined or start)
        last = min(end, self.left or end)
        return max((last - first).days + 1, 0)

    @property
    def path(self) -> str:
        """The entity's place in account names: ``North`` or ``North:Riverside``."""
        return self.id if self.region is None else f"{self.region}:{self.id}"

    @property
    def accounts(self) -> EntityAccounts:
        """The entity's accounts in the chart of accounts."""
        return EntityAccounts(self.path)


@dataclass(frozen=True)
class Collective:
    """A worker collective renting workplaces from its co-op."""

    id: str
    name: str
    coop: str
    declared: datetime.date
    extra: dict[str, Any]
    source: data.Meta


#: A collective renting from a co-op: (co-op id, collective id).
Tenant = tuple[str, str]


@dataclass
class Federation:
    """Everything declared, keyed by id; ids are unique across the federation."""

    regions: dict[str, Entity] = field(default_factory=dict)
    coops: dict[str, Entity] = field(default_factory=dict)
    collectives: dict[str, Collective] = field(default_factory=dict)
    nations: dict[str, Entity] = field(default_factory=dict)

    def entities(self) -> list[Entity]:
        """Nations, then regions, then co-ops, each in the order declared."""
        return [*self.nations.values(), *self.regions.values(), *self.coops.values()]

    def entity(self, ident: str) -> Entity | None:
        """The nation, region or co-op of that id."""
        return self.nations.get(ident) or self.regions.get(ident) or self.coops.get(ident)

    def members_of(self, ident: str) -> list[Entity]:
        """The entities one level below: a region's co-ops, a nation's regions."""
        return [entity for entity in self.entities() if entity.above == ident]

    def is_declared(self, ident: str) -> bool:
        """Whether any nation, region, co-op or collective already uses this id."""
        return self.entity(ident) is not None or ident in self.collectives


def read_federation(
    entries: Sequence[data.Directive], default_currency: str
) -> tuple[Federation, list[FederationError]]:
    """Collect the federation's declarations, with an error for each unusable one."""
    federation = Federation()
    errors: list[FederationError] = []
    readers: dict[str, Callable[[data.Custom], None]] = {
        "nation": lambda e: _add_nation(federation, e, default_currency),
        "region": lambda e: _add_region(federation, e, default_currency),
        "coop": lambda e: _add_coop(federation, e),
        "collective": lambda e: _add_collective(federation, e),
    }
    # Nations, regions, co-ops, then collectives: a co-op's books may be in a file of
    # its own, and Beancount orders same-day entries of different files by line.
    for kind, read in readers.items():
        for entry in directives.of_type(entries, kind):
            try:
                read(entry)
            except FieldError as error:
                errors.append(FederationError(entry.meta, str(error), entry))
    return federation, errors


def _new_id(federation: Federation, entry: data.Custom) -> str:
    ident = directives.component(directives.identifier(entry), entry.type)
    if ident in RESERVED:
        raise FieldError(f'{entry.type} id "{ident}" is a word the chart of accounts uses')
    if federation.is_declared(ident):
        raise FieldError(f'{entry.type} id "{ident}" is already declared')
    return ident


def _extra(entry: data.Custom) -> dict[str, Any]:
    return {k: v for k, v in entry.meta.items() if k not in _DECLARATION_KEYS}


def _add_nation(federation: Federation, entry: data.Custom, default_currency: str) -> None:
    ident = _new_id(federation, entry)
    federation.nations[ident] = Entity(
        id=ident,
        name=directives.text(entry, "name", ident),
        currency=directives.text(entry, "currency", default_currency),
        declared=entry.date,
        region=None,
        extra=_extra(entry),
        source=entry.meta,
        nation="",
    )


def _add_region(federation: Federation, entry: data.Custom, default_currency: str) -> None:
    ident = _new_id(federation, entry)
    nation_id = directives.text(entry, "nation", "") or None
    nation = federation.nations.get(nation_id or "")
    if nation_id and nation is None:
        raise FieldError(
            f'region "{ident}" names nation "{nation_id}", which is not declared'
        )
    local_limit = None
    if "local-limit" in entry.meta:
        local_limit, _ = directives.amount(entry, "local-limit")
        if local_limit <= 0:
            raise FieldError(
                f'region "{ident}": local-limit {local_limit} must be positive'
            )
    federation.regions[ident] = Entity(
        id=ident,
        name=directives.text(entry, "name", ident),
        currency=directives.text(
            entry, "currency", nation.currency if nation else default_currency
        ),
        declared=entry.date,
        region=None,
        extra=_extra(entry),
        source=entry.meta,
        joined=directives.date(entry, "joined"),
        left=directives.date(entry, "left"),
        local_limit=local_limit,
        nation=nation_id,
    )


def _add_coop(federation: Federation, entry: data.Custom) -> None:
    ident = _new_id(federation, entry)
    region_id = directives.text(entry, "region")
    region = federation.regions.get(region_id)
    if region is None:
        raise FieldError(
            f'co-op "{ident}" names region "{region_id}", which is not declared'
        )
    joined = directives.date(entry, "joined")
    left = directives.date(entry, "left")
    if joined and left and left < joined:
        raise FieldError(f'co-op "{ident}" left on {left}, before it joined on {joined}')
    federation.coops[ident] = Entity(
        id=ident,
        name=directives.text(entry, "name", ident),
        currency=directives.text(entry, "currency", region.currency),
        declared=entry.date,
        region=region_id,
        extra=_extra(entry),
        source=entry.meta,
        joined=joined,
        left=left,
    )


def _add_collective(federation: Federation, entry: data.Custom) -> None:
    ident = _new_id(federation, entry)
    coop_id = directives.text(entry, "coop")
    if coop_id not in federation.coops:
        raise FieldError(
            f'collective "{ident}" names co-op "{coop_id}", which is not declared'
        )
    federation.collectives[ident] = Collective(
        id=ident,
        name=directives.text(entry, "name", ident),
        coop=coop_id,
        declared=entry.date,
        extra=_extra(entry),
        source=entry.meta,
    )


def rent_accounts(federation: Federation) -> dict[str, tuple[Tenant, bool]]:
    """Each collective's rent receivable (True) and prepaid-rent (False) account."""
    accounts: dict[str, tuple[Tenant, bool]] = {}
    for collective in federation.collectives.values():
        chart = federation.coops[collective.coop].accounts
        tenant = (collective.coop, collective.id)
        accounts[chart.rent_receivable(collective.id)] = (tenant, True)
        accounts[chart.prepaid_rent(collective.id)] = (tenant, False)
    return accounts
