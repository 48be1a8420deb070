"""``coopfund serve LEDGER``: Fava with the coopfund pages, on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path

import click

from reports.cli.options import ledger_argument
from reports.cli.problems import warn_about_errors
from reports.fava_server import ExtensionMissingError
from reports.fava_server import fava_app
from reports.fava_server import fund_page_url
from reports.fava_server import serve as serve_app


@click.command()
@ledger_argument
@click.option(
    "--port", "-p", type=int, default=5000, show_default=True, help="Port to listen on."
)
def serve(ledger: str, port: int) -> None:
    """Serve LEDGER in Fava, with the Fund page, on http://127.0.0.1:PORT only.

    Fava has no login: it listens on this machine's loopback address only.
    """
    click.echo(f"Loading {ledger} ...", err=True)
    started = time.perf_counter()
    try:
        app = fava_app(Path(ledger))
    except ExtensionMissingError as error:
        raise click.ClickException(str(error)) from error
    fava_ledger = app.config["LEDGERS"].ledgers[0]
    seconds = time.perf_counter() - started
    click.echo(
        f"Loaded {len(fava_ledger.all_entries)} entries in {seconds:.1f} s.", err=True
    )
    warn_about_errors(fava_ledger.errors, ledger)
    click.echo(f"Fava is serving the Fund page at {fund_page_url(app, port)}")
    click.echo("Press Ctrl-C to stop.")
    serve_app(app, port)
