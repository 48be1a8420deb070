"""A complete, deterministic federation to try coopfund on: ``coopfund demo DIR``.

The written directory holds::

    main.beancount              open this one: options, plugin, Fava extension
    federation.beancount        the region, co-ops and collectives
    leases.beancount            index values, leases, rent changes, terminations
    funds/<entity>.beancount    each fund's money: rent, deposits, rounds, balances
    statements/<YYYY-MM>/...    the month after the books, as the banks export it
    importers.py                Fava's import page configuration for those files
    members.csv                 the member register (kept out of the ledger)
    ballots/<ROUND>.csv         paper ballots of each round, to import and count
"""

from __future__ import annotations

from pathlib import Path

from ledger import books
from ledger.demo.ballots import ballots_csv
from ledger.demo.declarations import header_text
from ledger.demo.declarations import render
from ledger.demo.generate import Books
from ledger.demo.generate import generate
from ledger.demo.members import members_csv
from ledger.demo.northern import NORTHERN
from ledger.demo.spec import FederationSpec
from ledger.demo.statements import statement_file
from ledger.files import write_tree

MAIN = "main.beancount"
#: The Fava extension module, declared in the ledger so Fava loads it.
FAVA_EXTENSION = "reports.fava_ext"

#: The import configuration for Fava's import page, beside main.beancount.
IMPORTERS = "importers.py"
_IMPORTERS_TEXT = '''"""Fava's import page reads the statements with coopfund's importer."""

from pathlib import Path

from ledger.importer import CoopfundImporter

CONFIG = [CoopfundImporter(Path(__file__).with_name("main.beancount"))]
'''

_HEADERS = {
    "federation": "; Who is in the federation. Ids become parts of account names.",
    "leases": "; Index values, leases and what happened to them since.",
    "rounds": "; Rounds of voting, each followed by the proposals on its ballot.",
}


def demo_files(spec: FederationSpec = NORTHERN) -> dict[str, str]:
    """Every file of the federation's directory, by relative path."""
    generated = generate(spec)
    files = {
        f"{name}.beancount": f"{_HEADERS[name]}\n\n{render(entries)}"
        for name, entries in generated.declarations.items()
    }
    for entity, entries in generated.funds.items():
        header = f"; The {entity} fund: its bank movements, transfers and balance checks."
        files[f"funds/{entity.lower()}.beancount"] = f"{header}\n\n{render(entries)}"
    files[MAIN] = _main_text(spec, generated, list(files))
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


def _main_text(spec: FederationSpec, generated: Books, includes: list[str]) -> str:
    start = spec.start
    lines = [
        f"; {spec.title}: the investment funds of its co-operatives.",
        f"; {_MARK}: books from {start} to {spec.end};",
        f"; rent is charged up to {generated.as_of} (the plugin's as_of).",
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
    """Write the demo into ``target``, checked before it appears.

    ``target`` must be new or empty; with ``replace``, an earlier demo there is
    replaced (the caller checks :func:`is_demo` first).
    """
    write_tree(target, demo_files(spec), books.check, MAIN, replace=replace)
