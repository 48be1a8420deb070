"""``coopfund fund LEDGER``: where each fund stands."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from ledger.books import load_books
from ledger.fund import fund_report
from reports.cli.options import as_of_option
from reports.cli.options import format_option
from reports.cli.options import ledger_argument
from reports.cli.problems import warn_about_errors
from reports.fund_table import HEADINGS
from reports.fund_table import fund_frame
from reports.output import render


@click.command()
@ledger_argument
@as_of_option
@format_option
def fund(ledger: str, as_of: datetime.datetime | None, fmt: str) -> None:
    """Each fund's bank balance, envelopes, rent due and received, arrears.

    Figures are as of --as-of (default: the ledger's last entry); rent is counted
    from 1 January of that year.
    """
    books = load_books(Path(ledger))
    warn_about_errors(books.errors, ledger)
    day = as_of.date() if as_of is not None else books.last_date
    report = fund_report(books.entries, books.federation, day, books.kept_entities)
    if fmt == "table":
        click.echo(f"Funds as of {report.as_of}; rent from 1 January {report.year}\n")
    about = {"as_of": str(report.as_of), "year": report.year}
    click.echo(render(fund_frame(report), fmt, HEADINGS, about))
