"""A complete, deterministic federation to try coopfund on: ``coopfund demo DIR``.

A federation of ledgers: each co-op keeps its own books, which its treasurer can
open alone, and the region's ledger includes them all::

    main.beancount              the region's ledger, the whole federation: open this
    federation.beancount        shared by every ledger: the region, its levy, index
                                values and the bank's CSV layout
    north.beancount             the region's own books: its rounds and its fund
    coops/<coop>/main.beancount the co-op's own ledger (plugin ``entity``)
    coops/<coop>/books.beancount  the co-op, its collectives, leases, rounds and fund
    statements/<YYYY-MM>/...    the month after the books, as the banks export it
    importers.py                Fava's import page configuration for those files
    members.csv                 the member register (kept out of the ledger)
    ballots/<ROUND>.csv         paper ballots of each round, to import and count

``bean-check`` accepts every main file: the region's and each co-op's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from beancount.core import data

from ledger import books
from ledger.demo.ballots import ballots_csv
from ledger.demo.declarations import header_text
from ledger.demo.declarations import render
from ledger.demo.generate import Books
from ledger.demo.generate import generate
from ledger.demo.members import members_csv
from ledger.demo.northern import NORTHERN
from ledger.demo.spec import CoopSpec
from ledger.demo.spec import FederationSpec
from ledger.demo.statements import statement_file
from ledger.files import write_tree

MAIN = "main.beancount"
#: The Fava extension module, declared in the ledger so Fava loads it.
FAVA_EXTENSION = "reports.fava_ext"

#: The import configuration for Fava's import page, beside main.beancount.
IMPORTERS = "importers.py"
_IMPORTERS_TEXT = '''"""Fava's import page reads the statements with coopfund's importer."""

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from beancount.core import data

from ledger.importer import CoopfundImporter

CONFIG = [CoopfundImporter(Path(__file__).with_name("main.beancount"))]
'''


def demo_files(spec: FederationSpec = NORTHERN) -> dict[str, str]:
    """Every file of the federation's directory, by relative path."""
    generated = generate(spec)
    books = _BooksByOwner(spec)
    for entries in generated.declarations.values():
        books.add(entries)
    for entity, entries in generated.funds.items():
        books.owned[entity] += entries
    files = {SHARED: f"{_SHARED_HEADER}\n\n{render(books.shared)}"}
    files[region_books(spec)] = _books_text(spec.region_name, books.owned[spec.region])
    for coop in spec.coops:
        files[coop_books(coop.id)] = _books_text(coop.name, books.owned[coop.id])
        files[coop_main(coop.id)] = _coop_main_text(spec, generated, coop)
    files[MAIN] = _main_text(
        spec, generated, [SHARED, region_books(spec), *map(coop_books, _ids(spec))]
    )
    month = f"{generated.as_of:%Y-%m}"
    for statement in generated.statements:
        name, text = statement_file(statement)
        files[f"statements/{month}/{name}"] = text
    if spec.statements:
        files[IMPORTERS] = _IMPORTERS_TEXT
    if spec.members:
        register = members_csv(spec)
        files["members.csv"] = register
        for voting in spec.rounds:
            files[f"ballots/{voting.id}.csv"] = ballots_csv(spec, register, voting)
    return files


#: The declarations every ledger of the federation includes.
SHARED = "federation.beancount"
_SHARED_HEADER = (
    "; Shared by every ledger of the federation: the region, its levy on the co-ops,\n"
    "; index values and the bank's CSV layout. Co-ops declare themselves in their books."
)


def region_books(spec: FederationSpec) -> str:
    """The region's own books: its rounds, proposals and fund."""
    return f"{spec.region.lower()}.beancount"


def coop_books(coop: str) -> str:
    """A co-op's books, which both its own ledger and the region's include."""
    return f"coops/{coop.lower()}/books.beancount"


def coop_main(coop: str) -> str:
    """A co-op's own ledger, for its treasurer."""
    return f"coops/{coop.lower()}/main.beancount"


def _ids(spec: FederationSpec) -> list[str]:
    return [coop.id for coop in spec.coops]


