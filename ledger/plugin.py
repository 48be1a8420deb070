"""The coopfund Beancount plugin: the federation's accounts and its rent charges.

Enable it at the top of the ledger, optionally with the date up to which rent is
charged (by default, the date of the ledger's last entry)::

    plugin "ledger.plugin" "{'as_of': '2026-11-30'}"

A co-op's own ledger, which its treasurer keeps alone, names the co-op, so the
plugin books only that co-op's side of what passes between it and its region::

    plugin "ledger.plugin" "{'as_of': '2026-11-30', 'entity': 'Riverside'}"

It reads the ``custom`` declarations (see :mod:`ledger.federation`,
:mod:`ledger.lease`, :mod:`ledger.indexation`) and adds:

* an ``open`` for every account of the chart (:mod:`ledger.openings`);
* a dated charge for every period of every lease, and the application of any
  prepaid credit to it (:mod:`ledger.rent`);
* each co-op's levy to its region for every closed year (:mod:`ledger.levy`).

So this ledger::

    plugin "ledger.plugin" "{'as_of': '2024-02-29'}"
    2024-01-01 custom "region" "North"
    2024-01-01 custom "coop" "Riverside"
      region: "North"
    2024-01-01 custom "collective" "Bakery"
      coop: "Riverside"
    2024-01-15 custom "lease" "RIV-1"
      coop: "Riverside"
      collective: "Bakery"
      workplace: "12 Mill Street"
      rent: 1000.00 EUR

becomes, besides the ``open`` directives::

    2024-01-15 * "Bakery" "Rent 2024-01 for 12 Mill Street, ... pro rata"
      lease: "RIV-1"
      period-start: 2024-01-15
      period-end: 2024-01-31
      ^lease-RIV-1
      Assets:North:Riverside:Receivable:Rent:Bakery   548.39 EUR
      Income:North:Riverside:Rent:Bakery             -548.39 EUR

    2024-02-01 * "Bakery" "Rent 2024-02 for 12 Mill Street"
      ...                                             1000.00 EUR

Every problem in the declarations is returned as a Beancount error at the
directive's file and line; the plugin itself never raises on user data.
"""

from __future__ import annotations

import ast
import datetime
import gc
from dataclasses import dataclass

from beancount.core import data

from ledger.bank.layouts import read_layouts
from ledger.errors import ConfigError
from ledger.errors import LeaseError
from ledger.federation import read_federation
from ledger.indexation import read_indices
from ledger.lease import read_leases
from ledger.levy import levies
from ledger.levy import levy_entries
from ledger.levy import read_levies
from ledger.openings import open_entries
from ledger.payers import read_payers
from ledger.periods import Calendar
from ledger.proposals import read_agenda
from ledger.rent import rent_entries
from ledger.schedule import charges

__plugins__ = ("coopfund",)


@dataclass(frozen=True)
class PluginConfig:
    """What the plugin line may set."""

    #: Charge rent due on or before this date; None: the ledger's last entry date.
    as_of: datetime.date | None = None
    #: The co-op (or region) whose books this ledger keeps; None: everyone declared.
    entity: str | None = None


def coopfund(
    entries: list[data.Directive], options_map: dict[str, object], config: str | None = None
) -> tuple[list[data.Directive], list[object]]:
    """Add the chart's ``open`` directives and the rent charges to the ledger.

    Python's cyclic garbage collector is paused while the charges are made: they
    are many small objects and none forms a cycle, but each burst of allocation
    would otherwise make the collector walk every entry of the ledger, which took
    more than half the plugin's time on a 100,000-entry ledger.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(entries, options_map, config)
    finally:
        if was_enabled:
            gc.enable()


def _run(
    entries: list[data.Directive], options_map: dict[str, object], config: str | None
) -> tuple[list[data.Directive], list[object]]:
    settings_file = str(options_map.get("filename", "<config>"))
    settings, errors = read_config(config, settings_file)
    customs: list[data.Directive] = []
    already_open: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Custom):
            customs.append(entry)
        elif isinstance(entry, data.Open):
            already_open.add(entry.account)
    currencies = options_map.get("operating_currency") or ["EUR"]
    assert isinstance(currencies, list)
    federation, federation_errors = read_federation(customs, str(currencies[0]))
    indices, index_errors = read_indices(customs)
    leases, lease_errors = read_leases(customs, federation, indices)
    _, payer_errors = read_payers(customs, federation)
    _, layout_errors = read_layouts(customs)
    agenda, round_errors = read_agenda(customs, federation)
    levy_rules, levy_errors = read_levies(customs, federation)
    errors.extend(
        [
            *federation_errors,
            *index_errors,
            *lease_errors,
            *payer_errors,
            *layout_errors,
            *round_errors,
            *levy_errors,
        ]
    )
    keeps = settings.entity
    if keeps is not None and not federation.is_declared(keeps):
        message = f'ledger.plugin: entity "{keeps}" is not a declared co-op or region'
        errors.append(ConfigError(data.new_metadata(settings_file, 0), message, None))
        keeps = None

    until = settings.as_of or (entries[-1].date if entries else datetime.date.min)
    all_charges = []
    calendar = Calendar()
    for lease in leases:
        series = indices.get(lease.indexation.index or "")
        lease_charges, problems = charges(lease, series, until, calendar)
        all_charges.extend(lease_charges)
        errors.extend(LeaseError(lease.source, problem, None) for problem in problems)

    proposals = agenda.proposals.values()
    new_entries: list[data.Directive] = [
        *open_entries(federation, already_open, proposals, levy_rules, keeps)
    ]
    new_entries.extend(rent_entries(all_charges, federation, entries))
    with_rent = entries + new_entries
    found = levies(levy_rules, federation, with_rent, until, keeps)
    return with_rent + levy_entries(found, keeps), errors


def read_config(text: str | None, filename: str) -> tuple[PluginConfig, list[object]]:
    """Parse the plugin's configuration string, e.g. ``"{'as_of': '2026-11-30'}"``."""
    if not text:
        return PluginConfig(), []
    source = data.new_metadata(filename, 0)
    try:
        values = ast.literal_eval(text)
        if not isinstance(values, dict) or set(values) - {"as_of", "entity"}:
            raise ValueError("only the keys 'as_of' and 'entity' are known")
        as_of = values.get("as_of")
        entity = values.get("entity")
        if entity is not None and not isinstance(entity, str):
            raise ValueError("'entity' must be the id of a co-op or region, in quotes")
        return PluginConfig(
            datetime.date.fromisoformat(as_of) if as_of else None, entity
        ), []
    except (ValueError, SyntaxError, TypeError) as error:
        message = (
            f'ledger.plugin configuration "{text}" cannot be used ({error}); '
            "write it as \"{'as_of': 'YYYY-MM-DD'}\" or "
            "\"{'as_of': 'YYYY-MM-DD', 'entity': 'CoopId'}\""
        )
        return PluginConfig(), [ConfigError(source, message, None)]
