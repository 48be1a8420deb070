"""``coopfund rent``: import bank statements, the rent roll, a collective's statement."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import click
import pandas as pd
from beancount.core import data
from beancount.parser import printer

from ledger.bank.model import StatementError
from ledger.books import load_books
from ledger.files import LedgerWriteError
from ledger.levy_matching import LevyPayment
from ledger.reconcile import ImportRefused
from ledger.reconcile import StatementImport
from ledger.rent_import import import_statements
from ledger.rent_roll import rent_roll
from ledger.tenant_statement import UnknownCollective
from ledger.tenant_statement import tenant_statement
from reports.cli.options import as_of_option
from reports.cli.options import format_option
from reports.cli.options import ledger_argument
from reports.cli.problems import warn_about_errors
from reports.output import render
from reports.output import table
from reports.rent_tables import ROLL_HEADINGS
from reports.rent_tables import STATEMENT_HEADINGS
from reports.rent_tables import UNPLACED_HEADINGS
from reports.rent_tables import roll_frame
from reports.rent_tables import statement_frame
from reports.rent_tables import unplaced_frame


@click.group()
def rent() -> None:
    """Reconcile rent: import bank statements, see who owes what and since when."""


@rent.command("import")
@ledger_argument
@click.argument(
    "statements",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--dry-run", is_flag=True, help="Show what would be added; change nothing.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def import_(ledger: str, statements: tuple[Path, ...], dry_run: bool, fmt: str) -> None:
    """Book bank STATEMENTS (CSV, OFX, camt.053, MT940) into LEDGER.

    Payments are matched to collectives and leases (by lease reference, then the
    payer's IBAN, then its name); lines nobody can place go to suspense, flagged
    "!". Lines already in the ledger are skipped, so importing twice adds nothing.
    The ledger is checked before anything is written, and files are replaced
    atomically.
    """
    try:
        plan = import_statements(Path(ledger), statements, dry_run=dry_run)
    except (StatementError, ImportRefused, LedgerWriteError) as error:
        raise click.ClickException(str(error)) from error
    summary = _import_summary(plan)
    if fmt == "json":
        entries = [_entry_text(entry) for item in plan for entry in item.entries]
        click.echo(
            json.dumps(
                {"dry_run": dry_run, "statements": summary, "entries": entries},
                indent=2,
                default=str,
            )
        )
        return
    click.echo(table(pd.DataFrame(summary), _IMPORT_HEADINGS))
    added = sum(len(item.entries) for item in plan)
    if dry_run:
        click.echo(f"\nDry run: {added} entries would be added:\n")
        for item in plan:
            for entry in item.entries:
                click.echo(_entry_text(entry))
    elif added:
        click.echo(
            f"\nAdded {added} entries; the ledger checks. See: coopfund rent roll {ledger}"
        )
    else:
        click.echo("\nNothing new: every line is already in the ledger.")


_IMPORT_HEADINGS = {
    "file": "Statement",
    "fund": "Fund",
    "period": "Period",
    "lines": "Lines",
    "new": "New",
    "known": "Already booked",
    "reference": "By ref.",
    "iban": "By IBAN",
    "name": "By name",
    "levy": "Of which levy",
    "unplaced": "Unplaced",
    "closing": "Closing",
}


def _import_summary(plan: list[StatementImport]) -> list[dict[str, object]]:
    rows = []
    for item in plan:
        statement = item.statement
        rules = [booked.match.rule if booked.match else "" for booked in item.booked]
        rows.append(
            {
                "file": Path(statement.where.file).name,
                "fund": item.entity.id,
                "period": f"{statement.start} to {statement.end}",
                "lines": len(statement.lines),
                "new": len(item.booked),
                "known": len(item.duplicates),
                "reference": rules.count("reference"),
                "iban": rules.count("iban"),
                "name": rules.count("name"),
                "levy": sum(isinstance(b.match, LevyPayment) for b in item.booked),
                "unplaced": rules.count(""),
                "closing": statement.closing,
            }
        )
    return rows


def _entry_text(entry: data.Directive) -> str:
    return str(printer.format_entry(entry))


@rent.command()
@ledger_argument
@as_of_option
@click.option("--coop", help="Only this co-op (its id, e.g. Riverside).")
@format_option
def roll(ledger: str, as_of: datetime.datetime | None, coop: str | None, fmt: str) -> None:
    """The rent roll: per lease, charged, paid, owed, credit and aging, with totals.

    Payments settle the oldest charges first; aging counts days past the due
    date at --as-of (default: the ledger's last entry). Bank lines in suspense
    are listed below.
    """
    books = load_books(Path(ledger))
    warn_about_errors(books.errors, ledger)
    if coop and coop not in books.federation.coops:
        known = ", ".join(books.federation.coops)
        raise click.BadParameter(
            f'no co-op "{coop}" (co-ops: {known})', param_hint="--coop"
        )
    day = as_of.date() if as_of else books.last_date
    result = rent_roll(books, day, coop)
    about = {"as_of": str(day)}
    if fmt != "table":
        click.echo(render(roll_frame(result), fmt, ROLL_HEADINGS, about))
        return
    click.echo(f"Rent roll as of {day}\n")
    click.echo(table(roll_frame(result), ROLL_HEADINGS))
    unplaced = unplaced_frame(result)
    click.echo(f"\nBank lines nobody could place yet: {len(unplaced)}")
    if len(unplaced):
        click.echo(table(unplaced, UNPLACED_HEADINGS))


@rent.command()
@ledger_argument
@click.argument("collective")
@as_of_option
@format_option
def statement(
    ledger: str, collective: str, as_of: datetime.datetime | None, fmt: str
) -> None:
    """COLLECTIVE's statement of account: charges, payments, running balance.

    A positive balance is owed by the collective; a negative one is its credit.
    """
    books = load_books(Path(ledger))
    warn_about_errors(books.errors, ledger)
    day = as_of.date() if as_of else books.last_date
    try:
        lines = tenant_statement(books, collective, day)
    except UnknownCollective as error:
        raise click.BadParameter(str(error), param_hint="COLLECTIVE") from error
    frame = statement_frame(lines)
    if fmt == "table":
        name = books.federation.collectives[collective].name
        click.echo(f"Statement of {name} as of {day}\n")
    click.echo(
        render(
            frame, fmt, STATEMENT_HEADINGS, {"collective": collective, "as_of": str(day)}
        )
    )
