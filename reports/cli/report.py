"""``coopfund report federation``: the consolidated statement of a federation."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from ledger.books import load_books
from ledger.consolidation import ConsolidationError
from ledger.consolidation import consolidate
from ledger.consolidation_run import summarise_all
from ledger.levy_roll import levy_roll
from ledger.periods import parse_period
from reports.cli.options import as_of_option
from reports.cli.options import format_option
from reports.cli.options import ledger_argument
from reports.cli.problems import warn_about_errors
from reports.cli.progress import every_tenth
from reports.federation_table import HEADINGS
from reports.federation_table import LEVY_HEADINGS
from reports.federation_table import federation_frame
from reports.federation_table import federation_html
from reports.federation_table import levy_frame
from reports.output import FORMATS
from reports.output import render


@click.group()
def report() -> None:
    """Statements that combine several funds or ledgers."""


@report.command()
@click.argument(
    "ledgers",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Figures at the end of this day (YYYY-MM-DD) [default: today].",
)
@click.option(
    "--period",
    default=None,
    metavar="PERIOD",
    help="A year (2026), quarter (2026-Q3) or month (2026-07) [default: the as-of year].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that load ledgers at once [default: one per core; 1: serial].",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on this Dask cluster (e.g. tcp://10.0.0.5:8786) instead of local cores.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "html"]),
    default="table",
    show_default=True,
    help="table for people, html to mail or print; csv or json for scripts.",
)
def federation(  # click passes options by name
    *,
    ledgers: tuple[str, ...],
    as_of: datetime.datetime | None,
    period: str | None,
    workers: int | None,
    scheduler: str | None,
    fmt: str,
) -> None:
    """Consolidate LEDGERS into one statement per level: region, co-ops, total.

    Give the region's ledger (which includes its co-ops' books), or every co-op's
    own ledger (and the region's own), as many as there are: each is loaded and
    summarised on its own, in parallel, and the summaries are added up.
    """
    day = as_of.date() if as_of else datetime.date.today()
    try:
        chosen = parse_period(period or str(day.year))
    except ValueError as wrong:
        raise click.BadParameter(str(wrong), param_hint="--period") from wrong
    if chosen.start > day:
        raise click.BadParameter(
            f"{chosen.label} begins after the as-of date {day}", param_hint="--period"
        )
    try:
        summaries = summarise_all(
            list(ledgers),
            chosen,
            day,
            workers=workers,
            scheduler=scheduler,
            progress=every_tenth("ledgers summarised:"),
        )
        consolidated = consolidate(summaries, chosen, day)
    except ConsolidationError as problem:
        raise click.ClickException(str(problem)) from problem
    for error in consolidated.errors[:5]:
        click.echo(f"warning: {error}", err=True)
    if len(consolidated.errors) > 5:
        click.echo(
            f"warning: ... {len(consolidated.errors)} errors in all; run bean-check",
            err=True,
        )
    frame = federation_frame(consolidated)
    if fmt == "html":
        click.echo(federation_html(consolidated, frame), nl=False)
        return
    if fmt == "table":
        click.echo(
            f"Consolidated statement {chosen.label}, as of {consolidated.as_of}; "
            f"{consolidated.ledgers} ledger(s)\n"
        )
    about = {"period": chosen.label, "as_of": str(day), "ledgers": consolidated.ledgers}
    click.echo(render(frame, fmt, HEADINGS, about))


@report.command()
@ledger_argument
@as_of_option
@format_option
def levies(ledger: str, as_of: datetime.datetime | None, fmt: str) -> None:
    """Each co-op's levy per year: booked, paid, received, owed, and how late.

    "Paid" is what the co-op's books show it sent, "Received" what the region's
    books show arrived; they differ by money in transit. A co-op's own ledger
    shows only its side.
    """
    books = load_books(Path(ledger))
    warn_about_errors(books.errors, ledger)
    day = as_of.date() if as_of is not None else books.last_date
    frame = levy_frame(levy_roll(books.entries, books.federation, day), day)
    if fmt == "table":
        owed = frame["owed"].sum() if len(frame) else 0
        click.echo(f"Levies as of {day}; owed in all: {owed:,.2f}\n")
    click.echo(render(frame, fmt, LEVY_HEADINGS, {"as_of": str(day)}))
