"""The ``coopfund`` command: one entry point, a subcommand per job."""

from __future__ import annotations

import click

from reports.cli.allocate import allocate
from reports.cli.allocate import disburse
from reports.cli.demo import demo
from reports.cli.fund import fund
from reports.cli.pb import pb
from reports.cli.rent import rent
from reports.cli.report import report
from reports.cli.round import members
from reports.cli.round import round_
from reports.cli.serve import serve
from reports.cli.vote import vote


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="coopfund")
def main() -> None:
    """Run the investment fund of a federation of co-operatives on Beancount.

    Start with `coopfund demo DIR` to write a demo federation, then
    `coopfund serve DIR/main.beancount` to browse it in Fava.
    """


main.add_command(allocate)
main.add_command(demo)
main.add_command(disburse)
main.add_command(fund)
main.add_command(rent)
main.add_command(report)
main.add_command(members)
main.add_command(pb)
main.add_command(round_)
main.add_command(serve)
main.add_command(vote)
