"""``coopfund allocate`` and ``coopfund disburse``: book a round's result, pay it out."""

from __future__ import annotations

import datetime
from decimal import Decimal
from decimal import InvalidOperation
from pathlib import Path

import click
import pandas as pd

from allocation.outcome import RULES
from allocation.round_count import count_round
from allocation.round_export import RoundStillOpen
from allocation.store import open_store
from allocation.store import store_path
from allocation.turnout import turnout
from allocation.utilitarian import SOLVERS
from allocation.utilitarian import SolverError
from ledger.commitments import AllocationRefused
from ledger.commitments import disburse as book_disbursement
from ledger.commitments import round_file
from ledger.commitments import write_allocation
from ledger.errors import FieldError
from ledger.files import LedgerWriteError
from reports.cli.options import format_option
from reports.cli.options import ledger_argument
from reports.cli.progress import every_tenth
from reports.cli.round import poll_of
from reports.output import render

HEADINGS = {
    "rank": "Rank",
    "proposal": "Proposal",
    "title": "Title",
    "cost": "Cost",
    "points": "Points",
    "funded": "Funded",
    "lost": "Lost if forced",
    "at_cost": "Funded at cost",
}


@click.command()
@ledger_argument
@click.argument("round_id", metavar="ROUND")
@click.option(
    "--rule", type=click.Choice(RULES), help="Count by this rule [default: the round's]."
)
@click.option("--solver", type=click.Choice(SOLVERS), default="cbc", show_default=True)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Count as of this day.")
@click.option("--dry-run", is_flag=True, help="Count and show; write nothing.")
@click.option(
    "--proceed",
    is_flag=True,
    help="Book even if quorum was missed or the fund changed since the round closed.",
)
@format_option
def allocate(  # click passes options by name
    *,
    ledger: str,
    round_id: str,
    rule: str | None,
    solver: str,
    as_of: datetime.datetime | None,
    dry_run: bool,
    proceed: bool,
    fmt: str,
) -> None:
    """Count the closed ROUND and book its commitments in rounds/ROUND.beancount.

    One transaction per funded proposal moves its money from the fund's available
    envelope to the proposal's committed envelope, recording the rule, points, rank,
    solver, objective and the hash of the ballots. Running it again replaces the
    file; it never adds a second set of commitments.
    """
    books, poll = poll_of(ledger, round_id)
    today = (as_of or datetime.datetime.now()).date()
    connection = open_store(store_path(Path(ledger)))
    try:
        quorum = turnout(connection, poll)
        if not quorum.quorum_met and not proceed and not dry_run:
            raise click.ClickException(
                f"round {round_id} missed its quorum ({quorum.total.voted} of "
                f"{quorum.quorum} ballots needed): its result is advisory. Add "
                "--proceed to book it anyway, or --dry-run to see it."
            )
        counted = count_round(
            books,
            poll,
            connection,
            today,
            rule=rule,
            solver=solver,
            progress=every_tenth("proposals left out, explained:"),
        )
    except (RoundStillOpen, SolverError) as error:
        raise click.ClickException(str(error)) from error
    finally:
        connection.close()
    booked = counted.allocation
    if booked.rule != "utilitarian" and not counted.problem.options.plain:
        click.echo(
            f"WARNING: round {round_id} declares options (partial funding, caps, "
            "dependencies, floors or shares); only the utilitarian rule honours them, "
            f"and {booked.rule} was asked.",
            err=True,
        )
    frame = pd.DataFrame(
        [
            {
                "rank": r.rank,
                "proposal": r.proposal.id,
                "title": r.proposal.title,
                "cost": r.proposal.cost,
                "points": r.points,
                "funded": r.amount,
                "lost": r.lost_if_forced,
                "at_cost": r.funded_at_cost,
            }
            for r in sorted(booked.results, key=lambda r: r.rank)
        ]
    )
    spent = sum((r.amount for r in booked.results), Decimal(0))
    about = {
        "round": round_id,
        "rule": booked.rule,
        "solver": booked.solver,
        "budget": str(booked.budget),
        "spent": str(spent),
        "objective": str(booked.objective),
        "ballots": booked.ballots,
        "ballots_sha256": booked.ballots_sha256,
        "tied": [sorted(s) for s in counted.outcome.tied],
    }
    if fmt == "table":
        click.echo(
            f"Round {round_id}: {booked.ballots} ballots, rule {booked.rule} "
            f"({booked.solver}), budget {booked.budget:,.2f}\n"
        )
    click.echo(render(frame, fmt, HEADINGS, about))
    if fmt == "table":
        click.echo(
            f"\nSpent {spent:,.2f} of {booked.budget:,.2f}; {booked.objective} points."
        )
        if counted.outcome.tied:
            click.echo("Tied optima were found; the declared tie-break chose this one.")
    if dry_run:
        click.echo(f"Dry run: {round_file(booked.round)} not written.", err=True)
        return
    try:
        changed = write_allocation(Path(ledger), books, booked, proceed=proceed)
    except (AllocationRefused, LedgerWriteError) as error:
        raise click.ClickException(str(error)) from error
    target = round_file(booked.round)
    click.echo(
        f"Commitments written to {target}"
        if changed
        else f"{target} is already up to date",
        err=True,
    )


@click.command()
@ledger_argument
@click.argument("proposal_id", metavar="PROPOSAL")
@click.argument("amount")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option("--narration", help="Default: Disbursement (instrument): title.")
def disburse(
    ledger: str,
    proposal_id: str,
    amount: str,
    day: datetime.datetime | None,
    narration: str | None,
) -> None:
    """Pay AMOUNT to PROPOSAL out of what its round committed to it."""
    try:
        number = Decimal(amount)
    except InvalidOperation as error:
        raise click.BadParameter(
            f'"{amount}" is not an amount', param_hint="AMOUNT"
        ) from error
    if number <= 0:
        raise click.BadParameter("pay a positive amount", param_hint="AMOUNT")
    when = (day or datetime.datetime.now()).date()
    try:
        paid = book_disbursement(Path(ledger), proposal_id, number, when, narration)
    except (FieldError, AllocationRefused, LedgerWriteError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Paid {number:,.2f} to {proposal_id}: {paid.disbursed:,.2f} of "
        f"{paid.committed:,.2f} committed paid out."
    )
    if paid.over:
        click.echo(
            f"WARNING: {paid.over:,.2f} more than was committed has been paid to "
            f"{proposal_id}; a round must commit the difference.",
            err=True,
        )
