"""``coopfund pb``: count any Pabulib election with our rules."""

from __future__ import annotations

import math
import time
from decimal import Decimal
from pathlib import Path

import click
import pandas as pd

from allocation.count import count
from allocation.explain import explain_proposals
from allocation.outcome import RULES
from allocation.pabulib import PabulibError
from allocation.pabulib import read_pb
from allocation.problem import problem
from allocation.utilitarian import SOLVERS
from allocation.utilitarian import SolverError
from reports.cli.options import format_option
from reports.cli.progress import every_tenth
from reports.cli.progress import now_and_then
from reports.output import render


def _money(value: float) -> Decimal | None:
    return None if math.isnan(value) else Decimal(f"{value:.2f}")


@click.group()
def pb() -> None:
    """Pabulib files: count a published election with coopfund's rules."""


@pb.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rule",
    type=click.Choice(RULES),
    default="utilitarian",
    show_default=True,
    help="greedy by points, the utilitarian optimum, or equal shares (mes).",
)
@click.option("--solver", type=click.Choice(SOLVERS), default="cbc", show_default=True)
@click.option(
    "--explain", is_flag=True, help="Also say what each left-out project lacked (slower)."
)
@format_option
def allocate(file: Path, rule: str, solver: str, explain: bool, fmt: str) -> None:
    """Count FILE by RULE with the election's own budget and points, and list the
    funded projects, their total cost and total points."""
    started = time.perf_counter()
    try:
        contest = read_pb(file)
    except PabulibError as error:
        raise click.ClickException(
            f"{error}\nFix the file, then run this again."
        ) from error
    for note in contest.notes:
        click.echo(f"note: {note}", err=True)
    chosen = problem(contest)
    say = now_and_then()

    def raised(times: int, spent: float) -> None:
        say(
            f"equal shares: the budget raised {times:,} times (Add1); "
            f"the outcome spends {spent:,.2f} of {chosen.budget:,.2f}"
        )

    try:
        outcome = count(chosen, rule, solver, raised)
    except SolverError as error:
        raise click.ClickException(str(error)) from error
    projects = chosen.projects
    frame = pd.DataFrame(
        {
            "project": projects.index,
            "name": contest.projects.get("name", pd.Series("", index=projects.index))
            .str.slice(0, 40)
            .to_numpy(),
            "cost": projects["cost"].map(_money),
            "points": projects["points"].map(_money),
            "funded": outcome.funded.map(_money),
        }
    )
    if explain:
        why = explain_proposals(
            chosen,
            outcome,
            lambda p: count(p, rule, solver),
            every_tenth("projects left out, explained:"),
        )
        frame["lost_if_forced"] = (
            why["points_lost_if_forced"].reindex(projects.index).map(_money).to_numpy()
        )
        frame["funded_at_cost"] = (
            why["funded_at_cost"].reindex(projects.index).map(_money).to_numpy()
        )
    frame = frame.sort_values("points", ascending=False, kind="stable")
    # People see what was funded (and, asked why, everything); scripts get it all.
    shown = frame if fmt != "table" or explain else frame[frame["funded"] > 0]
    about = {
        "file": str(file),
        "rule": rule,
        "solver": outcome.solver,
        "budget": str(_money(chosen.budget)),
        "selected": outcome.selected,
        "total_cost": str(_money(outcome.cost)),
        "total_points": str(_money(outcome.objective)),
        "seconds": round(time.perf_counter() - started, 3),
    }
    if fmt == "table":
        click.echo(
            f"{file.name}: {len(contest.voters):,} voters, {len(projects)} projects, "
            f"budget {chosen.budget:,.2f}; rule {rule} ({outcome.solver})\n"
        )
    headings = {c: c.replace("_", " ").capitalize() for c in frame.columns}
    click.echo(render(shown, fmt, headings, about))
    if fmt == "table":
        click.echo(
            f"\n{len(outcome.selected)} funded, total cost {outcome.cost:,.2f}, "
            f"total points {outcome.objective:,.2f}"
            + (
                f"; tied with {len(outcome.tied)} other selection(s)"
                if outcome.tied
                else ""
            )
        )
