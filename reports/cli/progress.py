"""Progress of long work on standard error, where it does not mix with the output."""

from __future__ import annotations

import time
from collections.abc import Callable

import click

#: Seconds between two reports of work whose end is not known ahead.
EVERY = 2.0


def every_tenth(done_what: str, *, least: int = 20) -> Callable[[int, int], None]:
    """A progress callback printing "<done_what> 30 of 300" at each tenth of the
    work, when there are at least ``least`` items (a short job needs no report)."""

    def report(done: int, total: int) -> None:
        step = max(total // 10, 1)
        if total >= least and (done % step == 0 or done == total):
            click.echo(f"{done_what} {done:,} of {total:,}", err=True)

    return report


def now_and_then() -> Callable[[str], None]:
    """A printer of progress lines that prints one every :data:`EVERY` seconds at
    most, the first after that long: for work whose end is not known ahead, so
    that a short job stays quiet and a long one is seen to move."""
    last = time.monotonic()

    def say(line: str) -> None:
        nonlocal last
        if time.monotonic() - last >= EVERY:
            last = time.monotonic()
            click.echo(line, err=True)

    return say
