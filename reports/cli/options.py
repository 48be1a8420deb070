"""Arguments and options that several subcommands share."""

from __future__ import annotations

import click

from reports.output import FORMATS

ledger_argument = click.argument(
    "ledger",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True, path_type=None),
)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; csv or json for scripts (amounts as exact decimal strings).",
)

as_of_option = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Report as of this date (YYYY-MM-DD); default: the ledger's last entry.",
)