class _BooksByOwner:
    """Sorts generated directives into the shared file and each entity's books."""

    def __init__(self, spec: FederationSpec) -> None:
        self.shared: list[data.Directive] = []
        self.owned: dict[str, list[data.Directive]] = defaultdict(list)
        collectives = {c.id: c.coop for c in spec.collectives}
        self._coop_of = collectives | {
            lease.id: collectives[lease.collective] for lease in spec.leases
        }

    def add(self, entries: list[data.Directive]) -> None:
        for entry in entries:
            owner = self._owner(entry)
            (self.owned[owner] if owner else self.shared).append(entry)

    def _owner(self, entry: data.Directive) -> str | None:
        """The co-op or region whose books hold ``entry``; None: every ledger's."""
        assert isinstance(entry, data.Custom), entry
        first = str(entry.values[0].value) if entry.values else ""
        owners: dict[str, Callable[[], str | None]] = {
            "coop": lambda: first,
            "collective": lambda: str(entry.meta["coop"]),
            "payer": lambda: self._coop_of[first],
            "lease": lambda: str(entry.meta["coop"]),
            "rent-change": lambda: self._coop_of[first],
            "lease-termination": lambda: self._coop_of[first],
            "round": lambda: str(entry.meta["scope"]),
            "proposal": lambda: str(entry.meta["scope"]),
        }
        return owners.get(entry.type, lambda: None)()


def _books_text(name: str, entries: list[data.Directive]) -> str:
    header = (
        f"; The books of {name}: who it is, its leases, its rounds and its fund's\n"
        "; bank movements, transfers and balance checks."
    )
    return f"{header}\n\n{render(entries)}"


def _coop_main_text(spec: FederationSpec, generated: Books, coop: CoopSpec) -> str:
    start = spec.start
    lines = [
        f"; {coop.name}: the co-op's own ledger, which its treasurer can keep alone.",
        "; The region's ledger (../../main.beancount) includes the same books.",
        "",
        header_text(spec, generated.as_of, entity=coop.id, title=coop.name),
        f'{start} custom "fava-extension" "{FAVA_EXTENSION}"',
        f'{start} custom "fava-option" "default-page" "extension/Fund/"',
        "",
        f'include "../../{SHARED}"',
        'include "books.beancount"',
        "",
    ]
    return "\n".join(lines)


def _main_text(spec: FederationSpec, generated: Books, includes: list[str]) -> str:
    start = spec.start
    lines = [
        f"; {spec.title}: the investment funds of its co-operatives.",
        f"; {_MARK}: books from {start} to {spec.end};",
        f"; rent is charged up to {generated.as_of} (the plugin's as_of).",
        "; The region's ledger: it includes every co-op's books (coops/*/books.beancount);",
        "; each co-op's own ledger is coops/<coop>/main.beancount.",
        "",
        header_text(spec, generated.as_of),
        f'{start} custom "fava-extension" "{FAVA_EXTENSION}"',
        f'{start} custom "fava-option" "default-page" "extension/Fund/"',
        *(
            [
                f'{start} custom "fava-option" "import-config" "{IMPORTERS}"',
                f'{start} custom "fava-option" "import-dirs" "statements"',
            ]
            if spec.statements
            else []
        ),
        "",
        *(f'include "{name}"' for name in includes),
        "",
    ]
    return "\n".join(lines)


#: The first line of every demo's main file; how ``--replace`` recognises a demo.
_MARK = "Written by `coopfund demo`"


def is_demo(directory: Path) -> bool:
    """Whether ``directory`` holds a demo this command wrote (and may replace)."""
    main = directory / MAIN
    return main.is_file() and _MARK in main.read_text(encoding="utf-8").split("\n", 3)[1]


def write_demo(
    target: Path, spec: FederationSpec = NORTHERN, *, replace: bool = False
) -> None:
    """Write the demo into ``target``, every level's ledger checked before it appears.

    ``target`` must be new or empty; with ``replace``, an earlier demo there is
    replaced (the caller checks :func:`is_demo` first).
    """
    mains = [MAIN, *(coop_main(coop.id) for coop in spec.coops)]
    write_tree(target, demo_files(spec), books.check, mains, replace=replace)
