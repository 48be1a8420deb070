"""``coopfund demo DIR``: write the demo federation."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.demo import MAIN
from ledger.demo import is_demo
from ledger.demo import write_demo
from ledger.files import LedgerWriteError


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace DIRECTORY if it holds an earlier demo (never anything else).",
)
def demo(directory: Path, replace: bool) -> None:
    """Write a demo federation into DIRECTORY (a new or empty directory).

    One region, six co-ops, thirteen worker collectives and three years of rent,
    checked with bean-check before the directory appears.
    """
    if replace and directory.exists() and not is_demo(directory):
        raise click.ClickException(
            f"{directory} does not hold a coopfund demo, so --replace will not touch it; "
            "choose another directory"
        )
    click.echo(f"Writing the demo federation to {directory} ...", err=True)
    try:
        write_demo(directory, replace=replace)
    except LedgerWriteError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Done. Browse it with:  coopfund serve {directory / MAIN}")
