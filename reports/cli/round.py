"""``coopfund members`` and ``coopfund round``: register, codes, paper ballots, turnout."""

from __future__ import annotations

import csv
import datetime
import hashlib
from pathlib import Path

import click
import jinja2
import pandas as pd

from allocation.ballots import Poll
from allocation.ballots import UnknownRound
from allocation.codes import issue
from allocation.pabulib import write_pb
from allocation.paper import PaperRefused
from allocation.paper import import_paper
from allocation.register import RegisterError
from allocation.register import load_members
from allocation.register import read_register
from allocation.register import save_members
from allocation.round_export import RoundStillOpen
from allocation.round_export import round_election
from allocation.store import open_store
from allocation.store import store_path
from allocation.turnout import turnout
from ledger.books import Books
from ledger.books import load_books
from reports.cli.options import format_option
from reports.cli.options import ledger_argument
from reports.cli.problems import warn_about_errors
from reports.output import render

_CODES_PAGE = jinja2.Template(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ballot codes: {{ round.id }}</title>
<style>
  body { font-family: sans-serif; }
  .slip { border: 1px dashed #888; padding: 1em; margin: 0 0 1em; }
  .slip { page-break-inside: avoid; }
  .code { font: bold 1.6em monospace; letter-spacing: 0.1em; }
</style></head><body>
{% for member, code in issued %}
<div class="slip">
  <p>Member <strong>{{ member.id }}</strong> ({{ member.coop }}): your code for round
  <strong>{{ round.id }}</strong>, open {{ round.opens }} to {{ round.closes }}.</p>
  <p class="code">{{ code }}</p>
  <p>Enter it on the ballot page to rank the proposals. Keep it to yourself: anyone
  with it can vote in your name. You may change your ballot until the round closes.</p>
</div>
{% endfor %}
</body></html>
"""
)


def _today(as_of: datetime.datetime | None) -> datetime.datetime:
    return as_of if as_of is not None else datetime.datetime.now()


def poll_of(ledger: str, round_id: str) -> tuple[Books, Poll]:
    books = load_books(Path(ledger))
    warn_about_errors(books.errors, ledger)
    connection = open_store(store_path(Path(ledger)))
    try:
        return books, Poll.of(books, round_id, load_members(connection))
    except UnknownRound as error:
        raise click.BadParameter(str(error), param_hint="ROUND") from error
    finally:
        connection.close()


@click.group()
def members() -> None:
    """The member register (kept beside the ledger, never in it)."""


@members.command("import")
@ledger_argument
@click.argument("register", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_members(ledger: str, register: Path) -> None:
    """Add or update the members in REGISTER (CSV) in the ledger's database.

    Columns: member_id, coop, class (consumer or worker), collective, joined, left.
    One bad row and nothing is imported.
    """
    books = load_books(Path(ledger))
    try:
        found = read_register(register, books.federation)
    except RegisterError as error:
        raise click.ClickException(f"nothing imported:\n{error}") from error
    path = store_path(Path(ledger))
    connection = open_store(path)
    try:
        written = save_members(connection, found)
    finally:
        connection.close()
    click.echo(f"{written} members imported into {path}")


@click.group("round")
def round_() -> None:
    """Rounds of voting: ballot codes, paper ballots, turnout, the published count."""


@round_.command()
@ledger_argument
@click.argument("round_id", metavar="ROUND")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Where to write ROUND-codes.csv and ROUND-codes.html.",
)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Issue as of this day.")
def codes(ledger: str, round_id: str, out: Path, as_of: datetime.datetime | None) -> None:
    """Issue a ballot code to every eligible member of ROUND who has none yet.

    Only a hash of each code is stored; the codes themselves are written once, to a
    CSV list and a printable page of slips. Hand them out, then delete both files.
    """
    _, poll = poll_of(ledger, round_id)
    today = _today(as_of).date()
    eligible = [m for m in poll.electorate() if m.left is None or m.left > today]
    connection = open_store(store_path(Path(ledger)))
    try:
        issued = issue(connection, round_id, eligible, today)
    finally:
        connection.close()
    if not issued:
        click.echo(f"Every eligible member of {round_id} already has a code; none issued.")
        return
    out.mkdir(parents=True, exist_ok=True)
    listing = out / f"{round_id}-codes.csv"
    slips = out / f"{round_id}-codes.html"
    for path in (listing, slips):
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)  # secrets: readable by the treasurer only
    with listing.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["member_id", "coop", "code"])
        writer.writerows((m.id, m.coop, code) for m, code in issued)
    slips.write_text(_CODES_PAGE.render(round=poll.round, issued=issued), encoding="utf-8")
    click.echo(f"{len(issued)} codes issued for {round_id}: {listing} and {slips}")
    click.echo(
        "These files hold the only copy of the codes: hand them out, then delete them."
    )


@round_.command("import-ballots")
@ledger_argument
@click.argument("round_id", metavar="ROUND")
@click.argument("ballots", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_ballots(ledger: str, round_id: str, ballots: Path) -> None:
    """Store the paper ballots of ROUND typed into BALLOTS (CSV).

    Columns: member_id, rank_1, rank_2, ... and optionally date (the day each was
    cast; default today). Checked like web ballots; one refused row and nothing is
    stored.
    """
    _, poll = poll_of(ledger, round_id)
    connection = open_store(store_path(Path(ledger)))
    try:
        stored = import_paper(connection, ballots, poll, datetime.datetime.now())
    except PaperRefused as error:
        raise click.ClickException(f"nothing stored:\n{error}") from error
    finally:
        connection.close()
    click.echo(f"{len(stored)} paper ballots stored for {round_id}")


@round_.command("turnout")
@ledger_argument
@click.argument("round_id", metavar="ROUND")
@format_option
def turnout_(ledger: str, round_id: str, fmt: str) -> None:
    """How many eligible members voted in ROUND, per co-op, and whether quorum is met."""
    _, poll = poll_of(ledger, round_id)
    connection = open_store(store_path(Path(ledger)))
    try:
        report = turnout(connection, poll)
    finally:
        connection.close()
    rows = [
        {
            "coop": line.coop or "TOTAL",
            "eligible": line.eligible,
            "voted": line.voted,
            "turnout": f"{line.share:.1%}",
            "own_collective": line.own_collective,
        }
        for line in [*report.coops, report.total]
    ]
    headings = {
        "coop": "Co-op",
        "eligible": "Eligible",
        "voted": "Voted",
        "turnout": "Turnout",
        "own_collective": "Ranked own collective",
    }
    about = {"round": round_id, "quorum": report.quorum, "quorum_met": report.quorum_met}
    if fmt == "table":
        met = "met" if report.quorum_met else "NOT met: the result is advisory"
        click.echo(f"Round {round_id}: quorum {report.quorum} ballots, {met}\n")
    click.echo(render(pd.DataFrame(rows), fmt, headings, about))


@round_.command("export-pb")
@ledger_argument
@click.argument("round_id", metavar="ROUND")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the file [default: rounds/ROUND.pb beside the ledger].",
)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Export as of this day.")
def export_pb(
    ledger: str, round_id: str, out: Path | None, as_of: datetime.datetime | None
) -> None:
    """Write the closed ROUND as a Pabulib file anyone can recount.

    Voters appear under anonymous ids; the points rule, the budget and the round's
    dates are in the file's META section. The SHA-256 printed identifies the file.
    """
    books, poll = poll_of(ledger, round_id)
    connection = open_store(store_path(Path(ledger)))
    try:
        contest = round_election(books, poll, connection, _today(as_of).date())
    except RoundStillOpen as error:
        raise click.ClickException(str(error)) from error
    finally:
        connection.close()
    target = out or Path(ledger).resolve().parent / "rounds" / f"{round_id}.pb"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_pb(contest, target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    click.echo(
        f"{len(contest.voters)} ballots on {len(contest.projects)} proposals of "
        f"{round_id} written to {target}\nsha256 {digest}"
    )
