"""Fava, serving a federation's ledger with our extension, on loopback only.

Fava has no authentication and no CSRF protection, so it listens on 127.0.0.1 and
nowhere else; there is deliberately no option to change the host.
"""

from __future__ import annotations

from pathlib import Path

from cheroot.wsgi import Server
from fava.application import create_app
from flask import Flask

from ledger.demo import FAVA_EXTENSION

HOST = "127.0.0.1"
#: The extension page that opens first.
FUND_PAGE = "Fund"


class ExtensionMissingError(Exception):
    """The ledger does not declare our Fava extension."""

    def __init__(self, ledger: Path) -> None:
        super().__init__(
            f"{ledger} does not load the coopfund pages in Fava. Add this line to it "
            f'and run the command again:\n\n    2000-01-01 custom "fava-extension" '
            f'"{FAVA_EXTENSION}"\n'
        )


def fava_app(ledger: Path) -> Flask:
    """Load the ledger into a Fava app, and check that our pages come with it."""
    app = create_app([ledger.resolve()], load=True)
    for fava_ledger in app.config["LEDGERS"].ledgers:
        names = {ext.name for ext in fava_ledger.extensions.extension_details}
        if FUND_PAGE not in names:
            raise ExtensionMissingError(ledger)
    return app


def fund_page_url(app: Flask, port: int) -> str:
    """Where the Fund page of the first ledger is served."""
    slug = app.config["LEDGERS"].first_slug()
    return f"http://{HOST}:{port}/{slug}/extension/{FUND_PAGE}/"


def serve(app: Flask, port: int) -> None:
    """Serve ``app`` on 127.0.0.1 until interrupted, as Fava's own command does."""
    server = Server((HOST, port), app)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
