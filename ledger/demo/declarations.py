"""The declarations of a generated federation, as Beancount directives.

The region, co-ops and collectives (``custom "region"``, ``"coop"``,
``"collective"``), the index values, the leases and what happened to them: the
input the rent plugin reads, built as Beancount entries and printed with
Beancount's own printer so that the text always parses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from collections.abc import Mapping
from decimal import Decimal

from beancount.core import amount as amount_lib
from beancount.core import data
from beancount.parser import printer
from beancount.parser.grammar import ValueType

from ledger.demo.spec import CandidateSpec
from ledger.demo.spec import CollectiveSpec
from ledger.demo.spec import FederationSpec
from ledger.demo.spec import LeaseSpec
from ledger.demo.spec import RoundSpec
from ledger.demo.statements import CSV_BANK
from ledger.demo.statements import CSV_LAYOUT

SOURCE = "<demo>"


def entry_meta(values: Mapping[str, object] | None = None) -> data.Meta:
    """Metadata for a generated entry; empty strings are left out."""
    return data.new_metadata(
        SOURCE, 0, {k: v for k, v in (values or {}).items() if v != ""}
    )


def _custom(
    day: datetime.date, kind: str, values: Iterable[object], meta: Mapping[str, object]
) -> data.Custom:
    typed = [ValueType(value, type(value)) for value in values]
    return data.Custom(entry_meta(meta), day, kind, typed)


def federation_entries(spec: FederationSpec) -> list[data.Directive]:
    """The region, its co-ops and their collectives, all declared on the first day."""
    region = [
        _custom(
            spec.start,
            "region",
            [spec.region],
            {
                "name": spec.region_name,
                "currency": spec.currency,
                "iban": spec.region_iban,
                **(
                    {"local-limit": amount_lib.Amount(spec.local_limit, spec.currency)}
                    if spec.local_limit is not None
                    else {}
                ),
            },
        )
    ]
    coops = [
        _custom(
            spec.start,
            "coop",
            [coop.id],
            {
                "name": coop.name,
                "region": spec.region,
                "iban": coop.iban,
            },
        )
        for coop in spec.coops
    ]
    collectives = [
        _custom(
            spec.start,
            "collective",
            [c.id],
            {
                "name": c.name,
                "coop": c.coop,
                "iban": c.iban,
            },
        )
        for c in spec.collectives
    ]
    payers = [
        _custom(since, "payer", [collective], {"iban": account})
        for since, collective, account in spec.payers
    ]
    levy = []
    if spec.levy_rate:
        terms: dict[str, object] = {
            "rate": spec.levy_rate,
            "base": "rent",
            "due-days": Decimal(60),
            "de-minimis": amount_lib.Amount(spec.levy_de_minimis, spec.currency),
        }
        levy.append(_custom(spec.start, "levy", [spec.region], terms))
    return [*region, *levy, *coops, *collectives, *payers]


def bank_entries(spec: FederationSpec) -> list[data.Directive]:
    """The layout of the CSV statements the demo's bank exports, if it writes any."""
    uses_csv = any(coop.statement_format == "csv" for coop in spec.coops)
    if not (spec.statements and uses_csv):
        return []
    return [_custom(spec.start, "bank-csv", [CSV_BANK], CSV_LAYOUT)]


def lease_entries(spec: FederationSpec) -> list[data.Directive]:
    """The index values, then each lease followed by its rent changes and termination."""
    entries: list[data.Directive] = [
        _custom(day, "index", [spec.index, value], {}) for day, value in spec.index_values
    ]
    collectives = {c.id: c for c in spec.collectives}
    for lease in spec.leases:
        entries.append(_lease(lease, collectives[lease.collective], spec.currency))
        for day, rent in lease.rent_changes:
            rent_amount = amount_lib.Amount(rent, spec.currency)
            entries.append(_custom(day, "rent-change", [lease.id], {"rent": rent_amount}))
        if lease.terminated:
            reason = {"reason": lease.termination_reason}
            entries.append(
                _custom(lease.terminated, "lease-termination", [lease.id], reason)
            )
    return entries


def _lease(lease: LeaseSpec, collective: CollectiveSpec, currency: str) -> data.Custom:
    meta: dict[str, object] = {
        "coop": collective.coop,
        "collective": lease.collective,
        "workplace": lease.workplace,
        "rent": amount_lib.Amount(lease.rent, currency),
        "frequency": lease.frequency,
        "due-day": Decimal(lease.due_day),
    }
    if lease.end:
        meta["end"] = lease.end
    if lease.holiday_months:
        meta["holiday-months"] = Decimal(lease.holiday_months)
    meta.update(lease.indexation)
    return _custom(lease.start, "lease", [lease.id], meta)


def render(entries: Iterable[data.Directive]) -> str:
    """Beancount text for ``entries``, one blank line between them."""
    return "\n".join(printer.format_entry(entry) for entry in entries)


def header_text(
    spec: FederationSpec,
    as_of: datetime.date,
    *,
    entity: str | None = None,
    title: str | None = None,
) -> str:
    """The options and plugin line every generated ledger starts with.

    ``entity`` makes it a co-op's own ledger (see :mod:`ledger.plugin`).
    """
    config = f"'as_of': '{as_of}'" + (f", 'entity': '{entity}'" if entity else "")
    return (
        f'option "title" "{title or spec.title}"\n'
        f'option "operating_currency" "{spec.currency}"\n'
        f'plugin "ledger.plugin" "{{{config}}}"\n'
    )


def round_entries(spec: FederationSpec) -> list[data.Directive]:
    """Each round, followed by the proposals on its ballot."""
    entries: list[data.Directive] = []
    for voting in spec.rounds:
        entries.append(_round(voting, spec.currency))
        for candidate in spec.candidates:
            if candidate.round == voting.id:
                entries.append(_candidate(candidate, voting.opens, spec.currency))
    return entries


def _round(voting: RoundSpec, currency: str) -> data.Custom:
    budget: object = "available"
    if voting.budget is not None:
        budget = amount_lib.Amount(voting.budget, currency)
    meta: dict[str, object] = {
        "scope": voting.scope,
        "closes": voting.closes,
        "cutoff": voting.cutoff,
        "max-ranks": Decimal(voting.max_ranks),
        "points": voting.points,
        "budget": budget,
        "rule": voting.rule,
        "quorum": voting.quorum,
        "conflict": voting.conflict,
    }
    return _custom(voting.opens, "round", [voting.id], meta)


def _candidate(candidate: CandidateSpec, day: datetime.date, currency: str) -> data.Custom:
    meta: dict[str, object] = {
        "title": candidate.title,
        "cost": amount_lib.Amount(candidate.cost, currency),
    }
    if candidate.minimum is not None:
        meta["minimum"] = amount_lib.Amount(candidate.minimum, currency)
    meta |= {
        "scope": candidate.scope,
        "round": candidate.round,
        "instrument": candidate.instrument,
        "collective": candidate.collective,
        "category": candidate.category,
        "description": candidate.description,
    }
    if candidate.regional:
        meta["regional"] = True
    return _custom(day, "proposal", [candidate.id], meta)
