"""Telling the user about problems in their ledger without hiding the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from ledger.books import format_error

_SHOWN = 5


def warn_about_errors(errors: Sequence[Any], ledger: str) -> None:
    """Print the ledger's first errors to stderr, and how to see them all."""
    if not errors:
        return
    click.echo(
        f"warning: {ledger} has {len(errors)} error(s); figures may be wrong:", err=True
    )
    for error in errors[:_SHOWN]:
        click.echo(f"  {format_error(error)}", err=True)
    if len(errors) > _SHOWN:
        click.echo(f"  ... run `bean-check {ledger}` to see them all", err=True)
