"""Progress of long work on standard error, where it does not mix with the output."""

from __future__ import annotations

from collections.abc import Callable

import click


def every_tenth(done_what: str, *, least: int = 20) -> Callable[[int, int], None]:
    """A progress callback printing "<done_what> 30 of 300" at each tenth of the
    work, when there are at least ``least`` items (a short job needs no report)."""

    def report(done: int, total: int) -> None:
        step = max(total // 10, 1)
        if total >= least and (done % step == 0 or done == total):
            click.echo(f"{done_what} {done:,} of {total:,}", err=True)

    return report
