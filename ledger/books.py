"""Loading a federation's ledger, and checking one the way ``bean-check`` does."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data

from ledger.federation import Entity
from ledger.federation import Federation
from ledger.federation import read_federation
from ledger.indexation import read_indices
from ledger.lease import Lease
from ledger.lease import read_leases
from ledger.plugin import read_config
from ledger.proposals import Agenda
from ledger.proposals import read_agenda


@dataclass(frozen=True)
class Books:
    """A loaded ledger with the federation it declares."""

    entries: Sequence[data.Directive]
    errors: Sequence[Any]
    options: Mapping[str, Any]
    federation: Federation

    @cached_property
    def declarations(self) -> list[data.Custom]:
        """The ledger's ``custom`` directives: what the federation declares."""
        return [entry for entry in self.entries if isinstance(entry, data.Custom)]

    @cached_property
    def leases(self) -> list[Lease]:
        """The usable leases (the plugin reports the others as errors)."""
        indices, _ = read_indices(self.declarations)
        leases, _ = read_leases(self.declarations, self.federation, indices)
        return leases

    @cached_property
    def agenda(self) -> Agenda:
        """The rounds and the proposals on their ballots."""
        agenda, _ = read_agenda(self.declarations, self.federation)
        return agenda

    @cached_property
    def keeps(self) -> str | None:
        """The co-op whose own ledger this is (the plugin's ``entity``); None: all."""
        for module, config in self.options.get("plugin", []):
            if module == "ledger.plugin":
                settings, _ = read_config(config, "")
                return settings.entity
        return None

    @cached_property
    def kept_entities(self) -> list[Entity]:
        """The funds whose books this ledger keeps: one co-op's, or every fund's."""
        if self.keeps in self.federation.coops:
            return [self.federation.coops[self.keeps]]
        return self.federation.entities()

    @property
    def last_date(self) -> datetime.date:
        """The date of the last entry, charges included: the default as-of date."""
        return self.entries[-1].date if self.entries else datetime.date.today()


def books_from(
    entries: Sequence[data.Directive], errors: Sequence[Any], options: Mapping[str, Any]
) -> Books:
    """Wrap entries that someone else (Fava, a test) has already loaded."""
    currency = (options.get("operating_currency") or ["EUR"])[0]
    federation, _ = read_federation(entries, currency)
    return Books(entries, errors, options, federation)


def load_books(path: Path) -> Books:
    """Load the ledger at ``path`` with its plugins, as Fava and ``bean-check`` do."""
    entries, errors, options = loader.load_file(str(path))
    return books_from(entries, errors, options)


def format_error(error: Any) -> str:
    """``file:line: message``, the way ``bean-check`` prints an error."""
    source = error.source or {}
    return f"{source.get('filename', '?')}:{source.get('lineno', 0)}: {error.message}"


def check(path: Path) -> list[str]:
    """The errors ``bean-check`` would print for the ledger at ``path``, one line each."""
    _, errors, _ = loader.load_file(str(path))
    return [format_error(error) for error in errors]
