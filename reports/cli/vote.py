"""``coopfund vote serve LEDGER``: the members' ballot site."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import click
from cheroot.wsgi import Server

from reports.ballot_site import create_app
from reports.cli.options import ledger_argument


@click.group()
def vote() -> None:
    """The members' ballot site (a separate app from Fava, with its own protections)."""


@vote.command("serve")
@ledger_argument
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option("--port", "-p", type=int, default=5001, show_default=True)
@click.option("--threads", type=int, default=16, show_default=True, help="Worker threads.")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Act as if today were this day (for rehearsals and the demo).",
)
def serve(
    ledger: str, host: str, port: int, threads: int, as_of: datetime.datetime | None
) -> None:
    """Serve the ballot pages of LEDGER's open rounds on http://HOST:PORT.

    Members enter their ballot code, rank the proposals and get a receipt. Put it
    behind HTTPS (a reverse proxy) before offering it beyond this machine.
    """
    app = create_app(Path(ledger), as_of.date() if as_of else None)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.echo(
            f"WARNING: listening on {host}: members' codes and ballots cross the "
            "network; serve this only behind HTTPS.",
            err=True,
        )
    # A listen backlog of at least a few per thread: with cheroot's default of 5, a
    # crowd of members arriving at once is turned away with connection resets.
    server = Server((host, port), app, numthreads=threads, request_queue_size=4 * threads)
    click.echo(f"The ballot site is at http://{host}:{port}/")
    click.echo("Press Ctrl-C to stop.")
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
